//! Turning what people type into valid domain values ("parse, don't validate").
//!
//! Forms arrive as name/value pairs. Each `*Input::parse` reads the fields it needs and
//! either returns a value that is valid by construction or every problem at once, each
//! tied to the field it is about and worded as the GOV.UK Design System advises
//! ("Enter...", "...must be..."), so the web layer can show an error summary.

use crate::ids::*;
use crate::inspection::{FindingHeading, FindingKind, Framework, InspectionOutcome};
use crate::numbering::ItemNumber;
use crate::partnership::OrganisationKind;
use crate::plan::{ActionText, PlanKind, PlanStatus, Resource, ResourceKind};
use crate::rating::{RatingClass, RatingPreset, TagColour};
use serde::Serialize;
use std::str::FromStr;
use time::{Date, Month};

/// Longest single-line text we accept (titles, names).
pub const SHORT_TEXT: usize = 300;
/// Longest multi-line text we accept (narratives, descriptions).
pub const LONG_TEXT: usize = 20_000;

/// A submitted form: name/value pairs in the order they arrived.
#[derive(Debug, Clone, Default)]
pub struct RawForm(pub Vec<(String, String)>);

impl RawForm {
    /// The first value of `name`, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// Every non-empty value of `name` (checkboxes, multi-selects).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
            .collect()
    }

    /// Builds a form from literal pairs (tests, imports).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        RawForm(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }
}

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The id of the input to link to from the error summary.
    pub field: String,
    pub message: String,
}

/// Every problem found in a form, in the order of the fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for a field (or for one of its parts, like `due-day`), if any.
    pub fn message_for(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| {
                e.field == field
                    || e.field
                        .strip_prefix(field)
                        .is_some_and(|r| r.starts_with('-'))
            })
            .map(|e| e.message.as_str())
    }

    /// A single error, for rules checked outside a form parser.
    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        errors
    }
}

/// Whether `c` is a control character text may not hold: line breaks and tabs are text.
pub fn is_hidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

/// The first invisible control character in `text` that no form field may hold (line
/// breaks and tabs are allowed: text areas have them), named as a person could look it up.
pub fn hidden_control(text: &str) -> Option<String> {
    text.chars()
        .find(|c| is_hidden_control(*c))
        .map(|c| format!("U+{:04X}", u32::from(c)))
}

/// Text for one line (a name, a subject): every control character, line breaks included,
/// becomes a space, so it can never start a new header in an email or a row in a file.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads fields from a form, collecting every problem rather than stopping at the first.
pub struct FormReader<'a> {
    form: &'a RawForm,
    errors: FieldErrors,
}

impl<'a> FormReader<'a> {
    pub fn new(form: &'a RawForm) -> Self {
        FormReader {
            form,
            errors: FieldErrors::default(),
        }
    }

    /// Records a problem found by a rule that spans fields.
    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.errors.add(field, message);
    }

    /// Whether a problem has been recorded for `field` already.
    pub fn has_error(&self, field: &str) -> bool {
        self.errors.message_for(field).is_some()
    }

    /// Text that must be given. `what` completes "Enter ...".
    pub fn required(&mut self, field: &str, what: &str, max: usize) -> String {
        let value = self.form.get(field);
        if value.is_empty() {
            self.errors.add(field, format!("Enter {what}"));
        } else {
            self.check_length(field, what, value, max);
        }
        value.to_owned()
    }

    /// Text that may be left empty.
    pub fn optional(&mut self, field: &str, what: &str, max: usize) -> String {
        let value = self.form.get(field);
        self.check_length(field, what, value, max);
        value.to_owned()
    }

    fn check_length(&mut self, field: &str, what: &str, value: &str, max: usize) {
        let length = value.chars().count();
        if length > max {
            let what = capitalise(what);
            self.errors.add(
                field,
                format!("{what} must be {max} characters or fewer (it has {length})"),
            );
        } else if let Some(bad) = hidden_control(value) {
            // A null byte or another invisible control character cannot be stored by every
            // database, nor shown: say so, rather than fail on saving and lose the form.
            let what = capitalise(what);
            self.errors.add(
                field,
                format!("{what} contains a hidden control character ({bad}): retype it, or paste it as plain text"),
            );
        }
    }

    /// One of a fixed set of choices (radios, selects).
    pub fn choice<T>(
        &mut self,
        field: &str,
        what: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let value = self.form.get(field);
        if value.is_empty() {
            self.errors.add(field, format!("Select {what}"));
            return None;
        }
        let parsed = parse(value);
        if parsed.is_none() {
            self.errors
                .add(field, format!("Select {what} from the list"));
        }
        parsed
    }

    /// An optional choice: empty means "none".
    pub fn optional_choice<T>(
        &mut self,
        field: &str,
        what: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        if self.form.get(field).is_empty() {
            None
        } else {
            self.choice(field, what, parse)
        }
    }

    /// Ids ticked or selected under `field`.
    pub fn ids<T: FromStr>(&mut self, field: &str, what: &str) -> Vec<T> {
        let mut ids = Vec::new();
        for value in self.form.all(field) {
            match value.parse() {
                Ok(id) => ids.push(id),
                Err(_) => {
                    self.errors
                        .add(field, format!("Select {what} from the list"));
                    break;
                }
            }
        }
        ids
    }

    /// An optional id (a select with a "none" option).
    pub fn optional_id<T: FromStr>(&mut self, field: &str, what: &str) -> Option<T> {
        self.optional_choice(field, what, |v| v.parse().ok())
    }

    /// A whole number between `min` and `max`.
    pub fn whole_number(&mut self, field: &str, what: &str, min: i64, max: i64) -> Option<i64> {
        let value = self.form.get(field);
        if value.is_empty() {
            self.errors.add(field, format!("Enter {what}"));
            return None;
        }
        match value.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Some(n),
            Ok(_) => {
                self.errors.add(
                    field,
                    format!("{} must be between {min} and {max}", capitalise(what)),
                );
                None
            }
            Err(_) => {
                self.errors.add(
                    field,
                    format!("{} must be a whole number, like 42", capitalise(what)),
                );
                None
            }
        }
    }

    /// A plan item number such as `2.3.1`.
    pub fn item_number(&mut self, field: &str) -> Option<ItemNumber> {
        match ItemNumber::parse(self.form.get(field)) {
            Ok(number) => Some(number),
            Err(e) => {
                self.errors.add(field, e.to_string());
                None
            }
        }
    }

    /// A date from the GOV.UK date input's `{field}-day`, `-month` and `-year` parts.
    pub fn date(&mut self, field: &str, what: &str, required: bool) -> Option<Date> {
        let day = self.form.get(&format!("{field}-day"));
        let month = self.form.get(&format!("{field}-month"));
        let year = self.form.get(&format!("{field}-year"));
        match parse_date_parts(day, month, year, what) {
            Ok(Some(date)) => Some(date),
            Ok(None) => {
                if required {
                    self.errors
                        .add(format!("{field}-day"), format!("Enter {what}"));
                }
                None
            }
            Err((part, message)) => {
                self.errors.add(format!("{field}-{part}"), message);
                None
            }
        }
    }

    /// A GOV.UK date input whose day, or day and month, may be left empty because only
    /// the month or the year is known.
    pub fn partial_date(
        &mut self,
        field: &str,
        what: &str,
        required: bool,
    ) -> Option<crate::history::PartialDate> {
        let day = self.form.get(&format!("{field}-day"));
        let month = self.form.get(&format!("{field}-month"));
        let year = self.form.get(&format!("{field}-year"));
        match crate::history::PartialDate::from_parts(day, month, year) {
            Ok(Some(date)) => Some(date),
            Ok(None) => {
                if required {
                    self.errors
                        .add(format!("{field}-year"), format!("Enter {what}"));
                }
                None
            }
            Err(problem) => {
                self.errors.add(
                    format!("{field}-year"),
                    format!("{} {problem}", capitalise(what)),
                );
                None
            }
        }
    }

    /// Returns `value` if no problem was found, else every problem.
    pub fn finish<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(self.errors)
        }
    }
}

/// A textarea of web addresses, one per line; each must start with https:// or http://.
pub fn web_addresses(f: &mut FormReader<'_>, field: &str, what: &str) -> Vec<String> {
    let text = f.optional(field, what, LONG_TEXT);
    let links: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(bad) = links
        .iter()
        .find(|l| !(l.starts_with("https://") || l.starts_with("http://")) || l.contains(' '))
    {
        f.error(
            field,
            format!("Enter each link as a web address starting with https://, one per line (\"{bad}\" is not)"),
        );
    }
    links
}

/// The text with its first letter a capital.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Reads a GOV.UK date input. `Ok(None)` when all three parts are empty; otherwise the
/// part to highlight (`day`, `month` or `year`) and a message.
pub fn parse_date_parts(
    day: &str,
    month: &str,
    year: &str,
    what: &str,
) -> Result<Option<Date>, (&'static str, String)> {
    let (day, month, year) = (day.trim(), month.trim(), year.trim());
    if day.is_empty() && month.is_empty() && year.is_empty() {
        return Ok(None);
    }
    let what_cap = capitalise(what);
    for (part, value) in [("day", day), ("month", month), ("year", year)] {
        if value.is_empty() {
            return Err((part, format!("{what_cap} must include a {part}")));
        }
    }
    let day: u8 = day
        .parse()
        .map_err(|_| ("day", format!("{what_cap} must be a real date")))?;
    let month = parse_month(month).ok_or(("month", format!("{what_cap} must be a real date")))?;
    if year.len() != 4 {
        return Err(("year", "Year must include 4 numbers".to_owned()));
    }
    let year: i32 = year
        .parse()
        .map_err(|_| ("year", "Year must include 4 numbers".to_owned()))?;
    if !(1990..=2100).contains(&year) {
        return Err(("year", format!("{what_cap} must be between 1990 and 2100")));
    }
    Date::from_calendar_date(year, month, day)
        .map(Some)
        .map_err(|_| ("day", format!("{what_cap} must be a real date")))
}

/// A month as a number (`3`) or a name (`Mar`, `March`), as the GOV.UK date pattern allows.
fn parse_month(text: &str) -> Option<Month> {
    if let Ok(n) = text.parse::<u8>() {
        return Month::try_from(n).ok();
    }
    let lower = text.to_ascii_lowercase();
    let names = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    names
        .iter()
        .position(|name| lower.len() >= 3 && name.starts_with(&lower))
        .and_then(|i| Month::try_from(i as u8 + 1).ok())
}

/// A date as GOV.UK writes it: `12 July 2021`.
pub fn long_date(date: Date) -> String {
    format!("{} {} {}", date.day(), date.month(), date.year())
}

/// Reads an amount of money such as `£45,000` or `1250.50` into pence.
pub fn parse_pounds(text: &str) -> Option<i64> {
    let cleaned: String = text
        .trim()
        .trim_start_matches('£')
        .chars()
        .filter(|c| *c != ',')
        .collect();
    if cleaned.is_empty() {
        return None;
    }
    let (pounds, pence) = match cleaned.split_once('.') {
        Some((p, q)) if q.len() <= 2 && q.bytes().all(|b| b.is_ascii_digit()) => {
            (p, format!("{q:0<2}").parse::<i64>().ok()?)
        }
        Some(_) => return None,
        None => (cleaned.as_str(), 0),
    };
    if pounds.is_empty() || !pounds.bytes().all(|b| b.is_ascii_digit()) || pounds.len() > 12 {
        return None;
    }
    Some(pounds.parse::<i64>().ok()? * 100 + pence)
}

/// An address of the shape mail systems deliver to: one `@`; a local part of the
/// characters RFC 5322 allows unquoted (no quoted forms, which no council uses); a domain of
/// letter, digit and hyphen labels with at least one dot. Anything else (two `@`, a comma
/// that makes two addresses, `%0d%0a` that becomes a header) is refused, not guessed at.
fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

/// Checks an email address's shape (sendplan never sends to unverified addresses).
pub fn parse_email(form: &mut FormReader<'_>, field: &str, required: bool) -> String {
    let email = if required {
        form.required(field, "an email address", 254)
    } else {
        form.optional(field, "the email address", 254)
    };
    if !email.is_empty() && !is_plausible_email(&email) {
        form.error(
            field,
            "Enter an email address in the correct format, like name@example.org",
        );
    }
    email.to_lowercase()
}

/// A local area partnership's details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnershipInput {
    pub name: String,
    pub la_code: String,
}

impl PartnershipInput {
    pub fn parse(form: &RawForm) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let name = f.required("name", "the name of the local area", SHORT_TEXT);
        let la_code = f
            .required("la_code", "the local authority code", 9)
            .to_uppercase();
        let valid_code = la_code.len() == 9
            && la_code.starts_with(['E', 'W'])
            && la_code[1..].bytes().all(|b| b.is_ascii_digit());
        if !la_code.is_empty() && !f.has_error("la_code") && !valid_code {
            f.error(
                "la_code",
                "Enter the local authority code as a letter and 8 numbers, like E08000031",
            );
        }
        f.finish(PartnershipInput { name, la_code })
    }
}

/// An organisation's details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationInput {
    pub name: String,
    pub kind: OrganisationKind,
}

impl OrganisationInput {
    pub fn parse(form: &RawForm) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let name = f.required("name", "the organisation's name", SHORT_TEXT);
        let kind = f.choice(
            "kind",
            "the kind of organisation",
            OrganisationKind::from_code,
        );
        f.finish(OrganisationInput {
            name,
            kind: kind.unwrap_or(OrganisationKind::Other),
        })
    }
}

/// A person's details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonInput {
    pub name: String,
    pub job_title: String,
    pub organisation_id: Option<OrganisationId>,
    pub short_code: String,
    pub email: String,
    /// Only imports set this; saving the person's form confirms them.
    pub to_review: bool,
}

/// The people one entry turns out to be (an import's "(M.S) CYC (K.McN) CCG" is two):
/// one per line, "Name, job title".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitInput {
    /// (name, job title), at least two.
    pub people: Vec<(String, String)>,
}

impl SplitInput {
    pub fn parse(form: &RawForm) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let text = f.required("people", "who they are, one per line", LONG_TEXT);
        let people: Vec<(String, String)> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|line| match line.split_once(',') {
                Some((name, job)) => (name.trim().to_owned(), job.trim().to_owned()),
                None => (line.to_owned(), String::new()),
            })
            .collect();
        if !text.is_empty() && people.len() < 2 {
            f.error("people", "Enter at least two people, one per line");
        }
        if let Some((name, _)) = people.iter().find(|(name, job)| {
            name.chars().count() > SHORT_TEXT || job.chars().count() > SHORT_TEXT
        }) {
            f.error(
                "people",
                format!("\"{}\" is too long: a name and a job title are at most {SHORT_TEXT} characters each", truncate_chars(name, 40)),
            );
        }
        f.finish(SplitInput { people })
    }
}

fn truncate_chars(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

impl PersonInput {
    pub fn parse(form: &RawForm) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let name = f.optional("name", "the name", SHORT_TEXT);
        let job_title = f.optional("job_title", "the job title", SHORT_TEXT);
        if name.is_empty() && job_title.is_empty() {
            f.error("name", "Enter a name or a job title");
        }
        let organisation_id = f.optional_id("organisation_id", "an organisation");
        let short_code = f.optional("short_code", "the short code", 12);
        if short_code.contains(char::is_whitespace) {
            f.error(
                "short_code",
                "Short code must not contain spaces, like PeRi",
            );
        }
        let email = parse_email(&mut f, "email", false);
        f.finish(PersonInput {
            name,
            job_title,
            organisation_id,
            short_code,
            email,
            to_review: false,
        })
    }
}

/// An inspection's details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionInput {
    pub framework: Framework,
    pub start_date: Date,
    pub end_date: Date,
    pub published_date: Option<Date>,
    pub outcome: InspectionOutcome,
    pub inspectors: String,
    pub main_findings: String,
    pub date_precision: crate::history::DatePrecision,
}

impl InspectionInput {
    pub fn parse(form: &RawForm) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let framework = f.choice(
            "framework",
            "the inspection framework",
            Framework::from_code,
        );
        // Sources sometimes give only the first day, or only the month: the form says
        // which, and the dates are read accordingly (a month is kept as its first day).
        use crate::history::DatePrecision;
        let precision = if form.get("dates_known").is_empty() {
            DatePrecision::Days
        } else {
            f.choice(
                "dates_known",
                "how much of the dates is known",
                DatePrecision::from_code,
            )
            .unwrap_or(DatePrecision::Days)
        };
        let (start, end) = match precision {
            DatePrecision::Days => (
                f.date("start_date", "the first day of the inspection", true),
                f.date("end_date", "the last day of the inspection", true),
            ),
            DatePrecision::FirstDay => {
                let start = f.date("start_date", "the first day of the inspection", true);
                (start, start)
            }
            DatePrecision::Month => {
                let month = f
                    .partial_date("start_date", "the month of the inspection", true)
                    .filter(|d| d.month.is_some());
                if month.is_none() && !f.has_error("start_date-year") {
                    f.error(
                        "start_date-month",
                        "Enter the month and year of the inspection",
                    );
                }
                let first =
                    month.map(|m| crate::history::PartialDate { day: None, ..m }.earliest());
                (first, first)
            }
        };
        let published = f.date("published_date", "the date the report was published", false);
        let outcome = f.choice("outcome", "the outcome", InspectionOutcome::from_code);
        if let (Some(framework), Some(outcome)) = (framework, outcome) {
            if !outcome.belongs_to(framework) {
                f.error(
                    "outcome",
                    format!("Select an outcome of the {}", framework.label()),
                );
            }
        }
        if let (Some(start), Some(end)) = (start, end) {
            if end < start {
                f.error(
                    "end_date-day",
                    "The last day of the inspection must be the same as or after the first day",
                );
            }
        }
        if let (Some(end), Some(published)) = (end, published) {
            if published < end {
                f.error("published_date-day", "The publication date must be the same as or after the last day of the inspection");
            }
        }
        let inspectors = f.optional("inspectors", "the inspectors", LONG_TEXT);
        let main_findings = f.optional("main_findings", "the main findings", LONG_TEXT * 5);
        let placeholder = Date::MIN;
        f.finish(InspectionInput {
            framework: framework.unwrap_or(Framework::Joint2016),
            start_date: start.unwrap_or(placeholder),
            end_date: end.unwrap_or(placeholder),
            published_date: published,
            outcome: outcome.unwrap_or(InspectionOutcome::WsoaRequired),
            inspectors,
            main_findings,
            date_precision: precision,
        })
    }
}

/// One finding of an inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingInput {
    pub kind: FindingKind,
    pub heading: Option<FindingHeading>,
    pub text: String,
}

impl FindingInput {
    pub fn parse(form: &RawForm) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let kind = f.choice(
            "kind",
            "what kind of finding this is",
            FindingKind::from_code,
        );
        let heading = f.optional_choice("heading", "a heading", FindingHeading::from_code);
        let text = f.required("text", "the finding", LONG_TEXT);
        f.finish(FindingInput {
            kind: kind.unwrap_or(FindingKind::Strength),
            heading,
            text,
        })
    }
}

/// A revisit and its judgement on each weakness (fields `judgement-{finding id}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisitInput {
    pub date: Date,
    pub summary: String,
    /// (weakness, sufficient progress or effective action?, commentary), for each finding
    /// the revisit judged; a finding it did not judge has none.
    pub judgements: Vec<(FindingId, bool, String)>,
}

impl RevisitInput {
    /// `weaknesses` are the findings a judgement must be given for.
    pub fn parse(form: &RawForm, weaknesses: &[FindingId]) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let date = f.date("date", "the date of the revisit", true);
        let summary = f.optional("summary", "the summary", LONG_TEXT);
        let mut judgements = Vec::new();
        for id in weaknesses {
            let field = format!("judgement-{id}");
            let sufficient =
                f.choice(
                    &field,
                    "the judgement, or that it was not judged",
                    |v| match v {
                        "sufficient" => Some(Some(true)),
                        "insufficient" => Some(Some(false)),
                        "not_judged" => Some(None),
                        _ => None,
                    },
                );
            let commentary = f.optional(&format!("commentary-{id}"), "the commentary", LONG_TEXT);
            if let Some(Some(sufficient)) = sufficient {
                judgements.push((*id, sufficient, commentary));
            }
        }
        f.finish(RevisitInput {
            date: date.unwrap_or(Date::MIN),
            summary,
            judgements,
        })
    }
}

/// A plan's details. `rating_preset` is only asked for when a plan is created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanInput {
    pub kind: PlanKind,
    pub title: String,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    pub inspection_id: Option<InspectionId>,
    pub status: PlanStatus,
    pub stale_after_days: i64,
    pub rating_preset: Option<RatingPreset>,
}

impl PlanInput {
    pub fn parse(form: &RawForm, creating: bool) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let kind = f.choice("kind", "the kind of plan", PlanKind::from_code);
        let title = f.required("title", "the plan's title", SHORT_TEXT);
        let period_start = f.date("period_start", "the start of the plan's period", false);
        let period_end = f.date("period_end", "the end of the plan's period", false);
        if let (Some(start), Some(end)) = (period_start, period_end) {
            if end < start {
                f.error(
                    "period_end-day",
                    "The end of the plan's period must be after its start",
                );
            }
        }
        let inspection_id = f.optional_id("inspection_id", "an inspection");
        let status = f.choice("status", "the plan's status", PlanStatus::from_code);
        let stale_after_days = f.whole_number("stale_after_days", "the number of days", 1, 366);
        let rating_preset = if creating {
            f.choice("rating_preset", "a rating scheme", RatingPreset::from_code)
        } else {
            None
        };
        f.finish(PlanInput {
            kind: kind.unwrap_or(PlanKind::Wsoa),
            title,
            period_start,
            period_end,
            inspection_id,
            status: status.unwrap_or(PlanStatus::Draft),
            stale_after_days: stale_after_days.unwrap_or(crate::plan::DEFAULT_STALE_AFTER_DAYS),
            rating_preset,
        })
    }
}

/// One rating of a plan's scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingInput {
    pub label: String,
    pub colour: TagColour,
    pub meaning: String,
    pub class: RatingClass,
}

impl RatingInput {
    pub fn parse(form: &RawForm) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let label = f.required("label", "the rating's label", 60);
        let colour = f.choice("colour", "a colour", TagColour::from_code);
        let meaning = f.required("meaning", "what the rating means", SHORT_TEXT);
        let class = f.choice(
            "class",
            "how sendplan should count this rating",
            RatingClass::from_code,
        );
        f.finish(RatingInput {
            label,
            colour: colour.unwrap_or(TagColour::Grey),
            meaning,
            class: class.unwrap_or(RatingClass::OnTrack),
        })
    }
}

/// An area's details. Its number must be a single level (`3`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaInput {
    pub number: ItemNumber,
    pub title: String,
    pub senior_responsible_officer: Option<PersonId>,
    pub outcomes: String,
    pub findings: Vec<FindingId>,
}

impl AreaInput {
    pub fn parse(form: &RawForm) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let number = f.item_number("number");
        if number.as_ref().is_some_and(|n| n.segments().len() != 1) {
            f.error(
                "number",
                "Enter the area's number as a single whole number, like 3",
            );
        }
        let title = f.required("title", "the area's title", LONG_TEXT);
        let senior_responsible_officer =
            f.optional_id("senior_responsible_officer", "a senior responsible officer");
        let outcomes = f.optional("outcomes", "the outcomes", LONG_TEXT);
        let findings = f.ids("findings", "a finding");
        f.finish(AreaInput {
            number: number.unwrap_or_else(ItemNumber::placeholder),
            title,
            senior_responsible_officer,
            outcomes,
            findings,
        })
    }
}

/// An objective's details. `area_number` is the number of the area it sits in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectiveInput {
    pub number: ItemNumber,
    pub title: String,
    pub i_statement: String,
    pub impact_indicators: String,
    pub milestones: String,
}

impl ObjectiveInput {
    pub fn parse(form: &RawForm, area_number: &ItemNumber) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let number = f.item_number("number");
        if let Some(n) = &number {
            if !n.is_child_of(area_number) {
                f.error(
                    "number",
                    format!("Enter a number in area {area_number}, like {area_number}.1"),
                );
            }
        }
        let title = f.required("title", "the objective", LONG_TEXT);
        let i_statement = f.optional("i_statement", "the I statement", LONG_TEXT);
        let impact_indicators = f.optional("impact_indicators", "the impact indicators", LONG_TEXT);
        let milestones = f.optional("milestones", "the milestones", LONG_TEXT);
        f.finish(ObjectiveInput {
            number: number.unwrap_or_else(|| area_number.clone()),
            title,
            i_statement,
            impact_indicators,
            milestones,
        })
    }
}

/// How many resource rows an action form offers beyond those already recorded.
pub const BLANK_RESOURCE_ROWS: usize = 2;

/// An action's details. The number must sit directly under its parent: the objective if
/// it has one, else the area (`2.3.1` under objective `2.3`; `1.4` under area `1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionInput {
    pub objective_id: Option<ObjectiveId>,
    pub number: ItemNumber,
    pub description: String,
    pub leads: Vec<PersonId>,
    pub partner_people: Vec<PersonId>,
    pub partner_organisations: Vec<OrganisationId>,
    pub resources: Vec<Resource>,
    pub evidence_of_success: String,
    pub impact_measures: String,
    pub start_date: Option<Date>,
    pub completion_date: Option<Date>,
    pub depends_on: Vec<ActionId>,
    pub written: ActionText,
}

impl ActionInput {
    /// Keeps the wording an earlier version of the action was imported with, where the
    /// form left the corresponding value unchanged: a date still as read from "Autumn Term
    /// 2018" keeps that text; a date someone changed no longer claims it.
    pub fn keep_written_text(&mut self, before: &crate::plan::Action) {
        let kept = &before.written;
        self.written.lead = if self.leads == before.leads {
            kept.lead.clone()
        } else {
            String::new()
        };
        self.written.partners = if self.partner_people == before.partner_people
            && self.partner_organisations == before.partner_organisations
        {
            kept.partners.clone()
        } else {
            String::new()
        };
        self.written.start = if self.start_date == before.start_date {
            kept.start.clone()
        } else {
            String::new()
        };
        self.written.completion = if self.completion_date == before.completion_date {
            kept.completion.clone()
        } else {
            String::new()
        };
    }

    /// `parent_number` looks up the number of the area, or of the chosen objective.
    pub fn parse(
        form: &RawForm,
        parent_number: impl Fn(Option<ObjectiveId>) -> Option<ItemNumber>,
    ) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let objective_id = f.optional_id("objective_id", "an objective");
        let number = f.item_number("number");
        match (parent_number(objective_id), &number) {
            (None, _) => f.error("objective_id", "Select an objective from the list"),
            (Some(parent), Some(n)) if !n.belongs_under(&parent) => f.error(
                "number",
                format!("Enter a number directly under {parent}, like {parent}.1"),
            ),
            _ => {}
        }
        let description = f.required("description", "what the action is", LONG_TEXT);
        let leads = f.ids("leads", "a lead");
        let partner_people = f.ids("partner_people", "a partner");
        let partner_organisations = f.ids("partner_organisations", "a partner organisation");
        let mut resources = Vec::new();
        for row in 0..50 {
            let prefix = format!("resource-{row}");
            let description =
                f.optional(&format!("{prefix}-description"), "the resource", SHORT_TEXT);
            let amount_text = form.get(&format!("{prefix}-amount")).to_owned();
            let kind_text = form.get(&format!("{prefix}-kind")).to_owned();
            // Checked even on a blank row. Not chosen is "existing", the form's default; a
            // kind the form does not offer is a mistake to say, not to guess at.
            let kind = match kind_text.trim() {
                "" => ResourceKind::Existing,
                code => ResourceKind::from_code(code).unwrap_or_else(|| {
                    f.error(
                        &format!("{prefix}-kind"),
                        "Select whether the resource is existing or additional",
                    );
                    ResourceKind::Existing
                }),
            };
            if description.is_empty() && amount_text.is_empty() {
                continue;
            }
            let amount_pence = if amount_text.is_empty() {
                None
            } else {
                let parsed = parse_pounds(&amount_text);
                if parsed.is_none() {
                    f.error(
                        &format!("{prefix}-amount"),
                        "Enter the amount in pounds, like £45,000 or 1250.50",
                    );
                }
                parsed
            };
            if description.is_empty() {
                f.error(
                    &format!("{prefix}-description"),
                    "Enter what the resource is",
                );
            }
            resources.push(Resource {
                kind,
                description,
                amount_pence,
            });
        }
        let evidence_of_success =
            f.optional("evidence_of_success", "the evidence of success", LONG_TEXT);
        let impact_measures = f.optional("impact_measures", "the impact measures", LONG_TEXT);
        let accountability_measures = f.optional(
            "accountability_measures",
            "the accountability measures",
            LONG_TEXT,
        );
        let intended_outcome = f.optional("intended_outcome", "the intended outcome", LONG_TEXT);
        let start_date = f.date("start_date", "the start date", false);
        let completion_date = f.date("completion_date", "the completion date", false);
        if let (Some(start), Some(end)) = (start_date, completion_date) {
            if end < start {
                f.error(
                    "completion_date-day",
                    "The completion date must be the same as or after the start date",
                );
            }
        }
        let depends_on = f.ids("depends_on", "an action");
        f.finish(ActionInput {
            objective_id,
            number: number.unwrap_or_else(ItemNumber::placeholder),
            description,
            leads,
            partner_people,
            partner_organisations,
            resources,
            evidence_of_success,
            impact_measures,
            start_date,
            completion_date,
            depends_on,
            written: ActionText {
                accountability_measures,
                intended_outcome,
                ..ActionText::default()
            },
        })
    }
}

/// Whether adding the dependency `from -> to` would close a loop, given the existing
/// `edges` (action, depends on). An action cannot wait, however indirectly, on itself.
pub fn creates_dependency_cycle(
    edges: &[(ActionId, ActionId)],
    from: ActionId,
    to: ActionId,
) -> bool {
    let mut stack = vec![to];
    let mut seen = std::collections::HashSet::new();
    while let Some(current) = stack.pop() {
        if current == from {
            return true;
        }
        if seen.insert(current) {
            stack.extend(edges.iter().filter(|(a, _)| *a == current).map(|(_, b)| *b));
        }
    }
    false
}

/// A milestone's details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneInput {
    pub title: String,
    pub due_date: Option<Date>,
    pub success_criteria: String,
    pub done_date: Option<Date>,
    /// The due date as written, kept while the due date is unchanged.
    pub due_text: String,
    /// What shows it was done (a link or a sentence), kept while it is not changed.
    pub done_evidence: String,
}

impl MilestoneInput {
    pub fn parse(form: &RawForm, today: Date) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let title = f.required("title", "the milestone", LONG_TEXT);
        let due_date = f.date("due_date", "the due date", false);
        let success_criteria = f.optional("success_criteria", "the success criteria", LONG_TEXT);
        let done_date = f.date("done_date", "the date it was done", false);
        if done_date.is_some_and(|d| d > today) {
            f.error(
                "done_date-day",
                "The date it was done must be today or in the past",
            );
        }
        let done_evidence = f.optional("done_evidence", "what shows it was done", LONG_TEXT);
        f.finish(MilestoneInput {
            title,
            due_date,
            success_criteria,
            done_date,
            due_text: String::new(),
            done_evidence,
        })
    }
}

/// Why a record of history is corrected or withdrawn. Required: the history shows it
/// beside the record for as long as the record is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonInput {
    pub reason: String,
}

impl ReasonInput {
    /// `why` completes "Enter ...": "why you are withdrawing the update".
    pub fn parse(form: &RawForm, why: &str) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let reason = f.required("reason", why, SHORT_TEXT);
        f.finish(ReasonInput { reason })
    }
}

/// A correction of a progress update: the update as it should have been, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectionInput {
    pub update: UpdateInput,
    pub reason: String,
}

impl CorrectionInput {
    pub fn parse(form: &RawForm, ratings: &[RatingId], today: Date) -> Result<Self, FieldErrors> {
        let update = UpdateInput::parse(form, ratings, today);
        let reason = ReasonInput::parse(form, "why you are correcting the update");
        match (update, reason) {
            (Ok(update), Ok(reason)) => Ok(CorrectionInput {
                update,
                reason: reason.reason,
            }),
            (update, reason) => {
                let mut errors = update.err().unwrap_or_default();
                errors.0.extend(reason.err().unwrap_or_default().0);
                Err(errors)
            }
        }
    }
}

/// A lead marking a milestone of their action done: when, and what shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneDoneInput {
    pub done_date: Date,
    pub evidence: String,
}

impl MilestoneDoneInput {
    pub fn parse(form: &RawForm, today: Date) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let done_date = f.date("done_date", "the date it was done", true);
        if done_date.is_some_and(|d| d > today) {
            f.error(
                "done_date-day",
                "The date it was done must be today or in the past",
            );
        }
        let evidence = f.required("evidence", "what shows it was done", LONG_TEXT);
        f.finish(MilestoneDoneInput {
            done_date: done_date.unwrap_or(today),
            evidence,
        })
    }
}

/// The date of a progress update (an action's or an area's): given, and not in the future.
fn update_date(f: &mut FormReader<'_>, today: Date) -> Option<Date> {
    let date = f.date("update_date", "the date of the update", true);
    if date.is_some_and(|d| d > today) {
        f.error(
            "update_date-day",
            "The date of the update must be today or in the past",
        );
    }
    date
}

/// A progress update as posted by a lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateInput {
    pub update_date: Date,
    pub rating_id: RatingId,
    pub narrative: String,
    pub evidence_links: Vec<String>,
}

impl UpdateInput {
    /// `ratings` are the ids of the plan's scheme; an update can only use one of them.
    pub fn parse(form: &RawForm, ratings: &[RatingId], today: Date) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let rating_id = f.choice("rating_id", "a rating", |v| {
            v.parse().ok().filter(|id| ratings.contains(id))
        });
        let narrative = f.required(
            "narrative",
            "what has happened since the last update",
            LONG_TEXT,
        );
        let update_date = update_date(&mut f, today);
        let evidence_links = web_addresses(&mut f, "evidence_links", "the evidence links");
        f.finish(UpdateInput {
            update_date: update_date.unwrap_or(today),
            rating_id: rating_id.unwrap_or(RatingId(0)),
            narrative,
            evidence_links,
        })
    }
}

/// Progress of an area or objective as posted: the objective it is about (or the whole
/// area), its date, an optional rating and the narrative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaProgressInput {
    pub objective_id: Option<ObjectiveId>,
    pub update_date: Date,
    pub rating_id: Option<RatingId>,
    pub narrative: String,
}

impl AreaProgressInput {
    /// `objectives` are the area's, `ratings` the plan's scheme.
    pub fn parse(
        form: &RawForm,
        objectives: &[ObjectiveId],
        ratings: &[RatingId],
        today: Date,
    ) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let objective_id = match form.get("objective_id") {
            "" => None,
            given => {
                let found = given
                    .parse()
                    .ok()
                    .map(ObjectiveId)
                    .filter(|o| objectives.contains(o));
                if found.is_none() {
                    f.error(
                        "objective_id",
                        "Choose the whole area or one of its objectives",
                    );
                }
                found
            }
        };
        let rating_id = match form.get("rating_id") {
            "" => None,
            given => {
                let found = given.parse().ok().filter(|r| ratings.contains(r));
                if found.is_none() {
                    f.error(
                        "rating_id",
                        "Choose a rating of the plan's scheme, or no rating",
                    );
                }
                found
            }
        };
        let narrative = f.required(
            "narrative",
            "what has been done, what difference it made and what will happen next",
            LONG_TEXT,
        );
        let update_date = update_date(&mut f, today);
        f.finish(AreaProgressInput {
            objective_id,
            update_date: update_date.unwrap_or(today),
            rating_id,
            narrative,
        })
    }
}

#[cfg(test)]
mod area_progress_tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> RawForm {
        RawForm(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn progress_of_an_area_is_dated_narrated_and_rated_or_not() {
        let today = time::macros::date!(2022 - 03 - 31);
        let base = [
            ("update_date-day", "31"),
            ("update_date-month", "3"),
            ("update_date-year", "2022"),
            (
                "narrative",
                "Done: the toolkit. Difference: earlier help. Next: training.",
            ),
        ];
        let unrated =
            AreaProgressInput::parse(&form(&base), &[], &[RatingId(4)], today).expect("valid");
        assert_eq!((unrated.rating_id, unrated.objective_id), (None, None));
        let mut rated = base.to_vec();
        rated.extend([("rating_id", "4"), ("objective_id", "7")]);
        let input =
            AreaProgressInput::parse(&form(&rated), &[ObjectiveId(7)], &[RatingId(4)], today)
                .expect("valid");
        assert_eq!(
            (input.rating_id, input.objective_id),
            (Some(RatingId(4)), Some(ObjectiveId(7)))
        );
        // Another plan's rating or another area's objective, no narrative, a future date.
        let bad = form(&[
            ("rating_id", "9"),
            ("objective_id", "8"),
            ("update_date-day", "1"),
            ("update_date-month", "4"),
            ("update_date-year", "2022"),
        ]);
        let errors = AreaProgressInput::parse(&bad, &[ObjectiveId(7)], &[RatingId(4)], today)
            .expect_err("refused");
        for field in ["rating_id", "objective_id", "narrative", "update_date-day"] {
            assert!(
                errors.0.iter().any(|e| e.field == field),
                "{field}: {errors:?}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_deliverable_looking_addresses_are_taken() {
        for good in [
            "sam@council.example.org",
            "sam.o'neil+send@nhs.net",
            "a@b-c.co.uk",
        ] {
            assert!(is_plausible_email(good), "{good}");
        }
        for bad in [
            "sam@council.example@evil.example",
            "sam@council.example,x@evil.example",
            "sam@council.example%0d%0aBcc:x@evil.example",
            "sam@council",
            "sam @council.example",
            ".sam@council.example",
            "sam@-council.example",
            "sam@council..example",
            "@council.example",
            "sam",
        ] {
            assert!(!is_plausible_email(bad), "{bad}");
        }
    }

    use super::*;
    use time::macros::date;

    #[test]
    fn dates_are_read_from_three_parts_and_checked() {
        assert_eq!(
            parse_date_parts("12", "7", "2021", "the date"),
            Ok(Some(date!(2021 - 07 - 12)))
        );
        assert_eq!(
            parse_date_parts("12", "Jul", "2021", "the date"),
            Ok(Some(date!(2021 - 07 - 12)))
        );
        assert_eq!(parse_date_parts("", "", "", "the date"), Ok(None));
        assert_eq!(
            parse_date_parts("31", "2", "2022", "the date").map_err(|e| e.0),
            Err("day")
        );
        assert_eq!(
            parse_date_parts("1", "13", "2022", "the date").map_err(|e| e.0),
            Err("month")
        );
        assert_eq!(
            parse_date_parts("1", "2", "22", "the date").map_err(|e| e.0),
            Err("year")
        );
        assert_eq!(
            parse_date_parts("1", "", "2022", "the date").map_err(|e| e.0),
            Err("month")
        );
    }

    #[test]
    fn dates_are_written_the_govuk_way() {
        assert_eq!(long_date(date!(2021 - 07 - 12)), "12 July 2021");
    }

    #[test]
    fn pounds_are_read_with_or_without_symbols() {
        assert_eq!(parse_pounds("£45,000"), Some(4_500_000));
        assert_eq!(parse_pounds("1250.5"), Some(125_050));
        assert_eq!(parse_pounds("12.345"), None);
        assert_eq!(parse_pounds("lots"), None);
        assert_eq!(parse_pounds("-5"), None);
    }

    #[test]
    fn every_problem_in_a_form_is_reported_at_once() {
        let form = RawForm::from_pairs(&[("la_code", "X123")]);
        let errors = PartnershipInput::parse(&form).expect_err("invalid");
        assert_eq!(errors.0.len(), 2);
        assert_eq!(
            errors.message_for("name"),
            Some("Enter the name of the local area")
        );
        assert!(errors
            .message_for("la_code")
            .is_some_and(|m| m.contains("E08000031")));
    }

    #[test]
    fn a_valid_partnership_is_accepted_and_normalised() {
        let form = RawForm::from_pairs(&[("name", " Wolverhampton "), ("la_code", "e08000031")]);
        let input = PartnershipInput::parse(&form).expect("valid");
        assert_eq!(input.name, "Wolverhampton");
        assert_eq!(input.la_code, "E08000031");
    }

    #[test]
    fn an_action_number_must_sit_under_its_parent() {
        let parent = |_| ItemNumber::parse("2.3").ok();
        let form = RawForm::from_pairs(&[("number", "2.4.1"), ("description", "Do it")]);
        let errors = ActionInput::parse(&form, parent).expect_err("wrong parent");
        assert!(errors
            .message_for("number")
            .is_some_and(|m| m.contains("2.3")));
        let form = RawForm::from_pairs(&[("number", "2.3.1"), ("description", "Do it")]);
        assert!(ActionInput::parse(&form, parent).is_ok());
    }

    #[test]
    fn action_resources_are_read_from_rows_and_blank_rows_ignored() {
        let form = RawForm::from_pairs(&[
            ("number", "1.1"),
            ("description", "Do it"),
            ("resource-0-kind", "additional"),
            ("resource-0-description", "Autism practitioner"),
            ("resource-0-amount", "£45,000"),
            ("resource-1-kind", "existing"),
            ("resource-1-description", ""),
            ("resource-1-amount", ""),
        ]);
        let input = ActionInput::parse(&form, |_| ItemNumber::parse("1").ok()).expect("valid");
        assert_eq!(input.resources.len(), 1);
        assert_eq!(input.resources[0].kind, ResourceKind::Additional);
        assert_eq!(input.resources[0].amount_pence, Some(4_500_000));
    }

    #[test]
    fn a_completion_date_before_the_start_is_refused() {
        let form = RawForm::from_pairs(&[
            ("number", "1.1"),
            ("description", "Do it"),
            ("start_date-day", "1"),
            ("start_date-month", "6"),
            ("start_date-year", "2022"),
            ("completion_date-day", "1"),
            ("completion_date-month", "5"),
            ("completion_date-year", "2022"),
        ]);
        let errors =
            ActionInput::parse(&form, |_| ItemNumber::parse("1").ok()).expect_err("invalid");
        assert!(errors.message_for("completion_date").is_some());
    }

    #[test]
    fn an_update_must_use_a_rating_of_the_plan_and_not_be_in_the_future() {
        let today = date!(2022 - 06 - 01);
        let ratings = [RatingId(1), RatingId(2)];
        let form = RawForm::from_pairs(&[
            ("rating_id", "9"),
            ("narrative", "Done"),
            ("update_date-day", "2"),
            ("update_date-month", "6"),
            ("update_date-year", "2022"),
            ("evidence_links", "not a link"),
        ]);
        let errors = UpdateInput::parse(&form, &ratings, today).expect_err("invalid");
        assert!(errors.message_for("rating_id").is_some());
        assert!(errors.message_for("update_date").is_some());
        assert!(errors.message_for("evidence_links").is_some());
        let form = RawForm::from_pairs(&[
            ("rating_id", "2"),
            ("narrative", "Workshops held"),
            ("update_date-day", "1"),
            ("update_date-month", "6"),
            ("update_date-year", "2022"),
            (
                "evidence_links",
                "https://example.org/minutes\n\nhttps://example.org/report",
            ),
        ]);
        let input = UpdateInput::parse(&form, &ratings, today).expect("valid");
        assert_eq!(input.rating_id, RatingId(2));
        assert_eq!(input.evidence_links.len(), 2);
    }

    #[test]
    fn an_inspection_outcome_must_belong_to_its_framework() {
        let form = RawForm::from_pairs(&[
            ("framework", "area_2023"),
            ("outcome", "wsoa_required"),
            ("start_date-day", "12"),
            ("start_date-month", "7"),
            ("start_date-year", "2021"),
            ("end_date-day", "16"),
            ("end_date-month", "7"),
            ("end_date-year", "2021"),
        ]);
        let errors = InspectionInput::parse(&form).expect_err("invalid");
        assert!(errors.message_for("outcome").is_some());
    }

    #[test]
    fn dependency_loops_are_detected() {
        let edges = [(ActionId(1), ActionId(2)), (ActionId(2), ActionId(3))];
        assert!(creates_dependency_cycle(&edges, ActionId(3), ActionId(1)));
        assert!(creates_dependency_cycle(&edges, ActionId(1), ActionId(1)));
        assert!(!creates_dependency_cycle(&edges, ActionId(1), ActionId(3)));
    }

    #[test]
    fn overlong_text_is_refused_with_its_length() {
        let long = "x".repeat(SHORT_TEXT + 1);
        let form = RawForm::from_pairs(&[("name", &long), ("la_code", "E08000031")]);
        let errors = PartnershipInput::parse(&form).expect_err("too long");
        assert!(errors
            .message_for("name")
            .is_some_and(|m| m.contains("301")));
    }
}

#[cfg(test)]
mod boundary {
    use super::*;

    #[test]
    fn a_null_byte_is_refused_with_a_message_and_line_breaks_are_allowed() {
        let form = RawForm::from_pairs(&[("name", "Sam\0Patel"), ("notes", "one\r\ntwo\tthree")]);
        let mut reader = FormReader::new(&form);
        reader.required("name", "the name", 100);
        reader.optional("notes", "the notes", 100);
        let errors = reader.finish(()).unwrap_err();
        assert_eq!(
            errors.message_for("name"),
            Some("The name contains a hidden control character (U+0000): retype it, or paste it as plain text")
        );
        assert_eq!(errors.message_for("notes"), None);
    }

    #[test]
    fn one_line_text_cannot_carry_a_line_break() {
        assert_eq!(
            one_line("Sam\r\nBcc: everyone@example.org"),
            "Sam Bcc: everyone@example.org"
        );
        assert_eq!(one_line("  Head of\tService \u{7} "), "Head of Service");
    }
}

/// The last Sunday of `month` in `year`: where British Summer Time starts (March) and ends
/// (October).
fn last_sunday(year: i32, month: time::Month) -> Date {
    let last = Date::from_calendar_date(year, month, month.length(year)).unwrap_or(Date::MIN);
    let back = last.weekday().number_days_from_sunday();
    last - time::Duration::days(i64::from(back))
}

/// A moment as people in England read it: UK time (GMT, or BST from 1am GMT on the last
/// Sunday of March to 1am GMT on the last Sunday of October), "3 December 2026 at 9:05am".
pub fn uk_date_time(at: time::OffsetDateTime) -> String {
    let utc = at.to_offset(time::UtcOffset::UTC);
    let year = utc.year();
    let starts = last_sunday(year, time::Month::March).with_hms(1, 0, 0);
    let ends = last_sunday(year, time::Month::October).with_hms(1, 0, 0);
    let naive = time::PrimitiveDateTime::new(utc.date(), utc.time());
    let summer = matches!((starts, ends), (Ok(s), Ok(e)) if naive >= s && naive < e);
    let local = naive + time::Duration::hours(i64::from(summer));
    let (hour, minute) = (local.hour(), local.minute());
    let twelve = match hour % 12 {
        0 => 12,
        h => h,
    };
    format!(
        "{} at {twelve}:{minute:02}{}",
        long_date(local.date()),
        if hour < 12 { "am" } else { "pm" }
    )
}

#[cfg(test)]
mod uk_time_tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_are_shown_in_uk_time_with_summer_time() {
        assert_eq!(
            uk_date_time(datetime!(2026-12-03 09:05 UTC)),
            "3 December 2026 at 9:05am"
        );
        assert_eq!(
            uk_date_time(datetime!(2026-07-01 23:30 UTC)),
            "2 July 2026 at 12:30am"
        );
        // BST starts at 1am GMT on 29 March 2026 and ends at 1am GMT on 25 October 2026.
        assert_eq!(
            uk_date_time(datetime!(2026-03-29 00:59 UTC)),
            "29 March 2026 at 12:59am"
        );
        assert_eq!(
            uk_date_time(datetime!(2026-03-29 01:00 UTC)),
            "29 March 2026 at 2:00am"
        );
        assert_eq!(
            uk_date_time(datetime!(2026-10-25 00:59 UTC)),
            "25 October 2026 at 1:59am"
        );
        assert_eq!(
            uk_date_time(datetime!(2026-10-25 01:00 UTC)),
            "25 October 2026 at 1:00am"
        );
        assert_eq!(
            uk_date_time(datetime!(2026-06-15 12:00 UTC)),
            "15 June 2026 at 1:00pm"
        );
    }
}

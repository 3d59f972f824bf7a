//! Checking a document and turning it into a [`PlanImport`]: every problem is reported
//! with where it is (`plans[0].actions[12].leads[1]`), and nothing is imported unless
//! there are none.

use crate::document::limits::MAX_AMOUNT_PENCE;
use crate::document::*;
use sendplan_domain::dates::PlanDate;
use sendplan_domain::history::{
    DatePrecision, InterventionBody, InterventionInput, InterventionKind, PartialDate, PlanApproval,
};
use sendplan_domain::import::*;
use sendplan_domain::input::*;
use sendplan_domain::inspection::{FindingHeading, FindingKind, Framework, InspectionOutcome};
use sendplan_domain::numbering::ItemNumber;
use sendplan_domain::partnership::OrganisationKind;
use sendplan_domain::periods::PERIOD_YEARS;
use sendplan_domain::plan::{ActionText, PlanKind, PlanStatus, Resource, ResourceKind};
use sendplan_domain::rating::{RatingClass, RatingDefinition, TagColour};
use std::collections::HashMap;

mod measures;
use time::Date;

/// One problem in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where, as a path into the JSON: `plans[0].actions[3].completion`.
    pub at: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, at: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            at: at.into(),
            message: message.into(),
        });
    }

    fn code<T>(
        &mut self,
        at: &str,
        value: &str,
        parse: fn(&str) -> Option<T>,
        allowed: &str,
    ) -> Option<T> {
        let parsed = parse(value);
        if parsed.is_none() {
            self.add(at, format!("\"{value}\" is not one of: {allowed}"));
        }
        parsed
    }

    fn iso_date(&mut self, at: &str, value: &str) -> Option<Date> {
        let parsed = Date::parse(
            value,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .ok();
        match parsed {
            None => self.add(
                at,
                format!("\"{value}\" is not a date written as YYYY-MM-DD"),
            ),
            Some(date) if !PERIOD_YEARS.contains(&date.year()) => {
                self.add(at, outside_years(value))
            }
            Some(date) => return Some(date),
        }
        None
    }

    fn number(&mut self, at: &str, value: &str) -> Option<ItemNumber> {
        match ItemNumber::parse(value) {
            Ok(n) => Some(n),
            Err(e) => {
                self.add(at, format!("\"{value}\": {e}"));
                None
            }
        }
    }

    fn text(&mut self, at: &str, value: &str, max: usize) -> String {
        let length = value.chars().count();
        if length > max {
            self.add(
                at,
                format!("is {length} characters long; at most {max} are allowed"),
            );
        }
        value.to_owned()
    }

    fn key(
        &mut self,
        at: &str,
        keys: &HashMap<&str, usize>,
        key: &str,
        what: &str,
    ) -> Option<usize> {
        let found = keys.get(key).copied();
        if found.is_none() {
            self.add(at, format!("there is no {what} with key \"{key}\""));
        }
        found
    }
}

/// Why a date in a year sendplan does not take is refused (a typing slip such as 9999
/// would otherwise become a deadline or a measure's latest value).
fn outside_years(value: &str) -> String {
    format!(
        "\"{value}\" is outside the years sendplan takes: dates must fall between {} and {}",
        PERIOD_YEARS.start(),
        PERIOD_YEARS.end()
    )
}

/// Refuses a document whose text is beyond the limits of [`crate::document::limits`],
/// before anything is built from it: its size, how deep it nests, and how many items its
/// lists hold. One pass over the bytes, keeping nothing but a counter per level.
pub(crate) fn check_shape(json: &str) -> Result<(), String> {
    use crate::document::limits::{MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_ITEMS};
    if json.len() > MAX_DOCUMENT_BYTES {
        return Err(format!(
            "it is {} MB; sendplan reads plan documents of at most {} MB",
            json.len().div_ceil(1_048_576),
            MAX_DOCUMENT_BYTES / 1_048_576
        ));
    }
    // Whether each open container is a list; never more than MAX_DEPTH of them.
    let mut lists: Vec<bool> = Vec::new();
    let (mut items, mut line) = (0usize, 1usize);
    let (mut in_string, mut escaped, mut list_opened) = (false, false, false);
    for &byte in json.as_bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        if byte.is_ascii_whitespace() {
            line += usize::from(byte == b'\n');
            continue;
        }
        if std::mem::take(&mut list_opened) && byte != b']' {
            items += 1;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                if lists.len() >= MAX_DEPTH {
                    return Err(format!(
                        "at line {line} it nests lists and objects more than {MAX_DEPTH} deep; sendplan reads at most {MAX_DEPTH} levels (a plan document needs 9)"
                    ));
                }
                lists.push(byte == b'[');
                list_opened = byte == b'[';
            }
            b']' | b'}' => {
                lists.pop();
            }
            b',' if lists.last() == Some(&true) => items += 1,
            _ => {}
        }
        if items > MAX_ITEMS {
            return Err(format!(
                "its lists hold more than {MAX_ITEMS} items together; sendplan reads at most that many"
            ));
        }
    }
    Ok(())
}

/// The first control character a document's text would hold once read (written as a
/// `\u0000` escape, or as a raw DEL or C1 character), other than tab and line breaks, with
/// its line: PostgreSQL cannot store NUL, and the others are invisible on every page. One
/// pass, tracking only whether it is inside a string.
pub(crate) fn hidden_control(json: &str) -> Option<(usize, String)> {
    let bytes = json.as_bytes();
    let (mut line, mut in_string, mut i) = (1usize, false, 0usize);
    while i < bytes.len() {
        let byte = bytes[i];
        if byte == b'\n' {
            line += 1;
        }
        if !in_string {
            in_string = byte == b'"';
            i += 1;
            continue;
        }
        match byte {
            b'"' => in_string = false,
            b'\\' if bytes.get(i + 1) == Some(&b'u') => {
                let code = json
                    .get(i + 2..i + 6)
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok());
                if let Some(c) = code.and_then(char::from_u32) {
                    if sendplan_domain::input::is_hidden_control(c) {
                        return Some((line, format!("U+{:04X}", u32::from(c))));
                    }
                }
                i += 6;
                continue;
            }
            b'\\' => {
                i += 2;
                continue;
            }
            0x7F => return Some((line, "U+007F".to_owned())),
            0xC2 if bytes.get(i + 1).is_some_and(|b| (0x80..=0x9F).contains(b)) => {
                return Some((line, format!("U+{:04X}", bytes[i + 1])));
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The group of actions each action is in, where two actions are in the same group when
/// each depends on the other, directly or through others (the strongly connected
/// components, found in two passes over the dependencies, so a long chain of them costs
/// no more than its length).
fn dependency_groups(actions: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut forward = vec![Vec::new(); actions];
    let mut backward = vec![Vec::new(); actions];
    for &(from, to) in edges {
        forward[from].push(to);
        backward[to].push(from);
    }
    let mut finished = Vec::with_capacity(actions);
    let mut seen = vec![false; actions];
    for start in 0..actions {
        if std::mem::replace(&mut seen[start], true) {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        while let Some(top) = stack.last_mut() {
            let (node, next) = *top;
            match forward[node].get(next) {
                Some(&to) => {
                    top.1 += 1;
                    if !std::mem::replace(&mut seen[to], true) {
                        stack.push((to, 0));
                    }
                }
                None => {
                    finished.push(node);
                    stack.pop();
                }
            }
        }
    }
    let mut group = vec![usize::MAX; actions];
    let mut groups = 0;
    for &start in finished.iter().rev() {
        if group[start] != usize::MAX {
            continue;
        }
        group[start] = groups;
        let mut stack = vec![start];
        while let Some(node) = stack.pop() {
            for &from in &backward[node] {
                if group[from] == usize::MAX {
                    group[from] = groups;
                    stack.push(from);
                }
            }
        }
        groups += 1;
    }
    group
}

fn allowed<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> String {
    all.iter().map(|v| code(*v)).collect::<Vec<_>>().join(", ")
}

fn opt(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("")
}

/// A date as written, read: the date sendplan works with and the text to keep. The text
/// is not kept when it is simply that date in ISO form.
fn written_date(
    text: &Option<String>,
    pick: fn(&PlanDate) -> Option<Date>,
) -> (Option<Date>, String) {
    let Some(text) = text.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
        return (None, String::new());
    };
    let read = PlanDate::parse(text);
    let date = pick(&read);
    let plain = date.is_some_and(|d| d.to_string() == text);
    (
        date,
        if plain {
            String::new()
        } else {
            text.to_owned()
        },
    )
}

/// Builds an index from keys to positions, reporting duplicates.
fn index<'a, T>(
    problems: &mut Problems,
    list: &'a [T],
    path: &str,
    key: fn(&T) -> &str,
) -> HashMap<&'a str, usize> {
    let mut keys = HashMap::new();
    for (i, item) in list.iter().enumerate() {
        if keys.insert(key(item), i).is_some() {
            problems.add(
                format!("{path}[{i}].key"),
                format!("the key \"{}\" is used twice", key(item)),
            );
        }
    }
    keys
}

/// Checks `document` and turns it into an import, or lists every problem found.
pub fn to_import(document: &Document) -> Result<PlanImport, Vec<Problem>> {
    let mut p = Problems::default();
    if document.format != FORMAT {
        p.add("format", format!("must be \"{FORMAT}\""));
    }
    if document.version != VERSION {
        p.add(
            "version",
            format!(
                "version {} cannot be read by this sendplan, which reads version {VERSION}",
                document.version
            ),
        );
    }
    let partnership = PartnershipInput::parse(&RawForm::from_pairs(&[
        ("name", &document.partnership.name),
        ("la_code", &document.partnership.la_code),
    ]))
    .map_err(|errors| {
        for e in errors.0 {
            p.add(format!("partnership.{}", e.field), e.message);
        }
    })
    .ok();

    let organisation_keys = index(&mut p, &document.organisations, "organisations", |o| &o.key);
    let organisations: Vec<OrganisationInput> = document
        .organisations
        .iter()
        .enumerate()
        .map(|(i, o)| OrganisationInput {
            name: p.text(&format!("organisations[{i}].name"), &o.name, SHORT_TEXT),
            kind: p
                .code(
                    &format!("organisations[{i}].kind"),
                    &o.kind,
                    OrganisationKind::from_code,
                    &allowed(OrganisationKind::ALL, OrganisationKind::code),
                )
                .unwrap_or(OrganisationKind::Other),
        })
        .collect();

    let person_keys = index(&mut p, &document.people, "people", |x| &x.key);
    let people: Vec<(PersonInput, Option<usize>)> = document
        .people
        .iter()
        .enumerate()
        .map(|(i, person)| {
            let at = format!("people[{i}]");
            if opt(&person.name).is_empty() && opt(&person.job_title).is_empty() {
                p.add(&at, "a person needs a name or a job title");
            }
            let organisation = person.organisation.as_deref().and_then(|k| {
                p.key(
                    &format!("{at}.organisation"),
                    &organisation_keys,
                    k,
                    "organisation",
                )
            });
            let input = PersonInput {
                name: p.text(&format!("{at}.name"), opt(&person.name), SHORT_TEXT),
                job_title: p.text(
                    &format!("{at}.job_title"),
                    opt(&person.job_title),
                    SHORT_TEXT,
                ),
                organisation_id: None,
                short_code: opt(&person.short_code).to_owned(),
                email: opt(&person.email).to_lowercase(),
                to_review: person.to_review,
            };
            (input, organisation)
        })
        .collect();

    let inspection_keys = index(&mut p, &document.inspections, "inspections", |i| &i.key);
    let mut finding_keys: HashMap<&str, (usize, usize)> = HashMap::new();
    let mut inspections = Vec::new();
    for (i, inspection) in document.inspections.iter().enumerate() {
        let at = format!("inspections[{i}]");
        let framework = p.code(
            &format!("{at}.framework"),
            &inspection.framework,
            Framework::from_code,
            &allowed(Framework::ALL, Framework::code),
        );
        let outcome = p.code(
            &format!("{at}.outcome"),
            &inspection.outcome,
            InspectionOutcome::from_code,
            &allowed(InspectionOutcome::ALL, InspectionOutcome::code),
        );
        if let (Some(framework), Some(outcome)) = (framework, outcome) {
            if !outcome.belongs_to(framework) {
                p.add(
                    format!("{at}.outcome"),
                    format!(
                        "\"{}\" is not an outcome of the {} framework",
                        outcome.code(),
                        framework.code()
                    ),
                );
            }
        }
        let precision = match inspection.dates_known.as_deref() {
            None => Some(DatePrecision::Days),
            Some(code) => p.code(
                &format!("{at}.dates_known"),
                code,
                DatePrecision::from_code,
                &allowed(DatePrecision::ALL, DatePrecision::code),
            ),
        }
        .unwrap_or(DatePrecision::Days);
        let (start, end) = read_inspection_dates(&mut p, &at, inspection, precision);
        let published = inspection
            .published_date
            .as_deref()
            .and_then(|d| p.iso_date(&format!("{at}.published_date"), d));
        let local_keys = index(
            &mut p,
            &inspection.findings,
            &format!("{at}.findings"),
            |f| &f.key,
        );
        let mut findings = Vec::new();
        for (f, finding) in inspection.findings.iter().enumerate() {
            let fat = format!("{at}.findings[{f}]");
            if finding_keys.insert(finding.key.as_str(), (i, f)).is_some() {
                p.add(
                    format!("{fat}.key"),
                    format!(
                        "the finding key \"{}\" is used in two inspections",
                        finding.key
                    ),
                );
            }
            let kind = p.code(
                &format!("{fat}.kind"),
                &finding.kind,
                FindingKind::from_code,
                &allowed(FindingKind::ALL, FindingKind::code),
            );
            if let (Some(kind), Some(framework)) = (kind, framework) {
                if !kind.belongs_to(framework) {
                    p.add(
                        format!("{fat}.kind"),
                        format!(
                            "\"{}\" is not a finding of the {} framework",
                            kind.code(),
                            framework.code()
                        ),
                    );
                }
            }
            findings.push(FindingInput {
                kind: kind.unwrap_or(FindingKind::Strength),
                heading: finding.heading.as_deref().and_then(|h| {
                    p.code(
                        &format!("{fat}.heading"),
                        h,
                        FindingHeading::from_code,
                        &allowed(FindingHeading::ALL, FindingHeading::code),
                    )
                }),
                text: p.text(&format!("{fat}.text"), &finding.text, LONG_TEXT),
            });
        }
        let mut revisits = Vec::new();
        for (r, revisit) in inspection.revisits.iter().enumerate() {
            let rat = format!("{at}.revisits[{r}]");
            let date = p.iso_date(&format!("{rat}.date"), &revisit.date);
            let judgements = revisit
                .judgements
                .iter()
                .enumerate()
                .filter_map(|(j, judgement)| {
                    let position = p.key(
                        &format!("{rat}.judgements[{j}].finding"),
                        &local_keys,
                        &judgement.finding,
                        "finding in this inspection",
                    )?;
                    Some((
                        position,
                        judgement.sufficient_progress,
                        opt(&judgement.commentary).to_owned(),
                    ))
                })
                .collect();
            revisits.push(RevisitImport {
                date: date.unwrap_or(Date::MIN),
                summary: opt(&revisit.summary).to_owned(),
                judgements,
            });
        }
        inspections.push(InspectionImport {
            inspection: InspectionInput {
                framework: framework.unwrap_or(Framework::Joint2016),
                start_date: start.unwrap_or(Date::MIN),
                end_date: end.unwrap_or(Date::MIN),
                published_date: published,
                outcome: outcome.unwrap_or(InspectionOutcome::WsoaRequired),
                inspectors: opt(&inspection.inspectors).to_owned(),
                main_findings: opt(&inspection.main_findings).to_owned(),
                date_precision: precision,
            },
            findings,
            revisits,
        });
    }

    let plan_keys = index(&mut p, &document.plans, "plans", |x| &x.key);
    let interventions = document
        .interventions
        .iter()
        .enumerate()
        .map(|(i, intervention)| read_intervention(&mut p, i, intervention, &plan_keys))
        .collect();
    let plans = document
        .plans
        .iter()
        .enumerate()
        .map(|(i, plan)| {
            read_plan(
                &mut p,
                i,
                plan,
                &person_keys,
                &organisation_keys,
                &inspection_keys,
                &finding_keys,
            )
        })
        .collect();

    match (p.0.is_empty(), partnership) {
        (true, Some(partnership)) => Ok(PlanImport {
            partnership,
            organisations,
            people,
            inspections,
            plans,
            interventions,
        }),
        _ => Err(p.0),
    }
}

/// An inspection's dates as far as `precision` says they are known.
fn read_inspection_dates(
    p: &mut Problems,
    at: &str,
    inspection: &Inspection,
    precision: DatePrecision,
) -> (Option<Date>, Option<Date>) {
    let start_at = format!("{at}.start_date");
    let end_at = format!("{at}.end_date");
    match precision {
        DatePrecision::Days => {
            let start = p.iso_date(&start_at, &inspection.start_date);
            let end = match &inspection.end_date {
                Some(end) => p.iso_date(&end_at, end),
                None => {
                    p.add(
                        end_at,
                        "is needed: give the last day, or say \"dates_known\": \"first_day\"",
                    );
                    None
                }
            };
            (start, end)
        }
        DatePrecision::FirstDay | DatePrecision::Month => {
            if inspection.end_date.is_some() {
                p.add(
                    end_at,
                    "must be left out when only the first day or the month is known",
                );
            }
            let start = if precision == DatePrecision::FirstDay {
                p.iso_date(&start_at, &inspection.start_date)
            } else {
                match PartialDate::parse(&inspection.start_date) {
                    Some(month) if month.month.is_some() && month.day.is_none() => {
                        Some(month.earliest())
                    }
                    _ => {
                        p.add(
                            start_at,
                            format!("\"{}\" is not a month like 2016-12", inspection.start_date),
                        );
                        None
                    }
                }
            };
            (start, start)
        }
    }
}

/// A progress update of an area or objective: its date, its rating if it has one (an
/// empty rating is none), its narrative.
fn area_progress(
    p: &mut Problems,
    at: &str,
    update: &crate::document::Update,
    rating_labels: &HashMap<&str, usize>,
    objective: Option<usize>,
) -> Option<AreaProgressImport> {
    let date = p.iso_date(&format!("{at}.date"), &update.date);
    let rating = match update.rating.as_str() {
        "" => Some(None),
        label => match rating_labels.get(label) {
            Some(r) => Some(Some(*r)),
            None => {
                p.add(
                    format!("{at}.rating"),
                    format!("\"{label}\" is not one of the plan's ratings"),
                );
                None
            }
        },
    };
    if update.narrative.trim().is_empty() {
        p.add(
            format!("{at}.narrative"),
            "the progress of an area needs its narrative",
        );
    }
    Some(AreaProgressImport {
        objective,
        date: date?,
        rating: rating?,
        narrative: p.text(&format!("{at}.narrative"), &update.narrative, LONG_TEXT),
        recorded_by: update.author.clone().unwrap_or_default(),
    })
}

/// A partial date field ("2016", "2016-12" or "2016-12-05"), if present and readable.
fn partial_date(p: &mut Problems, at: &str, value: &Option<String>) -> Option<PartialDate> {
    let text = value.as_deref()?;
    let date = PartialDate::parse(text);
    if date.is_none() {
        p.add(
            at,
            format!("\"{text}\" is not a date like 2016, 2016-12 or 2016-12-05"),
        );
    }
    date
}

fn read_intervention(
    p: &mut Problems,
    i: usize,
    intervention: &Intervention,
    plan_keys: &HashMap<&str, usize>,
) -> (InterventionInput, Option<usize>) {
    let at = format!("interventions[{i}]");
    let kind = p.code(
        &format!("{at}.kind"),
        &intervention.kind,
        InterventionKind::from_code,
        &allowed(InterventionKind::ALL, InterventionKind::code),
    );
    let by = p.code(
        &format!("{at}.by"),
        &intervention.by,
        InterventionBody::from_code,
        &allowed(InterventionBody::ALL, InterventionBody::code),
    );
    let date = partial_date(p, &format!("{at}.date"), &Some(intervention.date.clone()));
    let plan = intervention
        .plan
        .as_deref()
        .and_then(|key| p.key(&format!("{at}.plan"), plan_keys, key, "plan"));
    for (d, link) in intervention.documents.iter().enumerate() {
        if !(link.starts_with("https://") || link.starts_with("http://")) || link.contains(' ') {
            p.add(
                format!("{at}.documents[{d}]"),
                "must be a web address starting with https://",
            );
        }
    }
    (
        InterventionInput {
            kind: kind.unwrap_or(InterventionKind::OtherReview),
            by: by.unwrap_or(InterventionBody::Dfe),
            date: date.unwrap_or(PartialDate {
                year: 1900,
                month: None,
                day: None,
            }),
            title: p.text(&format!("{at}.title"), opt(&intervention.title), SHORT_TEXT),
            outcome: p.text(
                &format!("{at}.outcome"),
                opt(&intervention.outcome),
                LONG_TEXT,
            ),
            notes: p.text(&format!("{at}.notes"), opt(&intervention.notes), LONG_TEXT),
            documents: intervention.documents.clone(),
            plan_id: None,
        },
        plan,
    )
}

fn read_approval(p: &mut Problems, at: &str, approval: &Option<Approval>) -> PlanApproval {
    let Some(a) = approval else {
        return PlanApproval::default();
    };
    let at = format!("{at}.approval");
    PlanApproval {
        submission_due: partial_date(p, &format!("{at}.submission_due"), &a.submission_due),
        submitted_on: partial_date(p, &format!("{at}.submitted"), &a.submitted),
        approved_on: partial_date(p, &format!("{at}.approved"), &a.approved),
        approved_by: p.text(
            &format!("{at}.approved_by"),
            opt(&a.approved_by),
            SHORT_TEXT,
        ),
        published_on: partial_date(p, &format!("{at}.published"), &a.published),
    }
}

fn read_plan(
    p: &mut Problems,
    i: usize,
    plan: &Plan,
    person_keys: &HashMap<&str, usize>,
    organisation_keys: &HashMap<&str, usize>,
    inspection_keys: &HashMap<&str, usize>,
    finding_keys: &HashMap<&str, (usize, usize)>,
) -> PlanToImport {
    let at = format!("plans[{i}]");
    let (period_start, _) = written_date(&plan.period_start, PlanDate::start);
    let (period_end, _) = written_date(&plan.period_end, PlanDate::deadline);
    if !(1..=366).contains(&plan.stale_after_days) {
        p.add(
            format!("{at}.stale_after_days"),
            "must be between 1 and 366",
        );
    }
    let input = PlanInput {
        kind: p
            .code(
                &format!("{at}.kind"),
                &plan.kind,
                PlanKind::from_code,
                &allowed(PlanKind::ALL, PlanKind::code),
            )
            .unwrap_or(PlanKind::Wsoa),
        title: p.text(&format!("{at}.title"), &plan.title, SHORT_TEXT),
        period_start,
        period_end,
        inspection_id: None,
        status: p
            .code(
                &format!("{at}.status"),
                &plan.status,
                PlanStatus::from_code,
                &allowed(PlanStatus::ALL, PlanStatus::code),
            )
            .unwrap_or(PlanStatus::Draft),
        stale_after_days: plan.stale_after_days,
        rating_preset: None,
    };
    let inspection = plan.inspection.as_deref().and_then(|k| {
        p.key(
            &format!("{at}.inspection"),
            inspection_keys,
            k,
            "inspection",
        )
    });
    // A plan recorded for its history alone (its actions were never transcribed) may have
    // no rating scheme; one with actions needs one to rate them.
    if plan.ratings.is_empty() && !plan.actions.is_empty() {
        p.add(
            format!("{at}.ratings"),
            "a plan with actions needs at least one rating",
        );
    }
    let mut rating_labels = HashMap::new();
    let ratings = plan
        .ratings
        .iter()
        .enumerate()
        .map(|(r, rating)| {
            let rat = format!("{at}.ratings[{r}]");
            if rating_labels.insert(rating.label.as_str(), r).is_some() {
                p.add(
                    format!("{rat}.label"),
                    format!("the rating \"{}\" is listed twice", rating.label),
                );
            }
            RatingDefinition {
                label: p.text(&format!("{rat}.label"), &rating.label, 60),
                colour: p
                    .code(
                        &format!("{rat}.colour"),
                        &rating.colour,
                        TagColour::from_code,
                        &allowed(TagColour::ALL, TagColour::code),
                    )
                    .unwrap_or(TagColour::Grey),
                meaning: rating.meaning.clone(),
                class: p
                    .code(
                        &format!("{rat}.class"),
                        &rating.class,
                        RatingClass::from_code,
                        &allowed(RatingClass::ALL, RatingClass::code),
                    )
                    .unwrap_or(RatingClass::OnTrack),
            }
        })
        .collect();

    let mut area_numbers = HashMap::new();
    let mut objective_numbers: HashMap<String, (usize, usize, ItemNumber)> = HashMap::new();
    let mut areas = Vec::new();
    for (a, area) in plan.areas.iter().enumerate() {
        let aat = format!("{at}.areas[{a}]");
        let number = p.number(&format!("{aat}.number"), &area.number);
        if let Some(n) = &number {
            if n.segments().len() != 1 {
                p.add(
                    format!("{aat}.number"),
                    "an area's number is a single whole number, like 3",
                );
            }
            if area_numbers.insert(n.to_string(), (a, n.clone())).is_some() {
                p.add(format!("{aat}.number"), format!("area {n} is listed twice"));
            }
        }
        let mut objectives = Vec::new();
        let mut progress: Vec<AreaProgressImport> = area
            .progress
            .iter()
            .enumerate()
            .filter_map(|(u, update)| {
                area_progress(
                    p,
                    &format!("{aat}.progress[{u}]"),
                    update,
                    &rating_labels,
                    None,
                )
            })
            .collect();
        for (o, objective) in area.objectives.iter().enumerate() {
            let oat = format!("{aat}.objectives[{o}]");
            for (u, update) in objective.progress.iter().enumerate() {
                progress.extend(area_progress(
                    p,
                    &format!("{oat}.progress[{u}]"),
                    update,
                    &rating_labels,
                    Some(o),
                ));
            }
            let onumber = p.number(&format!("{oat}.number"), &objective.number);
            if let (Some(on), Some(an)) = (&onumber, &number) {
                if !on.is_child_of(an) {
                    p.add(
                        format!("{oat}.number"),
                        format!("objective {on} is not directly under area {an}"),
                    );
                }
                if objective_numbers
                    .insert(on.to_string(), (a, o, on.clone()))
                    .is_some()
                {
                    p.add(
                        format!("{oat}.number"),
                        format!("objective {on} is listed twice"),
                    );
                }
            }
            objectives.push(ObjectiveInput {
                number: onumber.unwrap_or_else(ItemNumber::placeholder),
                title: p.text(&format!("{oat}.title"), &objective.title, LONG_TEXT),
                i_statement: opt(&objective.i_statement).to_owned(),
                impact_indicators: opt(&objective.impact_indicators).to_owned(),
                milestones: opt(&objective.milestones).to_owned(),
            });
        }
        areas.push(AreaImport {
            area: AreaInput {
                number: number.unwrap_or_else(ItemNumber::placeholder),
                title: p.text(&format!("{aat}.title"), &area.title, LONG_TEXT),
                senior_responsible_officer: None,
                outcomes: opt(&area.outcomes).to_owned(),
                findings: Vec::new(),
            },
            findings: area
                .findings
                .iter()
                .enumerate()
                .filter_map(|(f, key)| {
                    let found = finding_keys.get(key.as_str()).copied();
                    if found.is_none() {
                        p.add(
                            format!("{aat}.findings[{f}]"),
                            format!("there is no finding with key \"{key}\""),
                        );
                    }
                    found
                })
                .collect(),
            senior_responsible_officer: area.senior_responsible_officer.as_deref().and_then(|k| {
                p.key(
                    &format!("{aat}.senior_responsible_officer"),
                    person_keys,
                    k,
                    "person",
                )
            }),
            objectives,
            progress,
        });
    }

    let mut action_numbers = HashMap::new();
    for (n, action) in plan.actions.iter().enumerate() {
        if action_numbers.insert(action.number.trim(), n).is_some() {
            p.add(
                format!("{at}.actions[{n}].number"),
                format!("action {} is listed twice", action.number),
            );
        }
    }
    let actions = plan
        .actions
        .iter()
        .enumerate()
        .map(|(n, action)| {
            read_action(
                p,
                &format!("{at}.actions[{n}]"),
                action,
                &rating_labels,
                &area_numbers,
                &objective_numbers,
                &action_numbers,
                person_keys,
                organisation_keys,
            )
        })
        .collect::<Vec<_>>();
    // A dependency makes a loop when the action depended on depends back on the action,
    // directly or through others: when both are in the same group.
    let edges: Vec<(usize, usize)> = actions
        .iter()
        .enumerate()
        .flat_map(|(n, a): (usize, &ActionImport)| a.depends_on.iter().map(move |d| (n, *d)))
        .collect();
    let group = dependency_groups(actions.len(), &edges);
    for (n, d) in edges {
        if n == d || group[n] == group[d] {
            p.add(
                format!("{at}.actions[{n}].depends_on"),
                "the actions' dependencies make a loop",
            );
        }
    }
    let measures = measures::read_measures(
        p,
        &at,
        &plan.measures,
        &area_numbers,
        &action_numbers,
        person_keys,
    );
    let surveys = measures::read_surveys(p, &at, &plan.surveys);
    let approval = read_approval(p, &at, &plan.approval);
    PlanToImport {
        plan: input,
        inspection,
        ratings,
        areas,
        actions,
        measures,
        surveys,
        approval,
    }
}

#[allow(clippy::too_many_arguments)] // the indexes built over the rest of the document
fn read_action(
    p: &mut Problems,
    at: &str,
    action: &Action,
    rating_labels: &HashMap<&str, usize>,
    area_numbers: &HashMap<String, (usize, ItemNumber)>,
    objective_numbers: &HashMap<String, (usize, usize, ItemNumber)>,
    action_numbers: &HashMap<&str, usize>,
    person_keys: &HashMap<&str, usize>,
    organisation_keys: &HashMap<&str, usize>,
) -> ActionImport {
    let number = p.number(&format!("{at}.number"), &action.number);
    let area = area_numbers.get(action.area.trim());
    if area.is_none() {
        p.add(
            format!("{at}.area"),
            format!("there is no area {}", action.area),
        );
    }
    let objective = action.objective.as_deref().and_then(|o| {
        let found = objective_numbers.get(o.trim());
        if found.is_none() {
            p.add(
                format!("{at}.objective"),
                format!("there is no objective {o}"),
            );
        }
        found
    });
    if let (Some((objective_area, _, _)), Some((area_position, _))) = (objective, area) {
        if objective_area != area_position {
            p.add(
                format!("{at}.objective"),
                "the objective is in another area",
            );
        }
    }
    let parent = objective.map(|(_, _, n)| n).or(area.map(|(_, n)| n));
    if let (Some(number), Some(parent)) = (&number, parent) {
        if !number.belongs_under(parent) {
            p.add(
                format!("{at}.number"),
                format!("action {number} is not directly under {parent}"),
            );
        }
    }
    let people = |p: &mut Problems, field: &str, keys: &[String]| -> Vec<usize> {
        keys.iter()
            .enumerate()
            .filter_map(|(k, key)| p.key(&format!("{at}.{field}[{k}]"), person_keys, key, "person"))
            .collect()
    };
    let leads = people(p, "leads", &action.leads);
    let partner_people = people(p, "partner_people", &action.partner_people);
    let partner_organisations = action
        .partner_organisations
        .iter()
        .enumerate()
        .filter_map(|(k, key)| {
            p.key(
                &format!("{at}.partner_organisations[{k}]"),
                organisation_keys,
                key,
                "organisation",
            )
        })
        .collect();
    let resources = action
        .resources
        .iter()
        .enumerate()
        .map(|(r, resource)| {
            if resource.amount_pence.is_some_and(|a| a < 0) {
                p.add(
                    format!("{at}.resources[{r}].amount_pence"),
                    "must not be negative",
                );
            }
            if resource.amount_pence.is_some_and(|a| a > MAX_AMOUNT_PENCE) {
                p.add(
                    format!("{at}.resources[{r}].amount_pence"),
                    format!("must be at most {MAX_AMOUNT_PENCE} pence, the most a resource can be"),
                );
            }
            Resource {
                kind: p
                    .code(
                        &format!("{at}.resources[{r}].kind"),
                        &resource.kind,
                        ResourceKind::from_code,
                        "existing, additional",
                    )
                    .unwrap_or(ResourceKind::Existing),
                description: resource.description.clone(),
                amount_pence: resource.amount_pence,
            }
        })
        .collect();
    let (start_date, start_text) = written_date(&action.start, PlanDate::start);
    let (completion_date, completion_text) = written_date(&action.completion, PlanDate::deadline);
    let dates_need_review = [&start_text, &completion_text]
        .iter()
        .any(|t| !t.is_empty() && PlanDate::parse(t).needs_review);
    let depends_on = action
        .depends_on
        .iter()
        .enumerate()
        .filter_map(|(d, n)| {
            let found = action_numbers.get(n.trim()).copied();
            if found.is_none() {
                p.add(
                    format!("{at}.depends_on[{d}]"),
                    format!("there is no action {n} in this plan"),
                );
            }
            found
        })
        .collect();
    let milestones = action
        .milestones
        .iter()
        .enumerate()
        .map(|(m, milestone)| {
            let (due_date, due_text) = written_date(&milestone.due, PlanDate::deadline);
            MilestoneInput {
                title: p.text(
                    &format!("{at}.milestones[{m}].title"),
                    &milestone.title,
                    LONG_TEXT,
                ),
                due_date,
                success_criteria: opt(&milestone.success_criteria).to_owned(),
                done_date: milestone
                    .done
                    .as_deref()
                    .and_then(|d| p.iso_date(&format!("{at}.milestones[{m}].done"), d)),
                due_text,
                done_evidence: opt(&milestone.done_evidence).to_owned(),
            }
        })
        .collect();
    let updates = action
        .updates
        .iter()
        .enumerate()
        .filter_map(|(u, update)| {
            let uat = format!("{at}.updates[{u}]");
            let date = p.iso_date(&format!("{uat}.date"), &update.date);
            let rating = rating_labels.get(update.rating.as_str()).copied();
            if rating.is_none() {
                p.add(
                    format!("{uat}.rating"),
                    format!("\"{}\" is not a rating of this plan", update.rating),
                );
            }
            let superseded = update.superseded.as_ref().map(|s| {
                if time::OffsetDateTime::parse(
                    &s.at,
                    &time::format_description::well_known::Rfc3339,
                )
                .is_err()
                {
                    p.add(
                        format!("{uat}.superseded.at"),
                        format!("\"{}\" is not a time like 2024-03-27T09:30:00Z", s.at),
                    );
                }
                if let Some(by) = s.corrected_by {
                    if by >= action.updates.len() || by == u {
                        p.add(
                            format!("{uat}.superseded.corrected_by"),
                            "must be the position of another update of this action",
                        );
                    }
                }
                SupersededImport {
                    reason: p.text(&format!("{uat}.superseded.reason"), &s.reason, SHORT_TEXT),
                    by: p.text(&format!("{uat}.superseded.by"), opt(&s.by), SHORT_TEXT),
                    at: s.at.clone(),
                    corrected_by: s.corrected_by,
                }
            });
            Some(UpdateImport {
                date: date?,
                rating: rating?,
                narrative: p.text(&format!("{uat}.narrative"), &update.narrative, LONG_TEXT),
                evidence_links: update.evidence_links.clone(),
                recorded_by: opt(&update.author).to_owned(),
                as_written: p.text(
                    &format!("{uat}.as_written"),
                    opt(&update.as_written),
                    SHORT_TEXT,
                ),
                superseded,
            })
        })
        .collect();
    ActionImport {
        area: area.map_or(0, |(a, _)| *a),
        objective: objective.map(|(_, o, _)| *o),
        action: ActionInput {
            objective_id: None,
            number: number.unwrap_or_else(ItemNumber::placeholder),
            description: p.text(&format!("{at}.description"), &action.description, LONG_TEXT),
            leads: Vec::new(),
            partner_people: Vec::new(),
            partner_organisations: Vec::new(),
            resources,
            evidence_of_success: opt(&action.evidence_of_success).to_owned(),
            impact_measures: opt(&action.impact_measures).to_owned(),
            start_date,
            completion_date,
            depends_on: Vec::new(),
            written: ActionText {
                lead: opt(&action.lead_text).to_owned(),
                partners: opt(&action.partners_text).to_owned(),
                accountability_measures: opt(&action.accountability_measures).to_owned(),
                intended_outcome: opt(&action.intended_outcome).to_owned(),
                start: start_text,
                completion: completion_text,
            },
        },
        leads,
        partner_people,
        partner_organisations,
        depends_on,
        milestones,
        updates,
        dates_need_review,
        extra_fields: action
            .extra_fields
            .iter()
            .enumerate()
            .map(|(i, field)| {
                let fat = format!("{at}.extra_fields[{i}]");
                if field.name.trim().is_empty() {
                    p.add(
                        format!("{fat}.name"),
                        "an extra field needs a name".to_owned(),
                    );
                }
                (
                    p.text(&format!("{fat}.name"), &field.name, SHORT_TEXT),
                    p.text(&format!("{fat}.value"), &field.value, LONG_TEXT),
                )
            })
            .collect(),
    }
}

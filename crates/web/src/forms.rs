//! Forms as data: a list of [`Field`]s mirroring the GOV.UK Design System components
//! (text input, textarea, select, radios, checkboxes, date input), rendered by one
//! template. A form is defined once; on a failed submit the same definition is refilled
//! with what the person typed and the errors, so nothing they typed is lost.

use sendplan_domain::input::{FieldErrors, RawForm, BLANK_RESOURCE_ROWS};
use sendplan_domain::plan::{format_pounds, Resource, ResourceKind};
use time::Date;

/// What the file inputs of spreadsheet uploads accept: Excel workbooks and CSV.
pub const SPREADSHEETS: &str =
    ".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// What the file input of a plan import accepts: spreadsheets, and Word documents whose
/// tables hold the plan.
pub const PLAN_FILES: &str = ".xlsx,.csv,.docx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// One option of a select, radios or checkboxes.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub hint: String,
    pub selected: bool,
}

impl Choice {
    pub fn new(value: impl ToString, label: impl Into<String>) -> Self {
        Choice {
            value: value.to_string(),
            label: label.into(),
            hint: String::new(),
            selected: false,
        }
    }
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }
}

/// One row of the resources fieldset on the action form.
#[derive(Debug, Clone)]
pub struct ResourceRow {
    pub index: usize,
    pub kind: String,
    pub description: String,
    pub amount: String,
    pub error: Option<String>,
}

/// Which component a field is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Textarea,
    Select,
    Radios,
    Checkboxes,
    Date,
    Hidden,
    Resources,
    File,
}

/// A form field. Only the properties its kind uses are read.
#[derive(Debug, Clone)]
pub struct Field {
    pub kind: Kind,
    pub name: String,
    pub label: String,
    pub hint: String,
    pub value: String,
    pub error: Option<String>,
    pub options: Vec<Choice>,
    pub day: String,
    pub month: String,
    pub year: String,
    pub rows: usize,
    /// A GOV.UK width class such as `govuk-input--width-10`, or empty for full width.
    pub width: &'static str,
    pub input_type: &'static str,
    pub autocomplete: &'static str,
    pub spellcheck: bool,
    pub resources: Vec<ResourceRow>,
}

impl Field {
    fn base(kind: Kind, name: &str, label: &str) -> Self {
        Field {
            kind,
            name: name.to_owned(),
            label: label.to_owned(),
            hint: String::new(),
            value: String::new(),
            error: None,
            options: Vec::new(),
            day: String::new(),
            month: String::new(),
            year: String::new(),
            rows: 5,
            width: "",
            input_type: "text",
            autocomplete: "off",
            spellcheck: true,
            resources: Vec::new(),
        }
    }

    pub fn text(name: &str, label: &str) -> Self {
        Self::base(Kind::Text, name, label)
    }
    pub fn textarea(name: &str, label: &str) -> Self {
        Self::base(Kind::Textarea, name, label)
    }
    pub fn select(name: &str, label: &str, options: Vec<Choice>) -> Self {
        Field {
            options,
            ..Self::base(Kind::Select, name, label)
        }
    }
    pub fn radios(name: &str, label: &str, options: Vec<Choice>) -> Self {
        Field {
            options,
            ..Self::base(Kind::Radios, name, label)
        }
    }
    pub fn checkboxes(name: &str, label: &str, options: Vec<Choice>) -> Self {
        Field {
            options,
            ..Self::base(Kind::Checkboxes, name, label)
        }
    }
    pub fn date(name: &str, label: &str) -> Self {
        Self::base(Kind::Date, name, label)
    }
    /// A file upload; `accept` lists the file types offered.
    pub fn file(name: &str, label: &str, accept: &'static str) -> Self {
        Field {
            input_type: accept,
            ..Self::base(Kind::File, name, label)
        }
    }
    pub fn hidden(name: &str, value: impl ToString) -> Self {
        Field {
            value: value.to_string(),
            ..Self::base(Kind::Hidden, name, "")
        }
    }
    /// The rows of an action's resources, with blank rows to add more.
    pub fn resources(resources: &[Resource]) -> Self {
        let mut rows: Vec<ResourceRow> = resources
            .iter()
            .enumerate()
            .map(|(index, r)| ResourceRow {
                index,
                kind: r.kind.code().to_owned(),
                description: r.description.clone(),
                amount: r.amount_pence.map(format_pounds).unwrap_or_default(),
                error: None,
            })
            .collect();
        for index in rows.len()..rows.len() + BLANK_RESOURCE_ROWS {
            rows.push(ResourceRow {
                index,
                kind: ResourceKind::Existing.code().to_owned(),
                description: String::new(),
                amount: String::new(),
                error: None,
            });
        }
        Field {
            resources: rows,
            ..Self::base(Kind::Resources, "resource", "Resources")
        }
    }

    pub fn hint(mut self, hint: &str) -> Self {
        self.hint = hint.to_owned();
        self
    }
    pub fn value(mut self, value: impl ToString) -> Self {
        self.set_value(value);
        self
    }
    /// Sets the value of a field already built; a select or radios field marks its
    /// matching option chosen.
    pub fn set_value(&mut self, value: impl ToString) {
        self.value = value.to_string();
        self.select_value();
    }
    /// Ticks the checkboxes whose values are given.
    pub fn checked<T: ToString>(mut self, values: &[T]) -> Self {
        let values: Vec<String> = values.iter().map(ToString::to_string).collect();
        for option in &mut self.options {
            option.selected = values.contains(&option.value);
        }
        self
    }
    pub fn date_value(mut self, date: Option<Date>) -> Self {
        if let Some(date) = date {
            self.day = date.day().to_string();
            self.month = u8::from(date.month()).to_string();
            self.year = date.year().to_string();
        }
        self
    }
    /// A date input showing as much of a date as is known: the day, or the day and the
    /// month, stay empty when they are not.
    pub fn partial_date_value(
        mut self,
        date: Option<sendplan_domain::history::PartialDate>,
    ) -> Self {
        if let Some(date) = date {
            self.day = date.day.map(|d| d.to_string()).unwrap_or_default();
            self.month = date
                .month
                .map(|m| u8::from(m).to_string())
                .unwrap_or_default();
            self.year = date.year.to_string();
        }
        self
    }
    pub fn width(mut self, class: &'static str) -> Self {
        self.width = class;
        self
    }
    pub fn rows(mut self, rows: usize) -> Self {
        self.rows = rows;
        self
    }
    pub fn input_type(mut self, input_type: &'static str) -> Self {
        self.input_type = input_type;
        self
    }
    pub fn autocomplete(mut self, autocomplete: &'static str) -> Self {
        self.autocomplete = autocomplete;
        self.spellcheck = false;
        self
    }

    fn select_value(&mut self) {
        if matches!(self.kind, Kind::Select | Kind::Radios) {
            for option in &mut self.options {
                option.selected = option.value == self.value;
            }
        }
    }

    /// Replaces the value with what was submitted, so a failed submit keeps every keystroke.
    fn refill(&mut self, form: &RawForm) {
        let raw = |name: &str| {
            form.0
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        match self.kind {
            Kind::Hidden | Kind::File => {}
            Kind::Checkboxes => {
                let chosen = form.all(&self.name);
                for option in &mut self.options {
                    option.selected = chosen.contains(&option.value.as_str());
                }
            }
            Kind::Date => {
                self.day = raw(&format!("{}-day", self.name));
                self.month = raw(&format!("{}-month", self.name));
                self.year = raw(&format!("{}-year", self.name));
            }
            Kind::Resources => {
                for row in &mut self.resources {
                    let prefix = format!("resource-{}", row.index);
                    row.kind = raw(&format!("{prefix}-kind"));
                    row.description = raw(&format!("{prefix}-description"));
                    row.amount = raw(&format!("{prefix}-amount"));
                }
            }
            _ => {
                self.value = raw(&self.name);
                self.select_value();
            }
        }
    }

    fn show_errors(&mut self, errors: &FieldErrors) {
        if self.kind == Kind::Resources {
            for row in &mut self.resources {
                row.error = errors
                    .message_for(&format!("resource-{}", row.index))
                    .map(str::to_owned);
            }
        } else {
            self.error = errors.message_for(&self.name).map(str::to_owned);
        }
    }

    /// The component's name, for the template to choose its markup.
    pub fn component(&self) -> &'static str {
        match self.kind {
            Kind::Text => "text",
            Kind::Textarea => "textarea",
            Kind::Select => "select",
            Kind::Radios => "radios",
            Kind::Checkboxes => "checkboxes",
            Kind::Date => "date",
            Kind::Hidden => "hidden",
            Kind::Resources => "resources",
            Kind::File => "file",
        }
    }

    /// The ids of the hint and error message, for `aria-describedby`.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.name));
        }
        ids.join(" ")
    }

    /// Whether every value `sent` for this field is one the field offers (always, for
    /// fields without a list of choices). A value not offered was not chosen on the page.
    pub fn offers(&self, sent: &[&str]) -> bool {
        match self.kind {
            Kind::Select | Kind::Radios | Kind::Checkboxes => sent
                .iter()
                .filter(|v| !v.is_empty())
                .all(|v| self.options.iter().any(|o| o.value == *v)),
            _ => true,
        }
    }

    /// The id the error summary links to.
    pub fn anchor(&self) -> String {
        match self.kind {
            Kind::Date => format!("{}-day", self.name),
            _ => self.name.clone(),
        }
    }
}

/// Refills `fields` with a failed submit's values and attaches each error to its field.
pub fn refill(fields: &mut [Field], form: &RawForm, errors: &FieldErrors) {
    for field in fields {
        field.refill(form);
        field.show_errors(errors);
    }
}

/// Options for a select with a leading "none" choice.
pub fn with_none(label: &str, mut options: Vec<Choice>) -> Vec<Choice> {
    options.insert(0, Choice::new("", label));
    options
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_submit_keeps_what_was_typed_and_shows_errors() {
        let mut fields = vec![
            Field::text("title", "Title").value("old"),
            Field::select(
                "kind",
                "Kind",
                vec![Choice::new("a", "A"), Choice::new("b", "B")],
            )
            .value("a"),
            Field::date("due", "Due"),
            Field::checkboxes(
                "leads",
                "Leads",
                vec![Choice::new(1, "One"), Choice::new(2, "Two")],
            ),
            Field::hidden("version", 3),
        ];
        let form = RawForm::from_pairs(&[
            ("title", "typed "),
            ("kind", "b"),
            ("due-day", "31"),
            ("due-month", "2"),
            ("due-year", "2022"),
            ("leads", "2"),
            ("version", "9"),
        ]);
        let errors = FieldErrors::single("due-day", "Due must be a real date");
        refill(&mut fields, &form, &errors);
        assert_eq!(fields[0].value, "typed ");
        assert!(fields[1].options[1].selected && !fields[1].options[0].selected);
        assert_eq!(
            (fields[2].day.as_str(), fields[2].month.as_str()),
            ("31", "2")
        );
        assert_eq!(fields[2].error.as_deref(), Some("Due must be a real date"));
        assert!(fields[3].options[1].selected);
        assert_eq!(
            fields[4].value, "3",
            "hidden fields keep the server's value"
        );
    }
}

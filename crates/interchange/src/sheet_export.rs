//! Spreadsheets out: one row per action, in the columns the spreadsheet importer reads
//! back without any mapping, as Excel (.xlsx) or CSV; and the blank template.

use crate::document::{Action, Document};
use crate::sheet::Field;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// The columns, in order.
pub const COLUMNS: [Field; 16] = [
    Field::Number,
    Field::AreaTitle,
    Field::ObjectiveTitle,
    Field::Description,
    Field::Lead,
    Field::Partners,
    Field::Resources,
    Field::Evidence,
    Field::AccountabilityMeasures,
    Field::IntendedOutcome,
    Field::ImpactMeasures,
    Field::Milestones,
    Field::Start,
    Field::Completion,
    Field::Progress,
    Field::ProgressNotes,
];

/// The rows of the first plan of a document, as text cells in [`COLUMNS`] order.
pub fn rows(document: &Document) -> Vec<Vec<String>> {
    let Some(plan) = document.plans.first() else {
        return Vec::new();
    };
    let person = |key: &String| {
        document
            .people
            .iter()
            .find(|p| &p.key == key)
            .map(|p| {
                p.name
                    .clone()
                    .or_else(|| p.job_title.clone())
                    .unwrap_or_default()
            })
            .unwrap_or_default()
    };
    let opt = |text: &Option<String>| text.clone().unwrap_or_default();
    plan.actions
        .iter()
        .map(|action: &Action| {
            let area = plan.areas.iter().find(|a| a.number == action.area);
            let objective = action
                .objective
                .as_ref()
                .and_then(|o| area.and_then(|a| a.objectives.iter().find(|x| &x.number == o)));
            let latest = action.updates.last();
            let lead = action.lead_text.clone().unwrap_or_else(|| {
                action
                    .leads
                    .iter()
                    .map(person)
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            let milestones: Vec<String> = action
                .milestones
                .iter()
                .map(|m| match &m.due {
                    Some(due) if !m.title.contains(due.as_str()) => {
                        format!("{} (due {due})", m.title)
                    }
                    _ => m.title.clone(),
                })
                .collect();
            let resources: Vec<String> = action
                .resources
                .iter()
                .map(|r| r.description.clone())
                .collect();
            vec![
                action.number.clone(),
                area.map(|a| a.title.clone()).unwrap_or_default(),
                objective.map(|o| o.title.clone()).unwrap_or_default(),
                action.description.clone(),
                lead,
                opt(&action.partners_text),
                resources.join("\n"),
                opt(&action.evidence_of_success),
                opt(&action.accountability_measures),
                opt(&action.intended_outcome),
                opt(&action.impact_measures),
                milestones.join("\n"),
                opt(&action.start),
                opt(&action.completion),
                latest.map(|u| u.rating.clone()).unwrap_or_default(),
                latest.map(|u| u.narrative.clone()).unwrap_or_default(),
            ]
        })
        .collect()
}

/// The headings of the Progress updates sheet, which sendplan reads back as the plan's
/// history (its own layout, recognised by these headings).
pub const UPDATE_COLUMNS: [&str; 10] = [
    "Number",
    "Date",
    "Date as written",
    "Rating",
    "Narrative",
    "Posted by",
    "Evidence links",
    "No longer counts because",
    "Withdrawn or corrected by",
    "Withdrawn or corrected on",
];

/// A plan as Excel holds it: the actions (the importer's columns, then each extra field
/// of the plan's tracker by name) and every dated progress update, oldest first.
#[derive(Debug, Clone, Default)]
pub struct PlanSheets {
    pub head: Vec<String>,
    pub actions: Vec<Vec<String>>,
    pub updates: Vec<Vec<String>>,
}

/// The first plan of a document as sheets. The rating is not a column of the actions:
/// the Progress updates sheet carries every rating with its date, and the latest is the
/// current one.
pub fn plan_sheets(document: &Document) -> PlanSheets {
    let Some(plan) = document.plans.first() else {
        return PlanSheets::default();
    };
    let kept = COLUMNS.len() - 2;
    let mut extra_names: Vec<String> = Vec::new();
    for action in &plan.actions {
        for field in &action.extra_fields {
            if !extra_names.contains(&field.name) {
                extra_names.push(field.name.clone());
            }
        }
    }
    let mut head: Vec<String> = headers()[..kept].iter().map(|h| (*h).to_owned()).collect();
    head.extend(extra_names.iter().cloned());
    let actions = rows(document)
        .into_iter()
        .zip(&plan.actions)
        .map(|(mut row, action)| {
            row.truncate(kept);
            row.extend(extra_names.iter().map(|name| {
                action
                    .extra_fields
                    .iter()
                    .filter(|f| &f.name == name)
                    .map(|f| f.value.clone())
                    .collect::<Vec<_>>()
                    .join("\n")
            }));
            row
        })
        .collect();
    let mut updates = Vec::new();
    // Progress of areas and objectives first, under their numbers.
    let progress_row = |number: &str, update: &crate::document::Update| {
        vec![
            number.to_owned(),
            update.date.clone(),
            String::new(),
            update.rating.clone(),
            update.narrative.clone(),
            update.author.clone().unwrap_or_default(),
            update.evidence_links.join("\n"),
            String::new(),
            String::new(),
            String::new(),
        ]
    };
    for area in &plan.areas {
        updates.extend(area.progress.iter().map(|u| progress_row(&area.number, u)));
        for objective in &area.objectives {
            updates.extend(
                objective
                    .progress
                    .iter()
                    .map(|u| progress_row(&objective.number, u)),
            );
        }
    }
    for action in &plan.actions {
        for update in &action.updates {
            let superseded = update.superseded.as_ref();
            updates.push(vec![
                action.number.clone(),
                update.date.clone(),
                update.as_written.clone().unwrap_or_default(),
                update.rating.clone(),
                update.narrative.clone(),
                update.author.clone().unwrap_or_default(),
                update.evidence_links.join("\n"),
                superseded.map(|s| s.reason.clone()).unwrap_or_default(),
                superseded.and_then(|s| s.by.clone()).unwrap_or_default(),
                superseded.map(|s| s.at.clone()).unwrap_or_default(),
            ]);
        }
    }
    PlanSheets {
        head,
        actions,
        updates,
    }
}

/// A plan as an Excel workbook: its actions, its progress updates and the guidance.
pub fn plan_to_xlsx(sheets: &PlanSheets) -> Result<Vec<u8>, XlsxError> {
    let head: Vec<&str> = sheets.head.iter().map(String::as_str).collect();
    workbook_with(&head, &sheets.actions, Some(&sheets.updates))
}

fn headers() -> Vec<&'static str> {
    COLUMNS.iter().map(|f| f.header()).collect()
}

/// An Excel workbook with the plan's actions (or none, for the template) and a sheet of
/// guidance.
pub fn to_xlsx(rows: &[Vec<String>]) -> Result<Vec<u8>, XlsxError> {
    workbook_with(&headers(), rows, None)
}

/// The Actions sheet, the Progress updates sheet when there is one, and the guidance.
fn workbook_with(
    head: &[&str],
    rows: &[Vec<String>],
    updates: Option<&[Vec<String>]>,
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold().set_text_wrap();
    let wrap = Format::new().set_text_wrap();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Actions")?;
    for (c, title) in head.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *title, &header)?;
        sheet.set_column_width(c as u16, if c == 0 { 10 } else { 32 })?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                sheet.write_string_with_format(r as u32 + 1, c as u16, text, &wrap)?;
            }
        }
    }
    if let Some(updates) = updates {
        let sheet = workbook.add_worksheet();
        sheet.set_name("Progress updates")?;
        for (c, title) in UPDATE_COLUMNS.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *title, &header)?;
            sheet.set_column_width(c as u16, if c == 4 { 60 } else { 16 })?;
        }
        sheet.set_freeze_panes(1, 0)?;
        for (r, row) in updates.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                if !text.is_empty() {
                    sheet.write_string_with_format(r as u32 + 1, c as u16, text, &wrap)?;
                }
            }
        }
    }
    let guide = workbook.add_worksheet();
    guide.set_name("How to fill this in")?;
    guide.set_column_width(0, 28)?;
    guide.set_column_width(1, 100)?;
    for (r, (column, help)) in GUIDANCE.iter().enumerate() {
        guide.write_string_with_format(r as u32, 0, *column, &header)?;
        guide.write_string_with_format(r as u32, 1, *help, &wrap)?;
    }
    workbook.save_to_buffer()
}

/// The plan's rows as CSV, in the importer's columns.
pub fn to_csv(rows: &[Vec<String>]) -> Vec<u8> {
    table_to_csv(&headers(), rows)
}

const GUIDANCE: [(&str, &str); 9] = [
    ("Every row", "One action per row, on the sheet called Actions. Only Number and Action are required."),
    ("Number", "The action's number as the plan writes it: 1.2 (area 1, action 2) or 2.3.1 (area 2, objective 2.3, action 1)."),
    ("Area, Objective", "The title of the action's area and objective. Write it on at least one row of each; merged cells are fine."),
    ("Lead", "People as the plan writes them: names, job titles or initials such as PeRi, separated by commas. Anyone sendplan cannot match is added for a plan manager to review."),
    ("Key milestones", "One milestone per line, with its date as you would write it: 'Launch strategy (Sept. 2022)'."),
    ("Start date, Completion date", "As the plan writes them: 'Feb 2022', 'Autumn Term 2018', 'By Jan 2019', 'Ongoing'. sendplan keeps your words and flags any it cannot read."),
    ("Resources", "As written, for example 'Autism practitioner £45,000 (A)'. (A) or 'additional' marks new money."),
    ("Progress", "The current rating, exactly as in the plan's rating scheme (for example RED, AMBER, GREEN)."),
    ("Progress notes", "What has happened, recorded as the action's first progress update."),
];

/// A table (header row and rows) as an Excel workbook with one sheet.
pub fn table_to_xlsx(
    sheet_name: &str,
    head: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name)?;
    for (c, title) in head.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *title, &header)?;
        sheet.set_column_width(c as u16, 20)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            match text.parse::<f64>() {
                Ok(number) if !text.is_empty() => {
                    sheet.write_number(r as u32 + 1, c as u16, number)?
                }
                _ => sheet.write_string(r as u32 + 1, c as u16, text)?,
            };
        }
    }
    workbook.save_to_buffer()
}

/// The characters that make a spreadsheet read a cell as a formula (or, for tab and
/// carriage return, hide one): OWASP's list for CSV injection.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as it is safe to write to a CSV file someone will open in a spreadsheet: text
/// that would start a formula gets a leading apostrophe (OWASP's advice), so an action
/// lead's update beginning `=HYPERLINK(...)` is shown, not run. Numbers, including
/// negative ones, are left as they are.
pub fn neutralise_cell(text: &str) -> std::borrow::Cow<'_, str> {
    let is_number = text.trim().parse::<f64>().is_ok_and(f64::is_finite);
    if !is_number && text.starts_with(FORMULA_STARTS) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Undoes [`neutralise_cell`] when sendplan reads its own CSV back.
pub fn restore_cell(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) && neutralise_cell(rest) != rest => rest,
        _ => text,
    }
}

/// A table as CSV (UTF-8 with a byte order mark, so Excel reads the £ signs right), every
/// cell neutralised against formula injection.
pub fn table_to_csv(head: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(head.iter().map(|h| neutralise_cell(h).into_owned()));
    for row in rows {
        let _ = writer.write_record(row.iter().map(|cell| neutralise_cell(cell).into_owned()));
    }
    out.extend(writer.into_inner().unwrap_or_default());
    out
}

#[cfg(test)]
mod csv_safety {
    use super::*;

    #[test]
    fn cells_that_would_run_as_formulas_are_written_as_text_and_read_back_as_typed() {
        for dangerous in [
            "=HYPERLINK(\"http://evil.example\",\"Click\")",
            "+1+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1:A9)",
            "\t=1",
            "\r=1",
        ] {
            let written = neutralise_cell(dangerous);
            assert_eq!(written, format!("'{dangerous}"));
            assert_eq!(restore_cell(&written), dangerous);
        }
        for safe in [
            "-5",
            "+44",
            "-0.25",
            "1e3",
            "Plain text",
            "",
            "'quoted already",
            "£45,000",
        ] {
            assert_eq!(neutralise_cell(safe), safe, "{safe} is left alone");
            assert_eq!(restore_cell(safe), safe);
        }
        let csv = String::from_utf8(table_to_csv(
            &["Number", "Notes"],
            &[vec!["1.2".into(), "=1+1".into()]],
        ))
        .unwrap_or_default();
        assert!(csv.contains("'=1+1") && !csv.contains(",=1+1"), "{csv}");
    }
}

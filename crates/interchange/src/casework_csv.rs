//! Case-system extracts as CSV (issue 18): what a council's case system can export between
//! SEN2 returns, each month, with what the return cannot say: who holds each case, and each
//! exception to the 20-week limit as a dated period with its reason. One row per request
//! (a row with no request is a child with a plan only); rows with the same case reference
//! are one child. Columns are named as in `docs/casework.md`, matched without regard to
//! case, spaces or hyphens; columns that would identify a child (names, dates of birth,
//! addresses, postcodes, UPNs) are read past and never kept, and other unknown columns are
//! listed as not used. Rows are checked as the SEN2 return's records are
//! ([`crate::sen2`]), and every problem names its row and column.

use crate::sen2::{date, finish_person, AssessmentDraft, PersonDraft, RequestDraft, Sen2Return};
use sendplan_domain::casework::clock::{ExceptionPeriod, ExceptionReason};
use sendplan_domain::casework::records::{ActivePlan, CaseRecord};
use std::collections::HashMap;
use std::io::Read;
use time::Date;

/// The largest extract read (a large authority's, every case and request, is a few MB).
pub const MAX_EXTRACT_BYTES: u64 = 64 * 1024 * 1024;
/// The most rows read.
pub const MAX_ROWS: usize = 500_000;
/// The longest cell read: no item of a case is longer.
pub const MAX_CELL: usize = 4096;

/// The columns read, in the order the layout lists them.
pub const COLUMNS: [&str; 20] = [
    "case_reference",
    "age",
    "caseworker",
    "team",
    "request_received",
    "request_source",
    "decision",
    "decision_date",
    "assessment_outcome",
    "assessment_outcome_date",
    "plan_issued",
    "exceptions",
    "needs",
    "setting",
    "last_review",
    "review_meeting",
    "review_outcome",
    "review_decision_date",
    "phase_transfer_due",
    "phase_transfer_final",
];

/// Columns that would identify a child: read past, never kept.
const PERSONAL: [&str; 16] = [
    "name",
    "full_name",
    "forename",
    "first_name",
    "surname",
    "last_name",
    "date_of_birth",
    "dob",
    "birth_date",
    "address",
    "postcode",
    "post_code",
    "upn",
    "uln",
    "unique_learner_number",
    "nhs_number",
];

/// An extract as read: its children, its problems, and what it used and did not.
#[derive(Debug, Default)]
pub struct Extract {
    pub people: Vec<CaseRecord>,
    pub problems: Vec<ExtractProblem>,
    /// Columns read.
    pub used: Vec<String>,
    /// Columns that would identify someone, read past and not kept.
    pub not_kept: Vec<String>,
    /// Other columns sendplan does not read.
    pub not_used: Vec<String>,
}

/// A problem with one row's cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractProblem {
    /// The row as a spreadsheet numbers it: the header is row 1.
    pub row: usize,
    pub column: String,
    pub message: String,
}

impl std::fmt::Display for ExtractProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Row {}, {}: {}", self.row, self.column, self.message)
    }
}

/// Why an extract could not be read at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExtractError {
    #[error("the file is not CSV sendplan can read: {0}")]
    NotCsv(String),
    #[error("the file has no case_reference column: see docs/casework.md for the layout")]
    NoCaseReference,
    #[error("the file has more than {MAX_ROWS} rows")]
    TooManyRows,
    #[error("row {0}: a cell holds more than {MAX_CELL} characters; no item of a case does")]
    CellTooLong(usize),
}

fn normalised(header: &str) -> String {
    header
        .trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .replace([' ', '-'], "_")
}

/// A date as a case system writes it: 2024-03-01, or 01/03/2024.
fn cell_date(text: &str) -> Option<Date> {
    let text = text.trim();
    date(text).or_else(|| {
        let mut parts = text.split('/');
        let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 {
            return None;
        }
        let month = time::Month::try_from(m.parse::<u8>().ok()?).ok()?;
        Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
    })
}

/// The SEN2 item a check names, as the extract's column.
fn column_of(element: &str) -> &str {
    match element {
        "ReceivedDate" => "request_received",
        "RequestOutcome" => "decision",
        "RequestOutcomeDate" => "decision_date",
        "RequestSource" => "request_source",
        "AssessmentOutcome" => "assessment_outcome",
        "AssessmentOutcomeDate" => "assessment_outcome_date",
        "Week20" => "exceptions",
        "UPN" => "case_reference",
        other => other,
    }
}

/// Reads an extract. Nothing is kept of a column that would identify a child.
pub fn read_extract(input: impl Read) -> Result<Extract, ExtractError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(input.take(MAX_EXTRACT_BYTES + 1));
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ExtractError::NotCsv(e.to_string()))?
        .iter()
        .map(normalised)
        .collect();
    let mut out = Extract::default();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        if let Some(known) = COLUMNS.iter().find(|c| **c == h.as_str()) {
            index.entry(known).or_insert(i);
            out.used.push(h.clone());
        } else if PERSONAL.contains(&h.as_str()) {
            out.not_kept.push(h.clone());
        } else if !h.is_empty() {
            out.not_used.push(h.clone());
        }
    }
    if !index.contains_key("case_reference") {
        return Err(ExtractError::NoCaseReference);
    }
    // Each child's draft, by case reference, in the order first seen.
    let mut drafts: Vec<PersonDraft> = Vec::new();
    let mut by_reference: HashMap<String, usize> = HashMap::new();
    // Problems found reading cells, by the draft they belong to: (row, column, message).
    let mut cell_problems: Vec<ExtractProblem> = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut row = 1;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(ExtractError::NotCsv(e.to_string())),
        }
        row += 1;
        if row - 1 > MAX_ROWS {
            return Err(ExtractError::TooManyRows);
        }
        if record.iter().any(|cell| cell.chars().count() > MAX_CELL) {
            return Err(ExtractError::CellTooLong(row));
        }
        let cell = |name: &str| {
            index
                .get(name)
                .and_then(|i| record.get(*i))
                .unwrap_or("")
                .trim()
        };
        let mut problem = |column: &str, message: String| {
            cell_problems.push(ExtractProblem {
                row,
                column: column.to_owned(),
                message,
            })
        };
        let reference = cell("case_reference");
        if reference.is_empty() {
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            problem(
                "case_reference",
                "every row needs the case's reference".to_owned(),
            );
            continue;
        }
        // Dates in either form, written as SEN2's for the checks; one that is neither is
        // a problem here, and left out.
        let mut iso = |column: &str| -> String {
            let text = cell(column);
            if text.is_empty() {
                return String::new();
            }
            match cell_date(text) {
                Some(d) => d.to_string(),
                None => {
                    problem(
                        column,
                        format!("\"{text}\" is not a date (such as 01/03/2024 or 2024-03-01)"),
                    );
                    String::new()
                }
            }
        };
        let received = iso("request_received");
        let decision_date = iso("decision_date");
        let outcome_date = iso("assessment_outcome_date");
        let plan_issued = iso("plan_issued");
        let plan_dates: Vec<(&str, String)> = [
            "last_review",
            "review_meeting",
            "review_decision_date",
            "phase_transfer_due",
            "phase_transfer_final",
        ]
        .iter()
        .map(|c| (*c, iso(c)))
        .collect();
        let exceptions = exception_periods(cell("exceptions"), &mut problem);
        let n = *by_reference.entry(reference.to_owned()).or_insert_with(|| {
            drafts.push(PersonDraft {
                record: row,
                upn: reference.to_owned(),
                ..PersonDraft::default()
            });
            drafts.len() - 1
        });
        let draft = &mut drafts[n];
        if draft.age.is_none() && !cell("age").is_empty() {
            match cell("age").parse::<i32>() {
                Ok(age) if (0..=25).contains(&age) => draft.age = Some(age),
                _ => problem(
                    "age",
                    format!("\"{}\" is not an age from 0 to 25", cell("age")),
                ),
            }
        }
        for (field, column) in [
            (&mut draft.caseworker, "caseworker"),
            (&mut draft.team, "team"),
        ] {
            if field.is_none() && !cell(column).is_empty() {
                *field = Some(cell(column).to_owned());
            }
        }
        // The plan's items from the first row that has them.
        let plan_given = plan_dates.iter().any(|(_, d)| !d.is_empty())
            || ["needs", "setting", "review_outcome"]
                .iter()
                .any(|c| !cell(c).is_empty());
        if plan_given && draft.active.is_none() {
            let date_of = |c: &str| {
                plan_dates
                    .iter()
                    .find(|(name, _)| *name == c)
                    .and_then(|(_, d)| date(d))
            };
            let outcome = cell("review_outcome").to_ascii_uppercase();
            if !outcome.is_empty() && !["A", "C", "M"].contains(&outcome.as_str()) {
                problem(
                    "review_outcome",
                    format!("\"{outcome}\" is not a review outcome (A amend, C cease, M maintain)"),
                );
            }
            draft.active = Some(ActivePlan {
                last_review: date_of("last_review"),
                review_meeting: date_of("review_meeting"),
                review_outcome: (!outcome.is_empty()).then_some(outcome),
                review_draft: date_of("review_decision_date"),
                phase_transfer_due: date_of("phase_transfer_due"),
                phase_transfer_final: date_of("phase_transfer_final"),
                needs: cell("needs")
                    .split([' ', ';', ','])
                    .filter(|n| !n.is_empty())
                    .enumerate()
                    .map(|(i, n)| {
                        (
                            n.to_ascii_uppercase(),
                            u8::try_from(i + 1).unwrap_or(u8::MAX),
                        )
                    })
                    .collect(),
                settings: cell("setting")
                    .split([' ', ';', ','])
                    .filter(|n| !n.is_empty())
                    .map(str::to_ascii_uppercase)
                    .collect(),
            });
        }
        // A request whose date could not be read is said once, above.
        let unreadable = received.is_empty() && !cell("request_received").is_empty();
        if !unreadable && (!received.is_empty() || !cell("decision").is_empty()) {
            let assessed = !cell("assessment_outcome").is_empty()
                || !outcome_date.is_empty()
                || !plan_issued.is_empty()
                || !exceptions.is_empty();
            draft.requests.push(RequestDraft {
                received,
                // No decision yet: SEN2's A.
                outcome: match cell("decision") {
                    "" => "A".to_owned(),
                    decision => decision.to_ascii_uppercase(),
                },
                outcome_date: decision_date,
                source: cell("request_source").to_owned(),
                assessment: assessed.then(|| AssessmentDraft {
                    outcome: cell("assessment_outcome").to_ascii_uppercase(),
                    // A plan's issue date is the assessment's outcome date where none is
                    // given apart.
                    outcome_date: if outcome_date.is_empty() {
                        plan_issued.clone()
                    } else {
                        outcome_date
                    },
                    week20: String::new(),
                    plan_start: plan_issued,
                    exceptions,
                }),
            });
        }
    }
    // Checked as the return's records are; their problems name the child's first row.
    let mut checked = Sen2Return::default();
    let mut seen = std::collections::HashSet::new();
    for draft in drafts {
        finish_person(draft, &mut checked, &mut seen, &|reference| {
            reference.to_owned()
        });
    }
    out.problems = cell_problems;
    out.problems
        .extend(checked.problems.into_iter().map(|p| ExtractProblem {
            row: p.record,
            column: column_of(&p.element).to_owned(),
            message: p.message,
        }));
    out.problems.sort_by_key(|p| p.row);
    out.people = checked.people;
    Ok(out)
}

/// "personal_circumstances 2024-03-01 2024-04-15; away_from_area 01/05/2024 30/05/2024":
/// each a reason and the days it ran from and to. "yes" says only that one applied.
fn exception_periods(text: &str, problem: &mut dyn FnMut(&str, String)) -> Vec<ExceptionPeriod> {
    let mut periods = Vec::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        if ["yes", "y", "1", "true"].contains(&part.to_lowercase().as_str()) {
            periods.push(ExceptionPeriod::flag_only());
            continue;
        }
        let words: Vec<&str> = part.split_whitespace().collect();
        let Some(reason) = words
            .first()
            .and_then(|r| ExceptionReason::from_code(&r.to_lowercase()))
        else {
            problem(
                "exceptions",
                format!(
                    "\"{part}\" does not start with a reason: {}",
                    ExceptionReason::ALL
                        .iter()
                        .map(|r| r.code())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            continue;
        };
        let from = words.get(1).and_then(|d| cell_date(d));
        let to = words.get(2).and_then(|d| cell_date(d));
        if words.len() != 3 || from.is_none() || to.is_none() {
            problem(
                "exceptions",
                format!("\"{part}\" needs the reason, then the first and last days, such as \"personal_circumstances 01/03/2024 15/04/2024\""),
            );
            continue;
        }
        if from > to {
            problem("exceptions", format!("\"{part}\" ends before it starts"));
            continue;
        }
        periods.push(ExceptionPeriod { reason, from, to });
    }
    periods
}

#[cfg(test)]
mod tests {
    use super::*;
    use sendplan_domain::casework::clock::{AssessmentOutcome, RequestOutcome};
    use time::macros::date;

    const EXTRACT: &str = "Case Reference,Forename,Surname,Date of Birth,Postcode,Age,Caseworker,Team,Request received,Request source,Decision,Decision date,Assessment outcome,Plan issued,Exceptions,Needs,Last review,Review meeting,Review decision date,Favourite colour\n\
EH1001,Alfie,Smithson,20/03/2015,WV1 1SH,9,Jo Bloggs,Assessment team,08/01/2024,1,Y,12/02/2024,Y,30/05/2024,personal_circumstances 01/03/2024 15/04/2024,ASD SLCN,,,,blue\n\
EH1001,Alfie,Smithson,20/03/2015,WV1 1SH,9,Jo Bloggs,Assessment team,01/11/2024,2,A,,,,,,,,,blue\n\
EH1002,,,,,14,Sam Patel,Review team,,,,,,,,SEMH,01/03/2023,20/02/2024,01/03/2024,\n";

    #[test]
    fn an_extract_reads_into_children_with_dated_exceptions_and_keeps_no_name() {
        let read = read_extract(EXTRACT.as_bytes()).expect("reads");
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        assert_eq!(
            read.not_kept,
            vec!["forename", "surname", "date_of_birth", "postcode"]
        );
        assert_eq!(read.not_used, vec!["favourite_colour"]);
        assert_eq!(read.people.len(), 2);
        let first = &read.people[0];
        assert_eq!((first.key.as_str(), first.age), ("EH1001", Some(9)));
        assert_eq!(first.caseworker.as_deref(), Some("Jo Bloggs"));
        assert_eq!(first.requests.len(), 2);
        let a = first.requests[0]
            .request
            .assessment
            .as_ref()
            .expect("assessed");
        assert_eq!(a.outcome, AssessmentOutcome::Issue);
        assert_eq!(a.outcome_date, Some(date!(2024 - 05 - 30)));
        assert_eq!(
            a.exceptions,
            vec![ExceptionPeriod {
                reason: ExceptionReason::PersonalCircumstances,
                from: Some(date!(2024 - 03 - 01)),
                to: Some(date!(2024 - 04 - 15)),
            }]
        );
        assert_eq!(
            first.requests[1].request.outcome,
            RequestOutcome::NotYetDecided
        );
        let plan = first.active_plan.as_ref().expect("needs given");
        assert_eq!(
            plan.needs,
            vec![("ASD".to_owned(), 1), ("SLCN".to_owned(), 2)]
        );
        let second = &read.people[1];
        assert!(second.requests.is_empty());
        assert_eq!(second.team.as_deref(), Some("Review team"));
        let plan = second.active_plan.as_ref().expect("a plan only");
        assert_eq!(plan.review_draft, Some(date!(2024 - 03 - 01)));
        let all = format!("{:?}", read.people);
        for personal in ["Alfie", "Smithson", "2015", "WV1"] {
            assert!(!all.contains(personal), "{personal} was kept");
        }
    }

    #[test]
    fn every_problem_names_its_row_and_column() {
        let bad = "case_reference,request_received,decision,decision_date,assessment_outcome,plan_issued,exceptions,age\n\
A1,30/02/2024,Y,01/03/2024,,,,9\n\
A2,01/03/2024,Q,,,,,9\n\
A3,01/03/2024,Y,01/02/2024,Y,01/01/2024,soon 01/03/2024 02/03/2024,40\n";
        let read = read_extract(bad.as_bytes()).expect("reads");
        let said: Vec<String> = read.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            said,
            vec![
                "Row 2, request_received: \"30/02/2024\" is not a date (such as 01/03/2024 or 2024-03-01)",
                "Row 3, decision: \"Q\" is not a request outcome (Y, N, A, W or H)",
                "Row 4, exceptions: \"soon 01/03/2024 02/03/2024\" does not start with a reason: setting_closed, personal_circumstances, away_from_area, missed_appointment, unspecified",
                "Row 4, age: \"40\" is not an age from 0 to 25",
                "Row 4, decision_date: the decision is dated before the request was received",
                "Row 4, assessment_outcome_date: the plan is issued before the request was received",
            ]
        );
    }

    #[test]
    fn files_that_are_not_extracts_are_refused() {
        assert_eq!(
            read_extract("name,age\nAlfie,9\n".as_bytes()).err(),
            Some(ExtractError::NoCaseReference)
        );
        let long = format!("case_reference,team\nA1,{}\n", "x".repeat(5000));
        assert_eq!(
            read_extract(long.as_bytes()).err(),
            Some(ExtractError::CellTooLong(2))
        );
        assert!(matches!(
            read_extract(&b"case_reference\n\xff\xfe\n"[..]).err(),
            Some(ExtractError::NotCsv(_))
        ));
    }
}

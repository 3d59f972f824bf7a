//! A council's tracker brought in whole: which sheets are taken and where their header is,
//! what every column is (a plan field, a dated rating with the commentary beside it, an
//! extra field kept by name, or dropped by choice), and what each rating value means in
//! the plan's scheme. The choices are an [`ImportMapping`]: suggested from the workbook,
//! changed on the check page, downloaded as JSON, given back to `sendplan import
//! --mapping`, and remembered for the partnership's next upload of the same layout.

use super::layout::{self, Banner};
use super::{column_name, CellProblem, Field, SheetTarget, Table, Workbook};
use crate::document::*;
use sendplan_domain::dates::PlanDate;
use sendplan_domain::leads::{looks_like_a_name, resolve, KnownPerson, Lead, PeopleIndex};
use sendplan_domain::numbering::ItemNumber;
use sendplan_domain::rating::{
    colour_of_fill, rating_for_value, rating_in_colour, RatingDefinition, RatingPreset,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The `format` of a mapping file.
pub const MAPPING_FORMAT: &str = "sendplan-import-mapping";

/// Every choice that turns a workbook into a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportMapping {
    pub format: String,
    pub version: u32,
    /// Every sheet, taken or not, with its header row.
    pub sheets: Vec<SheetChoice>,
    /// Every column heading found in the sheets taken, with what it is.
    pub columns: Vec<ColumnChoice>,
    /// Every value found in the rating columns, with the rating it means.
    #[serde(default)]
    pub ratings: Vec<RatingChoice>,
    /// The plan's rating scheme (a preset's code).
    pub scheme: String,
    /// The ISO date ratings in a column without a date in its heading are at.
    #[serde(default)]
    pub as_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SheetChoice {
    pub name: String,
    pub take: bool,
    /// The sheet row (as Excel numbers it) of the header; of its last row when the
    /// header has several.
    pub header_row: usize,
    /// A sheet of dated progress updates (sendplan's own "Progress updates" layout:
    /// Number, Date, Rating, Narrative...), not of actions.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub updates: bool,
}

/// Whether a table is a sheet of progress updates: its headings include Number, Date,
/// Rating and Narrative.
pub fn is_updates_table(table: &Table) -> bool {
    ["number", "date", "rating", "narrative"]
        .iter()
        .all(|want| {
            table
                .headers
                .iter()
                .any(|h| h.trim().eq_ignore_ascii_case(want))
        })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnChoice {
    /// The heading as read (several header rows joined).
    pub header: String,
    #[serde(flatten)]
    pub column: ColumnUse,
}

/// What a column is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "use", rename_all = "snake_case")]
pub enum ColumnUse {
    /// A plan field, by its code.
    Field { field: String },
    /// Ratings at a date: read from the heading ("RAG May 20" is at 31 May 2020), or the
    /// mapping's `as_at` when the heading has none.
    Rating {
        #[serde(default)]
        date: Option<String>,
        /// The date as the heading wrote it.
        #[serde(default)]
        as_written: Option<String>,
    },
    /// The commentary of the rating column with this heading, in the same update.
    Commentary { of: String },
    /// Kept as an extra field of each action, under the column's heading.
    Extra,
    /// Left out, by choice.
    Drop,
}

impl ColumnUse {
    /// What the column is, in words, for the check page and the command line.
    pub fn describe(&self) -> String {
        match self {
            ColumnUse::Field { field } => Field::from_code(field).map_or_else(
                || format!("unknown field {field}"),
                |f| f.label().to_owned(),
            ),
            ColumnUse::Rating {
                date: Some(date),
                as_written,
            } => format!(
                "Rating at {}{}",
                long_date(date),
                as_written
                    .as_ref()
                    .map(|w| format!(" (from \u{201c}{w}\u{201d})"))
                    .unwrap_or_default()
            ),
            ColumnUse::Rating { date: None, .. } => {
                "Rating at the \u{2018}as at\u{2019} date".to_owned()
            }
            ColumnUse::Commentary { of } => format!("Commentary of \u{201c}{of}\u{201d}"),
            ColumnUse::Extra => "Kept as an extra field".to_owned(),
            ColumnUse::Drop => "Left out".to_owned(),
        }
    }
}

fn long_date(iso: &str) -> String {
    time::Date::parse(iso, &time::format_description::well_known::Iso8601::DATE)
        .map(sendplan_domain::input::long_date)
        .unwrap_or_else(|_| iso.to_owned())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingChoice {
    /// The value as found, folded to lower case ("g", "on track"), or a fill written
    /// "fill #RRGGBB" for a cell with a colour and no text.
    pub value: String,
    /// The rating's label; an empty label when the value is not a rating (the cell is
    /// left unrated, by choice); none while nobody has chosen (the import is refused
    /// until someone does).
    #[serde(default)]
    pub rating: Option<String>,
}

/// The key a rating cell is mapped by: its text folded, or its fill when it has no text.
pub fn value_key(text: &str, fill: Option<&str>) -> Option<String> {
    let folded = text.trim().to_lowercase();
    if !folded.is_empty() {
        return Some(folded);
    }
    fill.map(|f| format!("fill #{f}"))
}

/// The date a rating column's heading carries ("RAG May 20", "Q3 2021/22", "Progress Nov
/// 2021", "Status at 31/03/22"): the heading without its rating words, read by the plan
/// date reader, as written and as the last day it covers.
pub fn heading_date(header: &str) -> Option<(String, time::Date)> {
    const RATING_WORDS: [&str; 16] = [
        "rag", "brag", "rating", "ratings", "progress", "status", "position", "update", "review",
        "at", "as", "of", "current", "position", "score", "-",
    ];
    let mut rest = header.trim();
    loop {
        let lower = rest.to_lowercase();
        let Some(word) = RATING_WORDS.iter().find(|w| {
            lower.starts_with(**w) && !lower[w.len()..].starts_with(|c: char| c.is_alphanumeric())
        }) else {
            break;
        };
        rest = rest[word.len()..]
            .trim_start_matches([' ', ':', '(', '-', '–'])
            .trim();
    }
    let rest = rest.trim_end_matches(')').trim();
    // The whole rest ("May 20"), else a date inside it ("6 month milestone (Apr 23)").
    clean_date(rest).or_else(|| date_in_text(header))
}

/// Text that is wholly a readable date, as written, with the last day it covers.
fn clean_date(text: &str) -> Option<(String, time::Date)> {
    let text = text.trim();
    if text.is_empty() || !text.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let read = PlanDate::parse(text);
    (!read.needs_review)
        .then(|| read.deadline())
        .flatten()
        .map(|date| (text.to_owned(), date))
}

/// The date a line of text ends with, as written: in brackets ("Initial audit (Jan.
/// 2022)"), else its last words ("Training to commence from February 2022", "Position at
/// end of Q3 2021/22"); read by the plan date reader, with the last day it covers.
pub fn date_in_text(text: &str) -> Option<(String, time::Date)> {
    let bracketed = || {
        let open = text.rfind('(')?;
        let close = text[open..].find(')')? + open;
        clean_date(&text[open + 1..close])
    };
    bracketed().or_else(|| {
        let words: Vec<&str> = text.split_whitespace().collect();
        (1..=3.min(words.len().saturating_sub(1)))
            .rev()
            .find_map(|n| clean_date(&words[words.len() - n..].join(" ")))
    })
}

/// Words in a heading that say it is commentary on a rating.
fn is_commentary_heading(header: &str) -> bool {
    let lower = header.to_lowercase();
    ["comment", "commentary", "update", "narrative", "rationale"]
        .iter()
        .any(|w| {
            lower
                .split(|c: char| !c.is_alphanumeric())
                .any(|word| word == *w || word.starts_with(w))
        })
}

/// The tables of the sheets a mapping takes, under their chosen header rows.
pub fn tables(workbook: &Workbook, mapping: &ImportMapping) -> Vec<Table> {
    taken(workbook, mapping, false)
}

/// The tables of the sheets of progress updates a mapping takes.
pub fn update_tables(workbook: &Workbook, mapping: &ImportMapping) -> Vec<Table> {
    taken(workbook, mapping, true)
}

fn taken(workbook: &Workbook, mapping: &ImportMapping, updates: bool) -> Vec<Table> {
    workbook
        .sheets
        .iter()
        .filter_map(|grid| {
            let choice = mapping.sheets.iter().find(|s| s.name == grid.name)?;
            if !choice.take || choice.updates != updates {
                return None;
            }
            let row = choice.header_row.checked_sub(grid.first_line)?;
            // The row chosen is the header's last row; a group heading above it joins it.
            let table = layout::to_table(grid, Some(row))?;
            Some(table)
        })
        .collect()
}

/// What sendplan suggests for a workbook: every sheet with a table taken (hidden sheets and
/// sheets naming no field left out), the guessed header rows, every column's use from its
/// heading, and the scheme that reads the most rating values.
pub fn suggest(workbook: &Workbook) -> ImportMapping {
    let mut sheets = Vec::new();
    for grid in &workbook.sheets {
        let guessed = layout::guess_header_row(grid);
        let table = guessed.and_then(|row| layout::to_table(grid, Some(row)));
        let names_fields = table.as_ref().is_some_and(|t| {
            t.headers
                .iter()
                .filter(|h| Field::from_header(h).is_some())
                .count()
                >= 2
                && !t.rows.is_empty()
        });
        let updates = table.as_ref().is_some_and(is_updates_table);
        sheets.push(SheetChoice {
            name: grid.name.clone(),
            take: (names_fields || updates) && !grid.hidden,
            header_row: table.map_or(grid.first_line, |t| *t.header_lines.end()),
            updates,
        });
    }
    let mut mapping = ImportMapping {
        format: MAPPING_FORMAT.to_owned(),
        version: 1,
        sheets,
        columns: vec![],
        ratings: vec![],
        scheme: RatingPreset::Rag.code().to_owned(),
        as_at: None,
    };
    let tables = tables(workbook, &mapping);
    mapping.columns = suggest_columns(&tables);
    let found = all_rating_values(workbook, &mapping);
    let scheme = RatingPreset::ALL
        .iter()
        .max_by_key(|preset| {
            let ratings = preset.ratings();
            // Most values read; on a tie, the earlier preset (max_by_key keeps the last).
            (
                found
                    .iter()
                    .filter(|v| suggest_rating(v, &ratings).is_some())
                    .count(),
                std::cmp::Reverse(RatingPreset::ALL.iter().position(|p| p == *preset)),
            )
        })
        .copied()
        .unwrap_or(RatingPreset::Rag);
    mapping.scheme = scheme.code().to_owned();
    mapping.ratings = suggest_ratings(&found, &scheme.ratings());
    mapping
}

/// Each distinct heading of the tables with its suggested use: the first column naming a
/// field is that field; rating columns become dated ratings, the commentary beside one
/// its commentary; the rest are kept as extra fields (a column with no heading and
/// nothing in it is left out).
pub fn suggest_columns(tables: &[Table]) -> Vec<ColumnChoice> {
    let mut columns: Vec<ColumnChoice> = Vec::new();
    for table in tables {
        let mut last_rating: Option<String> = None;
        // Each field is one column of a table; another table may head it differently
        // ("Evidence of success (what will change)" in one area, "Evidence of success" in
        // the next).
        let mut fields_here: Vec<String> = Vec::new();
        for (i, header) in table.headers.iter().enumerate() {
            let has_data = table
                .rows
                .iter()
                .any(|r| r.cells.get(i).is_some_and(|c| !c.is_empty()) || r.fill(i).is_some());
            let name = if header.is_empty() {
                format!("Column {}", column_name(table.first_column + i))
            } else {
                header.clone()
            };
            if let Some(existing) = columns.iter().find(|c| c.header == name) {
                match &existing.column {
                    ColumnUse::Rating { .. } => last_rating = Some(name),
                    ColumnUse::Field { field } => fields_here.push(field.clone()),
                    _ => {}
                }
                continue;
            }
            let field = Field::from_header(header);
            let dated = heading_date(header);
            let column = match field {
                _ if header.is_empty() && !has_data => ColumnUse::Drop,
                Some(Field::ProgressNotes) => match &last_rating {
                    Some(of) => ColumnUse::Commentary { of: of.clone() },
                    None => ColumnUse::Field {
                        field: Field::ProgressNotes.code().to_owned(),
                    },
                },
                Some(Field::Progress) => ColumnUse::Rating {
                    date: dated.as_ref().map(|(_, d)| d.to_string()),
                    as_written: dated.map(|(w, _)| w),
                },
                // A heading that is only a date or period ("Q3 2021/22") over short values.
                None if dated
                    .as_ref()
                    .is_some_and(|(w, _)| w.len() + 2 >= header.trim().len())
                    && table
                        .rows
                        .iter()
                        .all(|r| r.cells.get(i).is_none_or(|c| c.chars().count() <= 20)) =>
                {
                    ColumnUse::Rating {
                        date: dated.as_ref().map(|(_, d)| d.to_string()),
                        as_written: dated.map(|(w, _)| w),
                    }
                }
                None if last_rating.is_some() && is_commentary_heading(header) => {
                    ColumnUse::Commentary {
                        of: last_rating.clone().unwrap_or_default(),
                    }
                }
                // Milestones may come from several columns ("3 month milestone (Jan 23)").
                Some(field)
                    if field == Field::Milestones
                        || !fields_here.iter().any(|f| f == field.code()) =>
                {
                    fields_here.push(field.code().to_owned());
                    ColumnUse::Field {
                        field: field.code().to_owned(),
                    }
                }
                _ => ColumnUse::Extra,
            };
            // Beside dated rating columns, an undated one is an old or working copy
            // ("Old RAG"), kept as an extra field unless the person says otherwise.
            let dated_beside = table.headers.iter().any(|h| {
                heading_date(h).is_some()
                    && matches!(Field::from_header(h), Some(Field::Progress) | None)
            });
            let column = match column {
                ColumnUse::Rating { date: None, .. } if dated_beside => ColumnUse::Extra,
                other => other,
            };
            if matches!(column, ColumnUse::Rating { .. }) {
                last_rating = Some(name.clone());
            } else if !matches!(column, ColumnUse::Commentary { .. }) {
                last_rating = None;
            }
            columns.push(ColumnChoice {
                header: name,
                column,
            });
        }
    }
    columns
}

/// Every distinct rating value of a workbook as a mapping takes it: in the rating columns
/// of its action sheets, then in the Rating column of its sheets of progress updates.
pub fn all_rating_values(workbook: &Workbook, mapping: &ImportMapping) -> Vec<String> {
    let mut found = rating_values(&tables(workbook, mapping), mapping);
    for table in update_tables(workbook, mapping) {
        let Some(i) = table
            .headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case("rating"))
        else {
            continue;
        };
        add_values(&mut found, &table, i);
    }
    found
}

/// Adds the distinct rating values of column `i` of a table to `found`, in order.
fn add_values(found: &mut Vec<String>, table: &Table, i: usize) {
    for row in &table.rows {
        if let Some(key) = value_key(&row.cells[i], row.fill(i)) {
            if !found.contains(&key) {
                found.push(key);
            }
        }
    }
}

/// Every distinct rating value in the rating columns of the tables, in the order found.
pub fn rating_values(tables: &[Table], mapping: &ImportMapping) -> Vec<String> {
    let mut found = Vec::new();
    for table in tables {
        for (i, header) in table.headers.iter().enumerate() {
            if !matches!(
                use_of(mapping, table, i, header),
                Some(ColumnUse::Rating { .. })
            ) {
                continue;
            }
            add_values(&mut found, table, i);
        }
    }
    found
}

/// The rating a value suggests in a scheme, from its words or its fill's colour.
pub fn suggest_rating<'a>(
    value: &str,
    ratings: &'a [RatingDefinition],
) -> Option<&'a RatingDefinition> {
    match value.strip_prefix("fill #") {
        Some(rgb) => colour_of_fill(rgb).and_then(|c| rating_in_colour(c, ratings)),
        None => rating_for_value(value, ratings),
    }
}

/// Suggested meanings of rating values in a scheme (a value with no suggestion is left
/// for the person to choose).
pub fn suggest_ratings(values: &[String], ratings: &[RatingDefinition]) -> Vec<RatingChoice> {
    values
        .iter()
        .map(|value| RatingChoice {
            value: value.clone(),
            rating: suggest_rating(value, ratings).map(|r| r.label.clone()),
        })
        .collect()
}

/// What the mapping makes of column `i` of a table.
fn use_of<'m>(
    mapping: &'m ImportMapping,
    table: &Table,
    i: usize,
    header: &str,
) -> Option<&'m ColumnUse> {
    let name = if header.is_empty() {
        format!("Column {}", column_name(table.first_column + i))
    } else {
        header.to_owned()
    };
    mapping
        .columns
        .iter()
        .find(|c| c.header == name)
        .map(|c| &c.column)
}

/// Whether the column with this heading has anything in it (text or a fill) in any table.
fn column_has_values(tables: &[Table], header: &str) -> bool {
    tables.iter().any(|table| {
        table
            .headers
            .iter()
            .position(|h| h == header)
            .is_some_and(|i| {
                table
                    .rows
                    .iter()
                    .any(|r| r.cells.get(i).is_some_and(|c| !c.is_empty()) || r.fill(i).is_some())
            })
    })
}

/// A mapping's choices checked against each other: the problems a person must fix on the
/// page (or in the mapping file) before rows are looked at.
fn check_mapping(mapping: &ImportMapping, tables: &[Table]) -> Vec<CellProblem> {
    let mut problems = Vec::new();
    let whole = |column: &str, message: String| CellProblem::whole(column, message);
    if tables.is_empty() {
        problems.push(whole(
            "Sheets",
            "no sheet is taken: choose at least one sheet to import".to_owned(),
        ));
    }
    // Without a number column, each action's number is read from the start of its
    // description ("1.2 Develop..."); a row without one is named on its own.
    for required in [Field::Description] {
        if !mapping.columns.iter().any(|c| {
            c.column
                == ColumnUse::Field {
                    field: required.code().to_owned(),
                }
        }) {
            problems.push(whole(
                required.label(),
                "choose the column that holds it; this column is required".to_owned(),
            ));
        }
    }
    for column in &mapping.columns {
        match &column.column {
            ColumnUse::Field { field } if Field::from_code(field).is_none() => problems.push(whole(&column.header, format!("\"{field}\" is not a field sendplan knows"))),
            ColumnUse::Field { .. } => {}
            ColumnUse::Rating { date: Some(date), .. } if time::Date::parse(date, &time::format_description::well_known::Iso8601::DATE).is_err() => {
                problems.push(whole(&column.header, format!("\"{date}\" is not a date; write it as 2022-03-31")));
            }
            // Asked only when the column has ratings in it.
            ColumnUse::Rating { date: None, .. }
                if mapping.as_at.is_none() && column_has_values(tables, &column.header) =>
            {
                problems.push(whole(
                &column.header,
                "its heading has no date: give the date its ratings were at (\u{2018}as at\u{2019})".to_owned(),
            ))
            }
            ColumnUse::Commentary { of } if !mapping.columns.iter().any(|c| &c.header == of && matches!(c.column, ColumnUse::Rating { .. })) => {
                problems.push(whole(&column.header, format!("it is commentary of \u{201c}{of}\u{201d}, which is not a rating column")));
            }
            _ => {}
        }
    }
    // One column per field in a table; milestones may come from several ("3 month
    // milestone (Jan 23)", "6 month milestone (Apr 23)").
    for table in tables {
        let mut seen: Vec<(String, String)> = Vec::new();
        for (i, header) in table.headers.iter().enumerate() {
            if let Some(ColumnUse::Field { field }) = use_of(mapping, table, i, header) {
                if field == Field::Milestones.code() {
                    continue;
                }
                match seen.iter().find(|(f, _)| f == field) {
                    Some((_, first)) => problems.push(CellProblem::whole(
                        &format!("{}, {header}", table.sheet),
                        format!(
                            "{} is chosen for this column and for \u{201c}{first}\u{201d}; choose it for one, and keep the other as an extra field",
                            Field::from_code(field).map_or("", |f| f.label())
                        ),
                    )),
                    None => seen.push((field.clone(), header.clone())),
                }
            }
        }
    }
    if RatingPreset::from_code(&mapping.scheme).is_none() {
        problems.push(whole(
            "Rating scheme",
            format!(
                "\"{}\" is not a rating scheme sendplan knows",
                mapping.scheme
            ),
        ));
    }
    problems
}

/// Turns the workbook's taken sheets into a plan document by the mapping, or lists every
/// problem by sheet, cell and what to change.
pub fn to_document(
    workbook: &Workbook,
    mapping: &ImportMapping,
    target: &SheetTarget,
) -> Result<Built, Vec<CellProblem>> {
    let tables = tables(workbook, mapping);
    let problems = check_mapping(mapping, &tables);
    if !problems.is_empty() {
        return Err(problems);
    }
    let several_sheets = tables.len() > 1;
    let today = target.as_at;
    let as_at = mapping.as_at.as_deref().and_then(|d| {
        time::Date::parse(d, &time::format_description::well_known::Iso8601::DATE).ok()
    });
    let plans: Vec<(&Table, Vec<Option<Resolved>>)> = tables
        .iter()
        .map(|table| {
            let uses = table
                .headers
                .iter()
                .enumerate()
                .map(|(i, header)| {
                    use_of(mapping, table, i, header)
                        .map(|u| resolve_use(u, header, table, i, as_at))
                })
                .collect();
            (table, uses)
        })
        .collect();
    let values: HashMap<&str, Option<&str>> = mapping
        .ratings
        .iter()
        .map(|r| (r.value.as_str(), r.rating.as_deref()))
        .collect();
    let mut builder = Builder::new(target);
    for (table, uses) in &plans {
        builder.table(table, uses, several_sheets, &values, today);
    }
    for table in update_tables(workbook, mapping) {
        builder.updates_table(&table, &values, today);
    }
    builder.finish()
}

/// A plan built from a tracker, with what sendplan did that the person should know (an
/// action numbered because the file gave it no number).
#[derive(Debug, Clone)]
pub struct Built {
    pub document: Document,
    pub notes: Vec<String>,
}

/// A column's use, resolved for one table.
#[derive(Debug, Clone)]
enum Resolved {
    Field(Field),
    Rating {
        date: time::Date,
        as_written: Option<String>,
    },
    Commentary {
        of: usize,
    },
    Extra(String),
}

fn resolve_use(
    column: &ColumnUse,
    header: &str,
    table: &Table,
    i: usize,
    as_at: Option<time::Date>,
) -> Resolved {
    match column {
        ColumnUse::Field { field } => {
            Field::from_code(field).map_or(Resolved::Extra(header.to_owned()), Resolved::Field)
        }
        ColumnUse::Rating { date, as_written } => Resolved::Rating {
            date: date
                .as_deref()
                .and_then(|d| {
                    time::Date::parse(d, &time::format_description::well_known::Iso8601::DATE).ok()
                })
                .or(as_at)
                .unwrap_or(time::Date::MIN),
            as_written: as_written.clone(),
        },
        ColumnUse::Commentary { of } => table
            .headers
            .iter()
            .position(|h| h == of)
            .map_or(Resolved::Extra(header.to_owned()), |of| {
                Resolved::Commentary { of }
            }),
        ColumnUse::Extra => Resolved::Extra(if header.is_empty() {
            format!("Column {}", column_name(table.first_column + i))
        } else {
            header.to_owned()
        }),
        ColumnUse::Drop => Resolved::Extra(String::new()),
    }
}

/// The plan as it is built from one table after another.
struct Builder<'t> {
    target: &'t SheetTarget,
    people: Vec<Person>,
    known: PeopleIndex,
    areas: BTreeMap<u32, Area>,
    objectives: BTreeMap<(u32, u32), Objective>,
    /// Where each action number was first seen, for duplicates: (sheet, row).
    seen: HashMap<String, (String, usize)>,
    actions: Vec<Action>,
    problems: Vec<CellProblem>,
    /// Actions the plan did not number: (position in `actions`, the objective or area
    /// number they are under, sheet, row).
    unnumbered: Vec<(usize, ItemNumber, String, usize)>,
    /// Milestones rows of objectives: (objective number, text).
    pending_objective_milestones: Vec<(String, String)>,
}

impl<'t> Builder<'t> {
    fn new(target: &'t SheetTarget) -> Self {
        let people = target.people.clone();
        // Indexed once; each person added for review is added to it too, so a lead written
        // the same way on another row finds them.
        let known = PeopleIndex::new(people.iter().map(|p| KnownPerson {
            name: p.name.as_deref().unwrap_or(""),
            job_title: p.job_title.as_deref().unwrap_or(""),
            short_code: p.short_code.as_deref().unwrap_or(""),
        }));
        Builder {
            target,
            people,
            known,
            areas: BTreeMap::new(),
            objectives: BTreeMap::new(),
            seen: HashMap::new(),
            actions: Vec::new(),
            problems: Vec::new(),
            unnumbered: Vec::new(),
            pending_objective_milestones: Vec::new(),
        }
    }

    fn table(
        &mut self,
        table: &Table,
        uses: &[Option<Resolved>],
        several_sheets: bool,
        values: &HashMap<&str, Option<&str>>,
        today: time::Date,
    ) {
        let column_of = |field: Field| {
            uses.iter()
                .position(|u| matches!(u, Some(Resolved::Field(f)) if *f == field))
        };
        let number_column = column_of(Field::Number);
        // The numbered action the bullets and lettered rows below belong to, and the
        // letters given so far.
        let mut parent: Option<(ItemNumber, u8)> = None;
        // Area and objective rows written in the number column ("Objective 1.1" and its
        // title), until the next banner row of the layout.
        let mut area_banner: Option<Banner> = None;
        let mut objective_banner: Option<Banner> = None;
        let mut layout_banners: (Option<&Banner>, Option<&Banner>) = (None, None);
        // Whether an action of this table has been read, for rows that continue it.
        let mut last_in_table = false;
        if table.rows.is_empty() {
            self.problems.push(CellProblem { sheet: table.sheet.clone(), row: 0, column: format!("header row {}", table.header_lines.end()), heading: String::new(), message: "there are no rows below the header row: choose the header row, or leave the sheet out".to_owned() });
        }
        let headings = heading_rows(table, number_column, uses);
        let first_action = self.actions.len();
        for (index, row) in table.rows.iter().enumerate() {
            let cell = |field: Field| {
                column_of(field)
                    .and_then(|i| row.cells.get(i))
                    .map_or("", String::as_str)
            };
            let problem = |i: Option<usize>, message: String| {
                let (letters, heading) = i.map_or((String::new(), ""), |i| table.column(i));
                CellProblem {
                    sheet: table.sheet.clone(),
                    row: row.line,
                    column: letters,
                    heading: heading.to_owned(),
                    message,
                }
            };
            // A banner row of the layout ends the objective or area a row named.
            if layout_banners != (row.area.as_ref(), row.objective.as_ref()) {
                if layout_banners.0 != row.area.as_ref() {
                    area_banner = None;
                }
                objective_banner = None;
                layout_banners = (row.area.as_ref(), row.objective.as_ref());
            }
            let number_text = cell(Field::Number);
            // "1.1" with its title and nothing else, above actions 1.1.1...: the objective.
            if headings.contains(&index) {
                let banner = Banner::read(&format!("{number_text} {}", cell(Field::Description)));
                match banner.kind {
                    layout::BannerKind::Objective => objective_banner = Some(banner),
                    _ => {
                        area_banner = Some(banner);
                        objective_banner = None;
                    }
                }
                continue;
            }
            // A label in the number column starts a row about the objective or area
            // ("Objective 1.1" beside its title; "Milestones" beside its milestones).
            if let Some(label) = label_row(number_text) {
                let rest: Vec<&str> = row
                    .cells
                    .iter()
                    .enumerate()
                    .filter(|(i, c)| Some(*i) != number_column && !c.is_empty())
                    .map(|(_, c)| c.as_str())
                    .collect();
                match label {
                    Label::Banner => {
                        let banner = Banner::read(&format!("{number_text} {}", rest.join(" ")));
                        match banner.kind {
                            layout::BannerKind::Objective => objective_banner = Some(banner),
                            _ => {
                                area_banner = Some(banner);
                                objective_banner = None;
                            }
                        }
                    }
                    Label::Milestones => match objective_banner.as_ref().and_then(|b| b.number.clone()) {
                        Some(number) => {
                            let text = rest.join("\n");
                            self.pending_objective_milestones.push((number, text));
                        }
                        None => self.problems.push(problem(number_column, "a Milestones row that is not under a numbered objective: put it under its objective's row, or delete it".to_owned())),
                    },
                }
                continue;
            }
            let area_of_row = area_banner.as_ref().or(row.area.as_ref());
            let objective_of_row = objective_banner.as_ref().or(row.objective.as_ref());
            // Without a number column, a description that starts with its number ("1.2
            // Develop...") gives it.
            let (number_text, description) = match number_column {
                Some(_) => (number_text, cell(Field::Description)),
                None => leading_number(cell(Field::Description)),
            };
            // A row with neither number nor description continues the action above: its
            // cells are more of that action's text.
            if number_text.is_empty() && description.is_empty() {
                let rated = uses.iter().enumerate().find(|(i, u)| {
                    matches!(u, Some(Resolved::Rating { .. }))
                        && value_key(row.cells.get(*i).map_or("", String::as_str), row.fill(*i))
                            .is_some()
                });
                if let Some((i, _)) = rated {
                    self.problems.push(problem(Some(i), "a rating on a row with no number and no description: move it to its action's row".to_owned()));
                    continue;
                }
                let more_leads = self.leads(cell(Field::Lead));
                match self.actions.last_mut().filter(|_| last_in_table) {
                    Some(action) => {
                        continue_action(action, row, uses);
                        for lead in more_leads {
                            if !action.leads.contains(&lead) {
                                action.leads.push(lead);
                            }
                        }
                    }
                    None => self.problems.push(problem(number_column, "the row has no number and no description, and no action above it to belong to: number it, or delete it".to_owned())),
                }
                continue;
            }
            // The same number and description as the row above: a cell merged down the
            // action's rows (as Word tables lay an action out in sub-rows) continues it.
            let same_action = last_in_table
                && !number_text.is_empty()
                && self.actions.last().is_some_and(|a| {
                    ItemNumber::parse(number_text).is_ok_and(|n| n.to_string() == a.number)
                        && a.description == description
                });
            if same_action {
                let above = index.checked_sub(1).and_then(|i| table.rows.get(i));
                let mut changed = row.clone();
                for (i, text) in changed.cells.iter_mut().enumerate() {
                    if above.is_some_and(|a| a.cells.get(i) == Some(text)) {
                        text.clear();
                    }
                }
                let more_leads = self.leads(
                    &split_resources(
                        changed
                            .cells
                            .get(column_of(Field::Lead).unwrap_or(usize::MAX))
                            .map_or("", String::as_str),
                    )
                    .0,
                );
                if let Some(action) = self.actions.last_mut() {
                    continue_action(action, &changed, uses);
                    for lead in more_leads {
                        if !action.leads.contains(&lead) {
                            action.leads.push(lead);
                        }
                    }
                }
                continue;
            }
            let number = match sub_action(number_text, parent.as_mut()) {
                Some(number) => number,
                None if number_text.is_empty() => {
                    // An action the plan did not number: numbered after its objective's
                    // (or area's) actions once every number in the file is known.
                    let prefix = objective_of_row
                        .and_then(|b| b.number.as_deref())
                        .or(area_of_row.and_then(|b| b.number.as_deref()))
                        .and_then(|n| ItemNumber::parse(n).ok());
                    match prefix {
                        Some(prefix) => {
                            self.unnumbered.push((
                                self.actions.len(),
                                prefix.clone(),
                                table.sheet.clone(),
                                row.line,
                            ));
                            prefix.with_letter('?')
                        }
                        None => {
                            self.problems.push(problem(number_column, "the action has no number: number it in the file (1.1, 3.1 (A)), or choose the header row if this row is not an action".to_owned()));
                            continue;
                        }
                    }
                }
                None => match ItemNumber::parse(number_text) {
                    Ok(n) if (2..=3).contains(&n.segments().len()) => {
                        parent = Some((n.clone(), 0));
                        n
                    }
                    Ok(_) => {
                        self.problems.push(problem(number_column, format!("\"{number_text}\" must have two or three parts, like 1.2, 2.3.1 or 3.1 (A); change the number in the file")));
                        continue;
                    }
                    Err(e) => {
                        self.problems
                            .push(problem(number_column, format!("\"{number_text}\": {e}")));
                        continue;
                    }
                },
            };
            last_in_table = true;
            let key = number.to_string();
            let placeholder = number.letter() == Some('?');
            if let Some((sheet, line)) = self.seen.get(&key).filter(|_| !placeholder) {
                self.problems.push(problem(number_column, format!("action {key} is also on {sheet}, row {line}; give one of them another number")));
                continue;
            }
            if !placeholder {
                self.seen
                    .insert(key.clone(), (table.sheet.clone(), row.line));
            }
            if description.is_empty() {
                self.problems.push(problem(
                    column_of(Field::Description),
                    format!("action {key} has no description"),
                ));
            }
            // An action to be numbered sits one level below its objective or area.
            let mut segments = number.segments().to_vec();
            if placeholder {
                segments.push(0);
            }
            let area_title = match cell(Field::AreaTitle) {
                "" => area_of_row
                    .map(|b| b.title.clone())
                    .or_else(|| several_sheets.then(|| table.sheet.clone())),
                written => Some(written.to_owned()),
            };
            self.area(segments[0], area_title, area_of_row);
            let objective = (segments.len() == 3).then(|| {
                let title = match cell(Field::ObjectiveTitle) {
                    "" => objective_of_row.map(|b| b.title.clone()),
                    written => Some(written.to_owned()),
                };
                let statement = objective_of_row.and_then(|b| b.statement.clone());
                self.objective(segments[0], segments[1], title, statement)
            });
            // A "Lead & Resources" cell lists the people, then the resources.
            let (lead_text, resources_in_lead) = match column_of(Field::Lead) {
                Some(i) if table.column(i).1.to_lowercase().contains("resource") => {
                    split_resources(cell(Field::Lead))
                }
                _ => (cell(Field::Lead).to_owned(), vec![]),
            };
            let leads = self.leads(&lead_text);
            let mut updates = Vec::new();
            let mut extra_fields = Vec::new();
            for (i, column) in uses.iter().enumerate() {
                let text = row.cells.get(i).map_or("", String::as_str);
                match column {
                    Some(Resolved::Rating { date, as_written }) => {
                        let Some(key) = value_key(text, row.fill(i)) else {
                            continue;
                        };
                        // A value chosen as "not a rating" leaves the cell unrated; a value
                        // with no choice yet is a problem, never skipped.
                        let label = match values.get(key.as_str()) {
                            Some(Some("")) => continue,
                            Some(Some(label)) => *label,
                            Some(None) | None => {
                                self.problems.push(problem(Some(i), format!("\"{}\" has no rating chosen for it: choose what it means under \u{2018}Rating values\u{2019}", if text.is_empty() { key.as_str() } else { text })));
                                continue;
                            }
                        };
                        let Some(rating) = self.target.ratings.iter().find(|r| r.label == label)
                        else {
                            self.problems.push(problem(
                                Some(i),
                                format!("\"{label}\" is not a rating of the plan's scheme"),
                            ));
                            continue;
                        };
                        if *date > today {
                            self.problems.push(problem(Some(i), format!("the column's date, {}, is after today: correct its date on the page", sendplan_domain::input::long_date(*date))));
                            continue;
                        }
                        let narrative = uses
                            .iter()
                            .enumerate()
                            .filter(
                                |(_, u)| matches!(u, Some(Resolved::Commentary { of }) if *of == i),
                            )
                            .filter_map(|(j, _)| {
                                row.cells.get(j).filter(|c| !c.is_empty()).cloned()
                            })
                            .collect::<Vec<_>>()
                            .join("\n");
                        updates.push(Update {
                            date: date.to_string(),
                            rating: rating.label.clone(),
                            narrative,
                            author: None,
                            evidence_links: vec![],
                            as_written: as_written.clone(),
                            superseded: None,
                        });
                    }
                    Some(Resolved::Extra(name)) if !name.is_empty() && !text.is_empty() => {
                        extra_fields.push(ExtraField {
                            name: name.clone(),
                            value: text.to_owned(),
                        })
                    }
                    _ => {}
                }
            }
            // Oldest first: the latest is the action's current rating.
            updates.sort_by(|a, b| a.date.cmp(&b.date));
            if updates.windows(2).any(|w| w[0].date == w[1].date) {
                self.problems.push(problem(None, format!("action {key} has two ratings at the same date: give the rating columns different dates")));
            }
            let some = |text: &str| (!text.is_empty()).then(|| text.to_owned());
            self.actions.push(Action {
                number: key,
                area: segments[0].to_string(),
                objective,
                description: description.to_owned(),
                leads,
                lead_text: some(cell(Field::Lead)),
                partner_people: vec![],
                partner_organisations: vec![],
                partners_text: some(cell(Field::Partners)),
                resources: super::resources(cell(Field::Resources))
                    .into_iter()
                    .chain(
                        resources_in_lead
                            .iter()
                            .flat_map(|line| super::resources(line)),
                    )
                    .collect(),
                evidence_of_success: some(cell(Field::Evidence)),
                accountability_measures: some(cell(Field::AccountabilityMeasures)),
                intended_outcome: some(cell(Field::IntendedOutcome)),
                impact_measures: some(cell(Field::ImpactMeasures)),
                start: some(cell(Field::Start)),
                completion: some(cell(Field::Completion)),
                milestones: uses
                    .iter()
                    .enumerate()
                    .filter(|(_, u)| matches!(u, Some(Resolved::Field(Field::Milestones))))
                    .flat_map(|(i, _)| {
                        let mut found =
                            super::milestones(row.cells.get(i).map_or("", String::as_str));
                        // A column headed with its date ("6 month milestone (Apr 23)") dates
                        // the milestones in it that say no date of their own.
                        if let Some((written, _)) = heading_date(table.column(i).1) {
                            for m in found.iter_mut().filter(|m| m.due.is_none()) {
                                m.due = Some(written.clone());
                            }
                        }
                        found
                    })
                    .collect(),
                depends_on: vec![],
                updates,
                extra_fields,
            });
        }
        self.outcomes(table, first_action);
    }

    /// A sheet of progress updates (Number, Date, Rating, Narrative, and as sendplan
    /// writes them: Date as written, Posted by, Evidence links, and why an update no
    /// longer counts, by whom and when), each added to its action's history.
    fn updates_table(
        &mut self,
        table: &Table,
        values: &HashMap<&str, Option<&str>>,
        today: time::Date,
    ) {
        let column = |name: &str| {
            table
                .headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let (number, date, rating, narrative) = (
            column("number"),
            column("date"),
            column("rating"),
            column("narrative"),
        );
        let (written, author, links) = (
            column("date as written"),
            column("posted by"),
            column("evidence links"),
        );
        let (reason, by, at) = (
            column("no longer counts because"),
            column("withdrawn or corrected by"),
            column("withdrawn or corrected on"),
        );
        for row in &table.rows {
            let cell =
                |i: Option<usize>| i.and_then(|i| row.cells.get(i)).map_or("", String::as_str);
            let problem = |i: Option<usize>, message: String| {
                let (letters, heading) = i.map_or((String::new(), ""), |i| table.column(i));
                CellProblem {
                    sheet: table.sheet.clone(),
                    row: row.line,
                    column: letters,
                    heading: heading.to_owned(),
                    message,
                }
            };
            let number_text = cell(number);
            let parsed = ItemNumber::parse(number_text).ok();
            let key = parsed
                .as_ref()
                .map(|n| n.to_string())
                .unwrap_or_else(|| number_text.to_owned());
            let action = self.actions.iter().position(|a| a.number == key);
            // Otherwise the number of an area or objective: the progress of it.
            let segments = parsed
                .as_ref()
                .map(|n| n.segments().to_vec())
                .unwrap_or_default();
            let of_area =
                action.is_none() && segments.len() == 1 && self.areas.contains_key(&segments[0]);
            let of_objective = action.is_none()
                && segments.len() == 2
                && self.objectives.contains_key(&(segments[0], segments[1]));
            if action.is_none() && !of_area && !of_objective {
                self.problems.push(problem(number, format!("there is no action, area or objective {number_text} in the sheets of actions")));
                continue;
            }
            let Some(day) = read_day(cell(date)) else {
                self.problems.push(problem(
                    date,
                    format!("\"{}\" is not a date; write it as 31/03/2022", cell(date)),
                ));
                continue;
            };
            if day > today {
                self.problems.push(problem(
                    date,
                    format!("{} is after today", sendplan_domain::input::long_date(day)),
                ));
                continue;
            }
            // An action's update is rated; an area's or objective's may not be.
            let label = match value_key(cell(rating), row.fill(rating.unwrap_or(usize::MAX))) {
                None if action.is_some() => {
                    self.problems
                        .push(problem(rating, "the update has no rating".to_owned()));
                    continue;
                }
                None => String::new(),
                Some(value) => match values.get(value.as_str()) {
                    Some(Some(label)) if !label.is_empty() => (*label).to_owned(),
                    _ => {
                        self.problems.push(problem(rating, format!("\"{}\" has no rating chosen for it: choose what it means under \u{2018}Rating values\u{2019}", cell(rating))));
                        continue;
                    }
                },
            };
            if action.is_none() && cell(narrative).is_empty() {
                self.problems.push(problem(
                    narrative,
                    "the progress of an area or objective needs its narrative".to_owned(),
                ));
                continue;
            }
            let some = |text: &str| (!text.is_empty()).then(|| text.to_owned());
            let update = Update {
                date: day.to_string(),
                rating: label,
                narrative: cell(narrative).to_owned(),
                author: some(cell(author)),
                evidence_links: cell(links)
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
                as_written: some(cell(written)),
                superseded: some(cell(reason)).map(|reason| Superseded {
                    reason,
                    by: some(cell(by)),
                    at: some(cell(at)).unwrap_or_else(|| format!("{day}T00:00:00Z")),
                    corrected_by: None,
                }),
            };
            match action {
                Some(position) => self.actions[position].updates.push(update),
                None if of_area => {
                    if let Some(area) = self.areas.get_mut(&segments[0]) {
                        area.progress.push(update);
                    }
                }
                None => {
                    if let Some(objective) = self.objectives.get_mut(&(segments[0], segments[1])) {
                        objective.progress.push(update);
                    }
                }
            }
        }
        // Oldest first, keeping the sheet's order on a day.
        for action in &mut self.actions {
            action.updates.sort_by(|a, b| a.date.cmp(&b.date));
        }
        for area in self.areas.values_mut() {
            area.progress.sort_by(|a, b| a.date.cmp(&b.date));
        }
        for objective in self.objectives.values_mut() {
            objective.progress.sort_by(|a, b| a.date.cmp(&b.date));
        }
    }

    /// The outcomes a table writes for its areas: the area its banner numbers, else the
    /// area of the table's last action before them.
    fn outcomes(&mut self, table: &Table, first_action: usize) {
        for (banner, text) in &table.outcomes {
            let number = banner
                .as_ref()
                .and_then(|b| b.number.as_deref())
                .and_then(|n| n.parse::<u32>().ok())
                .or_else(|| {
                    self.actions[first_action..]
                        .last()
                        .and_then(|a| a.area.parse().ok())
                });
            if let Some(area) = number.and_then(|n| self.areas.get_mut(&n)) {
                area.outcomes = Some(match area.outcomes.take() {
                    Some(before) if !before.is_empty() => format!("{before}\n{text}"),
                    _ => text.clone(),
                });
            }
        }
    }

    fn area(&mut self, number: u32, title: Option<String>, banner: Option<&Banner>) {
        let area = self.areas.entry(number).or_insert_with(|| Area {
            number: number.to_string(),
            title: format!("Area {number}"),
            findings: vec![],
            senior_responsible_officer: None,
            outcomes: None,
            objectives: vec![],
            progress: vec![],
        });
        if let Some(title) = title {
            // The first title given wins; a banner whose number disagrees does not name it.
            let agrees = banner
                .and_then(|b| b.number.as_deref())
                .is_none_or(|n| n == number.to_string());
            if area.title == format!("Area {number}") && agrees {
                area.title = title;
            }
        }
    }

    fn objective(
        &mut self,
        area: u32,
        number: u32,
        title: Option<String>,
        statement: Option<String>,
    ) -> String {
        let entry = self
            .objectives
            .entry((area, number))
            .or_insert_with(|| Objective {
                number: format!("{area}.{number}"),
                title: format!("Objective {area}.{number}"),
                i_statement: None,
                impact_indicators: None,
                milestones: None,
                progress: vec![],
            });
        if let Some(title) = title {
            if entry.title == format!("Objective {area}.{number}") {
                entry.title = title;
            }
        }
        if entry.i_statement.is_none() {
            entry.i_statement = statement;
        }
        entry.number.clone()
    }

    /// The people a lead cell names, each matched to the People page or added for review.
    fn leads(&mut self, text: &str) -> Vec<String> {
        let mut leads = Vec::new();
        for lead in resolve(text, &self.known) {
            let key = match lead {
                Lead::Known(i) => self.people[i].key.clone(),
                Lead::Unknown(text) => {
                    let key = format!("review{}", self.people.len() + 1);
                    let name = looks_like_a_name(&text);
                    self.known.add(KnownPerson {
                        name: if name { &text } else { "" },
                        job_title: if name { "" } else { &text },
                        short_code: "",
                    });
                    self.people.push(Person {
                        key: key.clone(),
                        name: name.then(|| text.clone()),
                        job_title: (!name).then(|| text.clone()),
                        organisation: None,
                        short_code: None,
                        email: None,
                        to_review: true,
                    });
                    key
                }
            };
            if !leads.contains(&key) {
                leads.push(key);
            }
        }
        leads
    }

    fn finish(mut self) -> Result<Built, Vec<CellProblem>> {
        if !self.problems.is_empty() {
            return Err(self.problems);
        }
        let mut notes = Vec::new();
        // Each unnumbered action takes the first number free under its objective or area,
        // once every number the file gives is known.
        for (position, prefix, sheet, line) in std::mem::take(&mut self.unnumbered) {
            let number = (1..)
                .map(|n| {
                    let mut text = prefix.to_string();
                    text.push_str(&format!(".{n}"));
                    text
                })
                .find(|text| !self.seen.contains_key(text))
                .unwrap_or_default();
            self.seen.insert(number.clone(), (sheet.clone(), line));
            notes.push(format!(
                "{sheet}, row {line} has no number: it is numbered {number}"
            ));
            self.actions[position].number = number;
        }
        for (number, text) in std::mem::take(&mut self.pending_objective_milestones) {
            let key = number
                .split('.')
                .filter_map(|p| p.parse::<u32>().ok())
                .collect::<Vec<_>>();
            if let [area, objective] = key[..] {
                if let Some(found) = self.objectives.get_mut(&(area, objective)) {
                    found.milestones = Some(match found.milestones.take() {
                        Some(before) => format!("{before}\n{text}"),
                        None => text,
                    });
                }
            }
        }
        let mut areas = self.areas;
        for ((area, _), objective) in self.objectives {
            if let Some(area) = areas.get_mut(&area) {
                area.objectives.push(objective);
            }
        }
        let target = self.target;
        let document = Document {
            format: FORMAT.to_owned(),
            version: VERSION,
            source: Some("Spreadsheet import".to_owned()),
            partnership: target.partnership.clone(),
            organisations: target.organisations.clone(),
            people: self.people,
            inspections: vec![],
            plans: vec![Plan {
                key: "plan".to_owned(),
                kind: target.kind.clone(),
                title: target.title.clone(),
                period_start: None,
                period_end: None,
                inspection: None,
                status: target.status.clone(),
                stale_after_days: sendplan_domain::plan::DEFAULT_STALE_AFTER_DAYS,
                ratings: target
                    .ratings
                    .iter()
                    .map(|r| Rating {
                        label: r.label.clone(),
                        colour: r.colour.code().to_owned(),
                        meaning: r.meaning.clone(),
                        class: r.class.code().to_owned(),
                    })
                    .collect(),
                areas: areas.into_values().collect(),
                actions: self.actions,
                measures: vec![],
                surveys: vec![],
                approval: None,
            }],
            interventions: vec![],
        };
        Ok(Built { document, notes })
    }
}

/// The rows that head the actions below them rather than being actions: a number with a
/// description and nothing else, whose next numbered row is one level below it ("1.1
/// Reduce waiting times" above "1.1.1").
fn heading_rows(
    table: &Table,
    number_column: Option<usize>,
    uses: &[Option<Resolved>],
) -> Vec<usize> {
    let Some(number_column) = number_column else {
        return vec![];
    };
    let description = uses
        .iter()
        .position(|u| matches!(u, Some(Resolved::Field(Field::Description))));
    let numbers: Vec<Option<ItemNumber>> = table
        .rows
        .iter()
        .map(|r| ItemNumber::parse(&r.cells[number_column]).ok())
        .collect();
    let mut headings = Vec::new();
    for (i, row) in table.rows.iter().enumerate() {
        let Some(number) = &numbers[i] else { continue };
        let only_title = row
            .cells
            .iter()
            .enumerate()
            .all(|(c, text)| c == number_column || Some(c) == description || text.is_empty());
        let next = numbers[i + 1..].iter().flatten().next();
        if only_title && next.is_some_and(|n| n.is_child_of(number)) {
            headings.push(i);
        }
    }
    headings
}

/// A lead cell's lines that name resources ("Existing resources", "£25,000 (A)"), as a
/// "Lead & Resources" column writes them under the people: (the people, the resources).
fn split_resources(text: &str) -> (String, Vec<String>) {
    const RESOURCE_WORDS: [&str; 8] = [
        "existing",
        "additional",
        "resource",
        "funding",
        "budget",
        "programme",
        "support",
        "grant",
    ];
    let mut people = Vec::new();
    let mut resources = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        // Where the resources start in the line: its first resource word or pound sign
        // (a pasted cell can hold "Helen Stephenson Existing resources" on one line).
        let lower = line.to_lowercase();
        let start = RESOURCE_WORDS
            .iter()
            .filter_map(|w| lower.find(w))
            .chain(line.find('£'))
            .min();
        match start {
            Some(at) => {
                let (who, what) = line.split_at(at);
                // Only names come before the resources on one line; "SEND & Inclusion
                // Change Programme" is all resource.
                let names = !who.trim().is_empty()
                    && who.split_whitespace().all(|w| {
                        w.chars().next().is_some_and(char::is_uppercase)
                            && w.chars().skip(1).any(char::is_lowercase)
                    });
                if names {
                    people.push(who.trim().to_owned());
                    resources.push(what.trim().to_owned());
                } else {
                    resources.push(line.to_owned());
                }
            }
            None => people.push(line.to_owned()),
        }
    }
    (people.join("\n"), resources)
}

/// A day written 2022-03-31 or 31/03/2022.
pub fn read_day(text: &str) -> Option<time::Date> {
    let text = text.trim();
    if let Ok(date) = time::Date::parse(text, &time::format_description::well_known::Iso8601::DATE)
    {
        return Some(date);
    }
    let parts: Vec<&str> = text.split(['/', '.', '-']).map(str::trim).collect();
    match parts.as_slice() {
        [d, m, y] => sendplan_domain::input::parse_date_parts(d, m, y, "the date")
            .ok()
            .flatten(),
        _ => None,
    }
}

/// What a label in the number column starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    /// An objective or area row ("Objective 1.1", "Workstream 2").
    Banner,
    /// The milestones of the objective above ("Milestones").
    Milestones,
}

/// A number cell that labels its row instead of numbering an action.
fn label_row(text: &str) -> Option<Label> {
    let lower = text.trim().trim_end_matches(':').to_lowercase();
    if matches!(
        lower.as_str(),
        "milestones" | "milestone" | "key milestones"
    ) {
        return Some(Label::Milestones);
    }
    let banner = Banner::read(text);
    let labelled = [
        "objective",
        "area",
        "workstream",
        "work stream",
        "priority",
        "theme",
    ]
    .iter()
    .any(|w| lower.starts_with(w));
    (labelled && banner.number.is_some()).then_some(Label::Banner)
}

/// A description that starts with its number ("1.2 Develop a clear pathway"), split into
/// the number and the rest; else no number and the whole text.
fn leading_number(text: &str) -> (&str, &str) {
    let trimmed = text.trim_start();
    let Some((first, rest)) = trimmed.split_once(char::is_whitespace) else {
        return ("", text);
    };
    match ItemNumber::parse(first) {
        Ok(n) if (2..=3).contains(&n.segments().len()) && first.contains('.') => {
            (first.trim_end_matches('.'), rest.trim_start())
        }
        _ => ("", text),
    }
}

/// Adds a row that continues the action above (no number, no description) to it: each
/// text the row holds joins the field its column maps to, on a new line; extra fields and
/// milestones are added.
fn continue_action(action: &mut Action, row: &super::TableRow, uses: &[Option<Resolved>]) {
    fn join(field: &mut Option<String>, text: &str) {
        *field = Some(match field.take() {
            Some(before) if !before.is_empty() => format!("{before}\n{text}"),
            _ => text.to_owned(),
        });
    }
    for (i, column) in uses.iter().enumerate() {
        let text = row.cells.get(i).map_or("", String::as_str);
        if text.is_empty() {
            continue;
        }
        match column {
            Some(Resolved::Field(field)) => match field {
                Field::Evidence => join(&mut action.evidence_of_success, text),
                Field::ImpactMeasures => join(&mut action.impact_measures, text),
                Field::AccountabilityMeasures => join(&mut action.accountability_measures, text),
                Field::IntendedOutcome => join(&mut action.intended_outcome, text),
                Field::Completion => join(&mut action.completion, text),
                Field::Start => join(&mut action.start, text),
                Field::Partners => join(&mut action.partners_text, text),
                Field::Lead => join(&mut action.lead_text, text),
                Field::Milestones => action.milestones.extend(super::milestones(text)),
                Field::Resources => action.resources.extend(super::resources(text)),
                _ => {}
            },
            Some(Resolved::Extra(name)) if !name.is_empty() => {
                action.extra_fields.push(ExtraField {
                    name: name.clone(),
                    value: text.to_owned(),
                })
            }
            _ => {}
        }
    }
}

/// The number of a sub-action row written as a letter or bullet under a numbered action:
/// "a)" or "(b)" takes that letter, "•", "-" or "*" the next letter. `None` for a row
/// that is numbered itself.
fn sub_action(text: &str, parent: Option<&mut (ItemNumber, u8)>) -> Option<ItemNumber> {
    let text = text.trim();
    let (parent, given) = parent?;
    let letter = if matches!(text, "•" | "-" | "*" | "–" | "·" | "o") {
        (b'a' + *given) as char
    } else {
        let inner = text.trim_start_matches('(').trim_end_matches([')', '.']);
        let mut chars = inner.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_alphabetic() && text != inner => c,
            _ => return None,
        }
    };
    if *given >= 26 {
        return None;
    }
    *given += 1;
    Some(parent.with_letter(letter))
}

/// Turns one table, its columns mapped by position, into a plan document: its rating
/// column at the target's date, and the values in it read as the scheme's ratings.
pub fn table_to_document(
    table: &Table,
    mapping: &super::Mapping,
    target: &SheetTarget,
) -> Result<Document, Vec<CellProblem>> {
    let missing: Vec<CellProblem> = Field::REQUIRED
        .iter()
        .filter(|f| !mapping.contains_key(f))
        .map(|f| {
            CellProblem::whole(
                f.label(),
                "choose the column that holds it; this column is required".to_owned(),
            )
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let progress = mapping.get(&Field::Progress).copied();
    let uses: Vec<Option<Resolved>> = (0..table.headers.len())
        .map(|i| {
            let field = mapping.iter().find(|(_, c)| **c == i).map(|(f, _)| *f)?;
            Some(match (field, progress) {
                (Field::Progress, _) => Resolved::Rating {
                    date: target.as_at,
                    as_written: None,
                },
                (Field::ProgressNotes, Some(of)) => Resolved::Commentary { of },
                (field, _) => Resolved::Field(field),
            })
        })
        .collect();
    let found: Vec<String> = progress
        .map(|i| {
            table
                .rows
                .iter()
                .filter_map(|r| value_key(&r.cells[i], None))
                .collect()
        })
        .unwrap_or_default();
    let choices = suggest_ratings(&found, &target.ratings);
    let values: HashMap<&str, Option<&str>> = choices
        .iter()
        .filter(|c| c.rating.is_some())
        .map(|c| (c.value.as_str(), c.rating.as_deref()))
        .collect();
    let mut builder = Builder::new(target);
    builder.table(table, &uses, false, &values, target.as_at);
    builder.finish().map(|built| built.document)
}

/// What identifies a tracker's layout, for remembering its mapping: its sheets' names and
/// the headings of their guessed header rows (the rows below change between uploads; the
/// layout does not).
pub fn layout_signature(workbook: &Workbook) -> String {
    let mut signature = String::new();
    for grid in &workbook.sheets {
        signature.push_str(&grid.name);
        signature.push('\u{1f}');
        if let Some(table) =
            layout::guess_header_row(grid).and_then(|r| layout::to_table(grid, Some(r)))
        {
            signature.push_str(&table.headers.join("\u{1e}"));
        }
        signature.push('\u{1d}');
    }
    signature
}

/// A remembered (or downloaded) mapping fitted to a workbook: sheets it does not name are
/// taken as suggested, headings it does not name get the suggested use, and rating values
/// it does not name are suggested in its scheme. Choices for what the workbook no longer
/// has are dropped.
pub fn fit(mapping: &ImportMapping, workbook: &Workbook) -> ImportMapping {
    let suggested = suggest(workbook);
    let mut fitted = mapping.clone();
    fitted.sheets = suggested
        .sheets
        .iter()
        .map(|s| {
            mapping
                .sheets
                .iter()
                .find(|m| m.name == s.name)
                .cloned()
                .unwrap_or_else(|| s.clone())
        })
        .collect();
    let tables = tables(workbook, &fitted);
    fitted.columns = suggest_columns(&tables)
        .into_iter()
        .map(|s| {
            mapping
                .columns
                .iter()
                .find(|m| m.header == s.header)
                .cloned()
                .unwrap_or(s)
        })
        .collect();
    let scheme = RatingPreset::from_code(&fitted.scheme)
        .unwrap_or(RatingPreset::Rag)
        .ratings();
    let found = all_rating_values(workbook, &fitted);
    fitted.ratings = suggest_ratings(&found, &scheme)
        .into_iter()
        .map(|s| {
            mapping
                .ratings
                .iter()
                .find(|m| m.value == s.value)
                .cloned()
                .unwrap_or(s)
        })
        .collect();
    fitted
}

/// Reads a mapping file, saying plainly what is wrong with one that is not.
pub fn read_mapping(text: &str) -> Result<ImportMapping, String> {
    if text.len() > 1024 * 1024 {
        return Err("the mapping file is over 1 MB; a mapping is a few kilobytes".to_owned());
    }
    let mapping: ImportMapping = serde_json::from_str(text)
        .map_err(|e| format!("the mapping file could not be read: {e}"))?;
    if mapping.format != MAPPING_FORMAT {
        return Err(format!("the file is not a sendplan import mapping (its format is \"{}\", not \"{MAPPING_FORMAT}\")", mapping.format));
    }
    if mapping.version != 1 {
        return Err(format!(
            "the mapping is version {}; this sendplan reads version 1",
            mapping.version
        ));
    }
    Ok(mapping)
}

/// The mapping as lines for the command line and the check page: each sheet, each
/// column and what it is, and each rating value and what it means.
pub fn describe(mapping: &ImportMapping) -> Vec<String> {
    let mut lines = Vec::new();
    for sheet in &mapping.sheets {
        lines.push(if sheet.take {
            format!(
                "Sheet \u{201c}{}\u{201d}: taken, header row {}",
                sheet.name, sheet.header_row
            )
        } else {
            format!("Sheet \u{201c}{}\u{201d}: left out", sheet.name)
        });
    }
    for column in &mapping.columns {
        lines.push(format!(
            "Column \u{201c}{}\u{201d}: {}",
            column.header,
            column.column.describe()
        ));
    }
    for value in &mapping.ratings {
        lines.push(format!(
            "Rating value \u{201c}{}\u{201d}: {}",
            value.value,
            match value.rating.as_deref() {
                None =>
                    "not chosen yet: choose it in a mapping file (--save-mapping, then --mapping)",
                Some("") => "not a rating (left unrated)",
                Some(label) => label,
            }
        ));
    }
    if let Some(as_at) = &mapping.as_at {
        lines.push(format!(
            "Ratings without a date in their heading are at {}",
            long_date(as_at)
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_from_rating_headings() {
        for (heading, written, date) in [
            ("RAG May 20", "May 20", "2020-05-31"),
            ("RAG August 22", "August 22", "2022-08-31"),
            ("Q3 2021/22", "Q3 2021/22", "2021-12-31"),
            ("Progress Nov 2021", "Nov 2021", "2021-11-30"),
            ("Status at 31/03/22", "31/03/22", "2022-03-31"),
            ("RAG rating (Jan 2022)", "Jan 2022", "2022-01-31"),
        ] {
            let (w, d) = heading_date(heading).unwrap_or_else(|| panic!("{heading}"));
            assert_eq!(
                (w.as_str(), d.to_string().as_str()),
                (written, date),
                "{heading}"
            );
        }
        assert_eq!(
            heading_date("6 month milestone (Apr 23)").map(|(w, d)| (w, d.to_string())),
            Some(("Apr 23".to_owned(), "2023-04-30".to_owned()))
        );
        for heading in [
            "RAG",
            "Progress (BRAG)",
            "Status",
            "Lead officer",
            "Action 2",
        ] {
            assert_eq!(heading_date(heading), None, "{heading}");
        }
    }

    #[test]
    fn bullets_and_letters_under_an_action_are_its_sub_actions() {
        let mut parent = Some((ItemNumber::parse("3.1").expect("n"), 0u8));
        let n = |t: &str, p: &mut Option<(ItemNumber, u8)>| {
            sub_action(t, p.as_mut()).map(|n| n.to_string())
        };
        assert_eq!(n("a)", &mut parent).as_deref(), Some("3.1 (a)"));
        assert_eq!(n("(b)", &mut parent).as_deref(), Some("3.1 (b)"));
        assert_eq!(n("•", &mut parent).as_deref(), Some("3.1 (c)"));
        assert_eq!(n("3.2", &mut parent), None);
        assert_eq!(n("a", &mut parent), None, "a bare letter is not a bullet");
        assert_eq!(sub_action("a)", None), None);
    }

    #[test]
    fn commentary_headings_are_told_apart() {
        assert!(is_commentary_heading("Commentary May 20"));
        assert!(is_commentary_heading("Update"));
        assert!(is_commentary_heading("Comments"));
        assert!(!is_commentary_heading("Lead officer"));
    }
}

//! How councils lay out a tracker, read from a sheet's cells: title rows above the table,
//! one or several header rows (a group heading such as "Progress" merged over "Nov 2021"
//! and "Feb 2022"), banner rows naming the area or objective of the rows below, and the
//! header row repeated further down (as Word repeats it on every page). Pure rules over a
//! [`Grid`], so each is unit-tested on its own.

use super::{column_name, Field, Grid, Table, TableRow};
use serde::{Deserialize, Serialize};

/// How many rows from the top of a sheet are looked at for the header.
const HEADER_SEARCH_ROWS: usize = 40;
/// A header cell is a few words; a cell longer than this is data, whatever words it has.
const HEADER_CELL_WORDS: usize = 8;

/// What a banner row names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BannerKind {
    Area,
    Objective,
}

/// A row across the table naming the area or objective of the rows below it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Banner {
    pub kind: BannerKind,
    /// The number it gives ("1" of "Area 1: Identification"), if any.
    pub number: Option<String>,
    /// The title without its prefix ("Identification"), or the whole text.
    pub title: String,
    /// Exactly as written.
    pub text: String,
    /// An objective's "I statement", written under its title or in the row below.
    #[serde(default)]
    pub statement: Option<String>,
}

impl Banner {
    /// Reads a banner's text: "Area 1: Identification of need", "Workstream 3 – EHC
    /// plans", "Objective 2.1 Improve...", "2.1 Improve..." (a two-part number is an
    /// objective), "Significant weakness 4". Text with no such prefix names an area.
    pub fn read(text: &str) -> Banner {
        // An "I statement" line under the title is the objective's statement.
        let (text, statement) = match text.lines().position(is_statement) {
            Some(at) if at > 0 => {
                let lines: Vec<&str> = text.lines().collect();
                (lines[..at].join("\n"), Some(lines[at..].join("\n")))
            }
            _ => (text.to_owned(), None),
        };
        let trimmed = text.trim();
        let lower = trimmed.to_lowercase();
        const AREA_WORDS: [&str; 9] = [
            "area of significant weakness",
            "significant weakness",
            "area of weakness",
            "area for development",
            "area",
            "workstream",
            "work stream",
            "priority",
            "theme",
        ];
        const OBJECTIVE_WORDS: [&str; 3] = ["objective", "outcome", "aim"];
        let mut kind = None;
        let mut rest = trimmed;
        for (words, k) in [
            (&AREA_WORDS[..], BannerKind::Area),
            (&OBJECTIVE_WORDS[..], BannerKind::Objective),
        ] {
            if let Some(word) = words.iter().find(|w| {
                lower.starts_with(**w) && !lower[w.len()..].starts_with(|c: char| c.is_alphabetic())
            }) {
                kind = Some(k);
                rest = &trimmed[word.len()..];
                break;
            }
        }
        let rest = rest.trim_start();
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = rest[..number_end].trim_end_matches('.');
        let number = (!number.is_empty() && number.split('.').all(|s| !s.is_empty()))
            .then(|| number.to_owned());
        let title = rest[number_end..]
            .trim_start_matches([':', '-', '–', '—', ' ', '.', ')'])
            .trim();
        let kind = kind.unwrap_or(match &number {
            Some(n) if n.contains('.') => BannerKind::Objective,
            _ => BannerKind::Area,
        });
        Banner {
            kind,
            // An area is numbered "2", an objective "2.3"; any other number names neither.
            number: number.filter(|n| {
                let parts = n.split('.').count();
                match kind {
                    BannerKind::Area => parts == 1,
                    BannerKind::Objective => parts == 2,
                }
            }),
            title: if title.is_empty() { trimmed } else { title }.to_owned(),
            text: trimmed.to_owned(),
            statement,
        }
    }
}

/// A banner that heads an area's outcomes ("Outcomes", "Outcomes agreed", "Outcomes we
/// will strive for:"): `Some(Some(list))` when the list is in the same cell, `Some(None)`
/// when it follows in the next row, `None` for any other banner.
pub fn outcomes_label(text: &str) -> Option<Option<String>> {
    let mut lines = text.lines();
    let first = lines.next()?.trim().trim_end_matches(':').to_lowercase();
    if !(first == "outcomes"
        || first == "outcomes agreed"
        || first == "outcomes we will strive for")
    {
        return None;
    }
    let rest: Vec<&str> = lines.collect();
    Some((!rest.is_empty()).then(|| list_lines(&rest.join("\n"))))
}

/// A list's lines without their bullets.
fn list_lines(text: &str) -> String {
    text.lines()
        .map(|l| {
            l.trim()
                .trim_start_matches(['•', '-', '*', '➔', '▪'])
                .trim()
        })
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether a line is an objective's "I statement" ("I statement: \"I can...\"", "I
/// statement for Parent Carers: ...").
pub fn is_statement(line: &str) -> bool {
    line.trim_start().to_lowercase().starts_with("i statement")
}

/// Whether a cell could be a column heading: a few words, not a sentence.
fn short(cell: &str) -> bool {
    let words = cell.split_whitespace().count();
    words > 0 && words <= HEADER_CELL_WORDS && cell.chars().count() <= 80
}

/// How strongly a row reads as a header: the distinct fields its short cells name, less
/// one for every long cell (a data row can name fields inside its sentences: "operating
/// model for Leaders").
fn header_score(row: &[String]) -> isize {
    let mut fields = Vec::new();
    let mut long = 0isize;
    for cell in row.iter().filter(|c| !c.trim().is_empty()) {
        if !short(cell) {
            long += 1;
            continue;
        }
        if let Some(field) = Field::from_header(cell) {
            if !fields.contains(&field) {
                fields.push(field);
            }
        }
    }
    fields.len() as isize - long
}

/// The header row sendplan guesses: of the first rows, the one naming the most fields
/// (at least two), the earliest on a tie; else the first row with something in it.
pub fn guess_header_row(grid: &Grid) -> Option<usize> {
    let mut best: Option<(usize, isize)> = None;
    for (i, row) in grid.rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let score = header_score(row);
        if score >= 2 && best.is_none_or(|(_, b)| score > b) {
            best = Some((i, score));
        }
    }
    best.map(|(i, _)| i)
        .or_else(|| grid.rows.iter().position(|row| non_empty(row)))
}

fn non_empty(row: &[String]) -> bool {
    row.iter().any(|c| !c.trim().is_empty())
}

/// Whether a row holds a group heading over the row below: a value used for more than one
/// column (a merged cell, or "RAG" written over each month), every cell short.
fn is_group_heading(row: &[String]) -> bool {
    // A title merged across the whole table is not a group over some columns.
    let whole_width = row.iter().all(|c| !c.is_empty() && *c == row[0]);
    !whole_width
        && non_empty(row)
        && row.iter().all(|c| c.is_empty() || short(c))
        && row
            .iter()
            .enumerate()
            .any(|(i, c)| !c.is_empty() && row[i + 1..].contains(c))
}

/// Whether a row reads as a second header row beneath `header`: every cell short, none
/// an action number, and each under a header cell that is a group (repeated) or empty.
fn is_sub_heading(row: &[String], header: &[String]) -> bool {
    if !non_empty(row) || !row.iter().all(|c| c.is_empty() || short(c)) {
        return false;
    }
    row.iter().enumerate().all(|(i, cell)| {
        if cell.is_empty() {
            return true;
        }
        if sendplan_domain::numbering::ItemNumber::parse(cell).is_ok() {
            return false;
        }
        let above = header.get(i).map_or("", String::as_str);
        // A heading merged down both rows ("No." over two rows) is copied into each.
        if cell == above {
            return true;
        }
        // Under a heading the header row uses more than once ("RAG" over each month,
        // merged or not), the row below tells the columns apart.
        let repeated = header
            .iter()
            .filter(|h| !h.is_empty() && *h == above)
            .count()
            > 1;
        above.is_empty() || repeated
    })
}

/// The header rows around a chosen (or guessed) header row: a group heading above it and
/// a row of sub-headings below it are taken with it.
pub fn header_rows(grid: &Grid, chosen: usize) -> std::ops::RangeInclusive<usize> {
    let (mut first, mut last) = (chosen, chosen);
    if chosen > 0 && is_group_heading(&grid.rows[chosen - 1]) {
        first = chosen - 1;
    }
    if is_group_heading(&grid.rows[chosen])
        && grid
            .rows
            .get(chosen + 1)
            .is_some_and(|below| is_sub_heading(below, &grid.rows[chosen]))
    {
        last = chosen + 1;
    }
    first..=last
}

/// Column headings from several header rows: each column's distinct parts, top first,
/// joined ("Progress" over "Nov 2021" is "Progress Nov 2021").
pub fn join_headers(rows: &[&[String]], width: usize) -> Vec<String> {
    (0..width)
        .map(|i| {
            let mut parts: Vec<&str> = Vec::new();
            for row in rows {
                let cell = row.get(i).map_or("", |c| c.trim());
                if !cell.is_empty() && !parts.contains(&cell) {
                    parts.push(cell);
                }
            }
            parts.join(" ")
        })
        .collect()
}

/// Whether a data row is a banner: every cell with something in it holds the same text,
/// and either it fills several cells (a merged cell across the table) or it is a single
/// cell at the left of the table that is not a number, a bullet or a rating letter.
pub fn banner_text(row: &[String]) -> Option<&str> {
    let mut filled = row.iter().enumerate().filter(|(_, c)| !c.trim().is_empty());
    let (first_at, first) = filled.next()?;
    let mut count = 1;
    for (_, cell) in filled {
        if cell != first {
            return None;
        }
        count += 1;
    }
    let text = first.trim();
    // A lone cell starting with a number ("1.5 Waiting times...") is an action with
    // nothing else filled in, or an objective's heading row, which the importer tells
    // apart by the rows below it; a merged cell across the table is a banner either way.
    let starts_with_number = text
        .split_whitespace()
        .next()
        .is_some_and(|first| sendplan_domain::numbering::ItemNumber::parse(first).is_ok());
    let lone_label = first_at <= 1
        && text.chars().filter(|c| c.is_alphabetic()).count() > 2
        && !starts_with_number;
    (count >= 2 || lone_label).then_some(text)
}

/// A sheet as a table under the header rows chosen (or guessed): title rows above are
/// left out, banner rows give the area or objective of the rows below them, repeated
/// header rows are skipped, and empty rows dropped.
pub fn to_table(grid: &Grid, header_row: Option<usize>) -> Option<Table> {
    table_of(grid, header_row, true)
}

/// A sheet of one plain table (measure values, survey answers) under its guessed header:
/// no row is a banner, since a row with one answer in it is data.
pub fn to_plain_table(grid: &Grid) -> Option<Table> {
    table_of(grid, None, false)
}

fn table_of(grid: &Grid, header_row: Option<usize>, banners_apply: bool) -> Option<Table> {
    let chosen = header_row
        .filter(|r| *r < grid.rows.len())
        .or_else(|| guess_header_row(grid))?;
    let rows = header_rows(grid, chosen);
    let width = grid.rows.iter().map(Vec::len).max().unwrap_or(0);
    let header_cells: Vec<&[String]> = grid.rows[rows.clone()].iter().map(Vec::as_slice).collect();
    let mut headers = join_headers(&header_cells, width);
    // A heading used twice in one table ("Update" after each of two ratings) is told
    // apart by its column, as the check page and a mapping name it ("Update [K]").
    let repeated: Vec<String> = headers
        .iter()
        .filter(|h| !h.is_empty() && headers.iter().filter(|o| o == h).count() > 1)
        .cloned()
        .collect();
    for (i, heading) in headers.iter_mut().enumerate() {
        if repeated.contains(heading) {
            *heading = format!("{heading} [{}]", column_name(grid.first_column + i));
        }
    }
    let mut area = None;
    let mut objective = None;
    // A banner above the header that names a numbered area or objective (a Word table's
    // heading, "Area 1: ...") applies to the rows below; a title above it does not.
    for cells in grid.rows[..*rows.start()].iter().filter(|_| banners_apply) {
        if let Some(banner) = banner_text(cells)
            .map(Banner::read)
            .filter(|b| b.number.is_some())
        {
            match banner.kind {
                BannerKind::Area => {
                    area = Some(banner);
                    objective = None;
                }
                BannerKind::Objective => objective = Some(banner),
            }
        }
    }
    let mut table_rows = Vec::new();
    let mut banners = Vec::new();
    let mut outcomes = Vec::new();
    let mut awaiting_outcomes = false;
    for (i, cells) in grid.rows.iter().enumerate().skip(rows.end() + 1) {
        if !non_empty(cells) || grid.rows[rows.clone()].iter().any(|h| h == cells) {
            continue;
        }
        let line = grid.first_line + i;
        if let Some(text) = banner_text(cells).filter(|_| banners_apply) {
            // "Outcomes" (or "Outcomes agreed") with its list, in one row or with the list in
            // the next, is the area's outcomes, not a new banner.
            if let Some(body) = outcomes_label(text) {
                match body {
                    Some(list) => outcomes.push((area.clone(), list)),
                    None => awaiting_outcomes = true,
                }
                continue;
            }
            if std::mem::take(&mut awaiting_outcomes) {
                outcomes.push((area.clone(), list_lines(text)));
                continue;
            }
            // An I statement in its own row belongs to the objective above it.
            if is_statement(text) {
                if let Some(current) = objective.as_mut() {
                    let current: &mut Banner = current;
                    current.statement = Some(text.to_owned());
                    continue;
                }
            }
            let banner = Banner::read(text);
            match banner.kind {
                BannerKind::Area => {
                    area = Some(banner.clone());
                    objective = None;
                }
                BannerKind::Objective => objective = Some(banner.clone()),
            }
            banners.push((line, banner));
            continue;
        }
        let mut cells = cells.clone();
        cells.resize(width, String::new());
        table_rows.push(TableRow {
            line,
            cells: cells.into_iter().map(|c| c.trim().to_owned()).collect(),
            fills: grid
                .fills
                .iter()
                .filter(|f| f.row == i)
                .map(|f| (f.column, f.colour.clone()))
                .collect(),
            area: area.clone(),
            objective: objective.clone(),
        });
    }
    Some(Table {
        sheet: grid.name.clone(),
        headers,
        rows: table_rows,
        header_lines: (grid.first_line + rows.start())..=(grid.first_line + rows.end()),
        first_column: grid.first_column,
        banners,
        outcomes,
    })
}

/// The cell name Excel shows for a column of a table and a sheet row ("C14").
pub fn cell_name(first_column: usize, column: usize, line: usize) -> String {
    format!("{}{line}", column_name(first_column + column))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: &[&[&str]]) -> Grid {
        Grid {
            name: "Sheet1".to_owned(),
            hidden: false,
            first_line: 1,
            first_column: 0,
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
                .collect(),
            fills: vec![],
        }
    }

    #[test]
    fn title_rows_above_the_header_are_left_out() {
        let g = grid(&[
            &["SEND Written Statement of Action tracker", "", ""],
            &["Last updated 12/05/2022", "", ""],
            &["", "", ""],
            &["Ref", "Action", "Lead Officer"],
            &["1.1", "Publish the graduated approach", "Head of SEND"],
        ]);
        let table = to_table(&g, None).expect("table");
        assert_eq!(table.headers, ["Ref", "Action", "Lead Officer"]);
        assert_eq!(table.header_lines, 4..=4);
        assert_eq!(table.rows.len(), 1);
        assert_eq!(table.rows[0].line, 5);
    }

    #[test]
    fn a_data_row_with_header_words_in_its_sentences_is_not_the_header() {
        let g = grid(&[
            &["No.", "What we will do", "Lead(s)", "End date"],
            &[
                "1.1",
                "Agree a new operating model for Leaders and managers across the partnership",
                "Leaders of the partnership board and the lead officer for SEND",
                "Progress review of the timescale and status by the end date",
            ],
        ]);
        assert_eq!(guess_header_row(&g), Some(0));
    }

    #[test]
    fn a_group_heading_over_dated_columns_joins_them() {
        let g = grid(&[
            &["Ref", "Action", "Progress", "Progress"],
            &["", "", "Nov 2021", "Feb 2022"],
            &["1.1", "Do it", "G", "A"],
        ]);
        let table = to_table(&g, None).expect("table");
        assert_eq!(
            table.headers,
            ["Ref", "Action", "Progress Nov 2021", "Progress Feb 2022"]
        );
        assert_eq!(table.rows.len(), 1);
        let above = grid(&[
            &["", "", "RAG rating", "RAG rating"],
            &["Ref", "Action", "May 20", "Aug 20"],
            &["1.1", "Do it", "G", "A"],
        ]);
        let table = to_table(&above, None).expect("table");
        assert_eq!(table.headers[2], "RAG rating May 20");
        assert_eq!(table.header_lines, 1..=2);
    }

    #[test]
    fn a_heading_written_over_each_dated_column_joins_the_date_below_it() {
        let g = grid(&[
            &["Ref", "Action", "RAG", "Commentary", "RAG", "Commentary"],
            &["Ref", "Action", "Jan 22", "Jan 22", "Feb 22", "Feb 22"],
            &["1.1", "Do it", "G", "Started", "A", "Delayed"],
        ]);
        let table = to_table(&g, None).expect("table");
        assert_eq!(
            table.headers,
            [
                "Ref",
                "Action",
                "RAG Jan 22",
                "Commentary Jan 22",
                "RAG Feb 22",
                "Commentary Feb 22"
            ]
        );
    }

    #[test]
    fn headings_merged_down_both_header_rows_are_read_once() {
        let g = grid(&[
            &["No.", "Action", "Progress", "Progress", "Update"],
            &["No.", "Action", "Q1 2021/22", "Q2 2021/22", "Update"],
            &["1.1", "Do it", "G", "A", "Done"],
        ]);
        let table = to_table(&g, None).expect("table");
        assert_eq!(
            table.headers,
            [
                "No.",
                "Action",
                "Progress Q1 2021/22",
                "Progress Q2 2021/22",
                "Update"
            ]
        );
        assert_eq!(table.header_lines, 1..=2);
    }

    #[test]
    fn banner_rows_name_the_area_and_objective_of_the_rows_below() {
        let g = grid(&[
            &["Ref", "Action", "Lead"],
            &[
                "Area 1: Identification of need",
                "Area 1: Identification of need",
                "Area 1: Identification of need",
            ],
            &["Objective 1.1 Earlier help", "", ""],
            &["1.1.1", "Publish the graduated approach", "Head of SEND"],
            &["Ref", "Action", "Lead"],
            &["Workstream 2 – EHC plans", "Workstream 2 – EHC plans", ""],
            &["2.1", "Audit plans", "PeRi"],
        ]);
        let table = to_table(&g, None).expect("table");
        assert_eq!(table.rows.len(), 2, "the repeated header is skipped");
        let first = &table.rows[0];
        assert_eq!(
            first.area.as_ref().map(|b| b.title.as_str()),
            Some("Identification of need")
        );
        assert_eq!(
            first.area.as_ref().and_then(|b| b.number.as_deref()),
            Some("1")
        );
        assert_eq!(
            first.objective.as_ref().and_then(|b| b.number.as_deref()),
            Some("1.1")
        );
        let second = &table.rows[1];
        assert_eq!(
            second.area.as_ref().map(|b| b.title.as_str()),
            Some("EHC plans")
        );
        assert!(second.objective.is_none(), "a new area ends the objective");
        assert_eq!(table.banners.len(), 3);
    }

    #[test]
    fn banners_are_read_from_their_wording() {
        let b = Banner::read("2.1 Improve the quality of EHC plans");
        assert_eq!(
            (b.kind, b.number.as_deref()),
            (BannerKind::Objective, Some("2.1"))
        );
        let b = Banner::read("Significant weakness 4 - Local Offer");
        assert_eq!(
            (b.kind, b.number.as_deref(), b.title.as_str()),
            (BannerKind::Area, Some("4"), "Local Offer")
        );
        let b = Banner::read("Preparing for adulthood");
        assert_eq!(
            (b.kind, b.number, b.title.as_str()),
            (BannerKind::Area, None, "Preparing for adulthood")
        );
        // "Areas" is not "Area" followed by a name.
        assert_eq!(Banner::read("Areas of focus").kind, BannerKind::Area);
        assert_eq!(Banner::read("Areas of focus").number, None);
    }

    #[test]
    fn outcomes_rows_are_the_areas_outcomes_not_banners() {
        let g = grid(&[
            &["Ref", "Action", "Lead"],
            &[
                "Area 1: Identification",
                "Area 1: Identification",
                "Area 1: Identification",
            ],
            &["1.1", "Publish the toolkit", "Head of SEND"],
            &[
                "Outcomes\n• Earlier identification\n• Fewer exclusions",
                "",
                "",
            ],
            &["1.2", "Train SENCOs", "Head of SEND"],
            &["Outcomes agreed", "Outcomes agreed", "Outcomes agreed"],
            &[
                "• Families feel supported",
                "• Families feel supported",
                "• Families feel supported",
            ],
        ]);
        let table = to_table(&g, None).expect("table");
        assert_eq!(table.rows.len(), 2, "neither outcomes row is an action");
        assert_eq!(
            table
                .outcomes
                .iter()
                .map(|(_, t)| t.as_str())
                .collect::<Vec<_>>(),
            [
                "Earlier identification\nFewer exclusions",
                "Families feel supported"
            ]
        );
        assert!(
            table.rows[1].area.is_some(),
            "the area goes on past its outcomes"
        );
        assert_eq!(outcomes_label("Outcomes we will strive for:"), Some(None));
        assert_eq!(outcomes_label("Outcomes of the review"), None);
    }

    #[test]
    fn a_lone_number_bullet_or_rating_is_not_a_banner() {
        assert_eq!(banner_text(&["1.1".into(), "".into()]), None);
        assert_eq!(banner_text(&["•".into(), "".into()]), None);
        assert_eq!(banner_text(&["".into(), "G".into()]), None);
        assert_eq!(banner_text(&["".into(), "".into(), "Late".into()]), None);
        assert_eq!(banner_text(&["Area 3".into(), "".into()]), Some("Area 3"));
    }

    #[test]
    fn the_header_row_chosen_wins_over_the_guess() {
        let g = grid(&[
            &["Lead", "Action", "Progress"],
            &["Ref", "Task", "Owner"],
            &["1.1", "Do it", "Jo"],
        ]);
        assert_eq!(to_table(&g, None).expect("t").headers[0], "Lead");
        let chosen = to_table(&g, Some(1)).expect("t");
        assert_eq!(chosen.headers, ["Ref", "Task", "Owner"]);
        assert_eq!(chosen.rows.len(), 1);
    }
}

//! Spreadsheets in: an Excel workbook (.xlsx) or a CSV file read into a table of text
//! cells, its columns mapped to plan fields (with suggestions from the header names real
//! plans use), and its rows turned into a plan document, with every problem named by row
//! and column. The document then goes through the same checks and all-or-nothing import
//! as any other.

pub mod layout;
pub mod tracker;
pub mod word;

use crate::document::*;
use calamine::{Reader, SheetVisible, Xlsx};
use sendplan_domain::rating::RatingDefinition;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Cursor;

/// The largest spreadsheet sendplan reads.
pub const MAX_SHEET_BYTES: usize = 10 * 1024 * 1024;

/// Every sheet of a workbook as read (a CSV file is one sheet), hidden ones included so
/// they can be listed, before any header row is chosen. This is what an upload keeps
/// while the person checks it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Workbook {
    pub sheets: Vec<Grid>,
}

/// One sheet's cells as text (numbers as Excel displays them, dates as ISO dates), over
/// the area its cells with something in them cover, with the fills of its cells.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Grid {
    pub name: String,
    pub hidden: bool,
    /// The sheet row (from 1) of the first row.
    pub first_line: usize,
    /// The sheet column (from 0, A) of the first column.
    pub first_column: usize,
    pub rows: Vec<Vec<String>>,
    /// The cells with a solid fill, which some trackers use as the rating itself.
    #[serde(default)]
    pub fills: Vec<CellFill>,
}

/// A cell's fill colour, as RRGGBB.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CellFill {
    pub row: usize,
    pub column: usize,
    pub colour: String,
}

/// A sheet as a table: its header row (or rows, joined) and the data rows beneath it,
/// each with the banners above it; empty rows, banner rows and repeated headers dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub sheet: String,
    pub headers: Vec<String>,
    pub rows: Vec<TableRow>,
    /// The sheet rows the header was read from.
    pub header_lines: std::ops::RangeInclusive<usize>,
    /// The sheet column of the table's first column (0 is A).
    pub first_column: usize,
    /// The banner rows, by sheet row.
    pub banners: Vec<(usize, layout::Banner)>,
    /// Areas' outcomes written in the table ("Outcomes" rows), with the area banner they
    /// were under.
    pub outcomes: Vec<(Option<layout::Banner>, String)>,
}

impl Table {
    /// A table of a CSV-like grid whose first row is the header, as tests write one.
    pub fn from_rows(sheet: &str, headers: Vec<String>, rows: Vec<TableRow>) -> Table {
        Table {
            sheet: sheet.to_owned(),
            headers,
            rows,
            header_lines: 1..=1,
            first_column: 0,
            banners: vec![],
            outcomes: vec![],
        }
    }

    /// The column's name as Excel shows it ("C"), and its heading.
    pub fn column(&self, index: usize) -> (String, &str) {
        (
            column_name(self.first_column + index),
            self.headers.get(index).map_or("", String::as_str),
        )
    }
}

/// One data row, with its row number as the spreadsheet shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    pub line: usize,
    pub cells: Vec<String>,
    /// Fill colours (RRGGBB) of its cells, by column.
    pub fills: Vec<(usize, String)>,
    /// The area banner above the row, if any.
    pub area: Option<layout::Banner>,
    /// The objective banner above the row, if any (since the last area banner).
    pub objective: Option<layout::Banner>,
}

impl TableRow {
    /// A row of cells with nothing else known about it.
    pub fn plain(line: usize, cells: Vec<String>) -> TableRow {
        TableRow {
            line,
            cells,
            fills: vec![],
            area: None,
            objective: None,
        }
    }

    /// The fill of a cell, if it has one.
    pub fn fill(&self, column: usize) -> Option<&str> {
        self.fills
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, colour)| colour.as_str())
    }
}

/// Why a file could not be read as a table at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    #[error("The file is empty")]
    Empty,
    #[error("The file is {:.1} MB; spreadsheets can be at most 10 MB", *.0 as f64 / 1_048_576.0)]
    TooLarge(usize),
    #[error("The file is called {0} but is not an Excel workbook (.xlsx); save it again as .xlsx or CSV")]
    NotXlsx(String),
    #[error("Old Excel files (.xls) cannot be read; save the file as .xlsx or CSV")]
    OldExcel,
    #[error("The file is not a spreadsheet: it is neither an Excel workbook (.xlsx) nor a CSV text file")]
    NotASpreadsheet,
    #[error("The workbook could not be read: {0}")]
    BrokenWorkbook(String),
    #[error("The workbook has no visible sheet with any data")]
    NoData,
    /// A limit of [`limits`] was reached; the text names it.
    #[error("The file is too big to read: {0}")]
    TooBig(String),
    #[error("Row {row}, column {column}: the cell holds an Excel error ({error}); correct the formula and try again")]
    CellError {
        row: usize,
        column: String,
        error: String,
    },
    #[error("The CSV file could not be read at line {line}: {message}")]
    BrokenCsv { line: usize, message: String },
    /// A cell holds an invisible control character (often pasted from another system).
    #[error("{place} holds a hidden control character ({code}), which sendplan cannot keep; delete it (it often comes with text pasted from another system) and try again")]
    HiddenControl { place: String, code: String },
}

/// Reads the first visible sheet with a table of a workbook, or a CSV file, with its header
/// row guessed: for files of one table (measure values, survey results).
pub fn read_table(bytes: &[u8], file_name: &str) -> Result<Table, SheetError> {
    read_workbook(bytes, file_name)?
        .sheets
        .iter()
        .filter(|g| !g.hidden)
        .find_map(layout::to_plain_table)
        .ok_or(SheetError::NoData)
}

/// Reads every sheet of a workbook, or a CSV file (UTF-8, or Windows-1252 as Excel on
/// Windows saves it).
pub fn read_workbook(bytes: &[u8], file_name: &str) -> Result<Workbook, SheetError> {
    if bytes.is_empty() {
        return Err(SheetError::Empty);
    }
    if bytes.len() > MAX_SHEET_BYTES {
        return Err(SheetError::TooLarge(bytes.len()));
    }
    let lower = file_name.to_lowercase();
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    if lower.ends_with(".xls") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(SheetError::OldExcel);
    }
    let workbook = if is_zip && lower.ends_with(".docx") {
        word::read_docx(bytes)?
    } else if lower.ends_with(".docx") {
        return Err(SheetError::NotXlsx(file_name.to_owned()));
    } else if is_zip {
        read_xlsx(bytes)?
    } else if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
        return Err(SheetError::NotXlsx(file_name.to_owned()));
    } else {
        read_csv(bytes, file_name)?
    };
    if workbook.sheets.is_empty() {
        return Err(SheetError::NoData);
    }
    for grid in &workbook.sheets {
        refuse_hidden_controls(grid)?;
    }
    Ok(workbook)
}

/// Refuses a sheet with a control character in any cell (tabs and line breaks are text),
/// naming the first such cell: NUL cannot be stored by PostgreSQL, and the rest are
/// invisible on every page.
fn refuse_hidden_controls(grid: &Grid) -> Result<(), SheetError> {
    use sendplan_domain::input::hidden_control;
    for (r, row) in grid.rows.iter().enumerate() {
        for (i, cell) in row.iter().enumerate() {
            if let Some(code) = hidden_control(cell) {
                return Err(SheetError::HiddenControl {
                    place: format!(
                        "{}, cell {}",
                        grid.name,
                        layout::cell_name(grid.first_column, i, grid.first_line + r)
                    ),
                    code,
                });
            }
        }
    }
    Ok(())
}

/// A column's letters as Excel names it (0 is A, 26 is AA).
pub fn column_name(mut index: usize) -> String {
    let mut name = String::new();
    loop {
        name.insert(0, (b'A' + (index % 26) as u8) as char);
        if index < 26 {
            return name;
        }
        index = index / 26 - 1;
    }
}

/// An Excel serial day number as an ISO date (1900 date system; Excel's fictitious
/// 29 February 1900 is why day 0 is 30 December 1899).
fn serial_date(serial: f64) -> Option<String> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let base = time::macros::date!(1899 - 12 - 30);
    base.checked_add(time::Duration::days(serial.floor() as i64))
        .map(|d| d.to_string())
}

/// A date cell whose format shows only a month and year ("mmm-yy", as trackers head their
/// monthly rating columns) as Excel shows it ("Jan-22"): it means the month, not its first
/// day. `None` for formats that show a day, which are read as the day (an ISO date).
fn month_and_year(serial: f64, format: &str) -> Option<String> {
    let code: String = format
        .split(';')
        .next()
        .unwrap_or(format)
        .chars()
        .filter(|c| !matches!(c, '\\' | '"'))
        .collect::<String>()
        .to_lowercase();
    let code = match code.find(']') {
        Some(end) if code.starts_with('[') => code[end + 1..].to_owned(),
        _ => code,
    };
    if code.contains(['d', 'h', 's']) || !code.contains('m') || !code.contains('y') {
        return None;
    }
    let date = time::Date::parse(
        &serial_date(serial)?,
        &time::format_description::well_known::Iso8601::DATE,
    )
    .ok()?;
    let months = code.matches('m').count();
    let month = match months {
        4.. => date.month().to_string(),
        3 => date.month().to_string().chars().take(3).collect(),
        _ => format!("{:02}", u8::from(date.month())),
    };
    let year = if code.matches('y').count() >= 3 {
        date.year().to_string()
    } else {
        format!("{:02}", date.year() % 100)
    };
    let between = code
        .trim_start_matches('m')
        .chars()
        .take_while(|c| *c != 'y')
        .collect::<String>();
    let separator = if between.is_empty() {
        " ".to_owned()
    } else {
        between
    };
    Some(format!("{month}{separator}{year}"))
}

/// A number as its cell's number format shows it: the decimal places it asks for ("0.00"
/// shows 1.1 as "1.10", which a tracker means as action 1.10), a percentage, thousands
/// separators, and a currency symbol before it. Other formats show the number as Excel's
/// General format does.
fn displayed_number(value: f64, format: Option<&str>) -> String {
    let Some(format) = format.map(|f| f.split(';').next().unwrap_or(f)) else {
        return number_text(value);
    };
    // Quoted text, escapes and [$£-809]-style locale tags are not digits.
    let mut placeholders = String::new();
    let mut prefix = String::new();
    let mut chars = format.chars().peekable();
    let mut in_quotes = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => in_quotes = !in_quotes,
            _ if in_quotes => prefix.push(c),
            '\\' => {
                chars.next();
            }
            '[' => {
                let tag: String = chars.by_ref().take_while(|c| *c != ']').collect();
                if let Some(symbol) = tag.strip_prefix('$') {
                    prefix.push_str(symbol.split('-').next().unwrap_or(""));
                }
            }
            '£' | '$' | '€' if placeholders.is_empty() => prefix.push(c),
            '0' | '#' | '.' | ',' | '%' | '?' => placeholders.push(c),
            _ => {}
        }
    }
    if placeholders.is_empty() || !placeholders.contains('0') && !placeholders.contains('#') {
        return number_text(value);
    }
    let percent = placeholders.contains('%');
    let shown = if percent { value * 100.0 } else { value };
    let decimals = placeholders
        .split_once('.')
        .map_or(0, |(_, after)| {
            after
                .chars()
                .filter(|c| matches!(c, '0' | '#' | '?'))
                .count()
        })
        .min(15);
    let mut text = format!("{:.*}", decimals, shown.abs());
    if placeholders
        .split('.')
        .next()
        .is_some_and(|whole| whole.contains(','))
    {
        let (whole, fraction) = text
            .split_once('.')
            .map_or((text.as_str(), None), |(w, f)| (w, Some(f)));
        let mut grouped = String::new();
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        text = match fraction {
            Some(f) => format!("{grouped}.{f}"),
            None => grouped,
        };
    }
    let sign = if shown < 0.0 && text.chars().any(|c| matches!(c, '1'..='9')) {
        "-"
    } else {
        ""
    };
    format!(
        "{sign}{}{text}{}",
        prefix.trim(),
        if percent { "%" } else { "" }
    )
}

fn number_text(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// What a workbook may hold. Each is checked as the file is read, before anything is
/// sized from it: a sheet's declared dimension is never trusted (one cell at A1 and one at
/// XFD1048576 in a 1.5 KB file once asked for 550 GB), and the zip's expansion is bounded.
pub mod limits {
    /// Rows from a sheet's first used row to its last.
    pub const MAX_ROWS: usize = 10_000;
    /// Columns from a sheet's first used column to its last.
    pub const MAX_COLUMNS: usize = 150;
    /// Cells with something in them, in one sheet.
    pub const MAX_CELLS: usize = 300_000;
    /// Cells with something in them, in all the sheets of a workbook together.
    pub const MAX_WORKBOOK_CELLS: usize = 600_000;
    /// Sheets in a workbook (Excel's own default allows 255; trackers have a handful).
    pub const MAX_SHEETS: usize = 100;
    /// Characters in one cell (Excel's own limit).
    pub const MAX_CELL_CHARS: usize = 32_767;
    /// Bytes of the workbook's parts once unzipped.
    pub const MAX_UNZIPPED_BYTES: u64 = 100 * 1024 * 1024;
    /// How many times larger a part may be unzipped than zipped (real workbooks are ~10).
    pub const MAX_ZIP_RATIO: u64 = 200;
    /// Bytes of text in all the cells of a sheet together, as kept (UTF-8). The largest
    /// CSV file sendplan reads decodes to at most this (a Windows-1252 character takes up
    /// to 3 bytes in UTF-8); a workbook only goes over it by repeating one shared string or
    /// one merged cell far beyond what its file holds (a 29 KB workbook with a cell of
    /// 32,000 characters merged over 1.5 million cells once asked for 48 GB).
    pub const MAX_TEXT_BYTES: usize = 3 * super::MAX_SHEET_BYTES;
    /// Fields on one line of a CSV file, empty ones included: Excel's own number of
    /// columns (A to XFD). Empty fields past [`MAX_COLUMNS`] are allowed, as a spreadsheet
    /// saved with a wide selection writes them, but no spreadsheet writes more than this.
    /// Counted before the line is split, so a line of millions of commas is never made
    /// into millions of cells.
    pub const MAX_CSV_FIELDS: usize = 16_384;
}

/// The first record of a CSV text with more than `max` fields, by the line it starts on,
/// counted without splitting anything (the `csv` crate's own rules: quotes open a field,
/// `""` inside one is a quote, and CR, LF or CRLF end a record outside quotes).
pub(crate) fn record_wider_than(text: &[u8], delimiter: u8, max: usize) -> Option<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        StartRecord,
        StartField,
        InField,
        InQuotes,
        QuoteInQuotes,
    }
    let (mut state, mut line, mut record_line, mut fields) = (State::StartRecord, 1, 1, 0usize);
    for &byte in text {
        let terminator = byte == b'\n' || byte == b'\r';
        if state == State::StartRecord {
            if terminator {
                line += usize::from(byte == b'\n');
                continue;
            }
            (state, record_line, fields) = (State::StartField, line, 1);
            if fields > max {
                return Some(record_line);
            }
        }
        if byte == b'\n' {
            line += 1;
        }
        state = match (state, byte) {
            (State::InQuotes, b'"') => State::QuoteInQuotes,
            (State::InQuotes, _) => State::InQuotes,
            (State::StartField, b'"') | (State::QuoteInQuotes, b'"') => State::InQuotes,
            (_, b) if b == delimiter => {
                fields += 1;
                if fields > max {
                    return Some(record_line);
                }
                State::StartField
            }
            _ if terminator => State::StartRecord,
            _ => State::InField,
        };
    }
    None
}

/// Refuses a workbook whose parts would unzip to more than the limits allow, from the
/// sizes its directory declares (the unzipping itself is bounded again by the cell limits).
pub(crate) fn check_unzipped_size(bytes: &[u8]) -> Result<(), SheetError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| SheetError::BrokenWorkbook(e.to_string()))?;
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let part = archive
            .by_index_raw(index)
            .map_err(|e| SheetError::BrokenWorkbook(e.to_string()))?;
        let (size, packed) = (part.size(), part.compressed_size().max(1));
        total = total.saturating_add(size);
        if size / packed > limits::MAX_ZIP_RATIO && size > 1024 * 1024 {
            return Err(SheetError::TooBig(format!(
                "part of the workbook ({}) would unzip to {} times its size; sendplan reads at most {} times, so this is not a workbook Excel saved",
                part.name().map(|n| n.into_owned()).unwrap_or_default(),
                size / packed,
                limits::MAX_ZIP_RATIO
            )));
        }
    }
    if total > limits::MAX_UNZIPPED_BYTES {
        return Err(SheetError::TooBig(format!(
            "the workbook unzips to {} MB; sendplan reads at most {} MB",
            total / 1_048_576,
            limits::MAX_UNZIPPED_BYTES / 1_048_576
        )));
    }
    Ok(())
}

/// A cell's value as text, or the Excel error it holds. Text is borrowed, not copied, so
/// its length is checked before anything is allocated for it (a shared string is one
/// string however many cells use it).
fn cell_text<'a>(
    cell: &'a calamine::DataRef<'_>,
    format: Option<&str>,
) -> Result<Cow<'a, str>, String> {
    use calamine::DataRef;
    Ok(match cell {
        DataRef::Empty => Cow::Borrowed(""),
        DataRef::String(s) => Cow::Borrowed(s),
        DataRef::SharedString(s) => Cow::Borrowed(s),
        DataRef::Int(i) => Cow::Owned(displayed_number(*i as f64, format)),
        DataRef::Float(f) => Cow::Owned(displayed_number(*f, format)),
        DataRef::Bool(b) => Cow::Borrowed(if *b { "TRUE" } else { "FALSE" }),
        DataRef::DateTime(d) if d.is_datetime() => Cow::Owned(
            format
                .and_then(|f| month_and_year(d.as_f64(), f))
                .or_else(|| serial_date(d.as_f64()))
                .unwrap_or_else(|| number_text(d.as_f64())),
        ),
        DataRef::DateTime(d) => Cow::Owned(number_text(d.as_f64())),
        DataRef::DateTimeIso(s) => Cow::Borrowed(s.get(..10).unwrap_or(s.as_str())),
        DataRef::DurationIso(s) => Cow::Borrowed(s),
        DataRef::Error(e) => return Err(format!("{e:?}")),
    })
}

/// The refusal when the cells of `sheet` hold more text than [`limits::MAX_TEXT_BYTES`].
fn too_much_text(sheet: &str) -> SheetError {
    SheetError::TooBig(format!(
        "the cells of the sheet {sheet} hold more than {} MB of text; sendplan reads at most that much",
        limits::MAX_TEXT_BYTES / 1_048_576
    ))
}

/// What has been read of a workbook so far, for the limits that hold across its sheets.
#[derive(Default)]
struct Budget {
    cells: usize,
    text_bytes: usize,
}

/// One sheet's cells with something in them, read one at a time within the limits, then
/// laid out as a grid over the area they actually cover. Numbers are shown as the cell's
/// number format shows them ("1.10", not 1.1), and solid fills are kept.
fn read_sheet(
    workbook: &mut Xlsx<Cursor<Vec<u8>>>,
    sheet: &str,
    hidden: bool,
    budget: &mut Budget,
) -> Result<Option<Grid>, SheetError> {
    let broken = |e: calamine::XlsxError| SheetError::BrokenWorkbook(e.to_string());
    let mut reader = workbook.worksheet_cells_reader(sheet).map_err(broken)?;
    let mut cells: Vec<(u32, u32, String)> = Vec::new();
    let mut fills: Vec<(u32, u32, String)> = Vec::new();
    let mut text_bytes = 0usize;
    let (mut top, mut left, mut bottom, mut right) = (u32::MAX, u32::MAX, 0u32, 0u32);
    while let Some((cell, style_id)) = reader.next_cell_with_style_id().map_err(broken)? {
        let (row, column) = cell.get_position();
        let style = reader.styles().get(style_id);
        if let Some(colour) = style.and_then(solid_fill) {
            if fills.len() >= limits::MAX_CELLS {
                return Err(SheetError::TooBig(format!(
                    "the sheet {sheet} has more than {} coloured cells; sendplan reads at most that many",
                    limits::MAX_CELLS
                )));
            }
            fills.push((row, column, colour));
        }
        let format = style
            .and_then(|s| s.number_format.as_ref())
            .map(|f| f.format_code.as_str());
        let text = cell_text(cell.get_value(), format).map_err(|error| SheetError::CellError {
            row: row as usize + 1,
            column: column_name(column as usize),
            error,
        })?;
        if text.is_empty() {
            continue;
        }
        if text.chars().count() > limits::MAX_CELL_CHARS {
            return Err(SheetError::TooBig(format!(
                "cell {}{} on the sheet {sheet} holds more than {} characters, Excel's own limit",
                column_name(column as usize),
                row + 1,
                limits::MAX_CELL_CHARS
            )));
        }
        (top, left) = (top.min(row), left.min(column));
        (bottom, right) = (bottom.max(row), right.max(column));
        if (bottom - top) as usize >= limits::MAX_ROWS {
            return Err(SheetError::TooBig(format!(
                "the sheet {sheet} has something in row {} and in row {}; sendplan reads at most {} rows. Delete what is below the table, or copy the table to a new workbook",
                top + 1,
                bottom + 1,
                limits::MAX_ROWS
            )));
        }
        if (right - left) as usize >= limits::MAX_COLUMNS {
            return Err(SheetError::TooBig(format!(
                "the sheet {sheet} has something in column {} and in column {}; sendplan reads at most {} columns. Delete what is to the right of the table, or copy the table to a new workbook",
                column_name(left as usize),
                column_name(right as usize),
                limits::MAX_COLUMNS
            )));
        }
        budget.cells += 1;
        if cells.len() >= limits::MAX_CELLS || budget.cells > limits::MAX_WORKBOOK_CELLS {
            return Err(SheetError::TooBig(format!(
                "the sheet {sheet} (or the workbook) has more cells with something in them than sendplan reads: at most {} in a sheet and {} in a workbook",
                limits::MAX_CELLS,
                limits::MAX_WORKBOOK_CELLS
            )));
        }
        text_bytes += text.len();
        budget.text_bytes += text.len();
        if text_bytes > limits::MAX_TEXT_BYTES || budget.text_bytes > limits::MAX_TEXT_BYTES {
            return Err(too_much_text(sheet));
        }
        cells.push((row, column, text.into_owned()));
    }
    drop(reader);
    if cells.is_empty() {
        return Ok(None);
    }
    let (rows, columns) = ((bottom - top) as usize + 1, (right - left) as usize + 1);
    let mut grid = vec![vec![String::new(); columns]; rows];
    for (row, column, text) in cells {
        grid[(row - top) as usize][(column - left) as usize] = text;
    }
    // A merged cell's value belongs to every cell it covers (a merged "Area 1" label down
    // a column applies to each row). Only the part inside the table is visited, and the
    // copies count towards the limits as cells read do. A region that starts outside the
    // table starts at an empty cell, so has nothing to copy.
    let mut merged_cells = 0usize;
    for region in workbook.merge_cells_by_sheet_name(sheet).map_err(broken)? {
        if !(top..=bottom).contains(&region.start.0) || !(left..=right).contains(&region.start.1) {
            continue;
        }
        let first = (
            (region.start.0 - top) as usize,
            (region.start.1 - left) as usize,
        );
        let last = (
            (region.end.0.min(bottom).saturating_sub(top) as usize).clamp(first.0, rows - 1),
            (region.end.1.min(right).saturating_sub(left) as usize).clamp(first.1, columns - 1),
        );
        let value = grid[first.0][first.1].clone();
        if value.is_empty() {
            continue;
        }
        let copies = (last.0 - first.0 + 1) * (last.1 - first.1 + 1) - 1;
        merged_cells = merged_cells.saturating_add(copies);
        if merged_cells > limits::MAX_CELLS {
            return Err(SheetError::TooBig(format!(
                "the merged cells on the sheet {sheet} cover more than {} cells; sendplan reads at most that many. Unmerge the cells, or copy the table to a new workbook",
                limits::MAX_CELLS
            )));
        }
        text_bytes = text_bytes.saturating_add(value.len().saturating_mul(copies));
        budget.text_bytes = budget
            .text_bytes
            .saturating_add(value.len().saturating_mul(copies));
        if text_bytes > limits::MAX_TEXT_BYTES || budget.text_bytes > limits::MAX_TEXT_BYTES {
            return Err(too_much_text(sheet));
        }
        for row in grid.iter_mut().take(last.0 + 1).skip(first.0) {
            for cell in row.iter_mut().take(last.1 + 1).skip(first.1) {
                cell.clone_from(&value);
            }
        }
    }
    let fills = fills
        .into_iter()
        .filter(|(r, c, _)| (top..=bottom).contains(r) && (left..=right).contains(c))
        .map(|(r, c, colour)| CellFill {
            row: (r - top) as usize,
            column: (c - left) as usize,
            colour,
        })
        .collect();
    Ok(Some(Grid {
        name: sheet.to_owned(),
        hidden,
        first_line: top as usize + 1,
        first_column: left as usize,
        rows: grid,
        fills,
    }))
}

fn read_xlsx(bytes: &[u8]) -> Result<Workbook, SheetError> {
    check_unzipped_size(bytes)?;
    let mut workbook: Xlsx<Cursor<Vec<u8>>> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec()))
            .map_err(|e: calamine::XlsxError| SheetError::BrokenWorkbook(e.to_string()))?;
    let sheets: Vec<(String, bool)> = workbook
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible != SheetVisible::Visible))
        .collect();
    if sheets.len() > limits::MAX_SHEETS {
        return Err(SheetError::TooBig(format!(
            "the workbook has {} sheets; sendplan reads at most {}",
            sheets.len(),
            limits::MAX_SHEETS
        )));
    }
    let mut budget = Budget::default();
    let mut read = Vec::new();
    for (sheet, hidden) in sheets {
        if let Some(grid) = read_sheet(&mut workbook, &sheet, hidden, &mut budget)? {
            read.push(grid);
        }
    }
    if read.iter().all(|g| g.hidden) {
        return Err(SheetError::NoData);
    }
    Ok(Workbook { sheets: read })
}

/// A cell style's solid fill colour as RRGGBB (white and no fill are no colour).
fn solid_fill(style: &calamine::Style) -> Option<String> {
    let fill = style.fill.as_ref()?;
    if fill.pattern != calamine::FillPattern::Solid {
        return None;
    }
    let colour = fill.get_color()?;
    if colour.is_white() {
        return None;
    }
    Some(format!("{:06X}", colour.to_argb() & 0x00FF_FFFF))
}

/// A CSV file as one sheet, named after the file (as Excel names it on opening).
fn read_csv(bytes: &[u8], file_name: &str) -> Result<Workbook, SheetError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    };
    let binary = text
        .chars()
        .filter(|c| sendplan_domain::input::is_hidden_control(*c))
        .count();
    if binary * 100 > text.len().max(1) {
        return Err(SheetError::NotASpreadsheet);
    }
    let delimiter = if text
        .lines()
        .next()
        .is_some_and(|l| l.matches('\t').count() > l.matches(',').count())
    {
        b'\t'
    } else {
        b','
    };
    if let Some(line) = record_wider_than(text.as_bytes(), delimiter, limits::MAX_CSV_FIELDS) {
        return Err(SheetError::TooBig(format!(
            "line {line} has more than {} fields; sendplan reads at most {} columns, and no spreadsheet writes more than {} fields on a line",
            limits::MAX_CSV_FIELDS,
            limits::MAX_COLUMNS,
            limits::MAX_CSV_FIELDS
        )));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut grid = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| SheetError::BrokenCsv {
            line: n + 1,
            message: e.to_string(),
        })?;
        // The same limits as a workbook, checked line by line before the line is kept.
        if n >= limits::MAX_ROWS {
            return Err(SheetError::TooBig(format!(
                "the file has more than {} lines; sendplan reads at most that many",
                limits::MAX_ROWS
            )));
        }
        let used = used_columns(&record);
        if used > limits::MAX_COLUMNS {
            return Err(SheetError::TooBig(format!(
                "line {} has {used} columns; sendplan reads at most {} columns",
                n + 1,
                limits::MAX_COLUMNS
            )));
        }
        if let Some(long) = record
            .iter()
            .position(|c| c.chars().count() > limits::MAX_CELL_CHARS)
        {
            return Err(SheetError::TooBig(format!(
                "line {}, column {} holds more than {} characters",
                n + 1,
                column_name(long),
                limits::MAX_CELL_CHARS
            )));
        }
        // sendplan's own exports neutralise formula-like cells; read them as typed. Empty
        // fields past the last used column are not kept (a workbook has none either).
        grid.push(
            record
                .iter()
                .take(used)
                .map(|cell| crate::sheet_export::restore_cell(cell).to_owned())
                .collect(),
        );
    }
    Ok(Workbook {
        sheets: vec![Grid {
            name: std::path::Path::new(file_name)
                .file_stem()
                .map_or_else(|| "CSV".to_owned(), |s| s.to_string_lossy().into_owned()),
            hidden: false,
            first_line: 1,
            first_column: 0,
            rows: grid,
            fills: vec![],
        }],
    })
}

/// How many columns of a CSV record are used: up to its last field with something in it.
pub(crate) fn used_columns(record: &csv::StringRecord) -> usize {
    (0..record.len())
        .rev()
        .find(|&i| record.get(i).is_some_and(|cell| !cell.is_empty()))
        .map_or(0, |last| last + 1)
}

sendplan_domain::coded_enum! {
    /// What a column of an action spreadsheet can hold.
    Field {
        Number => ("number", "Number (1.1 or 2.3.1)"),
        AreaTitle => ("area_title", "Area title"),
        ObjectiveTitle => ("objective_title", "Objective or workstream title"),
        Description => ("description", "Action"),
        Lead => ("lead", "Lead"),
        Partners => ("partners", "Partners"),
        Resources => ("resources", "Resources"),
        Evidence => ("evidence", "Evidence of success"),
        AccountabilityMeasures => ("accountability_measures", "Accountability measures"),
        IntendedOutcome => ("intended_outcome", "Intended outcome or impact"),
        ImpactMeasures => ("impact_measures", "Impact measures (KPIs and targets)"),
        Milestones => ("milestones", "Key milestones"),
        Start => ("start", "Start date"),
        Completion => ("completion", "Completion date or timeframe"),
        Progress => ("progress", "Progress rating"),
        ProgressNotes => ("progress_notes", "Progress notes"),
    }
}

impl Field {
    /// The column header sendplan writes for the field (and reads back).
    pub fn header(self) -> &'static str {
        match self {
            Field::Number => "Number",
            Field::AreaTitle => "Area",
            Field::ObjectiveTitle => "Objective",
            Field::Description => "Action",
            Field::Lead => "Lead",
            Field::Partners => "Partners",
            Field::Resources => "Resources",
            Field::Evidence => "Evidence of success",
            Field::AccountabilityMeasures => "Accountability measures",
            Field::IntendedOutcome => "Intended outcome",
            Field::ImpactMeasures => "Impact measures",
            Field::Milestones => "Key milestones",
            Field::Start => "Start date",
            Field::Completion => "Completion date",
            Field::Progress => "Progress",
            Field::ProgressNotes => "Progress notes",
        }
    }

    /// The fields every import needs.
    pub const REQUIRED: [Field; 2] = [Field::Number, Field::Description];

    /// The field a header names, from the headers seen in real plans.
    pub fn from_header(header: &str) -> Option<Field> {
        let h: String = header
            .to_lowercase()
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect();
        let h = h.split_whitespace().collect::<Vec<_>>().join(" ");
        if h.is_empty() {
            return None;
        }
        let has = |word: &str| h.contains(word);
        let word = |w: &str| h.split(' ').any(|x| x == w);
        Some(match h.as_str() {
            "number" | "no" | "ref" | "reference" | "action number" | "action no"
            | "activity number" | "id" | "item" | "ref no" => Field::Number,
            "area"
            | "area title"
            | "area of weakness"
            | "area for development"
            | "workstream"
            | "work stream" => Field::AreaTitle,
            "objective" | "objective title" | "objectives" => Field::ObjectiveTitle,
            "action"
            | "actions"
            | "activity"
            | "activities"
            | "description"
            | "actions for implementation"
            | "what we will do"
            | "task"
            | "tasks"
            | "improvement"
            | "improvements" => Field::Description,
            "owner" | "owners" | "action owner" => Field::Lead,
            "position" | "current position" => Field::Progress,
            "narrative" => Field::ProgressNotes,
            "due" | "due by" => Field::Completion,
            "partners" | "partner" => Field::Partners,
            "resources" => Field::Resources,
            _ if has("progress")
                && (has("notes") || has("narrative") || has("update") || has("commentary")) =>
            {
                Field::ProgressNotes
            }
            _ if has("progress")
                || word("brag")
                || word("rag")
                || has("rating")
                || word("status") =>
            {
                Field::Progress
            }
            _ if has("milestone") => Field::Milestones,
            _ if has("completion")
                || has("end date")
                || has("timeframe")
                || has("timescale")
                || has("deadline")
                || has("due date")
                || has("by when") =>
            {
                Field::Completion
            }
            _ if has("start") => Field::Start,
            _ if has("lead") => Field::Lead,
            _ if has("evidence") => Field::Evidence,
            _ if has("accountability") => Field::AccountabilityMeasures,
            _ if has("intended outcome") || h == "impact" || has("outcome") => {
                Field::IntendedOutcome
            }
            _ if has("impact measure")
                || has("measures of success")
                || has("success measure")
                || has("kpi")
                || has("target")
                || has("impact indicator") =>
            {
                Field::ImpactMeasures
            }
            _ if has("resource") => Field::Resources,
            _ if has("action") || has("activit") => Field::Description,
            _ => return None,
        })
    }
}

/// Which column (by position) holds each field, for a file of one table.
pub type Mapping = BTreeMap<Field, usize>;

pub use tracker::table_to_document;

/// The mapping the headers suggest: the first column naming each field.
pub fn suggest_mapping(table: &Table) -> Mapping {
    let mut mapping = Mapping::new();
    for (i, header) in table.headers.iter().enumerate() {
        if let Some(field) = Field::from_header(header) {
            mapping.entry(field).or_insert(i);
        }
    }
    mapping
}

/// A problem with one cell, or with a whole column or choice (`row` 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    /// The sheet's name, empty for the whole file.
    pub sheet: String,
    /// The sheet's row number as Excel shows it, or 0 for a whole column or choice.
    pub row: usize,
    /// The column's letters ("C"), or for row 0 the column heading or field concerned.
    pub column: String,
    /// The column's heading, when a cell is named.
    pub heading: String,
    pub message: String,
}

impl CellProblem {
    /// A problem with a whole column or choice, not one cell.
    pub fn whole(column: &str, message: String) -> CellProblem {
        CellProblem {
            sheet: String::new(),
            row: 0,
            column: column.to_owned(),
            heading: String::new(),
            message,
        }
    }

    /// Where the problem is, as Excel names it: "Area 2, C14 (Lead)", "Area 2, row 14".
    pub fn place(&self) -> String {
        let sheet = if self.sheet.is_empty() {
            String::new()
        } else {
            format!("{}, ", self.sheet)
        };
        match (self.row, self.column.is_empty()) {
            (0, _) => format!("{sheet}{}", self.column),
            (row, true) => format!("{sheet}row {row}"),
            (row, false) if self.heading.is_empty() => format!("{sheet}{}{row}", self.column),
            (row, false) => format!("{sheet}{}{row} ({})", self.column, self.heading),
        }
    }
}

impl std::fmt::Display for CellProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.place(), self.message)
    }
}

/// What the imported plan is and where it goes.
#[derive(Debug, Clone)]
pub struct SheetTarget {
    pub partnership: Partnership,
    /// People already in the partnership, for resolving leads.
    pub people: Vec<Person>,
    pub organisations: Vec<Organisation>,
    pub title: String,
    pub kind: String,
    pub status: String,
    pub ratings: Vec<RatingDefinition>,
    /// The date progress ratings in the sheet are recorded at.
    pub as_at: time::Date,
}

/// The resources a cell names, one a line: additional when it says so ("(A)", "additional"), with the
/// first pound amount in it.
pub(crate) fn resources(text: &str) -> Vec<Resource> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(resource)
        .collect()
}

/// One resource line.
fn resource(text: &str) -> Resource {
    Resource {
        kind: if text.to_lowercase().contains("additional") || text.contains("(A)") {
            "additional"
        } else {
            "existing"
        }
        .to_owned(),
        description: text.to_owned(),
        amount_pence: sendplan_domain::input::parse_pounds(
            text.split_whitespace()
                .find(|w| w.starts_with('£'))
                .unwrap_or(""),
        ),
    }
}

/// The milestones a cell lists, one a line (bullets dropped), each due when its text
/// names a date.
pub(crate) fn milestones(text: &str) -> Vec<Milestone> {
    text.lines()
        .map(|l| l.trim().trim_start_matches(['•', '-', '*']).trim())
        .filter(|l| !l.is_empty())
        .map(|line| {
            // The date the line ends with ("(Jan. 2022)", "from February 2022"), as
            // written; a line that is only a date is its own due date.
            let read = sendplan_domain::dates::PlanDate::parse(line);
            let due = match tracker::date_in_text(line) {
                Some((written, _)) => Some(written),
                None => read.deadline().map(|_| line.to_owned()),
            };
            Milestone {
                title: line.to_owned(),
                due,
                success_criteria: None,
                done: None,
                done_evidence: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_from_real_plans_are_recognised() {
        for (header, field) in [
            ("Actions for implementation", Field::Description),
            ("Lead Officer", Field::Lead),
            ("Lead & Resources", Field::Lead),
            ("Evidence of success", Field::Evidence),
            ("Impact measures (KPI's / Targets)", Field::ImpactMeasures),
            ("Key Milestones", Field::Milestones),
            ("Completion date", Field::Completion),
            ("Timeframe", Field::Completion),
            ("Progress checks", Field::Progress),
            ("Progress (BRAG)", Field::Progress),
            ("Accountability measures", Field::AccountabilityMeasures),
            ("End date", Field::Completion),
            ("Measures of success", Field::ImpactMeasures),
            ("Improvement", Field::Description),
            ("Owner", Field::Lead),
            ("Intended outcome/Impact", Field::IntendedOutcome),
        ] {
            assert_eq!(Field::from_header(header), Some(field), "{header}");
        }
        assert_eq!(Field::from_header("Notes to self"), None);
        assert_eq!(Field::from_header("Average wait"), None);
        for &field in Field::ALL {
            assert_eq!(
                Field::from_header(field.header()),
                Some(field),
                "sendplan reads back its own header for {field:?}"
            );
        }
    }

    #[test]
    fn column_names_count_like_a_spreadsheet() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 300, ..Default::default() })]

        /// The count made before a CSV file is split agrees with how the `csv` crate
        /// splits it, on the characters that decide it.
        #[test]
        fn fields_are_counted_before_splitting_as_the_csv_reader_splits_them(
            text in "[a,\"\r\n ]{0,60}",
            max in 0usize..6,
        ) {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_bytes());
            // The line a record starts on: the csv crate gives where it began looking for
            // it, before any empty lines it skipped.
            let first_wider = reader
                .byte_records()
                .map_while(Result::ok)
                .find(|record| record.len() > max)
                .and_then(|record| record.position().map(|p| p.byte() as usize))
                .map(|start| {
                    let skipped = text.as_bytes()[start..]
                        .iter()
                        .take_while(|b| matches!(b, b'\r' | b'\n'));
                    let before = text.as_bytes()[..start].iter();
                    1 + before.chain(skipped).filter(|b| **b == b'\n').count()
                });
            proptest::prop_assert_eq!(record_wider_than(text.as_bytes(), b',', max), first_wider);
        }
    }

    #[test]
    fn numbers_and_month_dates_are_shown_as_their_format_shows_them() {
        assert_eq!(displayed_number(1.1, Some("0.00")), "1.10");
        assert_eq!(displayed_number(2.2, Some("General")), "2.2");
        assert_eq!(displayed_number(0.425, Some("0.0%")), "42.5%");
        assert_eq!(displayed_number(25000.0, Some("\"£\"#,##0")), "£25,000");
        assert_eq!(displayed_number(3.0, None), "3");
        // 44562 is 1 January 2022.
        assert_eq!(
            month_and_year(44_562.0, "mmm-yy").as_deref(),
            Some("Jan-22")
        );
        assert_eq!(
            month_and_year(44_562.0, "mmmm yyyy").as_deref(),
            Some("January 2022")
        );
        assert_eq!(month_and_year(44_562.0, "dd/mm/yyyy"), None);
    }

    #[test]
    fn excel_serial_numbers_are_dates() {
        assert_eq!(serial_date(44_620.0).as_deref(), Some("2022-02-28"));
        assert_eq!(serial_date(-3.0), None);
    }
}

/// The target for importing a spreadsheet into a partnership: its people and organisations
/// (for resolving leads) with the plan's details.
pub async fn target_in(
    store: &sendplan_storage::Store,
    partnership: sendplan_domain::PartnershipId,
    plan: PlanDetails,
) -> Result<SheetTarget, sendplan_storage::StoreError> {
    let p = store.get_partnership(partnership).await?;
    let people = store.list_people(partnership).await?;
    let organisations = store.list_organisations(partnership).await?;
    let some = |text: &str| (!text.is_empty()).then(|| text.to_owned());
    Ok(SheetTarget {
        partnership: Partnership {
            name: p.name.clone(),
            la_code: p.la_code.clone(),
        },
        people: people
            .iter()
            .map(|x| Person {
                key: format!("known{}", x.id),
                name: some(&x.name),
                job_title: some(&x.job_title),
                organisation: x.organisation_id.map(|o| format!("org{o}")),
                short_code: some(&x.short_code),
                email: some(&x.email),
                to_review: x.to_review,
            })
            .collect(),
        organisations: organisations
            .iter()
            .map(|o| Organisation {
                key: format!("org{}", o.id),
                name: o.name.clone(),
                kind: o.kind.code().to_owned(),
            })
            .collect(),
        title: plan.title,
        kind: plan.kind,
        status: plan.status,
        ratings: plan.ratings,
        as_at: plan.as_at,
    })
}

/// What a spreadsheet does not say about the plan it holds.
#[derive(Debug, Clone)]
pub struct PlanDetails {
    pub title: String,
    pub kind: String,
    pub status: String,
    pub ratings: Vec<RatingDefinition>,
    pub as_at: time::Date,
}

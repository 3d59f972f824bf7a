//! Spreadsheets in: an Excel workbook (.xlsx) or a CSV file read into a table of text
//! cells, its columns mapped to plan fields (with suggestions from the header names real
//! plans use), and its rows turned into a plan document, with every problem named by row
//! and column. The document then goes through the same checks and all-or-nothing import
//! as any other.

use crate::document::*;
use calamine::{Reader, SheetVisible, Xlsx};
use sendplan_domain::leads::{looks_like_a_name, resolve, KnownPerson, Lead, PeopleIndex};
use sendplan_domain::numbering::ItemNumber;
use sendplan_domain::rating::RatingDefinition;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;

/// The largest spreadsheet sendplan reads.
pub const MAX_SHEET_BYTES: usize = 10 * 1024 * 1024;

/// A sheet as text: the header row and the data rows beneath it (empty rows dropped).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Table {
    pub sheet: String,
    pub headers: Vec<String>,
    pub rows: Vec<TableRow>,
}

/// One data row, with its row number as the spreadsheet shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TableRow {
    pub line: usize,
    pub cells: Vec<String>,
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

/// Reads the first visible sheet of a workbook, or a CSV file (UTF-8, or Windows-1252 as
/// Excel on Windows saves it).
pub fn read_table(bytes: &[u8], file_name: &str) -> Result<Table, SheetError> {
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
    let table = if is_zip {
        read_xlsx(bytes)?
    } else if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
        return Err(SheetError::NotXlsx(file_name.to_owned()));
    } else {
        read_csv(bytes)?
    };
    refuse_hidden_controls(&table)?;
    Ok(table)
}

/// Refuses a table with a control character in any cell (tabs and line breaks are text),
/// naming the first such cell: NUL cannot be stored by PostgreSQL, and the rest are
/// invisible on every page.
fn refuse_hidden_controls(table: &Table) -> Result<(), SheetError> {
    use sendplan_domain::input::hidden_control;
    for (i, heading) in table.headers.iter().enumerate() {
        if let Some(code) = hidden_control(heading) {
            return Err(SheetError::HiddenControl {
                place: format!("The heading of column {}", column_name(i)),
                code,
            });
        }
    }
    for row in &table.rows {
        for (i, cell) in row.cells.iter().enumerate() {
            if let Some(code) = hidden_control(cell) {
                return Err(SheetError::HiddenControl {
                    place: format!("Row {}, column {}", row.line, column_name(i)),
                    code,
                });
            }
        }
    }
    Ok(())
}

fn column_name(mut index: usize) -> String {
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
fn check_unzipped_size(bytes: &[u8]) -> Result<(), SheetError> {
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
fn cell_text<'a>(cell: &'a calamine::DataRef<'_>) -> Result<Cow<'a, str>, String> {
    use calamine::DataRef;
    Ok(match cell {
        DataRef::Empty => Cow::Borrowed(""),
        DataRef::String(s) => Cow::Borrowed(s),
        DataRef::SharedString(s) => Cow::Borrowed(s),
        DataRef::Int(i) => Cow::Owned(i.to_string()),
        DataRef::Float(f) => Cow::Owned(number_text(*f)),
        DataRef::Bool(b) => Cow::Borrowed(if *b { "TRUE" } else { "FALSE" }),
        DataRef::DateTime(d) if d.is_datetime() => {
            Cow::Owned(serial_date(d.as_f64()).unwrap_or_else(|| number_text(d.as_f64())))
        }
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

/// A sheet's cells as text, row by row.
type Grid = Vec<Vec<String>>;

/// One sheet's cells with something in them, read one at a time within the limits, then
/// laid out as a grid over the area they actually cover, with the sheet row it starts at.
fn read_sheet(
    workbook: &mut Xlsx<Cursor<Vec<u8>>>,
    sheet: &str,
) -> Result<Option<(Grid, u32)>, SheetError> {
    let broken = |e: calamine::XlsxError| SheetError::BrokenWorkbook(e.to_string());
    let mut reader = workbook.worksheet_cells_reader(sheet).map_err(broken)?;
    let mut cells: Vec<(u32, u32, String)> = Vec::new();
    let mut text_bytes = 0usize;
    let (mut top, mut left, mut bottom, mut right) = (u32::MAX, u32::MAX, 0u32, 0u32);
    while let Some(cell) = reader.next_cell().map_err(broken)? {
        let (row, column) = cell.get_position();
        let text = cell_text(cell.get_value()).map_err(|error| SheetError::CellError {
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
        if cells.len() >= limits::MAX_CELLS {
            return Err(SheetError::TooBig(format!(
                "the sheet {sheet} has more than {} cells with something in them; sendplan reads at most that many",
                limits::MAX_CELLS
            )));
        }
        text_bytes += text.len();
        if text_bytes > limits::MAX_TEXT_BYTES {
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
        if text_bytes > limits::MAX_TEXT_BYTES {
            return Err(too_much_text(sheet));
        }
        for row in grid.iter_mut().take(last.0 + 1).skip(first.0) {
            for cell in row.iter_mut().take(last.1 + 1).skip(first.1) {
                cell.clone_from(&value);
            }
        }
    }
    Ok(Some((grid, top)))
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, SheetError> {
    check_unzipped_size(bytes)?;
    let mut workbook: Xlsx<Cursor<Vec<u8>>> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec()))
            .map_err(|e: calamine::XlsxError| SheetError::BrokenWorkbook(e.to_string()))?;
    let sheets: Vec<String> = workbook
        .sheets_metadata()
        .iter()
        .filter(|s| s.visible == SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect();
    for sheet in sheets {
        let Some((grid, first_row)) = read_sheet(&mut workbook, &sheet)? else {
            continue;
        };
        if let Some(table) = to_table(&sheet, grid, first_row as usize + 1) {
            return Ok(table);
        }
    }
    Err(SheetError::NoData)
}

fn read_csv(bytes: &[u8]) -> Result<Table, SheetError> {
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
    to_table("CSV", grid, 1).ok_or(SheetError::NoData)
}

/// How many columns of a CSV record are used: up to its last field with something in it.
pub(crate) fn used_columns(record: &csv::StringRecord) -> usize {
    (0..record.len())
        .rev()
        .find(|&i| record.get(i).is_some_and(|cell| !cell.is_empty()))
        .map_or(0, |last| last + 1)
}

/// Finds the header row (the first row naming at least two known columns, else the first
/// non-empty row) and keeps the non-empty rows below it.
fn to_table(sheet: &str, grid: Vec<Vec<String>>, first_line: usize) -> Option<Table> {
    let non_empty = |row: &Vec<String>| row.iter().any(|c| !c.trim().is_empty());
    let known = |row: &Vec<String>| {
        row.iter()
            .filter(|c| Field::from_header(c).is_some())
            .count()
    };
    let header = grid
        .iter()
        .position(|row| known(row) >= 2)
        .or_else(|| grid.iter().position(non_empty))?;
    let headers: Vec<String> = grid[header].iter().map(|h| h.trim().to_owned()).collect();
    let rows = grid
        .into_iter()
        .enumerate()
        .skip(header + 1)
        .filter(|(_, row)| non_empty(row))
        .map(|(i, mut cells)| {
            cells.resize(headers.len().max(cells.len()), String::new());
            TableRow {
                line: first_line + i,
                cells: cells.into_iter().map(|c| c.trim().to_owned()).collect(),
            }
        })
        .collect();
    Some(Table {
        sheet: sheet.to_owned(),
        headers,
        rows,
    })
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
            | "activity number" | "id" => Field::Number,
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
            | "what we will do" => Field::Description,
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

/// Which column (by position) holds each field.
pub type Mapping = BTreeMap<Field, usize>;

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

/// A problem with one cell (or a missing column, when `column` names the field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    /// The spreadsheet's row number, or 0 for the whole file.
    pub row: usize,
    pub column: String,
    pub message: String,
}

impl std::fmt::Display for CellProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.row == 0 {
            write!(f, "{}: {}", self.column, self.message)
        } else {
            write!(
                f,
                "Row {}, column {}: {}",
                self.row, self.column, self.message
            )
        }
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

/// Turns a mapped table into a plan document, or lists every problem by row and column.
pub fn table_to_document(
    table: &Table,
    mapping: &Mapping,
    target: &SheetTarget,
) -> Result<Document, Vec<CellProblem>> {
    let mut problems = Vec::new();
    let column = |field: Field| {
        mapping.get(&field).map(|i| {
            format!(
                "{} ({})",
                column_name(*i),
                table.headers.get(*i).map_or("", String::as_str)
            )
        })
    };
    for field in Field::REQUIRED {
        if !mapping.contains_key(&field) {
            problems.push(CellProblem {
                row: 0,
                column: field.label().to_owned(),
                message: "choose the column that holds it; this column is required".to_owned(),
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    fn cell<'r>(mapping: &Mapping, row: &'r TableRow, field: Field) -> &'r str {
        mapping
            .get(&field)
            .and_then(|i| row.cells.get(*i))
            .map_or("", |s| s.as_str())
    }
    let cell = |row, field| cell(mapping, row, field);
    let mut people = target.people.clone();
    // Indexed once; each person added for review is added to it too, so a lead written
    // the same way on another row finds them.
    let mut known = PeopleIndex::new(people.iter().map(|p| KnownPerson {
        name: p.name.as_deref().unwrap_or(""),
        job_title: p.job_title.as_deref().unwrap_or(""),
        short_code: p.short_code.as_deref().unwrap_or(""),
    }));
    let mut areas: BTreeMap<Vec<u32>, Area> = BTreeMap::new();
    let mut objectives: BTreeMap<Vec<u32>, Objective> = BTreeMap::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut actions = Vec::new();
    for row in &table.rows {
        let problem = |field: Field, message: String| CellProblem {
            row: row.line,
            column: column(field).unwrap_or_default(),
            message,
        };
        let number_text = cell(row, Field::Number);
        let number = match ItemNumber::parse(number_text) {
            Ok(n) if n.segments().len() >= 2 && n.segments().len() <= 3 => n,
            Ok(_) => {
                problems.push(problem(
                    Field::Number,
                    format!("\"{number_text}\" must have two or three parts, like 1.2 or 2.3.1"),
                ));
                continue;
            }
            Err(e) => {
                problems.push(problem(
                    Field::Number,
                    if number_text.is_empty() {
                        "the action has no number".to_owned()
                    } else {
                        format!("\"{number_text}\": {e}")
                    },
                ));
                continue;
            }
        };
        if let Some(first) = seen.insert(number.to_string(), row.line) {
            problems.push(problem(
                Field::Number,
                format!("action {number} is also on row {first}"),
            ));
            continue;
        }
        let description = cell(row, Field::Description);
        if description.is_empty() {
            problems.push(problem(
                Field::Description,
                format!("action {number} has no description"),
            ));
        }
        let segments = number.segments();
        let area_number = segments[..1].to_vec();
        let area_title = cell(row, Field::AreaTitle);
        let area = areas.entry(area_number.clone()).or_insert_with(|| Area {
            number: area_number[0].to_string(),
            title: format!("Area {}", area_number[0]),
            findings: vec![],
            senior_responsible_officer: None,
            outcomes: None,
            objectives: vec![],
        });
        if !area_title.is_empty()
            && area.title.starts_with("Area ")
            && area.title == format!("Area {}", area_number[0])
        {
            area.title = area_title.to_owned();
        }
        let objective = (segments.len() == 3).then(|| {
            let key = segments[..2].to_vec();
            let title = cell(row, Field::ObjectiveTitle);
            let entry = objectives.entry(key.clone()).or_insert_with(|| Objective {
                number: format!("{}.{}", key[0], key[1]),
                title: format!("Objective {}.{}", key[0], key[1]),
                i_statement: None,
                impact_indicators: None,
                milestones: None,
            });
            if !title.is_empty() && entry.title == format!("Objective {}.{}", key[0], key[1]) {
                entry.title = title.to_owned();
            }
            entry.number.clone()
        });
        let lead_text = cell(row, Field::Lead);
        let resolved = resolve(lead_text, &known);
        let mut leads = Vec::new();
        for lead in resolved {
            match lead {
                Lead::Known(i) => leads.push(people[i].key.clone()),
                Lead::Unknown(text) => {
                    let key = format!("review{}", people.len() + 1);
                    let name = looks_like_a_name(&text);
                    known.add(KnownPerson {
                        name: if name { &text } else { "" },
                        job_title: if name { "" } else { &text },
                        short_code: "",
                    });
                    people.push(Person {
                        key: key.clone(),
                        name: name.then(|| text.clone()),
                        job_title: (!name).then(|| text.clone()),
                        organisation: None,
                        short_code: None,
                        email: None,
                        to_review: true,
                    });
                    leads.push(key);
                }
            }
        }
        let progress = cell(row, Field::Progress);
        let mut updates = Vec::new();
        if !progress.is_empty() {
            match target
                .ratings
                .iter()
                .find(|r| r.label.eq_ignore_ascii_case(progress))
            {
                Some(rating) => updates.push(Update {
                    date: target.as_at.to_string(),
                    rating: rating.label.clone(),
                    narrative: match cell(row, Field::ProgressNotes) {
                        "" => "Progress as recorded in the imported spreadsheet.".to_owned(),
                        notes => notes.to_owned(),
                    },
                    author: None,
                    evidence_links: vec![],
                    superseded: None,
                }),
                None => problems.push(problem(
                    Field::Progress,
                    format!(
                        "\"{progress}\" is not one of the plan's ratings ({})",
                        target
                            .ratings
                            .iter()
                            .map(|r| r.label.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )),
            }
        }
        let some = |text: &str| (!text.is_empty()).then(|| text.to_owned());
        actions.push(Action {
            number: number.to_string(),
            area: area_number[0].to_string(),
            objective,
            description: description.to_owned(),
            leads,
            lead_text: some(lead_text),
            partner_people: vec![],
            partner_organisations: vec![],
            partners_text: some(cell(row, Field::Partners)),
            resources: match cell(row, Field::Resources) {
                "" => vec![],
                text => vec![Resource {
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
                }],
            },
            evidence_of_success: some(cell(row, Field::Evidence)),
            accountability_measures: some(cell(row, Field::AccountabilityMeasures)),
            intended_outcome: some(cell(row, Field::IntendedOutcome)),
            impact_measures: some(cell(row, Field::ImpactMeasures)),
            start: some(cell(row, Field::Start)),
            completion: some(cell(row, Field::Completion)),
            milestones: cell(row, Field::Milestones)
                .lines()
                .map(|l| l.trim().trim_start_matches(['•', '-', '*']).trim())
                .filter(|l| !l.is_empty())
                .map(|line| {
                    let read = sendplan_domain::dates::PlanDate::parse(line);
                    Milestone {
                        title: line.to_owned(),
                        due: read.deadline().map(|_| line.to_owned()),
                        success_criteria: None,
                        done: None,
                        done_evidence: None,
                    }
                })
                .collect(),
            depends_on: vec![],
            updates,
        });
    }
    if table.rows.is_empty() {
        problems.push(CellProblem {
            row: 0,
            column: table.sheet.clone(),
            message: "there are no rows below the header row".to_owned(),
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    for objective in objectives.into_values() {
        let area: u32 = objective
            .number
            .split('.')
            .next()
            .and_then(|a| a.parse().ok())
            .unwrap_or(0);
        if let Some(area) = areas.get_mut(&vec![area]) {
            area.objectives.push(objective);
        }
    }
    Ok(Document {
        format: FORMAT.to_owned(),
        version: VERSION,
        source: Some(format!("Spreadsheet import ({})", table.sheet)),
        partnership: target.partnership.clone(),
        organisations: target.organisations.clone(),
        people,
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
            actions,
            measures: vec![],
            surveys: vec![],
            approval: None,
        }],
        interventions: vec![],
    })
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

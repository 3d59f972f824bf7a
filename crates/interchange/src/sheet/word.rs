//! Word documents in: the tables of a .docx (a council's Written Statement of Action as
//! published) read as sheets, so they go through the same layout rules, check page and
//! import as a workbook. Each table is a sheet; the heading before it (its area) is put
//! above its header as a banner; a cell's paragraphs are its lines; a cell spanning
//! several grid columns, or merged down several rows, gives its text to each cell it
//! covers, as a merged cell in a workbook does.
//!
//! WordprocessingML is read with `quick-xml` (the maintained XML reader calamine itself
//! uses) from the `zip` archive, streaming, with the workbook reader's limits checked as
//! each cell is read: the document's tables are all that is needed, so no document model
//! is built.

use super::{limits, CellFill, Grid, SheetError, Workbook, MAX_SHEET_BYTES};
use quick_xml::events::{BytesStart, Event};
use std::io::{Cursor, Read};

/// Reads the tables of a Word document.
pub fn read_docx(bytes: &[u8]) -> Result<Workbook, SheetError> {
    if bytes.len() > MAX_SHEET_BYTES {
        return Err(SheetError::TooLarge(bytes.len()));
    }
    super::check_unzipped_size(bytes)?;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| SheetError::BrokenWorkbook(e.to_string()))?;
    let mut part = archive.by_name("word/document.xml").map_err(|_| {
        SheetError::BrokenWorkbook(
            "it has no document part (word/document.xml); save it again from Word as .docx"
                .to_owned(),
        )
    })?;
    let mut xml = Vec::new();
    part.by_ref()
        .take(limits::MAX_UNZIPPED_BYTES + 1)
        .read_to_end(&mut xml)
        .map_err(|e| SheetError::BrokenWorkbook(e.to_string()))?;
    if xml.len() as u64 > limits::MAX_UNZIPPED_BYTES {
        return Err(SheetError::TooBig(format!(
            "the document unzips to more than {} MB",
            limits::MAX_UNZIPPED_BYTES / 1_048_576
        )));
    }
    let sheets = Tables::default().read(&xml)?;
    if sheets.is_empty() {
        return Err(SheetError::NoData);
    }
    Ok(Workbook { sheets })
}

/// A cell as read: its text and how many grid columns it spans, and whether it
/// continues the cell above (a vertical merge).
struct Cell {
    text: String,
    span: usize,
    continues: bool,
}

/// The reader's state while streaming the document.
#[derive(Default)]
struct Tables {
    sheets: Vec<Grid>,
    /// The last heading paragraph's text, taken as the area of the next table.
    heading: Option<String>,
    cells_read: usize,
    text_bytes: usize,
}

fn attribute(element: &BytesStart<'_>, name: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| a.value.into_owned())
}

impl Tables {
    fn read(mut self, xml: &[u8]) -> Result<Vec<Grid>, SheetError> {
        let mut reader = quick_xml::Reader::from_reader(xml);
        let broken = |e: quick_xml::Error| {
            SheetError::BrokenWorkbook(format!("the document's text could not be read: {e}"))
        };
        let mut buf = Vec::new();
        // Depth of tables (a table inside a cell is read as that cell's text).
        let mut depth = 0usize;
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        let mut row: Vec<Cell> = Vec::new();
        let mut cell: Option<Cell> = None;
        let mut paragraph = String::new();
        let mut paragraph_style = String::new();
        let mut in_text = false;
        loop {
            let event = reader.read_event_into(&mut buf).map_err(broken)?;
            match &event {
                Event::Start(e) | Event::Empty(e) => {
                    let empty = matches!(event, Event::Empty(_));
                    match e.local_name().as_ref() {
                        "tbl" if !empty => {
                            depth += 1;
                            if depth == 1 {
                                rows.clear();
                            }
                        }
                        "tr" if depth == 1 && !empty => row.clear(),
                        "tc" if depth == 1 && !empty => {
                            cell = Some(Cell {
                                text: String::new(),
                                span: 1,
                                continues: false,
                            });
                        }
                        "gridSpan" if depth == 1 => {
                            if let Some(c) = cell.as_mut() {
                                c.span = attribute(e, "val")
                                    .and_then(|v| v.parse().ok())
                                    .unwrap_or(1)
                                    .clamp(1, limits::MAX_COLUMNS);
                            }
                        }
                        "vMerge" if depth == 1 => {
                            if let Some(c) = cell.as_mut() {
                                c.continues = attribute(e, "val").is_none_or(|v| v != "restart");
                            }
                        }
                        "p" if !empty => {
                            paragraph.clear();
                            paragraph_style.clear();
                        }
                        "pStyle" => paragraph_style = attribute(e, "val").unwrap_or_default(),
                        "t" if !empty => in_text = true,
                        "tab" => paragraph.push('\t'),
                        "br" | "cr" => paragraph.push('\n'),
                        _ => {}
                    }
                }
                Event::Text(text) if in_text => {
                    let unescaped = text.xml10_content();
                    paragraph.push_str(&unescaped);
                    self.text_bytes += unescaped.len();
                    if self.text_bytes > limits::MAX_TEXT_BYTES {
                        return Err(SheetError::TooBig(format!(
                            "the document holds more than {} MB of text",
                            limits::MAX_TEXT_BYTES / 1_048_576
                        )));
                    }
                    if paragraph.chars().count() > limits::MAX_CELL_CHARS {
                        return Err(SheetError::TooBig(format!(
                            "a paragraph holds more than {} characters",
                            limits::MAX_CELL_CHARS
                        )));
                    }
                }
                Event::GeneralRef(reference) if in_text => {
                    // An entity such as &amp; arrives on its own.
                    paragraph.extend(crate::xml::referenced_char(reference).map_err(broken)?);
                }
                Event::End(e) => match e.local_name().as_ref() {
                    "t" => in_text = false,
                    "p" => {
                        let text = paragraph.trim_end().to_owned();
                        match cell.as_mut() {
                            Some(c) if depth >= 1 && !text.trim().is_empty() => {
                                if !c.text.is_empty() {
                                    c.text.push('\n');
                                }
                                c.text.push_str(text.trim());
                            }
                            _ if depth == 0 => {
                                let style = paragraph_style.to_lowercase();
                                if (style.starts_with("heading") || style == "title")
                                    && !text.trim().is_empty()
                                {
                                    self.heading = Some(text.trim().to_owned());
                                }
                            }
                            _ => {}
                        }
                    }
                    "tc" if depth == 1 => {
                        if let Some(c) = cell.take() {
                            self.cells_read += 1;
                            if self.cells_read > limits::MAX_WORKBOOK_CELLS {
                                return Err(SheetError::TooBig(format!(
                                    "the document's tables have more than {} cells; sendplan reads at most that many",
                                    limits::MAX_WORKBOOK_CELLS
                                )));
                            }
                            row.push(c);
                        }
                    }
                    "tr" if depth == 1 => {
                        if rows.len() >= limits::MAX_ROWS {
                            return Err(SheetError::TooBig(format!(
                                "a table has more than {} rows",
                                limits::MAX_ROWS
                            )));
                        }
                        rows.push(std::mem::take(&mut row));
                    }
                    "tbl" => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            self.finish_table(std::mem::take(&mut rows))?;
                        }
                    }
                    _ => {}
                },
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        Ok(self.sheets)
    }

    /// Lays a table's rows out as a grid: spanned cells copied across, merged cells copied
    /// down; the heading before the table above it, as a banner over its columns.
    fn finish_table(&mut self, rows: Vec<Vec<Cell>>) -> Result<(), SheetError> {
        if self.sheets.len() >= limits::MAX_SHEETS {
            return Err(SheetError::TooBig(format!(
                "the document has more than {} tables",
                limits::MAX_SHEETS
            )));
        }
        let width = rows
            .iter()
            .map(|r| r.iter().map(|c| c.span).sum::<usize>())
            .max()
            .unwrap_or(0);
        if width == 0 {
            return Ok(());
        }
        if width > limits::MAX_COLUMNS {
            return Err(SheetError::TooBig(format!(
                "a table has {width} columns; sendplan reads at most {}",
                limits::MAX_COLUMNS
            )));
        }
        let mut grid: Vec<Vec<String>> = Vec::with_capacity(rows.len() + 1);
        // The heading is row 0, so the table's own rows are numbered from 1 as Word
        // counts them.
        let first_line = match self.heading.take() {
            Some(heading) => {
                grid.push(vec![heading; width]);
                0
            }
            None => 1,
        };
        for cells in rows {
            let mut out = vec![String::new(); width];
            let mut column = 0;
            for cell in cells {
                let text = if cell.continues {
                    grid.last()
                        .and_then(|above| above.get(column))
                        .cloned()
                        .unwrap_or_default()
                } else {
                    cell.text
                };
                for slot in out.iter_mut().skip(column).take(cell.span) {
                    self.text_bytes += text.len();
                    slot.clone_from(&text);
                }
                column += cell.span;
            }
            if self.text_bytes > limits::MAX_TEXT_BYTES {
                return Err(SheetError::TooBig(format!(
                    "the document's merged cells hold more than {} MB of text",
                    limits::MAX_TEXT_BYTES / 1_048_576
                )));
            }
            grid.push(out);
        }
        let number = self.sheets.len() + 1;
        self.sheets.push(Grid {
            name: format!("Table {number}"),
            hidden: false,
            first_line,
            first_column: 0,
            rows: grid,
            fills: Vec::<CellFill>::new(),
        });
        Ok(())
    }
}

//! Word documents (.docx) for board papers, written with `docx-rs`, a maintained
//! WordprocessingML writer, rather than by hand: the package, relationships, media and
//! styles are its business. A paper needs headings that make Word's outline (Word's
//! built-in style names, Heading 1 to 3), tables with real column widths and coloured RAG
//! cells, and charts as pictures.

use docx_rs::{
    AlignmentType, BreakType, Docx, PageMargin, PageOrientationType, Paragraph, Pic,
    Run as WordRun, RunFonts, Shading, ShdType, Style, StyleType, Table as WordTable, TableCell,
    TableCellMargins, TableLayoutType, TableRow, WidthType,
};

/// A run of text, bold or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub text: String,
    pub bold: bool,
}

impl Run {
    pub fn plain(text: impl Into<String>) -> Self {
        Run {
            text: text.into(),
            bold: false,
        }
    }
    pub fn bold(text: impl Into<String>) -> Self {
        Run {
            text: text.into(),
            bold: true,
        }
    }
}

/// A table cell: its text (several lines where it has line breaks) and, for a rating, the
/// colour it is shaded with (six hex digits, as "F4CDC6").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cell {
    pub text: String,
    pub bold: bool,
    pub fill: Option<String>,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }
    pub fn shaded(text: impl Into<String>, fill: Option<&str>) -> Self {
        Cell {
            text: text.into(),
            bold: fill.is_some(),
            fill: fill.map(str::to_owned),
        }
    }
}

/// A table: its header row, how wide each column is (in parts of the page width: [4, 1]
/// gives the first column four fifths), and its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub head: Vec<String>,
    pub widths: Vec<u32>,
    pub rows: Vec<Vec<Cell>>,
}

/// A picture (a chart): PNG bytes and the size to show it at, in pixels at 96 per inch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// One block of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Title(String),
    /// Level 1 to 3.
    Heading(u8, String),
    Paragraph(Vec<Run>),
    /// A paragraph kept on the same page as what follows it: a chart's title, or the
    /// sentence introducing it, is never parted from the chart.
    KeptWithNext(Vec<Run>),
    /// Lines each with a bullet.
    Bullets(Vec<String>),
    Table(Table),
    Picture(Picture),
    /// What follows starts a new page (after the cover).
    PageBreak,
}

/// The page: A4 landscape with 1.8 cm margins, in twentieths of a point. Landscape,
/// because papers' action tables have four or five columns of prose.
const PAGE_WIDTH: u32 = 16838;
const PAGE_HEIGHT: u32 = 11906;
const MARGIN: i32 = 1000;
const TEXT_WIDTH: u32 = PAGE_WIDTH - 2 * MARGIN as u32;
/// English Metric Units per pixel at 96 pixels to the inch.
const EMU_PER_PIXEL: u32 = 9525;

/// Word's built-in style names: Word and LibreOffice show these in their navigation pane.
fn styles(docx: Docx) -> Docx {
    let heading = |id: &str, name: &str, size: usize, level: usize| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .next("Normal")
            .bold()
            .size(size)
            .outline_lvl(level)
    };
    docx.add_style(
        Style::new("Title", StyleType::Paragraph)
            .name("Title")
            .based_on("Normal")
            .bold()
            .size(44),
    )
    .add_style(heading("Heading1", "heading 1", 32, 0))
    .add_style(heading("Heading2", "heading 2", 26, 1))
    .add_style(heading("Heading3", "heading 3", 23, 2))
}

/// A paragraph of runs, each line of a run's text on its own line.
fn paragraph(runs: &[Run]) -> Paragraph {
    let mut p = Paragraph::new();
    for run in runs {
        for (i, line) in run.text.split('\n').enumerate() {
            let mut r = WordRun::new();
            if i > 0 {
                r = r.add_break(BreakType::TextWrapping);
            }
            r = r.add_text(clean(line));
            if run.bold {
                r = r.bold();
            }
            p = p.add_run(r);
        }
    }
    p
}

/// Text Word will accept: XML has no place for most control characters.
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || *c == '\t')
        .collect()
}

/// Each column's width in twentieths of a point, shared out by weight across the page.
fn column_widths(weights: &[u32], columns: usize) -> Vec<usize> {
    let weights: Vec<u32> = (0..columns)
        .map(|i| weights.get(i).copied().unwrap_or(1).max(1))
        .collect();
    let total: u32 = weights.iter().sum();
    weights
        .iter()
        .map(|w| (u64::from(TEXT_WIDTH) * u64::from(*w) / u64::from(total.max(1))) as usize)
        .collect()
}

fn table(t: &Table) -> WordTable {
    let columns = t
        .head
        .len()
        .max(t.rows.iter().map(Vec::len).max().unwrap_or(0));
    let widths = column_widths(&t.widths, columns);
    let cell = |c: &Cell, width: usize| {
        let mut cell = TableCell::new()
            .width(width, WidthType::Dxa)
            .add_paragraph(paragraph(&[Run {
                text: c.text.clone(),
                bold: c.bold,
            }]));
        if let Some(fill) = &c.fill {
            cell = cell.shading(
                Shading::new()
                    .shd_type(ShdType::Clear)
                    .color("auto")
                    .fill(fill.clone()),
            );
        }
        cell
    };
    let mut rows = Vec::with_capacity(t.rows.len() + 1);
    if !t.head.is_empty() {
        rows.push(
            TableRow::new(
                (0..columns)
                    .map(|i| {
                        let text = t.head.get(i).cloned().unwrap_or_default();
                        cell(
                            &Cell {
                                text,
                                bold: true,
                                fill: Some("F3F2F1".to_owned()),
                            },
                            widths[i],
                        )
                    })
                    .collect(),
            )
            .cant_split(),
        );
    }
    for row in &t.rows {
        rows.push(
            TableRow::new(
                (0..columns)
                    .map(|i| cell(row.get(i).unwrap_or(&Cell::default()), widths[i]))
                    .collect(),
            )
            .cant_split(),
        );
    }
    WordTable::new(rows)
        .set_grid(widths)
        .width(TEXT_WIDTH as usize, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        // Room around each cell's text, as GOV.UK tables have.
        .margins(TableCellMargins::new().margin(60, 100, 60, 100))
}

/// Writes `blocks` as a .docx file.
pub fn to_docx(blocks: &[Block]) -> Result<Vec<u8>, String> {
    let mut docx = styles(
        Docx::new()
            .page_size(PAGE_WIDTH, PAGE_HEIGHT)
            .page_orient(PageOrientationType::Landscape)
            .page_margin(
                PageMargin::new()
                    .top(MARGIN)
                    .bottom(MARGIN)
                    .left(MARGIN)
                    .right(MARGIN),
            )
            .default_fonts(RunFonts::new().ascii("Arial").hi_ansi("Arial").cs("Arial"))
            .default_size(22),
    );
    for block in blocks {
        docx = match block {
            Block::Title(text) => {
                docx.add_paragraph(paragraph(&[Run::plain(text.clone())]).style("Title"))
            }
            Block::Heading(level, text) => docx.add_paragraph(
                paragraph(&[Run::plain(text.clone())])
                    .style(match level {
                        0 | 1 => "Heading1",
                        2 => "Heading2",
                        _ => "Heading3",
                    })
                    // A heading is never left alone at the foot of a page.
                    .keep_next(true),
            ),
            Block::Paragraph(runs) => docx.add_paragraph(paragraph(runs)),
            Block::KeptWithNext(runs) => docx.add_paragraph(paragraph(runs).keep_next(true)),
            Block::Bullets(lines) => lines.iter().fold(docx, |docx, line| {
                docx.add_paragraph(paragraph(&[Run::plain(format!("• {line}"))]))
            }),
            // Word needs a paragraph between two tables, or it joins them.
            Block::Table(t) => docx.add_table(table(t)).add_paragraph(Paragraph::new()),
            Block::Picture(p) => {
                // Never wider than the page's text.
                let (mut w, mut h) = (p.width * EMU_PER_PIXEL, p.height * EMU_PER_PIXEL);
                let most = TEXT_WIDTH * 635;
                if w > most {
                    h = (u64::from(h) * u64::from(most) / u64::from(w)) as u32;
                    w = most;
                }
                docx.add_paragraph(Paragraph::new().align(AlignmentType::Left).add_run(
                    WordRun::new().add_image(
                        Pic::new_with_dimensions(p.png.clone(), p.width, p.height).size(w, h),
                    ),
                ))
            }
            Block::PageBreak => docx
                .add_paragraph(Paragraph::new().add_run(WordRun::new().add_break(BreakType::Page))),
        };
    }
    let mut bytes = std::io::Cursor::new(Vec::new());
    docx.build()
        .pack(&mut bytes)
        .map_err(|e| format!("the Word document could not be written: {e}"))?;
    Ok(bytes.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(bytes: &[u8], name: &str) -> String {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        let mut text = String::new();
        std::io::Read::read_to_string(&mut archive.by_name(name).expect(name), &mut text)
            .expect("read");
        text
    }

    #[test]
    fn a_document_has_its_text_escaped_widths_shading_and_outline() {
        let bytes = to_docx(&[
            Block::Title("Exception report".into()),
            Block::Heading(1, "1 Identification".into()),
            Block::Paragraph(vec![
                Run::bold("1.1"),
                Run::plain(" Waits < 13 weeks & falling\nsecond line\u{7}"),
            ]),
            Block::Table(Table {
                head: vec!["Action".into(), "Rating".into()],
                widths: vec![3, 1],
                rows: vec![vec![Cell::text("1.1"), Cell::shaded("Red", Some("F4CDC6"))]],
            }),
        ])
        .expect("written");
        let document = part(&bytes, "word/document.xml");
        assert!(document.contains("Waits &lt; 13 weeks &amp; falling"));
        assert!(!document.contains('\u{7}'));
        assert!(document.contains("w:fill=\"F4CDC6\""), "RAG cell shaded");
        // Three quarters and a quarter of the text width.
        let widths = column_widths(&[3, 1], 2);
        assert_eq!(widths, vec![11128, 3709]);
        assert!(document.contains("w:w=\"11128\""));
        assert!(document.contains("w:val=\"Heading1\""));
        let styles = part(&bytes, "word/styles.xml");
        assert!(styles.contains("w:outlineLvl w:val=\"0\""), "{styles}");
    }

    #[test]
    fn a_picture_is_kept_as_png_media_and_never_wider_than_the_page() {
        // The smallest PNG: one transparent pixel.
        let png = vec![
            137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1,
            8, 6, 0, 0, 0, 31, 21, 196, 137, 0, 0, 0, 13, 73, 68, 65, 84, 120, 156, 99, 0, 1, 0, 0,
            5, 0, 1, 13, 10, 45, 180, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
        ];
        let bytes = to_docx(&[Block::Picture(Picture {
            png: png.clone(),
            width: 4000,
            height: 2000,
        })])
        .expect("written");
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).expect("zip");
        let media: Vec<String> = archive
            .file_names()
            .filter_map(Result::ok)
            .filter(|n| n.starts_with("word/media/") && n.len() > "word/media/".len())
            .map(|n| n.into_owned())
            .collect();
        assert_eq!(media.len(), 1, "{media:?}");
        let mut stored = Vec::new();
        std::io::Read::read_to_end(&mut archive.by_name(&media[0]).expect("media"), &mut stored)
            .expect("read");
        assert_eq!(stored, png);
        let document = part(&bytes, "word/document.xml");
        let most = TEXT_WIDTH * 635;
        assert!(document.contains(&format!("cx=\"{most}\"")), "{document}");
    }
}

//! The plan interchange format: one JSON document per plan, with everything it refers to.
//! `docs/interchange.md` describes it for people and `docs/interchange.schema.json` (made
//! from [`Document`] and checked by a test) for programs.

pub mod casework_csv;
pub mod casework_read;
pub mod dfe;
pub mod dfe_published;
pub mod document;
pub mod docx;
mod export;
pub mod measure_sheet;
pub mod oruk;
pub mod postcodes;
pub mod raster;
mod read;
pub mod seeded;
pub mod seeds;
pub mod sen2;
pub mod sen2_synthetic;
pub mod sheet;
pub mod sheet_export;
mod xml;

pub use document::Document;
pub use export::{export_partnership, export_plan, total_resources};
pub use read::{to_import, Problem};

/// Why a file could not be read as a document.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the file is not a sendplan plan document: {0}")]
    NotADocument(String),
    #[error("the document has {} problem(s):\n{}", .0.len(), .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Problems(Vec<Problem>),
    /// A limit of [`document::limits`] was reached; the text names it.
    #[error("the file is too big to read: {0}")]
    TooBig(String),
    /// Text in the document holds an invisible control character, which cannot be kept.
    #[error("at line {line} a text holds a hidden control character ({code}), which sendplan cannot keep; remove it and try again")]
    HiddenControl { line: usize, code: String },
}

/// Parses and checks a document, returning the import it describes. The text is first
/// checked against [`document::limits`].
pub fn read(json: &str) -> Result<(Document, sendplan_domain::import::PlanImport), ReadError> {
    read::check_shape(json).map_err(ReadError::TooBig)?;
    if let Some((line, code)) = read::hidden_control(json) {
        return Err(ReadError::HiddenControl { line, code });
    }
    let document: Document =
        serde_json::from_str(json).map_err(|e| ReadError::NotADocument(e.to_string()))?;
    let import = to_import(&document).map_err(ReadError::Problems)?;
    Ok((document, import))
}

/// The JSON Schema of the format, as committed in `docs/interchange.schema.json`.
pub fn schema() -> String {
    let schema = schemars::schema_for!(Document);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

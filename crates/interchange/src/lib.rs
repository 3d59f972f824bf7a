//! The plan interchange format: one JSON document per plan, with everything it refers to.
//! `docs/interchange.md` describes it for people and `docs/interchange.schema.json` (made
//! from [`Document`] and checked by a test) for programs.

pub mod dfe;
pub mod document;
pub mod docx;
mod export;
pub mod measure_sheet;
mod read;
pub mod seeds;
pub mod sheet;
pub mod sheet_export;

pub use document::Document;
pub use export::{export_plan, total_resources};
pub use read::{to_import, Problem};

/// Why a file could not be read as a document.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the file is not a sendplan plan document: {0}")]
    NotADocument(String),
    #[error("the document has {} problem(s):\n{}", .0.len(), .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Problems(Vec<Problem>),
}

/// Parses and checks a document, returning the import it describes.
pub fn read(json: &str) -> Result<(Document, sendplan_domain::import::PlanImport), ReadError> {
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

//! A file of casework, whichever it is: an SEN2 return (XML) or a case-system extract
//! (CSV), told apart by their first character, read into one shape for the pages and the
//! command line to check and import alike.

use crate::casework_csv::read_extract;
use crate::sen2::{read_sen2, Sen2Return};
use sendplan_domain::casework::records::CaseRecord;
use time::Date;

/// What a file held, ready to import or to refuse.
#[derive(Debug)]
pub struct CaseworkRead {
    /// `sen2` or `csv`.
    pub source: &'static str,
    /// The return's collection year; an extract's is the year after its day.
    pub collection_year: i32,
    /// The authority's DfE code, as the file says (an extract says none: the caller's).
    pub la: String,
    pub reference_date: Option<Date>,
    pub people: Vec<CaseRecord>,
    /// (record or row, element or column, message)
    pub problems: Vec<(usize, String, String)>,
    /// What was read and not kept, or not used, in words.
    pub dropped: Vec<String>,
}

impl From<Sen2Return> for CaseworkRead {
    fn from(r: Sen2Return) -> Self {
        CaseworkRead {
            source: "sen2",
            collection_year: r.year,
            la: r.la,
            reference_date: r.reference_date,
            people: r.people,
            problems: r
                .problems
                .into_iter()
                .map(|p| (p.record, p.element, p.message))
                .collect(),
            dropped: r
                .dropped
                .iter()
                .map(|(element, n)| format!("{element} ({n})"))
                .collect(),
        }
    }
}

impl CaseworkRead {
    /// How its problems are placed: a return's by record and element, an extract's by row
    /// and column.
    pub fn placed_by(&self) -> (&'static str, &'static str) {
        if self.source == "sen2" {
            ("Record", "Element")
        } else {
            ("Row", "Column")
        }
    }
}

/// Whether `bytes` are XML (a return) rather than CSV (an extract).
pub fn is_xml(bytes: &[u8]) -> bool {
    bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(bytes)
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        == Some(&b'<')
}

/// Reads a return or an extract. `key_of` turns a UPN into the key kept; an extract's case
/// references are kept as they are. `as_at` is an extract's day, `la` the authority an
/// extract is taken to be for.
pub fn read_casework(
    bytes: &[u8],
    key_of: &dyn Fn(&str) -> String,
    as_at: Date,
    la: &str,
) -> Result<CaseworkRead, String> {
    if is_xml(bytes) {
        read_sen2(bytes, key_of)
            .map(CaseworkRead::from)
            .map_err(|e| format!("it is not an SEN2 return sendplan can read: {e}"))
    } else {
        let x = read_extract(bytes).map_err(|e| {
            format!("it is not an SEN2 return or an extract sendplan can read: {e}")
        })?;
        Ok(CaseworkRead {
            source: "csv",
            collection_year: as_at.year() + 1,
            la: la.to_owned(),
            reference_date: Some(as_at),
            people: x.people,
            problems: x
                .problems
                .into_iter()
                .map(|p| (p.row, p.column, p.message))
                .collect(),
            dropped: x
                .not_kept
                .into_iter()
                .chain(x.not_used.into_iter().map(|c| format!("{c} (not used)")))
                .collect(),
        })
    }
}

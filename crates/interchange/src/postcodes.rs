//! A postcode table for "near a postcode" in the Local Offer: the ONS Postcode Directory
//! (ONSPD) or the National Statistics Postcode Lookup as the ONS publishes them (a CSV
//! with `pcds`, `lat` and `long` among some fifty columns, whole or one postcode area per
//! file), or any CSV with `postcode`, `latitude` and `longitude` columns. Read as a stream,
//! so a whole region's file is never held as text.

use sendplan_domain::local_offer::geo::{normalise_postcode, Point};
use std::io::Read;

/// The most postcodes read: every live and terminated postcode in the UK is about 2.7
/// million.
pub const MAX_POSTCODES: usize = 3_000_000;
/// The most rows with problems listed one by one.
const MOST_LISTED: usize = 20;

/// A postcode table read.
#[derive(Debug, Clone, Default)]
pub struct PostcodeTable {
    pub postcodes: Vec<(String, Point)>,
    /// Postcodes with no position: the ONSPD gives those with no grid reference a
    /// latitude of 99.999999. Left out, as they cannot be placed.
    pub without_position: usize,
}

/// Why a postcode table cannot be read. Nothing is loaded from a table with any problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostcodeError {
    #[error("the file is not a CSV sendplan can read: {0}")]
    NotCsv(String),
    #[error("the file has no {0} column (the ONS Postcode Directory calls it {1})")]
    MissingColumn(&'static str, &'static str),
    #[error("the file has no postcodes with a position, so the table was left as it was")]
    Empty,
    #[error("the file has more than {MAX_POSTCODES} postcodes")]
    TooMany,
    #[error("{count} rows cannot be read:\n{listed}")]
    Rows { count: usize, listed: String },
}

/// The first header, in lower case, that is one of `names`.
fn column(headers: &csv::StringRecord, names: &[&str]) -> Option<usize> {
    names.iter().find_map(|name| {
        headers.iter().position(|h| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(name)
        })
    })
}

/// Reads a postcode table from a CSV stream.
pub fn read_postcodes(input: impl Read) -> Result<PostcodeTable, PostcodeError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| PostcodeError::NotCsv(e.to_string()))?
        .clone();
    let postcode = column(&headers, &["pcds", "postcode", "pcd", "pcd2"])
        .ok_or(PostcodeError::MissingColumn("postcode", "pcds"))?;
    let latitude = column(&headers, &["lat", "latitude"])
        .ok_or(PostcodeError::MissingColumn("latitude", "lat"))?;
    let longitude = column(&headers, &["long", "longitude", "lng", "lon"])
        .ok_or(PostcodeError::MissingColumn("longitude", "long"))?;
    let mut table = PostcodeTable::default();
    let mut problems: Vec<String> = Vec::new();
    let mut count = 0usize;
    for (i, record) in reader.records().enumerate() {
        // Row 1 is the header row.
        let row = i + 2;
        let record = record.map_err(|e| PostcodeError::NotCsv(format!("row {row}: {e}")))?;
        let cell = |at: usize| record.get(at).unwrap_or("").trim();
        let mut problem = |text: String| {
            count += 1;
            if problems.len() < MOST_LISTED {
                problems.push(format!("row {row}: {text}"));
            }
        };
        let Some(code) = normalise_postcode(cell(postcode)).filter(|c| c.contains(' ')) else {
            problem(format!("\"{}\" is not a full postcode", cell(postcode)));
            continue;
        };
        let (Ok(lat), Ok(long)) = (
            cell(latitude).parse::<f64>(),
            cell(longitude).parse::<f64>(),
        ) else {
            problem(format!(
                "{code}: the latitude and longitude must be numbers"
            ));
            continue;
        };
        // The ONSPD's mark for "no grid reference": exactly this, nothing else that is
        // merely out of range (that is a fault, named below).
        if (lat - 99.999999).abs() < 1e-9 {
            table.without_position += 1;
            continue;
        }
        // The UK and its islands, with a margin.
        if !(49.0..=61.5).contains(&lat) || !(-9.0..=2.5).contains(&long) {
            problem(format!(
                "{code}: {lat}, {long} is not in the United Kingdom"
            ));
            continue;
        }
        if table.postcodes.len() == MAX_POSTCODES {
            return Err(PostcodeError::TooMany);
        }
        table.postcodes.push((
            code,
            Point {
                latitude: lat,
                longitude: long,
            },
        ));
    }
    if count == 0 && table.postcodes.is_empty() {
        return Err(PostcodeError::Empty);
    }
    if count > 0 {
        let more = count.saturating_sub(problems.len());
        let mut listed = problems.join("\n");
        if more > 0 {
            listed.push_str(&format!("\nand {more} more"));
        }
        return Err(PostcodeError::Rows { count, listed });
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ons_postcode_directory_and_plain_lists_are_read() {
        let onspd = "\"pcd\",\"pcd2\",\"pcds\",\"dointr\",\"doterm\",\"lat\",\"long\"\n\
            \"WV1 1SH\",\"WV1  1SH\",\"WV1 1SH\",\"198001\",\"\",52.586900,-2.128700\n\
            \"WV991ZZ\",\"WV99 1ZZ\",\"WV99 1ZZ\",\"198001\",\"\",99.999999,0.000000\n";
        let t = read_postcodes(onspd.as_bytes()).unwrap();
        assert_eq!(t.postcodes.len(), 1);
        assert_eq!(t.postcodes[0].0, "WV1 1SH");
        assert_eq!(t.without_position, 1);
        let plain = "Postcode,Latitude,Longitude\nwv6 0ap,52.59,-2.15\n";
        assert_eq!(
            read_postcodes(plain.as_bytes()).unwrap().postcodes[0].0,
            "WV6 0AP"
        );
    }

    #[test]
    fn a_table_with_bad_rows_is_refused_naming_them() {
        let bad = "postcode,lat,long\nWV1 1SH,52.5,-2.1\nnot one,52,-2\nWV2 1AA,north,-2\nWV3 1AA,40.0,-2\n";
        let PostcodeError::Rows { count, listed } = read_postcodes(bad.as_bytes()).unwrap_err()
        else {
            panic!("rows expected");
        };
        assert_eq!(count, 3);
        assert!(
            listed.contains("row 3") && listed.contains("row 4") && listed.contains("row 5"),
            "{listed}"
        );
        let wide = format!("pcds,lat,long\nWV1 1AA,{},-2\n", "5".repeat(5000));
        assert!(matches!(
            read_postcodes(wide.as_bytes()),
            Err(PostcodeError::Rows { count: 1, .. })
        ));
        assert_eq!(
            read_postcodes("pcds,lat,long\n".as_bytes()).unwrap_err(),
            PostcodeError::Empty,
            "an empty file never empties the table"
        );
        assert_eq!(
            read_postcodes("name,lat,long\n".as_bytes()).unwrap_err(),
            PostcodeError::MissingColumn("postcode", "pcds")
        );
    }
}

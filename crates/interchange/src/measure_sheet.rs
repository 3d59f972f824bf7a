//! A measure's values in a spreadsheet: the columns Period and Value, and optionally Status
//! and Note. The file a measure downloads reads straight back in (its revised rows, marked
//! "no, revised" under Current, are history and are skipped).

use crate::sheet::Table;
use sendplan_domain::measures::{TargetRow, ValueRow};

/// The target rows of `table` (columns Date and Value, or Target date and Target), or why
/// its columns cannot be used.
pub fn target_rows(table: &Table) -> Result<Vec<TargetRow>, String> {
    let column = |names: &[&str]| {
        table
            .headers
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let (Some(date), Some(value)) = (
        column(&["date", "target date"]),
        column(&["value", "target"]),
    ) else {
        return Err("The file needs a column headed Date and one headed Value".to_owned());
    };
    let cell =
        |cells: &[String], i: usize| cells.get(i).map_or(String::new(), |c| c.trim().to_owned());
    let rows: Vec<TargetRow> = table
        .rows
        .iter()
        .map(|r| TargetRow {
            line: r.line,
            date: cell(&r.cells, date),
            value: cell(&r.cells, value),
        })
        .collect();
    if rows.is_empty() {
        return Err("The file has no targets under its headings".to_owned());
    }
    Ok(rows)
}

/// The value rows of `table`, or why its columns cannot be used.
pub fn value_rows(table: &Table) -> Result<Vec<ValueRow>, String> {
    let column = |name: &str| {
        table
            .headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(period), Some(value)) = (column("period"), column("value")) else {
        return Err(format!(
            "The file needs a column headed Period and one headed Value (it has: {})",
            table
                .headers
                .iter()
                .filter(|h| !h.trim().is_empty())
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    };
    let (status, note, current) = (column("status"), column("note"), column("current"));
    let cell = |cells: &[String], i: Option<usize>| {
        i.and_then(|i| cells.get(i))
            .map_or(String::new(), |c| c.trim().to_owned())
    };
    let rows: Vec<ValueRow> = table
        .rows
        .iter()
        .filter(|r| !cell(&r.cells, current).to_lowercase().starts_with("no"))
        .map(|r| ValueRow {
            line: r.line,
            period: cell(&r.cells, Some(period)),
            value: cell(&r.cells, Some(value)),
            status: cell(&r.cells, status),
            note: cell(&r.cells, note),
        })
        .collect();
    if rows.is_empty() {
        return Err("The file has no values under its headings".to_owned());
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_downloaded_values_file_reads_back_without_its_history() {
        let csv = "Period,Period start,Period end,Value,Trajectory,Status,Current,Note\n\
                   2023-05,2023-05-01,2023-05-31,60,,final,\"no, revised\",\n\
                   2023-05,2023-05-01,2023-05-31,61.5,,revised,yes,Corrected\n\
                   2023-06,2023-06-01,2023-06-30,63,,provisional,yes,\n";
        let table = crate::sheet::read_table(csv.as_bytes(), "values.csv").expect("table");
        let rows = value_rows(&table).expect("rows");
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].line, rows[0].value.as_str(), rows[0].note.as_str()),
            (3, "61.5", "Corrected")
        );
    }

    #[test]
    fn a_file_without_the_columns_says_which_it_needs() {
        let table = crate::sheet::read_table(b"Month,Score\n2023-05,4\n", "x.csv").expect("table");
        let error = value_rows(&table).expect_err("refused");
        assert!(
            error.contains("Period") && error.contains("Month, Score"),
            "{error}"
        );
    }
}

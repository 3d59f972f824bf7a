//! Reading typed values out of rows, and the text forms dates and times are stored in.

use crate::{Result, StoreError};
use sendplan_domain::numbering::ItemNumber;
use sqlx::any::AnyRow;
use sqlx::Row;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

const DATE_FORMAT: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

pub fn date_text(date: Date) -> String {
    date.format(DATE_FORMAT).unwrap_or_default()
}

pub fn opt_date_text(date: Option<Date>) -> Option<String> {
    date.map(date_text)
}

pub fn now_text() -> String {
    timestamp_text(OffsetDateTime::now_utc())
}

/// A moment as stored: RFC 3339 to the second, so that stored moments compare as text.
pub fn timestamp_text(at: OffsetDateTime) -> String {
    at.replace_nanosecond(0)
        .unwrap_or(at)
        .format(&Rfc3339)
        .unwrap_or_default()
}

pub fn parse_timestamp(text: &str) -> Result<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| StoreError::Corrupt(format!("timestamp {text:?}: {e}")))
}

/// Typed getters that turn decoding failures into [`StoreError`].
pub trait RowExt {
    fn int(&self, column: &str) -> Result<i64>;
    fn opt_int(&self, column: &str) -> Result<Option<i64>>;
    fn text(&self, column: &str) -> Result<String>;
    fn opt_text(&self, column: &str) -> Result<Option<String>>;
    fn date(&self, column: &str) -> Result<Date>;
    fn opt_date(&self, column: &str) -> Result<Option<Date>>;
    fn number(&self, column: &str) -> Result<ItemNumber>;
    fn code<T>(&self, column: &str, parse: fn(&str) -> Option<T>) -> Result<T>;
}

impl RowExt for AnyRow {
    fn int(&self, column: &str) -> Result<i64> {
        Ok(self.try_get::<i64, _>(column)?)
    }
    fn opt_int(&self, column: &str) -> Result<Option<i64>> {
        Ok(self.try_get::<Option<i64>, _>(column)?)
    }
    fn text(&self, column: &str) -> Result<String> {
        Ok(self.try_get::<String, _>(column)?)
    }
    fn opt_text(&self, column: &str) -> Result<Option<String>> {
        Ok(self.try_get::<Option<String>, _>(column)?)
    }
    fn date(&self, column: &str) -> Result<Date> {
        let text = self.text(column)?;
        Date::parse(&text, DATE_FORMAT)
            .map_err(|e| StoreError::Corrupt(format!("{column} {text:?}: {e}")))
    }
    fn opt_date(&self, column: &str) -> Result<Option<Date>> {
        match self.opt_text(column)? {
            Some(text) => Date::parse(&text, DATE_FORMAT)
                .map(Some)
                .map_err(|e| StoreError::Corrupt(format!("{column} {text:?}: {e}"))),
            None => Ok(None),
        }
    }
    fn number(&self, column: &str) -> Result<ItemNumber> {
        let text = self.text(column)?;
        ItemNumber::parse(&text).map_err(|e| StoreError::Corrupt(format!("{column} {text:?}: {e}")))
    }
    fn code<T>(&self, column: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
        let text = self.text(column)?;
        parse(&text).ok_or_else(|| StoreError::Corrupt(format!("{column}: unknown code {text:?}")))
    }
}

/// `head` followed by `rows` groups of `columns` placeholders: "($1, $2), ($3, $4)".
pub(crate) fn many_rows(head: &str, columns: usize, rows: usize) -> String {
    let mut sql = String::with_capacity(head.len() + rows * columns * 6);
    sql.push_str(head);
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..columns {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", r * columns + c + 1));
        }
        sql.push(')');
    }
    sql
}

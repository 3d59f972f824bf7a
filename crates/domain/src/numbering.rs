//! Hierarchical item numbers as plans write them: area `2`, objective `2.3`, action `2.3.1`.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// A dotted number such as `2.3.1`. Ordered numerically segment by segment, so `1.10`
/// comes after `1.9` (a plain text sort gets this wrong).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ItemNumber(Vec<u32>);

/// Why a number was refused, worded for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("Enter a number, for example 2.3.1")]
    Empty,
    #[error("Enter the number as whole numbers separated by full stops, for example 2.3.1")]
    Malformed,
    #[error("Numbers can have at most 6 levels")]
    TooDeep,
}

impl ItemNumber {
    /// Parses `2.3.1`; surrounding spaces and a trailing full stop (`2.3.`) are tolerated.
    pub fn parse(text: &str) -> Result<Self, NumberError> {
        let text = text.trim().trim_end_matches('.');
        if text.is_empty() {
            return Err(NumberError::Empty);
        }
        let segments = text
            .split('.')
            .map(|s| {
                let s = s.trim();
                if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || s.len() > 4 {
                    Err(NumberError::Malformed)
                } else {
                    s.parse::<u32>().map_err(|_| NumberError::Malformed)
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        if segments.len() > 6 {
            return Err(NumberError::TooDeep);
        }
        Ok(ItemNumber(segments))
    }

    /// `1`: stands in for a number that failed to parse while the other fields of a form
    /// are still checked (the form is refused, so it is never stored).
    pub fn placeholder() -> Self {
        ItemNumber(vec![1])
    }

    /// The segments, outermost first.
    pub fn segments(&self) -> &[u32] {
        &self.0
    }

    /// Whether `self` sits directly below `parent` (`2.3.1` below `2.3`).
    pub fn is_child_of(&self, parent: &ItemNumber) -> bool {
        self.0.len() == parent.0.len() + 1 && self.0.starts_with(&parent.0)
    }

    /// A key whose text order is the numeric order, for `ORDER BY` in SQL.
    pub fn sort_key(&self) -> String {
        self.0
            .iter()
            .map(|s| format!("{s:04}"))
            .collect::<Vec<_>>()
            .join(".")
    }
}

impl Ord for ItemNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
    }
}

impl PartialOrd for ItemNumber {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for ItemNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u32::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

impl TryFrom<String> for ItemNumber {
    type Error = NumberError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        ItemNumber::parse(&value)
    }
}

impl From<ItemNumber> for String {
    fn from(value: ItemNumber) -> Self {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> ItemNumber {
        ItemNumber::parse(s).expect(s)
    }

    #[test]
    fn parses_plan_numbers_and_prints_them_back() {
        assert_eq!(n("2.3.1").segments(), &[2, 3, 1]);
        assert_eq!(n(" 6.13 ").to_string(), "6.13");
        assert_eq!(n("1.").to_string(), "1");
    }

    #[test]
    fn refuses_text_that_is_not_a_number() {
        assert_eq!(ItemNumber::parse(""), Err(NumberError::Empty));
        assert_eq!(ItemNumber::parse("2..1"), Err(NumberError::Malformed));
        assert_eq!(ItemNumber::parse("2.a"), Err(NumberError::Malformed));
        assert_eq!(ItemNumber::parse("-1"), Err(NumberError::Malformed));
        assert_eq!(
            ItemNumber::parse("1.2.3.4.5.6.7"),
            Err(NumberError::TooDeep)
        );
    }

    #[test]
    fn orders_numerically_not_alphabetically() {
        let mut numbers = [n("1.10"), n("1.9"), n("2"), n("1.2.1"), n("1.2")];
        numbers.sort();
        let printed: Vec<String> = numbers.iter().map(ToString::to_string).collect();
        assert_eq!(printed, ["1.2", "1.2.1", "1.9", "1.10", "2"]);
    }

    #[test]
    fn sort_keys_order_like_numbers() {
        let mut keys = vec![
            n("1.10").sort_key(),
            n("1.9").sort_key(),
            n("1.2.1").sort_key(),
        ];
        keys.sort();
        assert_eq!(
            keys,
            [
                n("1.2.1").sort_key(),
                n("1.9").sort_key(),
                n("1.10").sort_key()
            ]
        );
    }

    #[test]
    fn knows_its_parent() {
        assert!(n("2.3.1").is_child_of(&n("2.3")));
        assert!(n("2.3").is_child_of(&n("2")));
        assert!(!n("2.3.1").is_child_of(&n("2")));
        assert!(!n("3.1").is_child_of(&n("2")));
    }
}

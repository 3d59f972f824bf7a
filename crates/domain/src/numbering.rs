//! Hierarchical item numbers as plans write them: area `2`, objective `2.3`, action `2.3.1`,
//! and lettered sub-actions as trackers write them: `3.1 (A)`, `3.1a`, `3.1 b)`.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// A dotted number such as `2.3.1`, perhaps with a sub-action letter (`3.1 (A)`). Ordered
/// numerically segment by segment, so `1.10` comes after `1.9` (a plain text sort gets this
/// wrong), and a lettered sub-action straight after the number it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ItemNumber(Vec<u32>, Option<char>);

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
    /// Parses `2.3.1`; surrounding spaces and a trailing full stop (`2.3.`) are tolerated,
    /// as is one sub-action letter after the digits, written `3.1 (A)`, `3.1(a)`, `3.1a`
    /// or `3.1 a)` (its case is kept).
    pub fn parse(text: &str) -> Result<Self, NumberError> {
        let (text, letter) = split_letter(text.trim());
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
        Ok(ItemNumber(segments, letter))
    }

    /// The sub-action `letter` of this number (`3.1` and `b` make `3.1 (b)`).
    pub fn with_letter(&self, letter: char) -> Self {
        ItemNumber(self.0.clone(), Some(letter))
    }

    /// Whether an action numbered `self` belongs directly under `parent` (an area or
    /// objective): its whole numbers are one level below, whatever its letter (`3.1 (A)`
    /// is an action of area 3, as `3.1` is).
    pub fn belongs_under(&self, parent: &ItemNumber) -> bool {
        parent.1.is_none() && self.0.len() == parent.0.len() + 1 && self.0.starts_with(&parent.0)
    }

    /// The sub-action letter, if any.
    pub fn letter(&self) -> Option<char> {
        self.1
    }

    /// `1`: stands in for a number that failed to parse while the other fields of a form
    /// are still checked (the form is refused, so it is never stored).
    pub fn placeholder() -> Self {
        ItemNumber(vec![1], None)
    }

    /// The segments, outermost first.
    pub fn segments(&self) -> &[u32] {
        &self.0
    }

    /// Whether `self` sits directly below `parent` (`2.3.1` below `2.3`).
    pub fn is_child_of(&self, parent: &ItemNumber) -> bool {
        self.1.is_none()
            && parent.1.is_none()
            && self.0.len() == parent.0.len() + 1
            && self.0.starts_with(&parent.0)
    }

    /// A key whose text order is the numeric order, for `ORDER BY` in SQL.
    pub fn sort_key(&self) -> String {
        let digits = self
            .0
            .iter()
            .map(|s| format!("{s:04}"))
            .collect::<Vec<_>>()
            .join(".");
        // A space sorts before the full stop, so `3.1 (a)` comes before `3.1.1` as
        // [`Ord`] has it.
        match self.1 {
            Some(letter) => format!("{digits} {}", letter.to_ascii_lowercase()),
            None => digits,
        }
    }
}

impl Ord for ItemNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0).then_with(|| {
            let fold = |l: Option<char>| l.map(|c| c.to_ascii_lowercase());
            fold(self.1).cmp(&fold(other.1)).then(self.1.cmp(&other.1))
        })
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
        f.write_str(&parts.join("."))?;
        match self.1 {
            Some(letter) => write!(f, " ({letter})"),
            None => Ok(()),
        }
    }
}

/// Splits a trailing sub-action letter off a number: `3.1 (A)`, `3.1(a)`, `3.1 a)`, `3.1a`.
/// A letter must follow digits (or digits and a space), so `2.a` stays malformed.
fn split_letter(text: &str) -> (&str, Option<char>) {
    let stripped = text.strip_suffix(')').unwrap_or(text);
    let mut chars = stripped.char_indices().rev();
    let Some((at, letter)) = chars.next() else {
        return (text, None);
    };
    if !letter.is_ascii_alphabetic() {
        return (text, None);
    }
    let before = stripped[..at].trim_end();
    let before = match before.strip_suffix('(') {
        Some(open) if stripped.len() < text.len() => open.trim_end(),
        Some(_) => return (text, None),
        None => before,
    };
    if before.ends_with(|c: char| c.is_ascii_digit()) {
        (before, Some(letter))
    } else {
        (text, None)
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
    fn lettered_sub_actions_as_trackers_write_them() {
        for written in ["3.1 (A)", "3.1(A)", "3.1A", "3.1 A)", " 3.1 (A) "] {
            let number = n(written);
            assert_eq!(number.segments(), &[3, 1], "{written}");
            assert_eq!(number.letter(), Some('A'), "{written}");
            assert_eq!(number.to_string(), "3.1 (A)", "{written}");
            assert_eq!(n(&number.to_string()), number, "prints back");
        }
        assert_eq!(n("2.3.1b").to_string(), "2.3.1 (b)");
        assert_eq!(ItemNumber::parse("2.a"), Err(NumberError::Malformed));
        assert_eq!(ItemNumber::parse("(A)"), Err(NumberError::Malformed));
        assert_eq!(ItemNumber::parse("3.1 (AB)"), Err(NumberError::Malformed));
        assert_eq!(ItemNumber::parse("3.1 A("), Err(NumberError::Malformed));
        let mut numbers = [n("3.1.1"), n("3.1 (B)"), n("3.2"), n("3.1"), n("3.1 (a)")];
        numbers.sort();
        let printed: Vec<String> = numbers.iter().map(ToString::to_string).collect();
        assert_eq!(printed, ["3.1", "3.1 (a)", "3.1 (B)", "3.1.1", "3.2"]);
        let mut keys: Vec<String> = numbers.iter().map(ItemNumber::sort_key).collect();
        keys.sort();
        assert_eq!(
            keys,
            numbers.iter().map(ItemNumber::sort_key).collect::<Vec<_>>()
        );
        assert!(!n("3.1 (a)").is_child_of(&n("3")));
        assert!(n("3.1 (a)").belongs_under(&n("3")));
        assert!(n("3.1").belongs_under(&n("3")));
        assert!(!n("3.1.1 (a)").belongs_under(&n("3")));
    }

    #[test]
    fn knows_its_parent() {
        assert!(n("2.3.1").is_child_of(&n("2.3")));
        assert!(n("2.3").is_child_of(&n("2")));
        assert!(!n("2.3.1").is_child_of(&n("2")));
        assert!(!n("3.1").is_child_of(&n("2")));
    }
}

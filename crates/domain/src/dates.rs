//! Plan dates as councils write them: "Sept. 2022", "Nov/Dec 2018", "By Jan 2019",
//! "Autumn Term 2018", "Q3 2022/23", "Ongoing", "June 2023: 125 weeks March 2024: 13 weeks".
//!
//! [`PlanDate::parse`] keeps the text exactly as written and adds what it can read: a span of
//! days, an open-ended "by" or "from" date, a state (ongoing, complete) or a list of dated
//! points. Text it cannot read, or can read only part of, is flagged for review: it is never
//! dropped and never guessed.
//!
//! Conventions (UK public sector): a month means the whole month; the autumn term is
//! September to December, spring is January to the day before Easter Sunday, summer is Easter
//! Sunday to July; an academic year ("2022-23", "2022/23") runs September to August; a
//! financial quarter ("Q3 2022/23") counts from April (Q1 April to June); two-digit years are
//! 20xx.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// A run of whole days, first and last included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: Date,
    pub end: Date,
}

/// What a plan date says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Reading {
    /// Within this span ("Nov 2018", "Autumn Term 2018", "Between October and December 2018").
    Within { span: Span },
    /// No later than this day ("By Jan 2019").
    By { date: Date },
    /// Starting on this day, with no end given ("From October 2018").
    From { date: Date },
    /// Continuous work with no end date.
    Ongoing,
    /// Already done.
    Complete,
    /// Several dated values or dates ("June 2023: 125 weeks March 2024: 13 weeks").
    Points { points: Vec<(Span, String)> },
    /// Nothing could be read.
    Unreadable,
}

/// A date as written in a plan, with what sendplan could read of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDate {
    /// Exactly as written.
    pub text: String,
    pub reading: Reading,
    /// Part of the text was not understood (or none of it): a person should check it.
    pub needs_review: bool,
}

impl PlanDate {
    /// Reads `text`. Never fails: what cannot be read is flagged.
    pub fn parse(text: &str) -> PlanDate {
        let tokens = tokenize(&excel_month_year(text));
        let (reading, residue) = scan(&tokens);
        let needs_review = residue || matches!(reading, Reading::Unreadable);
        PlanDate {
            text: text.to_owned(),
            reading,
            needs_review,
        }
    }

    /// The last day the date allows, for deadlines: the end of the span, the "by" date, or
    /// the last dated point. `None` when there is no end (ongoing, from, complete, unreadable).
    pub fn deadline(&self) -> Option<Date> {
        match &self.reading {
            Reading::Within { span } => Some(span.end),
            Reading::By { date } => Some(*date),
            Reading::Points { points } => points.iter().map(|(span, _)| span.end).max(),
            _ => None,
        }
    }

    /// The first day the date allows, when it says.
    pub fn start(&self) -> Option<Date> {
        match &self.reading {
            Reading::Within { span } => Some(span.start),
            Reading::From { date } => Some(*date),
            Reading::Points { points } => points.iter().map(|(span, _)| span.start).min(),
            _ => None,
        }
    }
}

/// Excel's default month-and-year display ("Jan-22", "Sep-2021") as a month and year
/// ("Jan 22"), so the hyphen is not read as a range ("Nov-Dec 2018" is one).
fn excel_month_year(text: &str) -> std::borrow::Cow<'_, str> {
    let trimmed = text.trim();
    if let Some((month, year)) = trimmed.split_once('-') {
        let is_month = month.len() >= 3 && month.chars().all(|c| c.is_ascii_alphabetic());
        let is_year = matches!(year.len(), 2 | 4) && year.chars().all(|c| c.is_ascii_digit());
        if is_month && is_year {
            return std::borrow::Cow::Owned(format!("{month} {year}"));
        }
    }
    std::borrow::Cow::Borrowed(text)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Number(String),
    Symbol(char),
}

impl Token {
    /// Words that carry no date information ("the", "of", commas and brackets are dropped
    /// by the tokenizer already).
    fn is_filler(&self) -> bool {
        matches!(self, Token::Word(w) if matches!(w.as_str(), "the" | "of" | "in" | "during" | "term" | "approx" | "approximately" | "circa" | "c"))
            || matches!(self, Token::Symbol('.'))
    }
    fn word(&self) -> Option<&str> {
        match self {
            Token::Word(w) => Some(w),
            _ => None,
        }
    }
    fn number(&self) -> Option<&str> {
        match self {
            Token::Number(n) => Some(n),
            _ => None,
        }
    }
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_alphabetic() {
            let mut word = String::new();
            while let Some(&c) = chars.peek().filter(|c| c.is_alphabetic()) {
                word.extend(c.to_lowercase());
                chars.next();
            }
            tokens.push(Token::Word(word));
        } else if c.is_ascii_digit() {
            let mut number = String::new();
            while let Some(&c) = chars.peek().filter(|c| c.is_ascii_digit()) {
                number.push(c);
                chars.next();
            }
            // Ordinal suffixes: "1st", "22nd".
            tokens.push(Token::Number(number));
            if let Some(Token::Word(w)) = peek_word(&mut chars) {
                if matches!(w.as_str(), "st" | "nd" | "rd" | "th") {
                    for _ in 0..2 {
                        chars.next();
                    }
                }
            }
        } else {
            chars.next();
            match c {
                '-' | '–' | '—' | '/' | '&' | ':' | '+' => {
                    tokens.push(Token::Symbol(if matches!(c, '–' | '—') {
                        '-'
                    } else {
                        c
                    }))
                }
                _ => {} // spaces, brackets, commas and full stops separate tokens only
            }
        }
    }
    tokens
}

fn peek_word(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<Token> {
    let rest: String = chars.clone().take(2).collect();
    let lower = rest.to_lowercase();
    (lower.len() == 2 && lower.chars().all(char::is_alphabetic)).then_some(Token::Word(lower))
}

fn month_named(word: &str) -> Option<Month> {
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if word == "sept" {
        return Some(Month::September);
    }
    if word.len() < 3 {
        return None;
    }
    NAMES
        .iter()
        .position(|name| name.starts_with(word))
        .and_then(|i| Month::try_from(i as u8 + 1).ok())
}

fn year_from(number: &str) -> Option<i32> {
    let n: i32 = number.parse().ok()?;
    match number.len() {
        2 => Some(2000 + n),
        4 if (1990..=2100).contains(&n) => Some(n),
        _ => None,
    }
}

fn month_span(year: i32, month: Month) -> Option<Span> {
    let start = Date::from_calendar_date(year, month, 1).ok()?;
    let end = Date::from_calendar_date(year, month, time::util::days_in_month(month, year)).ok()?;
    Some(Span { start, end })
}

fn day(year: i32, month: Month, day: u8) -> Option<Date> {
    Date::from_calendar_date(year, month, day).ok()
}

/// Easter Sunday in the Gregorian calendar (the anonymous algorithm).
fn easter(year: i32) -> Option<Date> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let date = (h + l - 7 * m + 114) % 31 + 1;
    day(year, Month::try_from(month as u8).ok()?, date as u8)
}

fn term(name: &str, year: i32) -> Option<Span> {
    match name {
        "autumn" => Some(Span {
            start: day(year, Month::September, 1)?,
            end: day(year, Month::December, 31)?,
        }),
        "spring" => Some(Span {
            start: day(year, Month::January, 1)?,
            end: easter(year)?.previous_day()?,
        }),
        "summer" => Some(Span {
            start: easter(year)?,
            end: day(year, Month::July, 31)?,
        }),
        _ => None,
    }
}

/// A period read from the front of `tokens`, and how many tokens it used. A month without a
/// year ("Nov" in "Nov/Dec 2018") is returned as `Partial` for the caller to complete.
#[derive(Debug, Clone, Copy)]
enum Period {
    Whole(Span),
    Partial(Month, Option<u8>),
}

fn period(tokens: &[Token]) -> Option<(Period, usize)> {
    let t = |i: usize| tokens.get(i);
    // "Q3 2022/23": a financial-year quarter.
    if let Some(w) = t(0).and_then(Token::word) {
        if w == "q" {
            let q = t(1).and_then(Token::number)?;
            return quarter(q, &tokens[2..]).map(|(span, used)| (Period::Whole(span), 2 + used));
        }
        if let Some(season) = ["autumn", "spring", "summer"].iter().find(|s| **s == w) {
            let mut used = 1;
            if t(used).and_then(Token::word) == Some("term") {
                used += 1;
            }
            let year = t(used).and_then(Token::number).and_then(year_from)?;
            return term(season, year).map(|span| (Period::Whole(span), used + 1));
        }
        if let Some(month) = month_named(w) {
            return Some(match t(1).and_then(Token::number).and_then(year_from) {
                Some(year) => (Period::Whole(month_span(year, month)?), 2),
                None => (Period::Partial(month, None), 1),
            });
        }
        return None;
    }
    let first = t(0).and_then(Token::number)?;
    // "2022-02-28" (ISO) and "28/02/2022" (UK day first).
    if let (Some(Token::Symbol(s1)), Some(second), Some(Token::Symbol(s2)), Some(third)) = (
        t(1),
        t(2).and_then(Token::number),
        t(3),
        t(4).and_then(Token::number),
    ) {
        if s1 == s2 && matches!(s1, '-' | '/') {
            let (y, m, d) = if first.len() == 4 {
                (first, second, third)
            } else {
                (third, second, first)
            };
            let date = day(
                year_from(y)?,
                Month::try_from(m.parse::<u8>().ok()?).ok()?,
                d.parse().ok()?,
            )?;
            return Some((
                Period::Whole(Span {
                    start: date,
                    end: date,
                }),
                5,
            ));
        }
    }
    // "12 July 2021", "12 July".
    if first.len() <= 2 {
        let d: u8 = first.parse().ok()?;
        let month = t(1).and_then(Token::word).and_then(month_named)?;
        return Some(match t(2).and_then(Token::number).and_then(year_from) {
            Some(year) => {
                let date = day(year, month, d)?;
                (
                    Period::Whole(Span {
                        start: date,
                        end: date,
                    }),
                    3,
                )
            }
            None => (Period::Partial(month, Some(d)), 2),
        });
    }
    // "2022-23" or "2022/23": an academic year. "2022": a calendar year.
    let year = year_from(first).filter(|_| first.len() == 4)?;
    if let (Some(Token::Symbol('-' | '/')), Some(next)) = (t(1), t(2).and_then(Token::number)) {
        if year_from(next).is_some_and(|n| n == year + 1) {
            let span = Span {
                start: day(year, Month::September, 1)?,
                end: day(year + 1, Month::August, 31)?,
            };
            return Some((Period::Whole(span), 3));
        }
    }
    Some((
        Period::Whole(Span {
            start: day(year, Month::January, 1)?,
            end: day(year, Month::December, 31)?,
        }),
        1,
    ))
}

/// "3 2022/23" after a "Q": quarter 3 of the financial year 2022/23.
fn quarter(q: &str, tokens: &[Token]) -> Option<(Span, usize)> {
    let q: i32 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
    let first = tokens.first().and_then(Token::number).and_then(year_from)?;
    let used = match (
        tokens.get(1),
        tokens.get(2).and_then(Token::number).and_then(year_from),
    ) {
        (Some(Token::Symbol('-' | '/')), Some(next)) if next == first + 1 => 3,
        _ => 1,
    };
    let (year, month) = match q {
        4 => (first + 1, 1),
        q => (first, 4 + (q - 1) * 3),
    };
    let start_month = Month::try_from(month as u8).ok()?;
    let end_month = Month::try_from(month as u8 + 2).ok()?;
    let span = Span {
        start: day(year, start_month, 1)?,
        end: month_span(year, end_month)?.end,
    };
    Some((span, used))
}

fn complete_with_year(period: Period, year: i32) -> Option<Span> {
    match period {
        Period::Whole(span) => Some(span),
        Period::Partial(month, None) => month_span(year, month),
        Period::Partial(month, Some(d)) => day(year, month, d).map(|date| Span {
            start: date,
            end: date,
        }),
    }
}

fn year_of(period: Period) -> Option<i32> {
    match period {
        Period::Whole(span) => Some(span.end.year()),
        Period::Partial(..) => None,
    }
}

fn partial_month(period: Period) -> Option<Month> {
    match period {
        Period::Partial(month, _) => Some(month),
        Period::Whole(_) => None,
    }
}

/// "X to Y", "X - Y", "X/Y", "X & Y", "X and Y", where X may borrow Y's year
/// ("Nov/Dec 2018", and "Nov/Jan 2019" which starts in November 2018).
fn range(tokens: &[Token]) -> Option<(Span, usize)> {
    let (first, used_first) = period(tokens)?;
    let separator = tokens.get(used_first)?;
    let is_separator = matches!(separator, Token::Symbol('-' | '/' | '&'))
        || matches!(separator.word(), Some("to" | "and" | "until" | "till"));
    if !is_separator {
        return None;
    }
    let (second, used_second) = period(&tokens[used_first + 1..])?;
    let end = match second {
        Period::Whole(span) => span,
        Period::Partial(..) => complete_with_year(second, year_of(first)?)?,
    };
    let start = match first {
        Period::Whole(span) => span,
        Period::Partial(month, _) => {
            let end_month = partial_month(second).unwrap_or(end.end.month());
            let year = if u8::from(month) > u8::from(end_month) {
                end.end.year() - 1
            } else {
                end.end.year()
            };
            complete_with_year(first, year)?
        }
    };
    (start.start <= end.end).then_some((
        Span {
            start: start.start,
            end: end.end,
        },
        used_first + 1 + used_second,
    ))
}

/// A whole period or range at the front of `tokens`.
fn span(tokens: &[Token]) -> Option<(Span, usize)> {
    if let Some(found) = range(tokens) {
        return Some(found);
    }
    match period(tokens)? {
        (Period::Whole(span), used) => Some((span, used)),
        (Period::Partial(..), _) => None,
    }
}

fn read(tokens: &[Token]) -> (Reading, &[Token]) {
    let first = tokens.first().and_then(Token::word);
    match first {
        None if tokens.is_empty() => return (Reading::Unreadable, tokens),
        Some("ongoing" | "continuous" | "continual") => {
            // "Ongoing Sep to December 2018": ongoing, within a span.
            if let Some((span, used)) = span(&tokens[1..]) {
                return (Reading::Within { span }, &tokens[1 + used..]);
            }
            return (Reading::Ongoing, &tokens[1..]);
        }
        Some("complete" | "completed" | "done" | "achieved") => {
            return (Reading::Complete, &tokens[1..])
        }
        Some("by" | "before" | "until") => {
            // "by end October 2018", "by the end of October 2018"
            let mut skip = 1;
            for word in ["the", "end", "of"] {
                if tokens.get(skip).and_then(Token::word) == Some(word) {
                    skip += 1;
                }
            }
            if let Some((span, used)) = span(&tokens[skip..]) {
                return (Reading::By { date: span.end }, &tokens[skip + used..]);
            }
        }
        Some("end") if tokens.get(1).and_then(Token::word) == Some("of") => {
            if let Some((span, used)) = span(&tokens[2..]) {
                return (Reading::By { date: span.end }, &tokens[2 + used..]);
            }
        }
        Some("from" | "starting" | "after") => {
            if let Some((span, used)) = span(&tokens[1..]) {
                return (Reading::From { date: span.start }, &tokens[1 + used..]);
            }
        }
        Some("between") => {
            if let Some((span, used)) = range(&tokens[1..]) {
                return (Reading::Within { span }, &tokens[1 + used..]);
            }
        }
        _ => {}
    }
    // One period, or several ("June 2023: 125 weeks March 2024: 13 weeks").
    let Some((first_span, used)) = span(tokens) else {
        return (Reading::Unreadable, tokens);
    };
    let mut points = Vec::new();
    let mut rest = &tokens[used..];
    let mut current = first_span;
    loop {
        let value_tokens: Vec<&Token> = if rest.first() == Some(&Token::Symbol(':')) {
            let mut taken = Vec::new();
            let mut i = 1;
            while i < rest.len() && span(&rest[i..]).is_none() {
                taken.push(&rest[i]);
                i += 1;
            }
            rest = &rest[i..];
            taken
        } else {
            Vec::new()
        };
        points.push((current, words_of(&value_tokens)));
        match span(rest) {
            Some((next, used)) => {
                current = next;
                rest = &rest[used..];
            }
            None => break,
        }
    }
    if points.len() == 1 && points[0].1.is_empty() {
        (Reading::Within { span: first_span }, rest)
    } else {
        (Reading::Points { points }, rest)
    }
}

/// Reads every date phrase in the text, skipping words around them ("Review report
/// available by December 2018"). Returns what was read and whether any words were not
/// understood (then a person should check the reading).
fn scan(tokens: &[Token]) -> (Reading, bool) {
    let mut readings = Vec::new();
    let mut residue = false;
    let mut i = 0;
    while i < tokens.len() {
        let (reading, rest) = read(&tokens[i..]);
        if reading == Reading::Unreadable {
            residue |= !tokens[i].is_filler();
            i += 1;
            continue;
        }
        readings.push(reading);
        i = tokens.len() - rest.len();
    }
    match readings.len() {
        0 => (Reading::Unreadable, true),
        1 => (readings.remove(0), residue),
        _ => {
            // Several phrases: every dated one becomes a point, and a person checks it.
            let points: Vec<(Span, String)> = readings
                .into_iter()
                .flat_map(|r| match r {
                    Reading::Within { span } => vec![(span, String::new())],
                    Reading::By { date } | Reading::From { date } => vec![(
                        Span {
                            start: date,
                            end: date,
                        },
                        String::new(),
                    )],
                    Reading::Points { points } => points,
                    Reading::Ongoing | Reading::Complete | Reading::Unreadable => vec![],
                })
                .collect();
            if points.is_empty() {
                (Reading::Unreadable, true)
            } else {
                (Reading::Points { points }, true)
            }
        }
    }
}

fn words_of(tokens: &[&Token]) -> String {
    tokens
        .iter()
        .map(|t| match t {
            Token::Word(w) | Token::Number(w) => w.clone(),
            Token::Symbol(c) => c.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn within(text: &str) -> (Date, Date) {
        match PlanDate::parse(text).reading {
            Reading::Within { span } => (span.start, span.end),
            other => panic!("{text:?} read as {other:?}"),
        }
    }

    #[test]
    fn months_with_every_spelling() {
        for text in [
            "Sept. 2022",
            "September 2022",
            "Sep 2022",
            "sept 2022",
            "(Sept. 22)",
            "Sep-22",
            "Sep-2022",
        ] {
            assert_eq!(
                within(text),
                (date!(2022 - 09 - 01), date!(2022 - 09 - 30)),
                "{text}"
            );
        }
        assert_eq!(
            within("(Nov. 21)"),
            (date!(2021 - 11 - 01), date!(2021 - 11 - 30))
        );
        assert_eq!(
            within("Feb 2024"),
            (date!(2024 - 02 - 01), date!(2024 - 02 - 29))
        );
    }

    #[test]
    fn pairs_and_ranges_of_months() {
        assert_eq!(
            within("Nov/Dec 2018"),
            (date!(2018 - 11 - 01), date!(2018 - 12 - 31))
        );
        assert_eq!(
            within("Sep & Oct 2018"),
            (date!(2018 - 09 - 01), date!(2018 - 10 - 31))
        );
        assert_eq!(
            within("Sept & October 2018"),
            (date!(2018 - 09 - 01), date!(2018 - 10 - 31))
        );
        assert_eq!(
            within("July to September 2018"),
            (date!(2018 - 07 - 01), date!(2018 - 09 - 30))
        );
        assert_eq!(
            within("Between October and December 2018"),
            (date!(2018 - 10 - 01), date!(2018 - 12 - 31))
        );
        assert_eq!(
            within("September – November 2018"),
            (date!(2018 - 09 - 01), date!(2018 - 11 - 30))
        );
        assert_eq!(
            within("Nov/Jan 2019"),
            (date!(2018 - 11 - 01), date!(2019 - 01 - 31))
        );
        assert_eq!(
            within("Between March and May 2019"),
            (date!(2019 - 03 - 01), date!(2019 - 05 - 31))
        );
    }

    #[test]
    fn deadlines_and_starts() {
        assert_eq!(
            PlanDate::parse("By Jan 2019").reading,
            Reading::By {
                date: date!(2019 - 01 - 31)
            }
        );
        assert_eq!(
            PlanDate::parse("end of May 2019").reading,
            Reading::By {
                date: date!(2019 - 05 - 31)
            }
        );
        assert_eq!(
            PlanDate::parse("From October 2018").reading,
            Reading::From {
                date: date!(2018 - 10 - 01)
            }
        );
        assert_eq!(
            PlanDate::parse("By Jan 2019").deadline(),
            Some(date!(2019 - 01 - 31))
        );
    }

    #[test]
    fn school_terms_follow_easter() {
        assert_eq!(
            within("Autumn Term 2018"),
            (date!(2018 - 09 - 01), date!(2018 - 12 - 31))
        );
        // Easter Sunday 2019 was 21 April.
        assert_eq!(
            within("Spring Term 2019"),
            (date!(2019 - 01 - 01), date!(2019 - 04 - 20))
        );
        assert_eq!(
            within("Summer term 2019"),
            (date!(2019 - 04 - 21), date!(2019 - 07 - 31))
        );
    }

    #[test]
    fn financial_quarters_and_academic_years() {
        assert_eq!(
            within("Q3 2022/23"),
            (date!(2022 - 10 - 01), date!(2022 - 12 - 31))
        );
        assert_eq!(
            within("Q4 2022/23"),
            (date!(2023 - 01 - 01), date!(2023 - 03 - 31))
        );
        assert_eq!(
            within("Q1 2022-23"),
            (date!(2022 - 04 - 01), date!(2022 - 06 - 30))
        );
        assert_eq!(
            within("2022-23"),
            (date!(2022 - 09 - 01), date!(2023 - 08 - 31))
        );
        assert_eq!(
            within("2022/23"),
            (date!(2022 - 09 - 01), date!(2023 - 08 - 31))
        );
        assert_eq!(
            within("2023"),
            (date!(2023 - 01 - 01), date!(2023 - 12 - 31))
        );
    }

    #[test]
    fn exact_days() {
        assert_eq!(
            within("2022-02-28"),
            (date!(2022 - 02 - 28), date!(2022 - 02 - 28))
        );
        assert_eq!(
            within("28/02/2022"),
            (date!(2022 - 02 - 28), date!(2022 - 02 - 28))
        );
        assert_eq!(
            within("12 July 2021"),
            (date!(2021 - 07 - 12), date!(2021 - 07 - 12))
        );
        assert_eq!(
            within("1st September 2018"),
            (date!(2018 - 09 - 01), date!(2018 - 09 - 01))
        );
    }

    #[test]
    fn states() {
        assert_eq!(PlanDate::parse("Ongoing").reading, Reading::Ongoing);
        assert_eq!(PlanDate::parse("Complete").reading, Reading::Complete);
        assert!(!PlanDate::parse("Ongoing").needs_review);
        assert_eq!(
            within("Ongoing Sep to December 2018"),
            (date!(2018 - 09 - 01), date!(2018 - 12 - 31))
        );
    }

    #[test]
    fn trajectories_keep_every_dated_value() {
        let read = PlanDate::parse("June 2023: 125 weeks March 2024: 13 weeks");
        let Reading::Points { points } = &read.reading else {
            panic!("{read:?}")
        };
        assert_eq!(points.len(), 2);
        assert_eq!(points[0].0.end, date!(2023 - 06 - 30));
        assert_eq!(points[0].1, "125 weeks");
        assert_eq!(points[1].0.end, date!(2024 - 03 - 31));
        assert_eq!(points[1].1, "13 weeks");
        assert_eq!(read.deadline(), Some(date!(2024 - 03 - 31)));
        assert!(!read.needs_review);
    }

    #[test]
    fn several_dates_in_one_cell_are_all_kept() {
        let read = PlanDate::parse("September 2018 January 2019");
        assert!(matches!(&read.reading, Reading::Points { points } if points.len() == 2));
        assert_eq!(read.deadline(), Some(date!(2019 - 01 - 31)));
    }

    #[test]
    fn a_date_inside_a_sentence_is_read_and_flagged() {
        let read = PlanDate::parse("Review and initial summary report available by December 2018");
        assert_eq!(
            read.reading,
            Reading::By {
                date: date!(2018 - 12 - 31)
            }
        );
        assert!(read.needs_review);
        let read = PlanDate::parse("All individual programmes in place by end October 2018.");
        assert_eq!(read.deadline(), Some(date!(2018 - 10 - 31)));
        let read = PlanDate::parse("Evaluation by June 2023");
        assert_eq!(read.deadline(), Some(date!(2023 - 06 - 30)));
        let read = PlanDate::parse(
            "Champions identified by September 2018.\nInduction modules developed by January 2019.",
        );
        assert_eq!(read.deadline(), Some(date!(2019 - 01 - 31)));
        assert!(read.needs_review);
    }

    #[test]
    fn what_cannot_be_read_is_kept_and_flagged_never_guessed() {
        for text in ["3 months", "TBC", "When funding allows", "", "Spring"] {
            let read = PlanDate::parse(text);
            assert_eq!(read.reading, Reading::Unreadable, "{text:?}");
            assert!(read.needs_review);
            assert_eq!(read.text, text);
        }
        let partly = PlanDate::parse("Autumn Term 2018, aiming for November");
        assert!(
            partly.needs_review,
            "the words after the term are not understood"
        );
        assert_eq!(partly.deadline(), Some(date!(2018 - 12 - 31)));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];

        proptest! {
            #[test]
            fn any_text_is_kept_verbatim_and_never_panics(text in "\\PC{0,60}") {
                let read = PlanDate::parse(&text);
                prop_assert_eq!(&read.text, &text);
                if let (Some(start), Some(end)) = (read.start(), read.deadline()) {
                    prop_assert!(start <= end);
                }
            }

            #[test]
            fn a_month_and_year_reads_as_that_whole_month(month in 0usize..12, year in 1995i32..2060, abbreviate in any::<bool>()) {
                let name = if abbreviate { &MONTHS[month][..3] } else { MONTHS[month] };
                let read = PlanDate::parse(&format!("{name} {year}"));
                let expected = month_span(year, Month::try_from(month as u8 + 1).unwrap()).unwrap();
                prop_assert_eq!(read.reading, Reading::Within { span: expected });
                prop_assert!(!read.needs_review);
            }

            #[test]
            fn by_a_month_is_its_last_day(month in 0usize..12, year in 1995i32..2060) {
                let read = PlanDate::parse(&format!("By {} {year}", MONTHS[month]));
                let expected = month_span(year, Month::try_from(month as u8 + 1).unwrap()).unwrap().end;
                prop_assert_eq!(read.deadline(), Some(expected));
            }

            #[test]
            fn iso_days_read_back_exactly(days in 0i64..30000) {
                let date = date!(1995 - 01 - 01) + time::Duration::days(days);
                let read = PlanDate::parse(&date.to_string());
                prop_assert_eq!(read.reading, Reading::Within { span: Span { start: date, end: date } });
            }
        }
    }
}

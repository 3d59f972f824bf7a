//! The reporting periods of a measure's data points: a measure reported monthly takes
//! "2023-06" or "June 2023"; quarterly (financial quarters, as councils report) "2023/24 Q1";
//! termly "Autumn 2023"; and yearly measures their academic ("2022/23", September to August),
//! financial ("2022/23", April to March) or calendar ("2023") year. A value for a period that
//! does not fit the measure's frequency is refused with the form that would.

use crate::dates::Span;
use serde::{Deserialize, Serialize};
use time::{Date, Month};

crate::coded_enum! {
    /// How often a measure is reported.
    Frequency {
        Monthly => ("monthly", "Monthly"),
        Quarterly => ("quarterly", "Quarterly (financial quarters)"),
        Termly => ("termly", "Termly"),
        AcademicYear => ("academic_year", "Each academic year"),
        FinancialYear => ("financial_year", "Each financial year"),
        CalendarYear => ("calendar_year", "Each calendar year"),
    }
}

/// A period a data point covers, written canonically, with its days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// The canonical label: "2023-06", "2023/24 Q1", "Autumn 2023", "2022/23", "2023".
    pub label: String,
    pub span: Span,
}

fn day(year: i32, month: u8, day: u8) -> Option<Date> {
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

fn month_end(year: i32, month: u8) -> Option<Date> {
    let m = Month::try_from(month).ok()?;
    Date::from_calendar_date(year, m, time::util::days_in_month(m, year)).ok()
}

/// "2022/23" or "2022-23" (or "2022/2023") as its first year.
fn split_year(text: &str) -> Option<i32> {
    let (first, second) = text.split_once(['/', '-'])?;
    let first: i32 = first.trim().parse().ok()?;
    let second: i32 = second.trim().parse().ok()?;
    let follows = if second < 100 {
        (first + 1) % 100 == second
    } else {
        first + 1 == second
    };
    (follows && (1990..=2100).contains(&first)).then_some(first)
}

impl Frequency {
    /// An example of a period written the way this frequency expects.
    pub fn example(self) -> &'static str {
        match self {
            Frequency::Monthly => "2023-06 or June 2023",
            Frequency::Quarterly => "2023/24 Q1 (April to June 2023)",
            Frequency::Termly => "Autumn 2023",
            Frequency::AcademicYear | Frequency::FinancialYear => "2022/23",
            Frequency::CalendarYear => "2023",
        }
    }

    /// Reads a period of this frequency, or says how to write one.
    pub fn parse_period(self, text: &str) -> Result<Period, String> {
        let text = text.trim();
        let kind = match self {
            Frequency::Monthly => "a monthly",
            Frequency::Quarterly => "a quarterly",
            Frequency::Termly => "a termly",
            Frequency::AcademicYear => "an academic year",
            Frequency::FinancialYear => "a financial year",
            Frequency::CalendarYear => "a calendar year",
        };
        let wrong = || {
            format!(
                "\"{text}\" is not {kind} period: write it like {}",
                self.example()
            )
        };
        let period = match self {
            Frequency::Monthly => {
                let (year, month) =
                    if let Some((y, m)) = text.split_once('-').filter(|(y, _)| y.len() == 4) {
                        (y.parse::<i32>().ok(), m.parse::<u8>().ok())
                    } else {
                        match crate::dates::PlanDate::parse(text).reading {
                            crate::dates::Reading::Within { span }
                                if span.start.day() == 1
                                    && month_end(span.start.year(), span.start.month() as u8)
                                        == Some(span.end) =>
                            {
                                (Some(span.start.year()), Some(span.start.month() as u8))
                            }
                            _ => (None, None),
                        }
                    };
                let (Some(year), Some(month)) = (year, month) else {
                    return Err(wrong());
                };
                Some(Period {
                    label: format!("{year}-{month:02}"),
                    span: Span {
                        start: day(year, month, 1).ok_or_else(wrong)?,
                        end: month_end(year, month).ok_or_else(wrong)?,
                    },
                })
            }
            Frequency::Quarterly => {
                let (year, quarter) = text
                    .split_once(" Q")
                    .or_else(|| text.split_once(" q"))
                    .ok_or_else(wrong)?;
                let first = split_year(year).ok_or_else(wrong)?;
                let q: u8 = quarter
                    .trim()
                    .parse()
                    .ok()
                    .filter(|q| (1..=4).contains(q))
                    .ok_or_else(wrong)?;
                let (y, start_month) = if q == 4 {
                    (first + 1, 1)
                } else {
                    (first, 4 + (q - 1) * 3)
                };
                Some(Period {
                    label: format!("{first}/{:02} Q{q}", (first + 1) % 100),
                    span: Span {
                        start: day(y, start_month, 1).ok_or_else(wrong)?,
                        end: month_end(y, start_month + 2).ok_or_else(wrong)?,
                    },
                })
            }
            Frequency::Termly => {
                let read = crate::dates::PlanDate::parse(&format!("{text} term"));
                let term = text.split_whitespace().next().unwrap_or("").to_lowercase();
                match (
                    read.reading,
                    ["autumn", "spring", "summer"].contains(&term.as_str()),
                ) {
                    (crate::dates::Reading::Within { span }, true) => {
                        let name = format!("{}{}", term[..1].to_uppercase(), &term[1..]);
                        Some(Period {
                            label: format!("{name} {}", span.start.year()),
                            span,
                        })
                    }
                    _ => None,
                }
            }
            Frequency::AcademicYear | Frequency::FinancialYear => {
                let first = split_year(text).ok_or_else(wrong)?;
                let (start, end) = if self == Frequency::AcademicYear {
                    ((first, 9), (first + 1, 8))
                } else {
                    ((first, 4), (first + 1, 3))
                };
                Some(Period {
                    label: format!("{first}/{:02}", (first + 1) % 100),
                    span: Span {
                        start: day(start.0, start.1, 1).ok_or_else(wrong)?,
                        end: month_end(end.0, end.1).ok_or_else(wrong)?,
                    },
                })
            }
            Frequency::CalendarYear => {
                let year: i32 = text
                    .parse()
                    .ok()
                    .filter(|y| (1990..=2100).contains(y))
                    .ok_or_else(wrong)?;
                Some(Period {
                    label: year.to_string(),
                    span: Span {
                        start: day(year, 1, 1).ok_or_else(wrong)?,
                        end: day(year, 12, 31).ok_or_else(wrong)?,
                    },
                })
            }
        };
        let period = period.ok_or_else(wrong)?;
        // A typing slip such as 9999-12 would otherwise become a measure's latest value.
        let years = PERIOD_YEARS;
        if !years.contains(&period.span.start.year()) || !years.contains(&period.span.end.year()) {
            return Err(format!(
                "\"{text}\" is outside the years a plan measures: periods must fall between {} and {}",
                years.start(),
                years.end()
            ));
        }
        Ok(period)
    }
}

impl Period {
    /// Where a value for this period is drawn on a time line: the middle of the period. A
    /// calendar year's value sits over its own year, not over the next January where its
    /// last day falls; the same rule holds for every frequency.
    pub fn middle(&self) -> Date {
        let days = (self.span.end - self.span.start).whole_days();
        self.span.start + time::Duration::days(days / 2)
    }
}

impl Frequency {
    /// The period of this frequency that holds `date`, if any (August is in no term).
    pub fn period_containing(self, date: Date) -> Option<Period> {
        let (year, month) = (date.year(), date.month() as u8);
        // The year a year-long period starting in `first_month` began in.
        let began = |first_month: u8| if month >= first_month { year } else { year - 1 };
        let two_years = |first: i32| format!("{first}/{:02}", (first + 1) % 100);
        let candidates: Vec<String> = match self {
            Frequency::Monthly => vec![format!("{year}-{month:02}")],
            Frequency::Quarterly => {
                let quarter = if month >= 4 { (month - 4) / 3 + 1 } else { 4 };
                vec![format!("{} Q{quarter}", two_years(began(4)))]
            }
            Frequency::Termly => ["Autumn", "Spring", "Summer"]
                .iter()
                .map(|term| format!("{term} {year}"))
                .collect(),
            Frequency::AcademicYear => vec![two_years(began(9))],
            Frequency::FinancialYear => vec![two_years(began(4))],
            Frequency::CalendarYear => vec![year.to_string()],
        };
        candidates
            .iter()
            .filter_map(|text| self.parse_period(text).ok())
            .find(|p| p.span.start <= date && date <= p.span.end)
    }

    /// The periods of this frequency from the one holding `first` to the one holding
    /// `last`, in order: what a chart's time line is labelled with.
    pub fn periods_between(self, first: Date, last: Date) -> Vec<Period> {
        /// Enough for a monthly measure over the whole range of years a plan takes.
        const MOST: usize = 1_400;
        let mut periods: Vec<Period> = Vec::new();
        let mut day = first;
        while day <= last && periods.len() < MOST {
            match self.period_containing(day) {
                Some(period) => {
                    let Some(next) = period.span.end.next_day() else {
                        periods.push(period);
                        break;
                    };
                    periods.push(period);
                    day = next;
                }
                // A day between periods (August, between terms): the next day may start one.
                None => match day.next_day() {
                    Some(next) => day = next,
                    None => break,
                },
            }
        }
        periods
    }
}

/// The years a measure's period may fall in (the same as any date sendplan takes).
pub const PERIOD_YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

#[cfg(test)]
mod period_range {
    use super::*;

    #[test]
    fn periods_outside_1990_to_2100_are_refused_for_every_frequency() {
        for (frequency, text) in [
            (Frequency::Monthly, "9999-12"),
            (Frequency::Monthly, "1900-01"),
            (Frequency::Quarterly, "2100/01 Q4"),
            (Frequency::AcademicYear, "2100/01"),
            (Frequency::FinancialYear, "1989/90"),
            (Frequency::CalendarYear, "2101"),
        ] {
            assert!(frequency.parse_period(text).is_err(), "{text} refused");
        }
        assert!(Frequency::Monthly.parse_period("2100-12").is_ok());
        assert!(Frequency::AcademicYear.parse_period("2099/00").is_ok());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn each_frequency_reads_its_own_periods() {
        let month = Frequency::Monthly.parse_period("June 2023").expect("month");
        assert_eq!(month.label, "2023-06");
        assert_eq!(
            (month.span.start, month.span.end),
            (date!(2023 - 06 - 01), date!(2023 - 06 - 30))
        );
        assert_eq!(
            Frequency::Monthly
                .parse_period("2023-06")
                .expect("month")
                .label,
            "2023-06"
        );
        let q = Frequency::Quarterly
            .parse_period("2023/24 Q4")
            .expect("quarter");
        assert_eq!(
            (q.label.as_str(), q.span.start, q.span.end),
            ("2023/24 Q4", date!(2024 - 01 - 01), date!(2024 - 03 - 31))
        );
        let term = Frequency::Termly.parse_period("autumn 2023").expect("term");
        assert_eq!(
            (term.label.as_str(), term.span.end),
            ("Autumn 2023", date!(2023 - 12 - 31))
        );
        let academic = Frequency::AcademicYear
            .parse_period("2022-23")
            .expect("year");
        assert_eq!(
            (academic.label.as_str(), academic.span.start),
            ("2022/23", date!(2022 - 09 - 01))
        );
        let financial = Frequency::FinancialYear
            .parse_period("2022/23")
            .expect("year");
        assert_eq!(
            (financial.span.start, financial.span.end),
            (date!(2022 - 04 - 01), date!(2023 - 03 - 31))
        );
        assert_eq!(
            Frequency::CalendarYear
                .parse_period("2023")
                .expect("year")
                .label,
            "2023"
        );
    }

    /// Each kind of period is drawn inside itself: a calendar year's value over its own
    /// year (the fault was 2024's value drawn over the 2025 tick), and so on for each.
    #[test]
    fn every_kind_of_period_is_drawn_at_its_own_middle() {
        for (frequency, text, middle) in [
            (Frequency::CalendarYear, "2024", date!(2024 - 07 - 01)),
            (Frequency::AcademicYear, "2023/24", date!(2024 - 03 - 01)),
            (Frequency::FinancialYear, "2023/24", date!(2023 - 09 - 30)),
            (Frequency::Quarterly, "2023/24 Q4", date!(2024 - 02 - 15)),
            (Frequency::Termly, "Autumn 2023", date!(2023 - 10 - 31)),
            (Frequency::Monthly, "2024-02", date!(2024 - 02 - 15)),
        ] {
            let period = frequency.parse_period(text).expect(text);
            assert_eq!(period.middle(), middle, "{text}");
            assert_eq!(
                frequency.period_containing(period.middle()),
                Some(period.clone()),
                "the middle of {text} is in {text}"
            );
            assert_eq!(
                frequency.period_containing(period.span.start),
                Some(period.clone())
            );
            assert_eq!(frequency.period_containing(period.span.end), Some(period));
        }
    }

    #[test]
    fn a_time_line_is_labelled_with_every_period_it_crosses() {
        let labels = |frequency: Frequency, first, last| -> Vec<String> {
            frequency
                .periods_between(first, last)
                .into_iter()
                .map(|p| p.label)
                .collect()
        };
        assert_eq!(
            labels(
                Frequency::CalendarYear,
                date!(2021 - 12 - 31),
                date!(2024 - 12 - 31)
            ),
            ["2021", "2022", "2023", "2024"]
        );
        assert_eq!(
            labels(
                Frequency::AcademicYear,
                date!(2022 - 08 - 31),
                date!(2023 - 09 - 01)
            ),
            ["2021/22", "2022/23", "2023/24"]
        );
        assert_eq!(
            labels(
                Frequency::FinancialYear,
                date!(2023 - 03 - 31),
                date!(2023 - 04 - 01)
            ),
            ["2022/23", "2023/24"]
        );
        assert_eq!(
            labels(
                Frequency::Quarterly,
                date!(2023 - 12 - 01),
                date!(2024 - 04 - 01)
            ),
            ["2023/24 Q3", "2023/24 Q4", "2024/25 Q1"]
        );
        // August is in no term: the line steps over it.
        assert_eq!(
            labels(
                Frequency::Termly,
                date!(2023 - 07 - 01),
                date!(2024 - 01 - 10)
            ),
            ["Summer 2023", "Autumn 2023", "Spring 2024"]
        );
        assert_eq!(
            labels(
                Frequency::Monthly,
                date!(2023 - 11 - 30),
                date!(2024 - 01 - 01)
            ),
            ["2023-11", "2023-12", "2024-01"]
        );
    }

    #[test]
    fn a_period_of_another_frequency_is_refused_with_the_right_form() {
        let error = Frequency::Quarterly
            .parse_period("June 2023")
            .expect_err("not a quarter");
        assert!(error.contains("2023/24 Q1"), "{error}");
        assert!(Frequency::Monthly.parse_period("2022/23").is_err());
        assert!(Frequency::AcademicYear.parse_period("2022/24").is_err());
        assert!(Frequency::Termly.parse_period("Winter 2023").is_err());
        assert!(Frequency::CalendarYear.parse_period("Q1").is_err());
    }
}

//! The DfE's published EHC plan measures for a calendar year, worked out from case records
//! the way its data guidance describes (`../shared/sen2.md` §4), read through the clock's
//! rules ([`super::clock`]) and its settings.

use super::clock::{
    decided_to_assess_in_time, issue_date, not_to_issue_in_time, plan_in_time, weeks_between,
    AssessmentOutcome, ClockSettings, Request, RequestOutcome,
};
use time::{Date, Month};

/// Counts of 1 to 4 are not published: with so few, a child could be identified. The
/// GSS's rule for small numbers, applied to every figure sendplan shows outside the
/// casework pages (plan measures, public pages and board papers).
pub const SMALLEST_PUBLISHED_COUNT: u64 = 5;

/// Whether a count may be shown outside the casework pages.
pub fn publishable(count: u64) -> bool {
    count == 0 || count >= SMALLEST_PUBLISHED_COUNT
}

/// So many of so many, with the percentage to one decimal place.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Share {
    pub within: u64,
    pub of: u64,
}

impl Share {
    pub fn percentage(&self) -> Option<f64> {
        (self.of > 0).then(|| (1000.0 * self.within as f64 / self.of as f64).round() / 10.0)
    }

    /// Whether the share may be shown outside the casework pages: neither the number
    /// within, the number not, nor the total is from 1 to 4 (a percentage of 4 plans,
    /// or 1 late plan in 30, would tell who).
    pub fn publishable(&self) -> bool {
        publishable(self.within) && publishable(self.of - self.within) && publishable(self.of)
    }

    fn count(&mut self, in_time: bool) {
        self.of += 1;
        self.within += u64::from(in_time);
    }
}

/// New plans issued within 20 weeks in a calendar year (the DfE's `timeliness_20_week`):
/// plans are counted in the year they were issued; "excluding exceptions" leaves out the
/// plans an exception applied to, from both the count and the total; "including" keeps
/// every plan, an exception that still met 20 weeks counting as on time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TwentyWeeks {
    pub including: Share,
    pub excluding: Share,
    /// Plans issued after 20 weeks but within a year, and after a year (including).
    pub over_20_weeks_within_a_year: u64,
    pub over_a_year: u64,
    /// The average weeks from request to plan, including and excluding exceptions.
    pub mean_weeks_including: Option<f64>,
    pub mean_weeks_excluding: Option<f64>,
}

pub fn twenty_weeks(year: i32, requests: &[Request], settings: &ClockSettings) -> TwentyWeeks {
    match (year_start(year), year_start(year + 1)) {
        (Some(from), Some(next)) => twenty_weeks_between(from, next, requests, settings),
        _ => TwentyWeeks::default(),
    }
}

fn year_start(year: i32) -> Option<Date> {
    Date::from_calendar_date(year, Month::January, 1).ok()
}

/// The 20-week measure for plans issued on or after `from` and before `until`: a month,
/// the year to date, or a calendar year (the DfE's).
pub fn twenty_weeks_between(
    from: Date,
    until: Date,
    requests: &[Request],
    settings: &ClockSettings,
) -> TwentyWeeks {
    let mut t = TwentyWeeks::default();
    let (mut weeks_all, mut weeks_clean) = (Vec::new(), Vec::new());
    for r in requests {
        let Some(issued) = issue_date(r, settings).filter(|d| *d >= from && *d < until) else {
            continue;
        };
        let in_time = plan_in_time(r, settings).unwrap_or(false);
        let exception = r.assessment.as_ref().is_some_and(|a| a.has_exception());
        let weeks = weeks_between(r.received, issued);
        t.including.count(in_time);
        weeks_all.push(weeks);
        if !exception {
            t.excluding.count(in_time);
            weeks_clean.push(weeks);
        }
        if !in_time {
            if (issued - r.received).whole_days() <= 365 {
                t.over_20_weeks_within_a_year += 1;
            } else {
                t.over_a_year += 1;
            }
        }
    }
    let mean = |w: &[f64]| {
        (!w.is_empty()).then(|| (w.iter().sum::<f64>() / w.len() as f64 * 10.0).round() / 10.0)
    };
    t.mean_weeks_including = mean(&weeks_all);
    t.mean_weeks_excluding = mean(&weeks_clean);
    t
}

/// One month's plans within 20 weeks (excluding exceptions, and including), against the
/// same month a year before, and the year to date against the year before's.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthTimeliness {
    pub month: Month,
    pub excluding: Share,
    pub including: Share,
    pub excluding_year_before: Share,
    pub to_date_excluding: Share,
    pub to_date_excluding_year_before: Share,
}

/// Each month of `year`, from `this` year's records and the `year_before`'s (a return
/// covers one calendar year, so each year is read from its own).
pub fn monthly_timeliness(
    year: i32,
    this: &[Request],
    year_before: &[Request],
    settings: &ClockSettings,
) -> Vec<MonthTimeliness> {
    let month_start = |y: i32, m: Month| Date::from_calendar_date(y, m, 1).ok();
    let next = |y: i32, m: Month| {
        if m == Month::December {
            month_start(y + 1, Month::January)
        } else {
            month_start(y, m.next())
        }
    };
    let mut out = Vec::with_capacity(12);
    let mut month = Month::January;
    loop {
        let span = |y: i32| Some((month_start(y, month)?, next(y, month)?, year_start(y)?));
        if let (Some((from, until, start)), Some((from_b, until_b, start_b))) =
            (span(year), span(year - 1))
        {
            let now = twenty_weeks_between(from, until, this, settings);
            out.push(MonthTimeliness {
                month,
                excluding: now.excluding,
                including: now.including,
                excluding_year_before: twenty_weeks_between(from_b, until_b, year_before, settings)
                    .excluding,
                to_date_excluding: twenty_weeks_between(start, until, this, settings).excluding,
                to_date_excluding_year_before: twenty_weeks_between(
                    start_b,
                    until_b,
                    year_before,
                    settings,
                )
                .excluding,
            });
        }
        if month == Month::December {
            return out;
        }
        month = month.next();
    }
}

/// Decisions whether to assess made in the year (Y or N) and how many came within 6
/// weeks of the request; with the requests received in the year by outcome.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Requests {
    pub received: u64,
    pub decided_to_assess: u64,
    pub decided_not_to_assess: u64,
    pub withdrawn: u64,
    pub not_yet_decided: u64,
    pub decided_within_6_weeks: Share,
}

pub fn requests(year: i32, all: &[Request], settings: &ClockSettings) -> Requests {
    match (year_start(year), year_start(year + 1)) {
        (Some(from), Some(next)) => requests_between(from, next, all, settings),
        _ => Requests::default(),
    }
}

/// Requests received, and decisions whether to assess made, on or after `from` and before
/// `until`.
pub fn requests_between(
    from: Date,
    until: Date,
    all: &[Request],
    settings: &ClockSettings,
) -> Requests {
    let within = |d: Date| d >= from && d < until;
    let mut t = Requests::default();
    for r in all {
        if within(r.received) {
            t.received += 1;
            match r.outcome {
                RequestOutcome::Assess => t.decided_to_assess += 1,
                RequestOutcome::NotAssess => t.decided_not_to_assess += 1,
                RequestOutcome::Withdrawn => t.withdrawn += 1,
                RequestOutcome::NotYetDecided => t.not_yet_decided += 1,
                RequestOutcome::Historical => {}
            }
        }
        if r.decided.is_some_and(within) {
            if let Some(in_time) = decided_to_assess_in_time(r, settings) {
                t.decided_within_6_weeks.count(in_time);
            }
        }
    }
    t
}

/// Decisions not to issue a plan made in the year, and how many came within 16 weeks.
pub fn not_to_issue(year: i32, all: &[Request], settings: &ClockSettings) -> Share {
    let mut share = Share::default();
    for r in all {
        let decided_in_year = r.assessment.as_ref().is_some_and(|a| {
            a.outcome == AssessmentOutcome::NotIssue
                && a.outcome_date.is_some_and(|d| d.year() == year)
        });
        if decided_in_year {
            if let Some(in_time) = not_to_issue_in_time(r, settings) {
                share.count(in_time);
            }
        }
    }
    share
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_of_one_to_four_are_not_published() {
        assert!(publishable(0) && publishable(5) && !publishable(1) && !publishable(4));
        assert!(Share { within: 20, of: 30 }.publishable());
        assert!(!Share { within: 29, of: 30 }.publishable(), "1 late");
        assert!(!Share { within: 3, of: 3 }.publishable(), "3 in all");
        assert!(Share { within: 0, of: 12 }.publishable());
    }

    #[test]
    fn each_month_and_the_year_to_date_add_up_to_the_year() {
        let this: Vec<Request> = (0..40)
            .map(|i| {
                plan(
                    date!(2024 - 01 - 01) + Duration::days(i * 7),
                    100 + i % 3 * 30,
                    false,
                )
            })
            .collect();
        let before: Vec<Request> = (0..20)
            .map(|i| plan(date!(2023 - 01 - 01) + Duration::days(i * 14), 130, false))
            .collect();
        let settings = ClockSettings::default();
        let months = monthly_timeliness(2024, &this, &before, &settings);
        assert_eq!(months.len(), 12);
        let sum: u64 = months.iter().map(|m| m.excluding.of).sum();
        let year = twenty_weeks(2024, &this, &settings);
        assert_eq!(sum, year.excluding.of);
        assert_eq!(months[11].to_date_excluding, year.excluding);
        assert_eq!(
            months[11].to_date_excluding_year_before,
            twenty_weeks(2023, &before, &settings).excluding
        );
        assert_eq!(
            months
                .iter()
                .map(|m| m.excluding_year_before.of)
                .sum::<u64>(),
            17,
            "the plans issued in 2023 (later ones fall in 2024)"
        );
    }

    use super::super::clock::*;
    use super::*;
    use time::macros::date;
    use time::{Date, Duration};

    fn plan(received: Date, days: i64, exception: bool) -> Request {
        Request {
            received,
            outcome: RequestOutcome::Assess,
            decided: Some(received + Duration::days(40)),
            assessment: Some(Assessment {
                outcome: AssessmentOutcome::Issue,
                outcome_date: Some(received + Duration::days(days)),
                plan_start: None,
                exceptions: if exception {
                    vec![ExceptionPeriod::flag_only()]
                } else {
                    vec![]
                },
            }),
        }
    }

    #[test]
    fn exceptions_are_counted_both_ways_and_plans_in_the_year_they_are_issued() {
        let s = ClockSettings::default();
        let cases = vec![
            plan(date!(2024 - 01 - 08), 140, false), // on time
            plan(date!(2024 - 01 - 08), 141, false), // late
            plan(date!(2024 - 01 - 08), 120, true),  // exception, on time
            plan(date!(2024 - 01 - 08), 200, true),  // exception, late
            plan(date!(2023 - 01 - 02), 400, false), // issued 2024, over a year
            plan(date!(2024 - 10 - 01), 100, false), // issued 2025: not this year
        ];
        let t = twenty_weeks(2024, &cases, &s);
        assert_eq!(t.including, Share { within: 2, of: 5 });
        assert_eq!(t.excluding, Share { within: 1, of: 3 });
        assert_eq!(t.including.percentage(), Some(40.0));
        assert_eq!(t.excluding.percentage(), Some(33.3));
        assert_eq!((t.over_20_weeks_within_a_year, t.over_a_year), (2, 1));
        assert_eq!(
            t.mean_weeks_excluding,
            Some(((20.0 + 20.1 + 57.1) / 3.0_f64 * 10.0).round() / 10.0)
        );
        // England 2019 (sen2.md §4) shows the shape: 58.7% including, 60.4% excluding.
        assert_eq!(
            Share {
                within: 31_313,
                of: 53_327
            }
            .percentage(),
            Some(58.7)
        );
        assert_eq!(
            Share {
                within: 29_895,
                of: 49_519
            }
            .percentage(),
            Some(60.4)
        );
    }

    #[test]
    fn requests_and_decisions_not_to_issue() {
        let s = ClockSettings::default();
        let mut not_assessed = plan(date!(2024 - 03 - 01), 0, false);
        not_assessed.outcome = RequestOutcome::NotAssess;
        not_assessed.decided = Some(date!(2024 - 04 - 20)); // 50 days: late
        not_assessed.assessment = None;
        let mut not_issued = plan(date!(2024 - 03 - 01), 100, false);
        not_issued.assessment.as_mut().unwrap().outcome = AssessmentOutcome::NotIssue;
        let waiting = Request {
            received: date!(2024 - 12 - 20),
            outcome: RequestOutcome::NotYetDecided,
            decided: None,
            assessment: None,
        };
        let all = vec![
            not_assessed,
            not_issued,
            waiting,
            plan(date!(2024 - 01 - 02), 130, false),
        ];
        let r = requests(2024, &all, &s);
        assert_eq!(
            (
                r.received,
                r.decided_to_assess,
                r.decided_not_to_assess,
                r.not_yet_decided
            ),
            (4, 2, 1, 1)
        );
        assert_eq!(r.decided_within_6_weeks, Share { within: 2, of: 3 });
        assert_eq!(not_to_issue(2024, &all, &s), Share { within: 1, of: 1 });
    }
}

//! The Local Offer's website performance for a period, as Wolverhampton's WSOA reports it
//! monthly (visits, desktop against mobile, visit length, bounce rate, top sections,
//! traffic sources) with families' answers and searches beside them, set against the
//! previous period and the same period a year before. The key figures are defined here
//! once: the page, its CSV, the board papers and the plan's measures all read them.

use super::analytics::{change, DeviceClass, Figures};
use super::feedback::{share_found, share_good_or_better};
use crate::measures::Unit;
use time::{Date, Duration, Month};

/// A run of whole days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    /// A calendar month.
    pub fn month(year: i32, month: Month) -> Option<Period> {
        let from = Date::from_calendar_date(year, month, 1).ok()?;
        let to = Date::from_calendar_date(year, month, month.length(year)).ok()?;
        Some(Period { from, to })
    }

    /// The month holding `day`.
    pub fn month_of(day: Date) -> Period {
        Period::month(day.year(), day.month()).unwrap_or(Period { from: day, to: day })
    }

    /// Whether it is exactly one calendar month.
    pub fn is_month(&self) -> bool {
        Period::month(self.from.year(), self.from.month()) == Some(*self)
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).whole_days() + 1
    }

    /// The period before it: the month before a month, else as many days just before.
    pub fn previous(&self) -> Period {
        if self.is_month() {
            Period::month_of(self.from - Duration::days(1))
        } else {
            let to = self.from - Duration::days(1);
            Period {
                from: to - Duration::days(self.days() - 1),
                to,
            }
        }
    }

    /// The same days a year before (29 February becomes the 28th).
    pub fn year_before(&self) -> Period {
        if self.is_month() {
            return Period::month(self.from.year() - 1, self.from.month()).unwrap_or(*self);
        }
        let back = |d: Date| {
            Date::from_calendar_date(
                d.year() - 1,
                d.month(),
                d.day().min(d.month().length(d.year() - 1)),
            )
            .unwrap_or(d)
        };
        Period {
            from: back(self.from),
            to: back(self.to),
        }
    }

    /// "November 2026", or "1 to 15 November 2026".
    pub fn describe(&self) -> String {
        if self.is_month() {
            format!("{} {}", self.from.month(), self.from.year())
        } else {
            format!(
                "{} to {}",
                crate::input::long_date(self.from),
                crate::input::long_date(self.to)
            )
        }
    }
}

/// Everything counted in a period: visits and pages, searches, and answers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeriodFigures {
    pub figures: Figures,
    /// Visits on each day that had any, in order.
    pub daily_visits: Vec<(Date, i64)>,
    pub searches: i64,
    pub searches_found_nothing: i64,
    pub found_yes: u64,
    pub found_no: u64,
    pub ratings: u64,
    pub rated_good_or_better: u64,
}

crate::coded_enum! {
    /// A key figure of the Local Offer's use.
    KeyFigure {
        Visits => ("visits", "Visits"),
        UniqueVisitors => ("unique_visitors", "Unique visitors (counted each day)"),
        PageViews => ("page_views", "Pages viewed"),
        MeanDuration => ("mean_duration", "Average visit length"),
        BounceRate => ("bounce_rate", "Bounce rate (visits of one page)"),
        Desktop => ("desktop", "Visits on a desktop"),
        Mobile => ("mobile", "Visits on a phone"),
        Tablet => ("tablet", "Visits on a tablet"),
        Searches => ("searches", "Searches"),
        FoundNothing => ("found_nothing", "Searches that found nothing"),
        FoundShare => ("found_share", "Found what they were looking for"),
        RatedGood => ("rated_good", "Rated the Local Offer good or very good"),
    }
}

impl KeyFigure {
    /// How its values read.
    pub fn unit(self) -> Unit {
        match self {
            KeyFigure::BounceRate | KeyFigure::FoundShare | KeyFigure::RatedGood => {
                Unit::Percentage
            }
            _ => Unit::Count,
        }
    }

    /// Its value in a period; `None` when there is nothing to work it out from.
    pub fn value(self, p: &PeriodFigures) -> Option<f64> {
        let t = &p.figures.totals;
        let visits_on = |d: DeviceClass| Some(p.figures.visits_on(d) as f64);
        match self {
            KeyFigure::Visits => Some(t.visits as f64),
            KeyFigure::UniqueVisitors => Some(t.visitors as f64),
            KeyFigure::PageViews => Some(t.page_views as f64),
            KeyFigure::MeanDuration => t.mean_duration().map(|d| d.whole_seconds() as f64),
            KeyFigure::BounceRate => t.bounce_rate(),
            KeyFigure::Desktop => visits_on(DeviceClass::Desktop),
            KeyFigure::Mobile => visits_on(DeviceClass::Mobile),
            KeyFigure::Tablet => visits_on(DeviceClass::Tablet),
            KeyFigure::Searches => Some(p.searches as f64),
            KeyFigure::FoundNothing => Some(p.searches_found_nothing as f64),
            KeyFigure::FoundShare => share_found(p.found_yes, p.found_no),
            KeyFigure::RatedGood => share_good_or_better(p.rated_good_or_better, p.ratings),
        }
    }

    /// A value as people read it: visit length in minutes and seconds, the rest by unit.
    pub fn show(self, value: Option<f64>) -> String {
        match (self, value) {
            (_, None) => "No data".to_owned(),
            (KeyFigure::MeanDuration, Some(seconds)) => {
                let s = seconds.round() as i64;
                if s >= 60 {
                    format!("{} min {} s", s / 60, s % 60)
                } else {
                    format!("{s} s")
                }
            }
            (_, Some(v)) => self.unit().format(v),
        }
    }

    /// What the answers behind a share were: "7 of 10 answers".
    pub fn base(self, p: &PeriodFigures) -> String {
        match self {
            KeyFigure::FoundShare => {
                format!("{} of {} answers", p.found_yes, p.found_yes + p.found_no)
            }
            KeyFigure::RatedGood => format!("{} of {} ratings", p.rated_good_or_better, p.ratings),
            _ => String::new(),
        }
    }
}

/// A key figure in a period, set beside the previous period and the year before.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub figure: KeyFigure,
    pub now: Option<f64>,
    pub previous: Option<f64>,
    pub year_before: Option<f64>,
}

impl Comparison {
    /// The change from the previous period: a percentage for counts, points for shares.
    pub fn change_from(&self, before: Option<f64>) -> String {
        match (self.now, before) {
            (Some(now), Some(before)) if self.figure.unit() == Unit::Percentage => {
                let points = ((now - before) * 10.0).round() / 10.0;
                format!("{points:+} points")
            }
            (Some(now), Some(before)) => match change(now, before) {
                Some(c) => format!("{c:+}%"),
                None if now == 0.0 => String::new(),
                None => "New".to_owned(),
            },
            _ => String::new(),
        }
    }
}

/// Every key figure, in the order the page shows them.
pub fn compare(
    now: &PeriodFigures,
    previous: &PeriodFigures,
    year_before: &PeriodFigures,
) -> Vec<Comparison> {
    KeyFigure::ALL
        .iter()
        .map(|f| Comparison {
            figure: *f,
            now: f.value(now),
            previous: f.value(previous),
            year_before: f.value(year_before),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local_offer::analytics::Tally;
    use time::macros::date;

    #[test]
    fn a_month_is_set_beside_the_month_before_and_the_same_month_a_year_before() {
        let nov = Period::month(2026, Month::November).unwrap();
        assert!(nov.is_month());
        assert_eq!(nov.days(), 30);
        assert_eq!(nov.previous(), Period::month(2026, Month::October).unwrap());
        assert_eq!(
            nov.year_before(),
            Period::month(2025, Month::November).unwrap()
        );
        assert_eq!(nov.describe(), "November 2026");
        let march = Period::month(2024, Month::March).unwrap();
        assert_eq!(
            march.previous().to,
            date!(2024 - 02 - 29),
            "a leap year's February"
        );
        let range = Period {
            from: date!(2024 - 02 - 20),
            to: date!(2024 - 02 - 29),
        };
        assert_eq!(
            range.previous(),
            Period {
                from: date!(2024 - 02 - 10),
                to: date!(2024 - 02 - 19)
            }
        );
        assert_eq!(range.year_before().to, date!(2023 - 02 - 28));
    }

    #[test]
    fn key_figures_and_their_changes() {
        let mut now = PeriodFigures {
            found_yes: 7,
            found_no: 3,
            ratings: 5,
            rated_good_or_better: 4,
            searches: 20,
            searches_found_nothing: 2,
            ..PeriodFigures::default()
        };
        now.figures.totals = Tally {
            visits: 150,
            visitors: 120,
            page_views: 450,
            bounces: 60,
            seconds: 150 * 125,
        };
        now.figures.devices.insert(
            DeviceClass::Mobile,
            Tally {
                visits: 90,
                ..Tally::default()
            },
        );
        let mut before = PeriodFigures::default();
        before.figures.totals = Tally {
            visits: 100,
            bounces: 50,
            ..Tally::default()
        };
        let rows = compare(&now, &before, &PeriodFigures::default());
        let row = |f: KeyFigure| rows.iter().find(|r| r.figure == f).unwrap();
        assert_eq!(
            row(KeyFigure::Visits).change_from(row(KeyFigure::Visits).previous),
            "+50%"
        );
        assert_eq!(row(KeyFigure::BounceRate).now, Some(40.0));
        assert_eq!(
            row(KeyFigure::BounceRate).change_from(Some(50.0)),
            "-10 points"
        );
        assert_eq!(row(KeyFigure::Mobile).now, Some(90.0));
        assert_eq!(
            KeyFigure::MeanDuration.show(row(KeyFigure::MeanDuration).now),
            "2 min 5 s"
        );
        assert_eq!(row(KeyFigure::FoundShare).now, Some(70.0));
        assert_eq!(KeyFigure::FoundShare.base(&now), "7 of 10 answers");
        assert_eq!(row(KeyFigure::RatedGood).now, Some(80.0));
        assert_eq!(
            row(KeyFigure::FoundShare).previous,
            None,
            "no answers: no share"
        );
        assert_eq!(KeyFigure::FoundShare.show(None), "No data");
        assert_eq!(row(KeyFigure::Visits).change_from(Some(0.0)), "New");
        assert_eq!(row(KeyFigure::Searches).change_from(Some(20.0)), "+0%");
        let nothing = Comparison {
            now: Some(0.0),
            ..row(KeyFigure::Visits).clone()
        };
        assert_eq!(
            nothing.change_from(Some(0.0)),
            "",
            "nothing before and nothing now"
        );
    }
}

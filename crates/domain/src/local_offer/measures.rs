//! The Local Offer's figures as impact measures a plan can hold (issue 16): the share of
//! entries checked in the review period, the Schedule 2 headings with no service (the
//! gaps), and how many services there are under each heading. Each is worked out here,
//! from the directory, and nowhere else; sendplan records it on the plan's measure daily.

use super::coverage::{running, services_by_heading, share_current, REVIEW_MONTHS};
use super::performance::{KeyFigure, PeriodFigures};
use super::Directory;
use crate::measures::{MeasureInput, MeasureSource, Polarity, Trajectory, Unit};
use crate::periods::Frequency;
use time::Date;

crate::coded_enum! {
    /// A figure of the Local Offer that a plan can measure itself by.
    LocalOfferMeasure {
        /// Entries checked within the review period, as a percentage of running services.
        ShareChecked => ("share_checked", "Local Offer entries checked in the last 3 months"),
        /// Top-level headings (Schedule 2's by default) with no service filed under them.
        Gaps => ("gaps", "Local Offer headings with no service"),
        /// Running services, with how many are under each heading in the value's note.
        Services => ("services", "Services in the Local Offer"),
        /// Answers to "Did you find what you were looking for?" that were yes, in the month.
        FoundShare => ("found_share", "Local Offer visitors who found what they were looking for"),
        /// Ratings of the Local Offer that were good or very good, in the month.
        RatedGood => ("rated_good", "Local Offer rated good or very good"),
        /// Visits in the month.
        Visits => ("visits", "Visits to the Local Offer"),
        /// Unique visitors in the month (counted each day).
        UniqueVisitors => ("unique_visitors", "Unique visitors to the Local Offer"),
        /// Visits of one page, as a percentage of visits, in the month.
        BounceRate => ("bounce_rate", "Local Offer bounce rate"),
        /// Searches that found no service, in the month.
        FoundNothing => ("found_nothing", "Local Offer searches that found nothing"),
    }
}

impl LocalOfferMeasure {
    /// The key figure of the Local Offer's use it is, for those read from its use (see
    /// [`super::performance`]) rather than from the directory.
    pub fn key_figure(self) -> Option<KeyFigure> {
        Some(match self {
            LocalOfferMeasure::FoundShare => KeyFigure::FoundShare,
            LocalOfferMeasure::RatedGood => KeyFigure::RatedGood,
            LocalOfferMeasure::Visits => KeyFigure::Visits,
            LocalOfferMeasure::UniqueVisitors => KeyFigure::UniqueVisitors,
            LocalOfferMeasure::BounceRate => KeyFigure::BounceRate,
            LocalOfferMeasure::FoundNothing => KeyFigure::FoundNothing,
            _ => return None,
        })
    }

    /// Its value for a month from the Local Offer's use, with a note; `None` when it is
    /// read from the directory, or there is nothing to work it out from.
    pub fn reading_of_use(self, month: &PeriodFigures) -> Option<(f64, String)> {
        let figure = self.key_figure()?;
        let value = figure.value(month)?;
        Some((value, figure.base(month)))
    }

    /// The measure as it is added to a plan: computed by sendplan, monthly, with no
    /// targets until the plan sets them.
    pub fn input(self) -> MeasureInput {
        const COUNTED: &str = "Counted by sendplan from its own handling of the Local Offer's pages, without cookies; robots and browsers that ask not to be tracked are left out. Recorded for each month as it goes, and final once the month is over.";
        let (definition, unit, polarity) = match self {
            LocalOfferMeasure::FoundShare => (
                format!("Answers of \"Yes\" to \"Did you find what you were looking for?\" on the Local Offer's pages, as a percentage of all answers in the month. The value's note gives the answers it is worked out from. {COUNTED}"),
                Unit::Percentage,
                Polarity::HigherIsBetter,
            ),
            LocalOfferMeasure::RatedGood => (
                format!("Ratings of \"Good\" or \"Very good\" on the Local Offer's home page, as a percentage of all ratings in the month. {COUNTED}"),
                Unit::Percentage,
                Polarity::HigherIsBetter,
            ),
            LocalOfferMeasure::Visits => (
                format!("Visits to the Local Offer in the month: a visit ends after 30 minutes without a page view. {COUNTED}"),
                Unit::Count,
                Polarity::HigherIsBetter,
            ),
            LocalOfferMeasure::UniqueVisitors => (
                format!("Different visitors to the Local Offer, counted each day and added up over the month (visitors cannot be followed from one day to the next). {COUNTED}"),
                Unit::Count,
                Polarity::HigherIsBetter,
            ),
            LocalOfferMeasure::BounceRate => (
                format!("Visits to the Local Offer of one page only, as a percentage of visits in the month. {COUNTED}"),
                Unit::Percentage,
                Polarity::LowerIsBetter,
            ),
            LocalOfferMeasure::FoundNothing => (
                format!("Searches of the Local Offer that found no service, in the month: evidence of unmet need. {COUNTED}"),
                Unit::Count,
                Polarity::LowerIsBetter,
            ),
            LocalOfferMeasure::ShareChecked => (
                format!("Running services in the Local Offer whose entry was checked in the last {REVIEW_MONTHS} months, as a percentage of all running services. Worked out by sendplan from the Local Offer each day."),
                Unit::Percentage,
                Polarity::HigherIsBetter,
            ),
            LocalOfferMeasure::Gaps => (
                "Top-level headings of the Local Offer's categories (the SEND Regulations 2014 Schedule 2 headings by default) with no service filed under them or below them. The value's note names them. Worked out by sendplan from the Local Offer each day.".to_owned(),
                Unit::Count,
                Polarity::LowerIsBetter,
            ),
            LocalOfferMeasure::Services => (
                "Running services in the Local Offer. The value's note gives how many are under each top-level heading. Worked out by sendplan from the Local Offer each day.".to_owned(),
                Unit::Count,
                Polarity::HigherIsBetter,
            ),
        };
        MeasureInput {
            name: self.label().to_owned(),
            definition,
            unit,
            frequency: Frequency::Monthly,
            // No baseline and no targets until the plan sets them.
            trajectory: Trajectory {
                baseline: None,
                targets: vec![],
                polarity,
                tolerance: 0.0,
            },
            owner: None,
            source: MeasureSource::Computed,
            areas: vec![],
            actions: vec![],
        }
    }

    /// Its value on `today`, with a note; `None` when there is nothing to measure (no
    /// running services, or no headings).
    pub fn reading(self, directory: &Directory, today: Date) -> Option<(f64, String)> {
        let headings = services_by_heading(directory);
        match self {
            LocalOfferMeasure::ShareChecked => share_current(directory, today)
                .map(|share| ((share * 10.0).round() / 10.0, String::new())),
            LocalOfferMeasure::Gaps => {
                if headings.is_empty() {
                    return None;
                }
                let gaps: Vec<&str> = headings
                    .iter()
                    .filter(|(_, n)| *n == 0)
                    .map(|(t, _)| t.name.as_str())
                    .collect();
                let note = if gaps.is_empty() {
                    "Every heading has a service".to_owned()
                } else {
                    format!("No service under: {}", gaps.join(", "))
                };
                Some((gaps.len() as f64, note))
            }
            LocalOfferMeasure::Services => {
                let running = running(directory).count();
                if running == 0 {
                    return None;
                }
                let note = headings
                    .iter()
                    .map(|(t, n)| format!("{}: {n}", t.name))
                    .collect::<Vec<_>>()
                    .join("; ");
                Some((running as f64, note))
            }
            // Read from the Local Offer's use: see `reading_of_use`.
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local_offer::{Service, ServiceStatus, TaxonomyTerm};
    use time::macros::date;

    fn directory() -> Directory {
        let term = |key: &str, parent: Option<&str>| TaxonomyTerm {
            key: key.into(),
            name: key.to_uppercase(),
            parent_key: parent.map(str::to_owned),
            ..TaxonomyTerm::default()
        };
        let service = |terms: &[&str], checked: Option<Date>, status| Service {
            terms: terms.iter().map(|t| (*t).to_owned()).collect(),
            assured_date: checked,
            status,
            ..Service::default()
        };
        Directory {
            terms: vec![
                term("education", None),
                term("health", None),
                term("travel", None),
                term("therapy", Some("health")),
            ],
            services: vec![
                service(&["education"], Some(date!(2026 - 11 - 01)), None),
                service(&["therapy"], Some(date!(2026 - 01 - 01)), None),
                service(&["travel"], None, Some(ServiceStatus::Defunct)),
            ],
            ..Directory::default()
        }
    }

    #[test]
    fn each_figure_is_read_from_the_directory() {
        let today = date!(2026 - 12 - 04);
        let d = directory();
        assert_eq!(
            LocalOfferMeasure::ShareChecked.reading(&d, today),
            Some((50.0, String::new())),
            "the closed service is not counted"
        );
        assert_eq!(
            LocalOfferMeasure::Services.reading(&d, today),
            Some((2.0, "EDUCATION: 1; HEALTH: 1; TRAVEL: 0".to_owned()))
        );
        assert_eq!(
            LocalOfferMeasure::Gaps.reading(&d, today),
            Some((1.0, "No service under: TRAVEL".to_owned())),
            "a closed service fills no gap"
        );
        let empty = Directory::default();
        assert_eq!(LocalOfferMeasure::Gaps.reading(&empty, today), None);
        assert_eq!(LocalOfferMeasure::Services.reading(&empty, today), None);
    }

    #[test]
    fn a_heading_without_services_is_a_gap_named_in_the_note() {
        let mut d = directory();
        d.services.remove(0);
        assert_eq!(
            LocalOfferMeasure::Gaps.reading(&d, date!(2026 - 12 - 04)),
            Some((2.0, "No service under: EDUCATION, TRAVEL".to_owned()))
        );
        let input = LocalOfferMeasure::Gaps.input();
        assert_eq!(input.source, MeasureSource::Computed);
        assert_eq!(input.trajectory.polarity, Polarity::LowerIsBetter);
    }
}

//! The statutory clock's figures as impact measures a plan can hold (issue 18): new plans
//! within 20 weeks (excluding and including exceptions), decisions whether to assess within
//! 6 weeks, annual review decisions within 4 weeks of the meeting, and open assessments
//! past 20 weeks. Each month's value is worked out here from the case records, by the
//! same rules as the casework pages, and nowhere else. Plan measures are seen by every
//! plan role, and reach public pages and board papers, so a month resting on a count of 1
//! to 4 is not recorded at all (see [`super::measures::publishable`]).

use super::clock::{review_decided_in_time, ClockSettings, Request};
use super::measures::{publishable, requests_between, twenty_weeks_between, Share};
use super::pipeline::pipeline;
use super::records::ActivePlan;
use crate::measures::{MeasureInput, MeasureSource, Polarity, Trajectory, Unit};
use crate::periods::Frequency;
use time::Date;

crate::coded_enum! {
    /// A figure of the statutory clock that a plan can measure itself by.
    CaseworkMeasure {
        TwentyWeeksExcluding => ("casework_20_weeks_excluding", "New EHC plans issued within 20 weeks, excluding exceptions (from casework)"),
        TwentyWeeksIncluding => ("casework_20_weeks_including", "New EHC plans issued within 20 weeks, including exceptions (from casework)"),
        DecisionsWithinSixWeeks => ("casework_decisions_6_weeks", "Decisions whether to assess made within 6 weeks"),
        ReviewDecisionsWithinFourWeeks => ("casework_review_decisions_4_weeks", "Annual review decisions made within 4 weeks of the meeting"),
        OpenOverTwentyWeeks => ("casework_open_over_20_weeks", "Open EHC needs assessments past 20 weeks"),
    }
}

/// A month's reading: its value and a note, or why there is none to record.
#[derive(Debug, Clone, PartialEq)]
pub enum Reading {
    Value(f64, String),
    /// It rests on a count of 1 to 4.
    Suppressed,
    /// Nothing happened in the month to measure.
    Nothing,
}

impl CaseworkMeasure {
    /// The month from `from` to `to` (both included), read from its return's requests and
    /// plans.
    pub fn reading(
        self,
        from: Date,
        to: Date,
        requests: &[Request],
        plans: &[ActivePlan],
        settings: &ClockSettings,
    ) -> Reading {
        let Some(until) = to.next_day() else {
            return Reading::Nothing;
        };
        let share = |s: Share, of_what: &str| match s.percentage() {
            None => Reading::Nothing,
            Some(_) if !s.publishable() => Reading::Suppressed,
            Some(p) => Reading::Value(p, format!("{} of {} {of_what}", s.within, s.of)),
        };
        match self {
            CaseworkMeasure::TwentyWeeksExcluding => share(
                twenty_weeks_between(from, until, requests, settings).excluding,
                "plans issued",
            ),
            CaseworkMeasure::TwentyWeeksIncluding => share(
                twenty_weeks_between(from, until, requests, settings).including,
                "plans issued",
            ),
            CaseworkMeasure::DecisionsWithinSixWeeks => share(
                requests_between(from, until, requests, settings).decided_within_6_weeks,
                "decisions",
            ),
            CaseworkMeasure::ReviewDecisionsWithinFourWeeks => {
                let mut s = Share::default();
                for plan in plans {
                    if let (Some(meeting), Some(decided)) = (plan.review_meeting, plan.review_draft)
                    {
                        if meeting >= from && meeting < until {
                            s.of += 1;
                            s.within +=
                                u64::from(review_decided_in_time(meeting, decided, settings));
                        }
                    }
                }
                share(s, "reviews")
            }
            CaseworkMeasure::OpenOverTwentyWeeks => {
                let open = pipeline(requests, to, settings);
                if !publishable(open.over_20_weeks) {
                    Reading::Suppressed
                } else {
                    Reading::Value(
                        open.over_20_weeks as f64,
                        format!(
                            "of {} open at the end of the month",
                            open.over_20_weeks + open.within_20_weeks
                        ),
                    )
                }
            }
        }
    }

    /// The measure as it is added to a plan: computed by sendplan, monthly.
    pub fn input(self) -> MeasureInput {
        const FROM: &str = "Worked out by sendplan each month from the SEN2 returns imported, by the statutory clock's rules and the settings shown on the casework pages. A month resting on a count of 1 to 4 is not recorded, so that no child can be identified.";
        let (what, unit, polarity) = match self {
            CaseworkMeasure::TwentyWeeksExcluding => ("New EHC plans issued in the month within 20 weeks of the request, as a percentage of plans issued, leaving out those an exception applied to (the DfE's headline measure).", Unit::Percentage, Polarity::HigherIsBetter),
            CaseworkMeasure::TwentyWeeksIncluding => ("New EHC plans issued in the month within 20 weeks of the request, as a percentage of all plans issued, those with an exception included.", Unit::Percentage, Polarity::HigherIsBetter),
            CaseworkMeasure::DecisionsWithinSixWeeks => ("Decisions whether to carry out an EHC needs assessment made in the month within 6 weeks of the request, as a percentage of decisions made.", Unit::Percentage, Polarity::HigherIsBetter),
            CaseworkMeasure::ReviewDecisionsWithinFourWeeks => ("Annual reviews whose meeting was in the month and whose decision was made within 4 weeks of it, as a percentage of those reviews with a decision recorded.", Unit::Percentage, Polarity::HigherIsBetter),
            CaseworkMeasure::OpenOverTwentyWeeks => ("EHC needs assessments open at the end of the month more than 20 weeks after the request: the backlog.", Unit::Count, Polarity::LowerIsBetter),
        };
        MeasureInput {
            name: self.label().to_owned(),
            definition: format!("{what} {FROM}"),
            unit,
            frequency: Frequency::Monthly,
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
}

#[cfg(test)]
mod tests {
    use super::super::clock::*;
    use super::*;
    use time::macros::date;
    use time::Duration;

    fn plan(received: Date, days: i64) -> Request {
        Request {
            received,
            outcome: RequestOutcome::Assess,
            decided: Some(received + Duration::days(30)),
            assessment: Some(Assessment {
                outcome: AssessmentOutcome::Issue,
                outcome_date: Some(received + Duration::days(days)),
                plan_start: None,
                exceptions: vec![],
            }),
        }
    }

    #[test]
    fn a_month_resting_on_fewer_than_five_is_not_recorded() {
        let s = ClockSettings::default();
        let (from, to) = (date!(2024 - 06 - 01), date!(2024 - 06 - 30));
        let issued_in_june = |n: i64, late: i64| {
            (0..n)
                .map(|i| {
                    plan(
                        date!(2024 - 06 - 10) - Duration::days(if i < late { 200 } else { 100 }),
                        if i < late { 200 } else { 100 },
                    )
                })
                .collect::<Vec<_>>()
        };
        let m = CaseworkMeasure::TwentyWeeksExcluding;
        assert_eq!(
            m.reading(from, to, &issued_in_june(10, 5), &[], &s),
            Reading::Value(50.0, "5 of 10 plans issued".to_owned())
        );
        assert_eq!(
            m.reading(from, to, &issued_in_june(10, 2), &[], &s),
            Reading::Suppressed,
            "2 late"
        );
        assert_eq!(
            m.reading(from, to, &issued_in_june(3, 0), &[], &s),
            Reading::Suppressed,
            "3 in all"
        );
        assert_eq!(m.reading(from, to, &[], &[], &s), Reading::Nothing);
        // Open past 20 weeks at the end of June: 6 requests decided, none finished.
        let open: Vec<Request> = (0..6)
            .map(|_| Request {
                assessment: None,
                ..plan(date!(2024 - 01 - 02), 1)
            })
            .collect();
        assert!(matches!(
            CaseworkMeasure::OpenOverTwentyWeeks.reading(from, to, &open, &[], &s),
            Reading::Value(v, _) if v == 6.0
        ));
        assert_eq!(
            CaseworkMeasure::OpenOverTwentyWeeks.reading(from, to, &open[..4], &[], &s),
            Reading::Suppressed
        );
    }
}

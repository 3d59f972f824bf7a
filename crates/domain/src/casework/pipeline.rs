//! What local areas report besides the DfE's measures (`../shared/sen2.md` §5), worked
//! out on a day from case records: the open pipeline week by week, what is overdue now,
//! annual reviews, phase transfers, and demand by month (issue 18).

use super::clock::{
    review_decided_in_time, review_due, standing_on, ClockSettings, Request, Standing, Step,
};
use super::measures::Share;
use super::records::ActivePlan;
use time::Date;

/// Open assessments on a day, by whole weeks since the request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pipeline {
    /// (weeks since the request, open assessments), in order of weeks.
    pub by_week: Vec<(u32, u64)>,
    pub within_20_weeks: u64,
    pub over_20_weeks: u64,
    /// The average weeks waited by those over 20 weeks.
    pub mean_weeks_over: Option<f64>,
    /// Requests waiting for the decision whether to assess, and of those past 6 weeks.
    pub awaiting_decision: u64,
    pub awaiting_decision_overdue: u64,
}

/// The pipeline on `on`: every request being assessed (decided to assess, no plan or
/// decision not to issue yet) or waiting for the decision whether to assess.
pub fn pipeline(requests: &[Request], on: Date, settings: &ClockSettings) -> Pipeline {
    let mut p = Pipeline::default();
    let mut weeks = std::collections::BTreeMap::new();
    let mut over_weeks = Vec::new();
    for r in requests.iter().filter(|r| r.received <= on) {
        let s = standing_on(r, on, settings);
        match s.step {
            Step::Assessment => {
                *weeks.entry(s.weeks.floor() as u32).or_insert(0) += 1;
                if s.overdue {
                    p.over_20_weeks += 1;
                    over_weeks.push(s.weeks);
                } else {
                    p.within_20_weeks += 1;
                }
            }
            Step::DecisionToAssess => {
                p.awaiting_decision += 1;
                p.awaiting_decision_overdue += u64::from(s.overdue);
            }
            Step::Finished | Step::Closed => {}
        }
    }
    p.by_week = weeks.into_iter().collect();
    p.mean_weeks_over = (!over_weeks.is_empty())
        .then(|| (over_weeks.iter().sum::<f64>() / over_weeks.len() as f64 * 10.0).round() / 10.0);
    p
}

/// One caseworker's (or team's) cases on a day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caseload {
    pub team: String,
    pub caseworker: String,
    /// Children with a request still being decided or assessed.
    pub open: u64,
    /// Of those, past their limit.
    pub overdue: u64,
    /// Children with a plan in place.
    pub plans: u64,
}

/// Cases by team and caseworker on `on`, where the data names them (an extract does; SEN2
/// does not): empty when no case names either. Cases naming neither are "Not named".
pub fn caseload(
    records: &[super::records::CaseRecord],
    on: Date,
    settings: &ClockSettings,
) -> Vec<Caseload> {
    if records
        .iter()
        .all(|c| c.caseworker.is_none() && c.team.is_none())
    {
        return vec![];
    }
    let mut by: std::collections::BTreeMap<(String, String), Caseload> = Default::default();
    for c in records {
        let named = |v: &Option<String>| v.clone().unwrap_or_else(|| "Not named".to_owned());
        let (team, caseworker) = (named(&c.team), named(&c.caseworker));
        let load = by
            .entry((team.clone(), caseworker.clone()))
            .or_insert_with(|| Caseload {
                team,
                caseworker,
                ..Caseload::default()
            });
        let standings: Vec<Standing> = c
            .requests
            .iter()
            .filter(|r| r.request.received <= on)
            .map(|r| standing_on(&r.request, on, settings))
            .filter(|s| matches!(s.step, Step::DecisionToAssess | Step::Assessment))
            .collect();
        load.open += u64::from(!standings.is_empty());
        load.overdue += u64::from(standings.iter().any(|s| s.overdue));
        load.plans += u64::from(c.active_plan.is_some());
    }
    by.into_values().collect()
}

/// The bands of weeks since the request the pipeline is shown in, with the limits that
/// matter: 6 weeks (the decision whether to assess), 16 (the decision not to issue), 20
/// (the plan), and a year. `None` is open-ended.
pub const WAIT_BANDS: [(u32, Option<u32>); 7] = [
    (0, Some(6)),
    (6, Some(12)),
    (12, Some(16)),
    (16, Some(20)),
    (20, Some(26)),
    (26, Some(52)),
    (52, None),
];

impl Pipeline {
    /// Open assessments in each of [`WAIT_BANDS`].
    pub fn in_bands(&self) -> Vec<((u32, Option<u32>), u64)> {
        WAIT_BANDS
            .iter()
            .map(|&(from, to)| {
                let n = self
                    .by_week
                    .iter()
                    .filter(|(w, _)| *w >= from && to.is_none_or(|to| *w < to))
                    .map(|(_, n)| n)
                    .sum();
                ((from, to), n)
            })
            .collect()
    }
}

/// The pipeline at the end of each month of `year` up to `until`: the backlog over time.
pub fn backlog(
    requests: &[Request],
    year: i32,
    until: Date,
    settings: &ClockSettings,
) -> Vec<(Date, Pipeline)> {
    (1..=12u8)
        .filter_map(|m| {
            let month = time::Month::try_from(m).ok()?;
            let first = Date::from_calendar_date(year, month, 1).ok()?;
            let last = first
                .replace_day(time::util::days_in_month(month, year))
                .ok()?;
            (last <= until).then(|| (last, pipeline(requests, last, settings)))
        })
        .collect()
}

/// What is overdue on `on`, longest waiting first: each case's key and where it stands.
pub fn overdue<'a>(
    cases: impl IntoIterator<Item = (&'a str, &'a Request)>,
    on: Date,
    settings: &ClockSettings,
) -> Vec<(&'a str, Standing)> {
    let mut late: Vec<(&str, Standing)> = cases
        .into_iter()
        .filter(|(_, r)| r.received <= on)
        .map(|(key, r)| (key, standing_on(r, on, settings)))
        .filter(|(_, s)| s.overdue)
        .collect();
    late.sort_by(|a, b| b.1.weeks.total_cmp(&a.1.weeks).then(a.0.cmp(b.0)));
    late
}

/// Annual reviews of the plans active at the census date, for the calendar year before.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reviews {
    /// Plans whose review fell due in the year (12 months after the last one).
    pub due: u64,
    /// Reviews whose meeting was held in the year.
    pub held: u64,
    /// Of those with a decision recorded, decided within 4 weeks of the meeting.
    pub decided_in_time: Share,
    /// Plans whose review was due by the end of the year and not held.
    pub outstanding: u64,
}

pub fn reviews(plans: &[ActivePlan], year: i32, settings: &ClockSettings) -> Reviews {
    let mut r = Reviews::default();
    for plan in plans {
        let due = plan.last_review.map(review_due);
        if due.is_some_and(|d| d.year() == year) {
            r.due += 1;
        }
        match plan.review_meeting {
            Some(meeting) if meeting.year() == year => {
                r.held += 1;
                if let Some(decided) = plan.review_draft {
                    let in_time = review_decided_in_time(meeting, decided, settings);
                    r.decided_in_time.of += 1;
                    r.decided_in_time.within += u64::from(in_time);
                }
            }
            _ => {
                if due.is_some_and(|d| d.year() <= year) {
                    r.outstanding += 1;
                }
            }
        }
    }
    r
}

/// Phase transfers due in a year: how many, and how many had their amended plan by the
/// deadline.
pub fn phase_transfers(plans: &[ActivePlan], year: i32) -> Share {
    let mut s = Share::default();
    for plan in plans {
        if let Some(due) = plan.phase_transfer_due.filter(|d| d.year() == year) {
            s.of += 1;
            s.within += u64::from(plan.phase_transfer_final.is_some_and(|f| f <= due));
        }
    }
    s
}

/// Requests received in each month of `year`, with the same month a year before: demand.
pub fn demand(requests: &[Request], year: i32) -> Vec<(time::Month, u64, u64)> {
    let mut months: Vec<(time::Month, u64, u64)> = (1..=12u8)
        .filter_map(|m| time::Month::try_from(m).ok())
        .map(|m| (m, 0, 0))
        .collect();
    for r in requests {
        let i = usize::from(u8::from(r.received.month())) - 1;
        if r.received.year() == year {
            months[i].1 += 1;
        } else if r.received.year() == year - 1 {
            months[i].2 += 1;
        }
    }
    months
}

#[cfg(test)]
mod band_tests {
    use super::*;

    #[test]
    fn caseload_is_by_team_and_caseworker_only_where_the_data_names_them() {
        use super::super::clock::RequestOutcome;
        use super::super::records::CaseRecord;
        use time::macros::date;
        let case = |worker: Option<&str>, received: Date| CaseRecord {
            record: 1,
            key: "k".into(),
            age: None,
            requests: vec![super::super::records::CaseRequest {
                request: Request {
                    received,
                    outcome: RequestOutcome::NotYetDecided,
                    decided: None,
                    assessment: None,
                },
                source: None,
            }],
            active_plan: None,
            caseworker: worker.map(str::to_owned),
            team: Some("Assessment".into()),
        };
        let on = date!(2024 - 06 - 01);
        let s = ClockSettings::default();
        let records = vec![
            case(Some("Jo"), date!(2024 - 05 - 20)),
            case(Some("Jo"), date!(2024 - 01 - 10)),
            case(None, date!(2024 - 05 - 30)),
        ];
        let load = caseload(&records, on, &s);
        assert_eq!(load.len(), 2);
        assert_eq!(
            (load[0].caseworker.as_str(), load[0].open, load[0].overdue),
            ("Jo", 2, 1)
        );
        assert_eq!(
            (load[1].caseworker.as_str(), load[1].open),
            ("Not named", 1)
        );
        let unnamed: Vec<CaseRecord> = records
            .into_iter()
            .map(|c| CaseRecord {
                caseworker: None,
                team: None,
                ..c
            })
            .collect();
        assert!(caseload(&unnamed, on, &s).is_empty());
    }

    #[test]
    fn every_open_assessment_falls_in_one_band() {
        let p = Pipeline {
            by_week: vec![
                (0, 1),
                (5, 2),
                (6, 3),
                (19, 4),
                (20, 5),
                (51, 6),
                (52, 7),
                (90, 8),
            ],
            ..Pipeline::default()
        };
        let bands: Vec<u64> = p.in_bands().into_iter().map(|(_, n)| n).collect();
        assert_eq!(bands, vec![3, 3, 0, 4, 5, 6, 15]);
        assert_eq!(bands.iter().sum::<u64>(), 36);
    }
}

#[cfg(test)]
mod tests {
    use super::super::clock::*;
    use super::*;
    use time::macros::date;
    use time::Duration;

    fn assessing(received: Date) -> Request {
        Request {
            received,
            outcome: RequestOutcome::Assess,
            decided: Some(received + Duration::days(35)),
            assessment: Some(Assessment {
                outcome: AssessmentOutcome::NotYetDecided,
                outcome_date: None,
                plan_start: None,
                exceptions: vec![],
            }),
        }
    }

    #[test]
    fn the_pipeline_counts_open_assessments_by_week_within_and_over_20_weeks() {
        let s = ClockSettings::default();
        let on = date!(2025 - 06 - 30);
        let requests = vec![
            assessing(on - Duration::days(70)),  // week 10
            assessing(on - Duration::days(140)), // week 20, due today: within
            assessing(on - Duration::days(175)), // week 25: over
            assessing(on - Duration::days(210)), // week 30: over
            Request {
                received: on - Duration::days(50),
                outcome: RequestOutcome::NotYetDecided,
                decided: None,
                assessment: None,
            },
            assessing(on + Duration::days(3)), // not received yet
        ];
        let p = pipeline(&requests, on, &s);
        assert_eq!(p.by_week, vec![(10, 1), (20, 1), (25, 1), (30, 1)]);
        assert_eq!((p.within_20_weeks, p.over_20_weeks), (2, 2));
        assert_eq!(p.mean_weeks_over, Some(27.5));
        assert_eq!((p.awaiting_decision, p.awaiting_decision_overdue), (1, 1));
        let keys = ["a", "b", "c", "d", "e", "f"];
        let late = overdue(keys.iter().copied().zip(requests.iter()), on, &s);
        assert_eq!(
            late.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
            vec!["d", "c", "e"]
        );
    }

    #[test]
    fn reviews_phase_transfers_and_demand() {
        let s = ClockSettings::default();
        let plan = |last: Option<Date>, meeting: Option<Date>, decided: Option<Date>| ActivePlan {
            last_review: last,
            review_meeting: meeting,
            review_draft: decided,
            ..ActivePlan::default()
        };
        let plans = vec![
            plan(
                Some(date!(2023 - 03 - 01)),
                Some(date!(2024 - 02 - 20)),
                Some(date!(2024 - 03 - 15)),
            ),
            plan(
                Some(date!(2023 - 05 - 01)),
                Some(date!(2024 - 05 - 01)),
                Some(date!(2024 - 06 - 10)),
            ),
            plan(Some(date!(2023 - 06 - 01)), None, None),
        ];
        let r = reviews(&plans, 2024, &s);
        assert_eq!((r.due, r.held, r.outstanding), (3, 2, 1));
        assert_eq!(r.decided_in_time, Share { within: 1, of: 2 });
        let transfer = |due, done| ActivePlan {
            phase_transfer_due: Some(due),
            phase_transfer_final: done,
            ..ActivePlan::default()
        };
        let transfers = vec![
            transfer(date!(2025 - 02 - 15), Some(date!(2025 - 02 - 14))),
            transfer(date!(2025 - 02 - 15), Some(date!(2025 - 02 - 16))),
            transfer(date!(2025 - 03 - 31), None),
        ];
        assert_eq!(
            phase_transfers(&transfers, 2025),
            Share { within: 1, of: 3 }
        );
        let requests = vec![
            assessing(date!(2024 - 01 - 10)),
            assessing(date!(2024 - 01 - 20)),
            assessing(date!(2023 - 01 - 05)),
        ];
        let d = demand(&requests, 2024);
        assert_eq!(d[0], (time::Month::January, 2, 1));
        assert_eq!(d[1], (time::Month::February, 0, 0));
    }
}

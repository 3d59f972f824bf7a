//! Synthetic SEN2 returns shaped by an authority's published figures (issue 18), for the
//! demonstration and the tests: seeded, so a return can be made again exactly, and marked
//! plainly as synthetic (the software code says so, and no record has a name). Each new
//! plan issued in the year is a child whose request, decision to assess and plan are dated
//! so that exactly the published numbers of plans are issued within 20 weeks, with and
//! without the exceptions, and no other: a check of the arithmetic and the exception rule
//! against the DfE's figures, not of the DfE's data.

use crate::seeded::Seeded;
use sendplan_domain::casework::clock::{
    Assessment, AssessmentOutcome, ExceptionPeriod, Request, RequestOutcome,
};
use sendplan_domain::casework::records::{ActivePlan, CaseRecord, CaseRequest};
use std::fmt::Write;
use time::{Date, Duration, Month};

/// An authority's published timeliness for a calendar year (the DfE's
/// `timeliness_20_week` file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedYear {
    /// The DfE's three-digit code.
    pub la: String,
    pub year: i32,
    /// New plans issued, including and excluding those with an exception.
    pub plans: u64,
    pub plans_excluding: u64,
    /// Of those, issued within 20 weeks.
    pub within: u64,
    pub within_excluding: u64,
    /// Of those issued after 20 weeks, how many after more than a year, including and
    /// excluding exceptions, where published.
    pub over_a_year: Option<(u64, u64)>,
}

/// A local authority's row of the DfE's `timeliness_20_week` file: its counts as a
/// [`PublishedYear`], its ONS code, and the percentages published beside the counts.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedRow {
    pub ons_code: String,
    pub counts: PublishedYear,
    pub percentage: Option<f64>,
    pub percentage_excluding: Option<f64>,
}

/// Every local authority's row with its counts published (suppressed rows are left out).
pub fn published_timeliness(csv_text: &str) -> Result<Vec<PublishedRow>, String> {
    let mut reader = csv::Reader::from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().map_err(|e| e.to_string())?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("the file has no column {name}"))
    };
    let (period, level, ons, la) = (
        column("time_period")?,
        column("geographic_level")?,
        column("new_la_code")?,
        column("old_la_code")?,
    );
    let (den, den_ex, within, within_ex) = (
        column("plans_issued_den")?,
        column("plans_issued_den_ex")?,
        column("plans_issued_within_20_weeks")?,
        column("plans_issued_20_weeks_ex")?,
    );
    let (pc, pc_ex) = (
        column("pc_plans_issued_within_20_weeks")?,
        column("PC_plans_issued_20_weeks_ex")?,
    );
    let (year_plus, year_plus_ex) = (
        column("plans_issued_gt_1_year")?,
        column("plans_issued_gt_1_year_ex")?,
    );
    let mut rows = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| e.to_string())?;
        let get = |i: usize| row.get(i).unwrap_or("").trim();
        if get(level) != "Local authority" {
            continue;
        }
        let number = |i: usize| get(i).parse::<u64>().ok();
        let (Some(plans), Some(plans_excluding), Some(on_time), Some(on_time_ex)) = (
            number(den),
            number(den_ex),
            number(within),
            number(within_ex),
        ) else {
            continue;
        };
        let Some(year) = get(period).get(..4).and_then(|y| y.parse().ok()) else {
            continue;
        };
        rows.push(PublishedRow {
            ons_code: get(ons).to_owned(),
            counts: PublishedYear {
                la: get(la).to_owned(),
                year,
                plans,
                plans_excluding,
                within: on_time,
                within_excluding: on_time_ex,
                over_a_year: number(year_plus).zip(number(year_plus_ex)),
            },
            percentage: get(pc).parse().ok(),
            percentage_excluding: get(pc_ex).parse().ok(),
        });
    }
    Ok(rows)
}

/// The children whose plans make up `published`; an error if the figures cannot all be
/// true (more on time than issued).
pub fn cases(published: &PublishedYear, seed: u64) -> Result<Vec<CaseRecord>, String> {
    let p = published;
    let exceptions = p
        .plans
        .checked_sub(p.plans_excluding)
        .ok_or("more plans excluding exceptions than including them")?;
    let exceptions_within = p
        .within
        .checked_sub(p.within_excluding)
        .ok_or("more plans on time excluding exceptions than including them")?;
    if p.within_excluding > p.plans_excluding || exceptions_within > exceptions {
        return Err("more plans on time than issued".to_owned());
    }
    let mut random = Seeded::new(seed ^ (u64::from(p.year.unsigned_abs()) << 32));
    let start = Date::from_calendar_date(p.year, Month::January, 1).map_err(|e| e.to_string())?;
    let days_in_year = if time::util::is_leap_year(p.year) {
        366
    } else {
        365
    };
    let mut out = Vec::with_capacity(p.plans as usize);
    let late = p.plans_excluding - p.within_excluding;
    let late_exceptions = exceptions - exceptions_within;
    // Late plans after more than a year, where the bands are published and add up.
    let (over, over_exceptions) = match p.over_a_year {
        Some((all, excluding))
            if excluding <= late && all >= excluding && all - excluding <= late_exceptions =>
        {
            (excluding, all - excluding)
        }
        _ => (0, 0),
    };
    #[derive(Clone, Copy)]
    enum Took {
        OnTime,
        WithinAYear,
        OverAYear,
    }
    let groups = [
        (p.within_excluding, false, Took::OnTime),
        (late - over, false, Took::WithinAYear),
        (over, false, Took::OverAYear),
        (exceptions_within, true, Took::OnTime),
        (late_exceptions - over_exceptions, true, Took::WithinAYear),
        (over_exceptions, true, Took::OverAYear),
    ];
    for (count, exception, took) in groups {
        for _ in 0..count {
            let issued = start + Duration::days(random.below(days_in_year) as i64);
            // On time: 10 to 20 weeks (day 140 at most); late: day 141 to 365, or more.
            let took = match took {
                Took::OnTime => 70 + random.below(71) as i64,
                Took::WithinAYear => 141 + random.below(225) as i64,
                Took::OverAYear => 366 + random.below(300) as i64,
            };
            let received = issued - Duration::days(took);
            let decided =
                received + Duration::days((20 + random.below(took.min(42) as u64 - 19)) as i64);
            out.push(CaseRecord {
                record: out.len() + 1,
                key: format!("SYN{}{:04}{:07}", p.la, p.year, out.len() + 1),
                age: Some(2 + random.below(22) as i32),
                requests: vec![CaseRequest {
                    request: Request {
                        received,
                        outcome: RequestOutcome::Assess,
                        decided: Some(decided),
                        assessment: Some(Assessment {
                            outcome: AssessmentOutcome::Issue,
                            outcome_date: Some(issued),
                            plan_start: Some(issued),
                            exceptions: if exception {
                                vec![ExceptionPeriod::flag_only()]
                            } else {
                                vec![]
                            },
                        }),
                    },
                    source: Some(1 + random.below(5) as u8),
                }],
                active_plan: Some(ActivePlan {
                    needs: vec![(
                        ["ASD", "SEMH", "SLCN", "MLD", "SPLD", "PD"][random.below(6) as usize]
                            .to_owned(),
                        1,
                    )],
                    ..ActivePlan::default()
                }),
                caseworker: None,
                team: None,
            });
        }
    }
    Ok(out)
}

/// The rest of a year's casework around the plans [`cases`] issues, for the pages: requests
/// refused, withdrawn or ended without a plan, assessments still open at the return's
/// reference date (some past 20 weeks), requests waiting for the decision whether to
/// assess, and plans already in place with their annual reviews and phase transfers. None
/// of it issues a plan in the year, so the year's 20-week figures stay the published ones.
/// `requests_received` is the published number of requests in the year, where known: the
/// refusals make the year's requests up to it. `in_place` is the published number of plans
/// in place at the next January's census, where known: the plans already in place make the
/// return's plans up to it (four for each new one otherwise).
pub fn surrounding_cases(
    published: &PublishedYear,
    plans: &[CaseRecord],
    requests_received: Option<u64>,
    in_place: Option<u64>,
    seed: u64,
) -> Vec<CaseRecord> {
    let p = published;
    let mut random = Seeded::new(seed ^ 0x5e2d ^ (u64::from(p.year.unsigned_abs()) << 40));
    let Ok(start) = Date::from_calendar_date(p.year, Month::January, 1) else {
        return vec![];
    };
    let Ok(reference) = Date::from_calendar_date(p.year + 1, Month::January, 16) else {
        return vec![];
    };
    let monthly = (p.plans / 12).max(1);
    let mut out: Vec<CaseRecord> = Vec::new();
    let push = |out: &mut Vec<CaseRecord>,
                request: Option<Request>,
                plan: Option<ActivePlan>,
                r: &mut Seeded| {
        let n = plans.len() + out.len() + 1;
        out.push(CaseRecord {
            record: n,
            key: format!("SYN{}{:04}{:07}", p.la, p.year, n),
            age: Some(2 + r.below(22) as i32),
            requests: request
                .map(|request| CaseRequest {
                    request,
                    source: Some(1 + r.below(5) as u8),
                })
                .into_iter()
                .collect(),
            active_plan: plan,
            caseworker: None,
            team: None,
        });
    };
    let day =
        |r: &mut Seeded, from: Date, days: u64| from + Duration::days(r.below(days.max(1)) as i64);
    // Open at the reference date: assessments 7 to 40 weeks in, a third of them past 20.
    let open = monthly * 4;
    for i in 0..open {
        let weeks = if i % 3 == 0 {
            21 + random.below(20)
        } else {
            7 + random.below(13)
        };
        let received = reference - Duration::days((weeks * 7 + random.below(7)) as i64);
        let decided = received + Duration::days(21 + random.below(25) as i64);
        let request = Request {
            received,
            outcome: RequestOutcome::Assess,
            decided: Some(decided),
            assessment: Some(Assessment {
                outcome: AssessmentOutcome::NotYetDecided,
                outcome_date: None,
                plan_start: None,
                exceptions: if i % 11 == 0 {
                    vec![ExceptionPeriod::flag_only()]
                } else {
                    vec![]
                },
            }),
        };
        push(&mut out, Some(request), None, &mut random);
    }
    // Waiting for the decision whether to assess: received in the last 9 weeks.
    for _ in 0..monthly * 2 {
        let received = reference - Duration::days(3 + random.below(60) as i64);
        let request = Request {
            received,
            outcome: RequestOutcome::NotYetDecided,
            decided: None,
            assessment: None,
        };
        push(&mut out, Some(request), None, &mut random);
    }
    // Assessments ended without a plan: decided not to issue (most within 16 weeks).
    for _ in 0..(p.plans / 20).max(1) {
        let received = day(&mut random, start, 250);
        let decided = received + Duration::days(25 + random.below(20) as i64);
        let ended = received + Duration::days(70 + random.below(60) as i64);
        let request = Request {
            received,
            outcome: RequestOutcome::Assess,
            decided: Some(decided),
            assessment: Some(Assessment {
                outcome: AssessmentOutcome::NotIssue,
                outcome_date: Some(ended),
                plan_start: None,
                exceptions: vec![],
            }),
        };
        push(&mut out, Some(request), None, &mut random);
    }
    // Withdrawn by the family before the decision.
    for _ in 0..(p.plans / 50).max(1) {
        let received = day(&mut random, start, 330);
        let request = Request {
            received,
            outcome: RequestOutcome::Withdrawn,
            decided: Some(received + Duration::days(10 + random.below(20) as i64)),
            assessment: None,
        };
        push(&mut out, Some(request), None, &mut random);
    }
    // Refused: the requests the year still needs to reach the published number.
    let received_so_far = plans
        .iter()
        .chain(out.iter())
        .flat_map(|c| &c.requests)
        .filter(|r| r.request.received.year() == p.year)
        .count() as u64;
    let refusals = requests_received
        .map_or(p.plans / 4, |n| n.saturating_sub(received_so_far))
        .min(p.plans * 3);
    for _ in 0..refusals {
        let received = day(&mut random, start, 340);
        // Most within 6 weeks (day 42), one in five up to 8 weeks later.
        let spread = if random.below(5) == 0 { 40 } else { 22 };
        let request = Request {
            received,
            outcome: RequestOutcome::NotAssess,
            decided: Some(received + Duration::days(20 + random.below(spread) as i64)),
            assessment: None,
        };
        push(&mut out, Some(request), None, &mut random);
    }
    // Plans already in place: each reviewed a year
    // before, most reviewed again in the year, most decided within 4 weeks; some moving
    // between phases of education.
    let existing = in_place.map_or(p.plans * 4, |n| n.saturating_sub(p.plans));
    for i in 0..existing {
        let last = day(&mut random, start - Duration::days(365), 365);
        let due = sendplan_domain::casework::clock::review_due(last);
        let held = (random.below(100) < 85).then(|| due - Duration::days(random.below(40) as i64));
        let plan = ActivePlan {
            last_review: Some(last),
            review_meeting: held,
            review_outcome: held.map(|_| "M".to_owned()),
            review_draft: held.map(|m| {
                m + Duration::days(if random.below(100) < 70 {
                    5 + random.below(23)
                } else {
                    29 + random.below(40)
                } as i64)
            }),
            phase_transfer_due: (i % 10 == 0)
                .then(|| Date::from_calendar_date(p.year, Month::February, 15).ok())
                .flatten(),
            phase_transfer_final: (i % 10 == 0 && random.below(100) < 80)
                .then(|| Date::from_calendar_date(p.year, Month::February, 1).ok())
                .flatten(),
            needs: vec![(
                ["ASD", "SEMH", "SLCN", "MLD", "SPLD", "PD"][random.below(6) as usize].to_owned(),
                1,
            )],
            settings: vec![],
        };
        push(&mut out, None, Some(plan), &mut random);
    }
    out
}

fn opt(date: Option<Date>) -> String {
    date.map(|d| d.to_string()).unwrap_or_default()
}

/// The children as an SEN2 return for collection year `year + 1` (activity in `year`),
/// marked synthetic in its header. The key is written as the UPN.
pub fn to_xml(la: &str, year: i32, people: &[CaseRecord]) -> String {
    let mut xml = String::with_capacity(people.len() * 600 + 512);
    let _ = write!(
        xml,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Message>\n<Header>\n<CollectionDetails><Collection>SEN2</Collection><Year>{}</Year><ReferenceDate>{}-01-16</ReferenceDate></CollectionDetails>\n<Source><SourceLevel>L</SourceLevel><LEA>{la}</LEA><SoftwareCode>sendplan-synthetic</SoftwareCode><Release>synthetic</Release></Source>\n</Header>\n<Persons>\n",
        year + 1,
        year + 1
    );
    for p in people {
        let _ = write!(xml, "<Person><UPN>{}</UPN>", p.key);
        for r in &p.requests {
            let q = &r.request;
            let _ = write!(
                xml,
                "<Requests><ReceivedDate>{}</ReceivedDate>{}<RequestOutcome>{}</RequestOutcome><RequestOutcomeDate>{}</RequestOutcomeDate>",
                q.received,
                r.source.map(|s| format!("<RequestSource>{s}</RequestSource>")).unwrap_or_default(),
                q.outcome.code(),
                opt(q.decided)
            );
            if let Some(a) = &q.assessment {
                let _ = write!(
                    xml,
                    "<Assessment><AssessmentOutcome>{}</AssessmentOutcome><AssessmentOutcomeDate>{}</AssessmentOutcomeDate><Week20>{}</Week20><NamedPlan><StartDate>{}</StartDate></NamedPlan></Assessment>",
                    a.outcome.code(),
                    opt(a.outcome_date),
                    u8::from(a.has_exception()),
                    opt(a.plan_start)
                );
            }
            xml.push_str("</Requests>");
        }
        if let Some(plan) = &p.active_plan {
            xml.push_str("<ActivePlans>");
            for (element, value) in [
                ("LastReview", plan.last_review),
                ("ReviewMeeting", plan.review_meeting),
                ("ReviewDraft", plan.review_draft),
                ("PhaseTransferDueDate", plan.phase_transfer_due),
                ("PhaseTransferFinalDate", plan.phase_transfer_final),
            ] {
                if let Some(value) = value {
                    let _ = write!(xml, "<{element}>{value}</{element}>");
                }
            }
            if let Some(outcome) = &plan.review_outcome {
                let _ = write!(xml, "<ReviewOutcome>{outcome}</ReviewOutcome>");
            }
            for (code, rank) in &plan.needs {
                let _ = write!(
                    xml,
                    "<SENneed><SENtype>{code}</SENtype><SENtypeRank>{rank}</SENtypeRank></SENneed>"
                );
            }
            xml.push_str("</ActivePlans>");
        }
        xml.push_str("</Person>\n");
    }
    xml.push_str("</Persons>\n</Message>\n");
    xml
}

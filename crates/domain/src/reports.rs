//! Board reports, built from a plan's facts as they stood on an "as at" date, so a report
//! for last quarter's board says what was known then: an action's rating as at a date is
//! its latest update on or before that date, a milestone is done if it was done by then,
//! and a measure's latest value is the latest period ending by then.
//!
//! - The exception report lists what needs a board's attention: actions off track or with
//!   some concerns, overdue actions and milestones, and measures off their trajectory, each
//!   with what changed since the previous report.
//! - The progress report covers every area and action, with milestones due and done.
//! - The changes report lists what moved between two dates: ratings, completions and new
//!   slippage.
//! - The review pack is for the DfE and NHS England reviews of an accelerated progress plan
//!   or priority action plan, 6, 12 and 18 months in: per area, the milestones due by 3, 6
//!   and 12 months from the plan's start and whether they were met, and the evidence of
//!   impact (the area's outcomes and the measures meant to show them).

use crate::measures::{DataPoint, Measure, MeasureStatus, Point};
use crate::plan::{Action, Area, Milestone, Plan, ProgressUpdate, Rating};
use crate::rating::{ClassCounts, RatingClass};
use crate::{ActionId, PersonId, RatingId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::Date;

crate::coded_enum! {
    /// The reports sendplan produces.
    ReportKind {
        Exception => ("exception", "Exception report"),
        Progress => ("progress", "Full progress report"),
        Changes => ("changes", "Changes report"),
        Review => ("review", "DfE and NHS England review pack"),
    }
}

/// Everything a report is built from.
pub struct ReportFacts<'a> {
    pub plan: &'a Plan,
    pub areas: &'a [Area],
    pub actions: &'a [Action],
    pub updates: &'a [ProgressUpdate],
    pub milestones: &'a [Milestone],
    pub ratings: &'a [Rating],
    pub people: &'a HashMap<PersonId, String>,
    pub measures: &'a [(Measure, Vec<DataPoint>)],
    /// Progress of areas and objectives, oldest first.
    pub area_progress: &'a [crate::plan::AreaProgress],
    /// Each action's extra fields, by action.
    pub extra_fields: &'a HashMap<ActionId, Vec<(String, String)>>,
}

/// The latest progress of an area (or one of its objectives) at a report's date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaProgressLine {
    pub date: Date,
    /// "Objective 1.1", or empty for the whole area.
    pub about: String,
    pub rating: Option<RatingView>,
    pub narrative: String,
}

/// A rating as shown in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingView {
    pub label: String,
    /// A GOV.UK tag colour.
    pub colour: String,
    pub class: RatingClass,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneLine {
    pub title: String,
    /// The due date as written, or the date.
    pub due: String,
    pub done: bool,
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionLine {
    pub id: ActionId,
    pub number: String,
    pub description: String,
    pub leads: String,
    pub rating: Option<RatingView>,
    /// The rating at the start of the period, for comparison.
    pub previous: Option<RatingView>,
    /// What changed since the start of the period, in words; empty if nothing did.
    pub change: String,
    /// The latest update's date and narrative, or why there is none.
    pub updated: Option<Date>,
    pub narrative: String,
    pub overdue: bool,
    pub milestones: Vec<MilestoneLine>,
    /// Off track by `flags::off_track`: rated off track or some concerns, overdue, or with
    /// a milestone overdue. A paper's exceptions.
    #[serde(default)]
    pub off_track: bool,
    /// The plan's own tracker columns sendplan has no field for ("Risk": "High").
    #[serde(default)]
    pub extra: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaSection {
    pub number: String,
    pub title: String,
    /// (class label, count) for every class with actions, then those not yet rated.
    pub counts: Vec<(String, usize)>,
    pub actions: Vec<ActionLine>,
    /// For the review pack: the outcomes the area strives for, one per line as written.
    #[serde(default)]
    pub outcomes: Vec<String>,
    /// For the review pack: the area's milestones by 3, 6 and 12 months, then later.
    #[serde(default)]
    pub checkpoints: Vec<Checkpoint>,
    /// For the review pack: the measures meant to show the area's impact.
    #[serde(default)]
    pub impact: Vec<MeasureLine>,
    /// The area's own progress narrative, latest first: the area's, then each objective's
    /// latest at the report's date.
    #[serde(default)]
    pub progress: Vec<AreaProgressLine>,
}

/// The milestones due by one review checkpoint (3, 6 or 12 months into the plan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// "By 3 months (31 May 2023)", "After 12 months", "No date set".
    pub label: String,
    pub milestones: Vec<CheckpointMilestone>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointMilestone {
    /// The action's number.
    pub action: String,
    pub title: String,
    pub due: String,
    /// "Met on 3 April 2023", "Not met: overdue", "Not yet due".
    pub state: String,
    pub met: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureLine {
    /// Which measure (papers put its chart beside it).
    #[serde(default)]
    pub measure_id: Option<crate::MeasureId>,
    pub name: String,
    pub latest: Option<Point>,
    pub latest_text: String,
    pub expected_text: String,
    pub status: Option<MeasureStatus>,
}

/// A report, ready to be written out in any format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub kind: ReportKind,
    pub plan_title: String,
    pub as_at: Date,
    /// The start of the period compared with (the previous report, or the changes' start).
    pub since: Option<Date>,
    pub areas: Vec<AreaSection>,
    pub measures: Vec<MeasureLine>,
    /// Counts across the whole plan.
    pub counts: Vec<(String, usize)>,
    /// Counts across the whole plan by rating class, now and at `since`: the executive
    /// summary's movement.
    #[serde(default)]
    pub movement: Vec<crate::rating::CountMovement>,
    /// For the review pack: which review this is ("12-month review"), from the plan's start.
    #[serde(default)]
    pub review: String,
}

impl Report {
    pub fn title(&self) -> String {
        format!("{}: {}", self.kind.label(), self.plan_title)
    }

    /// How many of the actions the report lists are off track (`flags::off_track`).
    pub fn off_track_count(&self) -> usize {
        self.areas
            .iter()
            .flat_map(|a| &a.actions)
            .filter(|a| a.off_track)
            .count()
    }

    /// How many actions the report lists.
    pub fn action_count(&self) -> usize {
        self.areas.iter().map(|a| a.actions.len()).sum()
    }
}

/// The classes with actions, then those with no update, for people.
fn counts_view(counts: &ClassCounts) -> Vec<(String, usize)> {
    counts.labelled(crate::rating::NOT_YET_RATED)
}

/// Builds a report of `kind` as at `as_at`, compared with `since` (the previous report for
/// an exception report; the start of the period for a changes report).
pub fn build(
    kind: ReportKind,
    facts: &ReportFacts<'_>,
    as_at: Date,
    since: Option<Date>,
) -> Report {
    let ratings: HashMap<RatingId, &Rating> = facts.ratings.iter().map(|r| (r.id, r)).collect();
    let view = |r: &Rating| RatingView {
        label: r.label.clone(),
        colour: r.colour.code().to_owned(),
        class: r.class,
    };
    // Each action's updates, oldest first, so "as at" is the last one on or before a date.
    let mut updates_of: HashMap<ActionId, Vec<&ProgressUpdate>> = HashMap::new();
    // A corrected or withdrawn update is history, not the action's rating.
    for u in facts.updates.iter().filter(|u| u.counts()) {
        updates_of.entry(u.action_id).or_default().push(u);
    }
    for list in updates_of.values_mut() {
        list.sort_by_key(|u| (u.update_date, u.id));
    }
    let latest_by = |action: ActionId, date: Date| -> Option<&ProgressUpdate> {
        updates_of
            .get(&action)?
            .iter()
            .copied()
            .rfind(|u| u.update_date <= date)
    };
    let mut total = ClassCounts::default();
    let mut total_then = ClassCounts::default();
    let mut areas = Vec::new();
    for area in facts.areas {
        let mut counts = ClassCounts::default();
        let mut lines = Vec::new();
        let mut actions: Vec<&Action> = facts
            .actions
            .iter()
            .filter(|a| a.area_id == area.id)
            .collect();
        actions.sort_by(|a, b| a.number.cmp(&b.number));
        for action in actions {
            let now = latest_by(action.id, as_at);
            let rating = now.and_then(|u| ratings.get(&u.rating_id)).map(|r| view(r));
            let class = rating.as_ref().map(|r| r.class);
            counts.add(class);
            total.add(class);
            let then = since.and_then(|d| latest_by(action.id, d));
            let previous = then
                .and_then(|u| ratings.get(&u.rating_id))
                .map(|r| view(r));
            total_then.add(previous.as_ref().map(|r| r.class));
            let complete = class == Some(RatingClass::Complete);
            let overdue = !complete && action.completion_date.is_some_and(|d| d < as_at);
            let was_overdue = since.is_some_and(|s| {
                previous.as_ref().map(|r| r.class) != Some(RatingClass::Complete)
                    && action.completion_date.is_some_and(|d| d < s)
            });
            let milestones: Vec<MilestoneLine> = facts
                .milestones
                .iter()
                .filter(|m| m.action_id == action.id)
                .map(|m| {
                    let done = m.done_date.is_some_and(|d| d <= as_at);
                    MilestoneLine {
                        title: m.title.clone(),
                        due: if m.due_text.is_empty() {
                            m.due_date.map(crate::input::long_date).unwrap_or_default()
                        } else {
                            m.due_text.clone()
                        },
                        done,
                        overdue: !done && m.due_date.is_some_and(|d| d < as_at),
                    }
                })
                .collect();
            let mut changes = Vec::new();
            if since.is_some() {
                match (&previous, &rating) {
                    (Some(p), Some(r)) if p.label != r.label => {
                        changes.push(format!("Rating moved from {} to {}", p.label, r.label))
                    }
                    (None, Some(r)) => changes.push(format!("First rated {}", r.label)),
                    _ => {}
                }
                if complete && previous.as_ref().map(|p| p.class) != Some(RatingClass::Complete) {
                    changes.push("Completed".to_owned());
                }
                if overdue && !was_overdue {
                    changes.push("Now overdue".to_owned());
                }
            }
            let line = ActionLine {
                id: action.id,
                number: action.number.to_string(),
                description: action.description.clone(),
                leads: action
                    .leads
                    .iter()
                    .filter_map(|p| facts.people.get(p).cloned())
                    .collect::<Vec<_>>()
                    .join(", "),
                rating,
                previous,
                change: changes.join("; "),
                updated: now.map(|u| u.update_date),
                narrative: now.map_or(String::new(), |u| u.narrative.clone()),
                overdue,
                off_track: crate::flags::off_track(
                    class,
                    overdue,
                    milestones.iter().any(|m| m.overdue),
                ),
                milestones,
                extra: facts
                    .extra_fields
                    .get(&action.id)
                    .cloned()
                    .unwrap_or_default(),
            };
            let include = match kind {
                ReportKind::Progress | ReportKind::Review => true,
                ReportKind::Exception => line.off_track,
                ReportKind::Changes => !line.change.is_empty(),
            };
            if include {
                lines.push(line);
            }
        }
        let every_area = matches!(kind, ReportKind::Progress | ReportKind::Review);
        if every_area || !lines.is_empty() {
            let mut section = AreaSection {
                number: area.number.to_string(),
                title: area.title.clone(),
                counts: counts_view(&counts),
                actions: lines,
                outcomes: vec![],
                checkpoints: vec![],
                impact: vec![],
                progress: area_progress_lines(area, facts, as_at),
            };
            if kind == ReportKind::Review {
                review_area(&mut section, area, facts, as_at);
            }
            areas.push(section);
        }
    }
    let measures = facts
        .measures
        .iter()
        .map(|(m, values)| measure_line(m, values, as_at))
        .filter(|line| {
            kind != ReportKind::Exception || line.status == Some(MeasureStatus::OffTrack)
        })
        .collect();
    Report {
        kind,
        plan_title: facts.plan.title.clone(),
        as_at,
        since,
        areas,
        measures,
        counts: counts_view(&total),
        movement: total.movement(since.map(|_| &total_then)),
        review: if kind == ReportKind::Review {
            review_name(facts.plan.period_start, as_at)
        } else {
            String::new()
        },
    }
}

/// A measure as it stood on `as_at`: its latest value then and where its trajectory
/// expected it to be.
fn measure_line(m: &Measure, values: &[DataPoint], as_at: Date) -> MeasureLine {
    let latest = crate::measures::values_as_at(values, as_at)
        .into_iter()
        .max_by_key(|p| p.date);
    MeasureLine {
        measure_id: Some(m.id),
        name: m.name.clone(),
        latest,
        latest_text: latest.map_or("No value yet".to_owned(), |p| {
            format!(
                "{} ({})",
                m.unit.format(p.value),
                crate::input::long_date(p.date)
            )
        }),
        expected_text: latest
            .and_then(|p| m.trajectory.expected_at(p.date))
            .map_or(String::new(), |v| m.unit.format(v)),
        status: latest.and_then(|p| m.trajectory.rate(p)),
    }
}

/// The date `months` after `start`, on the same day or the month's last if it is shorter
/// (31 January, then 28 February, then 31 March).
pub(crate) fn months_after(start: Date, months: i32) -> Date {
    let total = start.year() * 12 + i32::from(u8::from(start.month())) - 1 + months;
    let (year, month) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u8);
    let month = time::Month::try_from(month).unwrap_or(time::Month::January);
    Date::from_calendar_date(year, month, start.day().min(month.length(year))).unwrap_or(start)
}

/// Which of the 6, 12 and 18 month reviews `as_at` is closest to.
fn review_name(start: Option<Date>, as_at: Date) -> String {
    let Some(start) = start else {
        return "Review (the plan has no start date, so the 3, 6 and 12 month checkpoints cannot be placed)".to_owned();
    };
    let nearest = [6, 12, 18]
        .into_iter()
        .min_by_key(|&m| (months_after(start, m) - as_at).whole_days().abs())
        .unwrap_or(6);
    format!(
        "{nearest}-month review of the plan that started on {}",
        crate::input::long_date(start)
    )
}

/// Fills in the review pack's parts of an area: its outcomes, its milestones by 3, 6 and
/// 12 months from the plan's start, and the measures linked to it or to its actions.
/// The latest progress of the area, and of each of its objectives, at `as_at`.
fn area_progress_lines(area: &Area, facts: &ReportFacts<'_>, as_at: Date) -> Vec<AreaProgressLine> {
    let mut latest: Vec<&crate::plan::AreaProgress> = Vec::new();
    for progress in facts
        .area_progress
        .iter()
        .filter(|p| p.area_id == area.id && p.update_date <= as_at)
    {
        match latest
            .iter_mut()
            .find(|l| l.objective_id == progress.objective_id)
        {
            Some(slot) if slot.update_date <= progress.update_date => *slot = progress,
            Some(_) => {}
            None => latest.push(progress),
        }
    }
    latest.sort_by_key(|p| p.objective_id.map(|o| o.0));
    latest
        .into_iter()
        .map(|p| AreaProgressLine {
            date: p.update_date,
            about: p
                .objective_number
                .as_ref()
                .map(|n| format!("Objective {n}"))
                .unwrap_or_default(),
            rating: p
                .rating_id
                .and_then(|r| facts.ratings.iter().find(|x| x.id == r))
                .map(|r| RatingView {
                    label: r.label.clone(),
                    colour: r.colour.code().to_owned(),
                    class: r.class,
                }),
            narrative: p.narrative.clone(),
        })
        .collect()
}

fn review_area(section: &mut AreaSection, area: &Area, facts: &ReportFacts<'_>, as_at: Date) {
    use crate::input::long_date;
    section.outcomes = area
        .outcomes
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let actions: HashMap<ActionId, &Action> = facts
        .actions
        .iter()
        .filter(|a| a.area_id == area.id)
        .map(|a| (a.id, a))
        .collect();
    let mut milestones: Vec<(&Milestone, &Action)> = facts
        .milestones
        .iter()
        .filter_map(|m| actions.get(&m.action_id).map(|a| (m, *a)))
        .collect();
    milestones.sort_by(|(m1, a1), (m2, a2)| {
        (m1.due_date, &a1.number, m1.id).cmp(&(m2.due_date, &a2.number, m2.id))
    });
    // Checkpoints as (label, last day); milestones fall into the first that covers them.
    let mut bounds: Vec<(String, Option<Date>)> = match facts.plan.period_start {
        Some(start) => [3, 6, 12]
            .into_iter()
            .map(|n| {
                let end = months_after(start, n);
                (format!("By {n} months ({})", long_date(end)), Some(end))
            })
            .collect(),
        None => vec![],
    };
    bounds.push((
        if bounds.is_empty() {
            "Dated milestones".to_owned()
        } else {
            "After 12 months".to_owned()
        },
        Some(Date::MAX),
    ));
    bounds.push(("No date set".to_owned(), None));
    let mut checkpoints: Vec<Checkpoint> = bounds
        .iter()
        .map(|(label, _)| Checkpoint {
            label: label.clone(),
            milestones: vec![],
        })
        .collect();
    for (m, action) in milestones {
        let slot = match m.due_date {
            Some(due) => bounds
                .iter()
                .position(|(_, end)| end.is_some_and(|e| due <= e)),
            None => Some(bounds.len() - 1),
        };
        let met = m.done_date.filter(|d| *d <= as_at);
        let state = match (met, m.due_date) {
            (Some(d), _) => format!("Met on {}", long_date(d)),
            (None, Some(due)) if due < as_at => "Not met: overdue".to_owned(),
            _ => "Not yet due".to_owned(),
        };
        if let Some(slot) = slot {
            checkpoints[slot].milestones.push(CheckpointMilestone {
                action: action.number.to_string(),
                title: m.title.clone(),
                due: if m.due_text.is_empty() {
                    m.due_date.map(long_date).unwrap_or_default()
                } else {
                    m.due_text.clone()
                },
                state,
                met: met.is_some(),
            });
        }
    }
    section.checkpoints = checkpoints
        .into_iter()
        .filter(|c| !c.milestones.is_empty())
        .collect();
    section.impact = facts
        .measures
        .iter()
        .filter(|(m, _)| {
            m.areas.contains(&area.id) || m.actions.iter().any(|a| actions.contains_key(a))
        })
        .map(|(m, values)| measure_line(m, values, as_at))
        .collect();
}

/// The report as rows for a spreadsheet or CSV: one row per action.
pub fn rows(report: &Report) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let head = vec![
        "Area",
        "Action",
        "Description",
        "Leads",
        "Rating",
        "Previous rating",
        "What changed",
        "Last update",
        "Latest narrative",
        "Overdue",
        "Milestones",
    ];
    let rows = report
        .areas
        .iter()
        .flat_map(|area| {
            area.actions.iter().map(move |a| {
                vec![
                    format!("{} {}", area.number, area.title),
                    a.number.clone(),
                    a.description.clone(),
                    a.leads.clone(),
                    a.rating.as_ref().map_or(String::new(), |r| r.label.clone()),
                    a.previous
                        .as_ref()
                        .map_or(String::new(), |r| r.label.clone()),
                    a.change.clone(),
                    a.updated
                        .map_or("No update yet".to_owned(), |d| d.to_string()),
                    a.narrative.clone(),
                    if a.overdue { "yes" } else { "" }.to_owned(),
                    a.milestones
                        .iter()
                        .map(|m| {
                            let due = if m.due.is_empty() {
                                String::new()
                            } else {
                                format!(", due {}", m.due)
                            };
                            let state = if m.done {
                                ", done"
                            } else if m.overdue {
                                ", overdue"
                            } else {
                                ""
                            };
                            format!("{}{due}{state}", m.title)
                        })
                        .collect::<Vec<_>>()
                        .join("\n"),
                ]
            })
        })
        .collect();
    (head, rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numbering::ItemNumber;
    use crate::plan::*;
    use crate::rating::TagColour;
    use crate::{AreaId, MilestoneId, PlanId, UpdateId, UserId};
    use time::macros::date;

    fn rating(id: i64, label: &str, class: RatingClass) -> Rating {
        Rating {
            id: RatingId(id),
            plan_id: PlanId(1),
            position: id,
            label: label.into(),
            colour: TagColour::Grey,
            meaning: String::new(),
            class,
        }
    }

    fn action(id: i64, number: &str, completion: Option<Date>) -> Action {
        Action {
            id: ActionId(id),
            plan_id: PlanId(1),
            area_id: AreaId(1),
            objective_id: None,
            number: ItemNumber::parse(number).expect("number"),
            description: format!("Action {number}"),
            leads: vec![PersonId(1)],
            partner_people: vec![],
            partner_organisations: vec![],
            resources: vec![],
            evidence_of_success: String::new(),
            impact_measures: String::new(),
            start_date: None,
            completion_date: completion,
            depends_on: vec![],
            written: ActionText::default(),
            version: 1,
        }
    }

    fn update(id: i64, action: i64, on: Date, rating: i64, narrative: &str) -> ProgressUpdate {
        ProgressUpdate {
            id: UpdateId(id),
            action_id: ActionId(action),
            update_date: on,
            author: UserId(1),
            author_name: "A".into(),
            rating_id: RatingId(rating),
            narrative: narrative.into(),
            evidence_links: vec![],
            superseded: None,
            corrects: None,
            as_written: None,
        }
    }

    /// Three actions: 1.1 goes green then red; 1.2 completes; 1.3 is never updated and
    /// falls overdue in March.
    fn report(kind: ReportKind, as_at: Date, since: Option<Date>) -> Report {
        report_of_plan_starting(None, kind, as_at, since)
    }

    fn report_of_plan_starting(
        start: Option<Date>,
        kind: ReportKind,
        as_at: Date,
        since: Option<Date>,
    ) -> Report {
        let plan = Plan {
            id: PlanId(1),
            partnership_id: crate::PartnershipId(1),
            kind: PlanKind::Wsoa,
            title: "Test WSoA".into(),
            period_start: start,
            period_end: None,
            inspection_id: None,
            status: PlanStatus::Active,
            stale_after_days: 42,
            version: 1,
        };
        let areas = [Area {
            id: AreaId(1),
            plan_id: PlanId(1),
            number: ItemNumber::parse("1").expect("n"),
            title: "Identification".into(),
            senior_responsible_officer: None,
            outcomes: String::new(),
            findings: vec![],
            version: 1,
        }];
        let actions = [
            action(1, "1.1", None),
            action(2, "1.2", None),
            action(3, "1.3", Some(date!(2023 - 03 - 15))),
        ];
        let updates = [
            update(1, 1, date!(2023 - 01 - 10), 2, "Going well"),
            update(2, 1, date!(2023 - 03 - 10), 1, "Recruitment has stalled"),
            update(3, 2, date!(2023 - 01 - 12), 2, "Nearly there"),
            update(4, 2, date!(2023 - 03 - 01), 3, "Done"),
        ];
        let milestone = |id, action, title: &str, due, done| Milestone {
            id: MilestoneId(id),
            action_id: ActionId(action),
            title: title.into(),
            due_date: due,
            success_criteria: String::new(),
            done_date: done,
            due_text: String::new(),
            done_evidence: String::new(),
            version: 1,
        };
        let milestones = [
            Milestone {
                due_text: "Feb 2023".into(),
                ..milestone(1, 1, "Panel in place", Some(date!(2023 - 02 - 28)), None)
            },
            milestone(
                2,
                2,
                "Pathway agreed",
                Some(date!(2023 - 06 - 30)),
                Some(date!(2023 - 05 - 02)),
            ),
            milestone(
                3,
                3,
                "Training for all SENCOs",
                Some(date!(2024 - 03 - 31)),
                None,
            ),
            milestone(4, 3, "Review with families", None, None),
        ];
        let ratings = [
            rating(1, "RED", RatingClass::OffTrack),
            rating(2, "GREEN", RatingClass::OnTrack),
            rating(3, "BLUE", RatingClass::Complete),
        ];
        let people = HashMap::from([(PersonId(1), "Pat Lead".to_owned())]);
        let facts = ReportFacts {
            plan: &plan,
            areas: &areas,
            actions: &actions,
            updates: &updates,
            milestones: &milestones,
            ratings: &ratings,
            people: &people,
            measures: &[],
            area_progress: &area_progress(),
            extra_fields: &HashMap::new(),
        };
        build(kind, &facts, as_at, since)
    }

    /// Area 1's yearly narratives: March (rated) and June (not), and objective 1.1's in May.
    fn area_progress() -> Vec<crate::plan::AreaProgress> {
        let line = |id, on, objective: Option<i64>, rating: Option<i64>, narrative: &str| {
            crate::plan::AreaProgress {
                id,
                area_id: AreaId(1),
                objective_id: objective.map(crate::ObjectiveId),
                objective_number: objective.map(|_| "1.1".to_owned()),
                update_date: on,
                rating_id: rating.map(RatingId),
                narrative: narrative.into(),
                author_name: "SRO".into(),
            }
        };
        vec![
            line(
                1,
                date!(2022 - 03 - 31),
                None,
                Some(1),
                "Year one: toolkit published",
            ),
            line(
                2,
                date!(2022 - 05 - 31),
                Some(11),
                None,
                "Objective: training begun",
            ),
            line(
                3,
                date!(2022 - 06 - 30),
                None,
                None,
                "Year two: training delivered",
            ),
        ]
    }

    #[test]
    fn a_report_gives_each_area_its_latest_progress_at_its_date() {
        let in_april = report(ReportKind::Progress, date!(2022 - 04 - 30), None);
        let lines = &in_april.areas[0].progress;
        assert_eq!(lines.len(), 1, "the objective's is later than the report");
        assert_eq!(lines[0].narrative, "Year one: toolkit published");
        assert!(lines[0].rating.is_some());
        let in_july = report(ReportKind::Progress, date!(2022 - 07 - 31), None);
        let lines = &in_july.areas[0].progress;
        assert_eq!(
            lines
                .iter()
                .map(|l| (l.about.as_str(), l.narrative.as_str()))
                .collect::<Vec<_>>(),
            [
                ("", "Year two: training delivered"),
                ("Objective 1.1", "Objective: training begun")
            ]
        );
        assert!(lines[0].rating.is_none(), "progress may be unrated");
    }

    #[test]
    fn ratings_are_as_they_stood_on_the_as_at_date() {
        let february = report(ReportKind::Progress, date!(2023 - 02 - 01), None);
        let lines = &february.areas[0].actions;
        assert_eq!(
            lines[0].rating.as_ref().map(|r| r.label.as_str()),
            Some("GREEN")
        );
        assert_eq!(lines[0].narrative, "Going well");
        assert!(
            lines[2].rating.is_none() && lines[2].updated.is_none(),
            "1.3: no update yet"
        );
        assert!(!lines[2].overdue, "not due until March");
        assert_eq!(
            february.counts,
            vec![("On track".to_owned(), 2), ("Not yet rated".to_owned(), 1)]
        );
    }

    #[test]
    fn the_exception_report_lists_what_needs_attention_and_what_changed() {
        let april = report(
            ReportKind::Exception,
            date!(2023 - 04 - 01),
            Some(date!(2023 - 02 - 01)),
        );
        let numbers: Vec<&str> = april.areas[0]
            .actions
            .iter()
            .map(|a| a.number.as_str())
            .collect();
        assert_eq!(
            numbers,
            vec!["1.1", "1.3"],
            "red with an overdue milestone, and overdue"
        );
        assert_eq!(
            april.areas[0].actions[0].change,
            "Rating moved from GREEN to RED"
        );
        assert!(april.areas[0].actions[0].milestones[0].overdue);
        assert_eq!(april.areas[0].actions[1].change, "Now overdue");
    }

    #[test]
    fn the_changes_report_lists_moves_completions_and_slippage_between_two_dates() {
        let changes = report(
            ReportKind::Changes,
            date!(2023 - 04 - 01),
            Some(date!(2023 - 02 - 01)),
        );
        let lines: Vec<(&str, &str)> = changes.areas[0]
            .actions
            .iter()
            .map(|a| (a.number.as_str(), a.change.as_str()))
            .collect();
        assert_eq!(
            lines,
            vec![
                ("1.1", "Rating moved from GREEN to RED"),
                ("1.2", "Rating moved from GREEN to BLUE; Completed"),
                ("1.3", "Now overdue"),
            ]
        );
        let quiet = report(
            ReportKind::Changes,
            date!(2023 - 02 - 20),
            Some(date!(2023 - 02 - 01)),
        );
        assert!(quiet.areas.is_empty(), "nothing moved in February");
        assert!(
            changes.areas[0].checkpoints.is_empty(),
            "only the review pack has checkpoints"
        );
        let (head, rows) = rows(&changes);
        assert_eq!(head.len(), rows[0].len());
        assert_eq!(rows[2][7], "No update yet");
    }

    #[test]
    fn the_review_pack_groups_milestones_by_3_6_and_12_months_from_the_plans_start() {
        let review = report_of_plan_starting(
            Some(date!(2023 - 01 - 31)),
            ReportKind::Review,
            date!(2023 - 07 - 20),
            None,
        );
        assert_eq!(
            review.review,
            "6-month review of the plan that started on 31 January 2023"
        );
        let checkpoints: Vec<(&str, Vec<(&str, &str)>)> = review.areas[0]
            .checkpoints
            .iter()
            .map(|c| {
                (
                    c.label.as_str(),
                    c.milestones
                        .iter()
                        .map(|m| (m.title.as_str(), m.state.as_str()))
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            checkpoints,
            vec![
                (
                    "By 3 months (30 April 2023)",
                    vec![("Panel in place", "Not met: overdue")]
                ),
                (
                    "By 6 months (31 July 2023)",
                    vec![("Pathway agreed", "Met on 2 May 2023")]
                ),
                (
                    "After 12 months",
                    vec![("Training for all SENCOs", "Not yet due")]
                ),
                ("No date set", vec![("Review with families", "Not yet due")]),
            ],
            "the 12-month checkpoint has no milestones, so it is left out"
        );
        assert_eq!(review.areas[0].actions.len(), 3, "every action is listed");
        let a_year_in = report_of_plan_starting(
            Some(date!(2023 - 01 - 31)),
            ReportKind::Review,
            date!(2024 - 02 - 10),
            None,
        );
        assert!(a_year_in.review.starts_with("12-month review"));
        let undated = report(ReportKind::Review, date!(2023 - 07 - 20), None);
        assert!(undated.review.contains("no start date"));
        assert_eq!(undated.areas[0].checkpoints[0].label, "Dated milestones");
    }
}

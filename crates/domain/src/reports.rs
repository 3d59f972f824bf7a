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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaSection {
    pub number: String,
    pub title: String,
    /// (class label, count) for every class with actions, then "No update yet".
    pub counts: Vec<(String, usize)>,
    pub actions: Vec<ActionLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureLine {
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
}

impl Report {
    pub fn title(&self) -> String {
        format!("{}: {}", self.kind.label(), self.plan_title)
    }

    /// How many actions the report lists.
    pub fn action_count(&self) -> usize {
        self.areas.iter().map(|a| a.actions.len()).sum()
    }
}

/// The classes with actions, then those with no update, for people.
fn counts_view(counts: &ClassCounts) -> Vec<(String, usize)> {
    counts.labelled("No update yet")
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
    for u in facts.updates {
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
                milestones,
            };
            let include = match kind {
                ReportKind::Progress => true,
                ReportKind::Exception => {
                    matches!(
                        class,
                        Some(RatingClass::OffTrack | RatingClass::SomeConcerns)
                    ) || line.overdue
                        || line.milestones.iter().any(|m| m.overdue)
                }
                ReportKind::Changes => !line.change.is_empty(),
            };
            if include {
                lines.push(line);
            }
        }
        if kind == ReportKind::Progress || !lines.is_empty() {
            areas.push(AreaSection {
                number: area.number.to_string(),
                title: area.title.clone(),
                counts: counts_view(&counts),
                actions: lines,
            });
        }
    }
    let measures = facts
        .measures
        .iter()
        .map(|(m, values)| {
            let latest = crate::measures::values_as_at(values, as_at)
                .into_iter()
                .max_by_key(|p| p.date);
            let status = latest.and_then(|p| m.trajectory.rate(p));
            MeasureLine {
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
                status,
            }
        })
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
    }
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
        }
    }

    /// Three actions: 1.1 goes green then red; 1.2 completes; 1.3 is never updated and
    /// falls overdue in March.
    fn report(kind: ReportKind, as_at: Date, since: Option<Date>) -> Report {
        let plan = Plan {
            id: PlanId(1),
            partnership_id: crate::PartnershipId(1),
            kind: PlanKind::Wsoa,
            title: "Test WSoA".into(),
            period_start: None,
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
        let milestones = [Milestone {
            id: MilestoneId(1),
            action_id: ActionId(1),
            title: "Panel in place".into(),
            due_date: Some(date!(2023 - 02 - 28)),
            success_criteria: String::new(),
            done_date: None,
            due_text: "Feb 2023".into(),
            version: 1,
        }];
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
        };
        build(kind, &facts, as_at, since)
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
            vec![("On track".to_owned(), 2), ("No update yet".to_owned(), 1)]
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
        let (head, rows) = rows(&changes);
        assert_eq!(head.len(), rows[0].len());
        assert_eq!(rows[2][7], "No update yet");
    }
}

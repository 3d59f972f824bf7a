//! Plans and their structure: areas, objectives, actions, milestones, resources and the
//! dated progress updates that carry each action's rating.

use crate::ids::*;
use crate::numbering::ItemNumber;
use crate::rating::{RatingClass, TagColour};
use serde::{Deserialize, Serialize};
use time::Date;

crate::coded_enum! {
    /// What kind of plan this is (see domain.md section 2).
    PlanKind {
        Wsoa => ("wsoa", "Written statement of action (WSOA)"),
        App => ("app", "Accelerated progress plan (APP)"),
        PriorityActionPlan => ("priority_action_plan", "Priority action plan"),
        Strategic => ("strategic", "Strategic or improvement plan"),
    }
}

crate::coded_enum! {
    /// Where the plan is in its life.
    PlanStatus {
        Draft => ("draft", "Draft"),
        Submitted => ("submitted", "Submitted"),
        Approved => ("approved", "Fit for purpose or approved"),
        Active => ("active", "Active"),
        Closed => ("closed", "Closed"),
    }
}

/// How many days without an update make an action "stale", unless the plan says otherwise.
pub const DEFAULT_STALE_AFTER_DAYS: i64 = 42;

/// An improvement plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub id: PlanId,
    pub partnership_id: PartnershipId,
    pub kind: PlanKind,
    pub title: String,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    pub inspection_id: Option<InspectionId>,
    pub status: PlanStatus,
    pub stale_after_days: i64,
    pub version: i64,
}

/// One rating of a plan's scheme, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub id: RatingId,
    pub plan_id: PlanId,
    pub position: i64,
    pub label: String,
    pub colour: TagColour,
    pub meaning: String,
    pub class: RatingClass,
}

/// A top-level area of a plan, usually one per weakness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Area {
    pub id: AreaId,
    pub plan_id: PlanId,
    pub number: ItemNumber,
    pub title: String,
    pub senior_responsible_officer: Option<PersonId>,
    /// "Outcomes we will strive for", one per line.
    pub outcomes: String,
    /// The inspection findings this area answers.
    pub findings: Vec<FindingId>,
    pub version: i64,
}

/// The optional objective or workstream level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objective {
    pub id: ObjectiveId,
    pub area_id: AreaId,
    pub number: ItemNumber,
    pub title: String,
    pub i_statement: String,
    pub impact_indicators: String,
    /// The objective's own milestones as the plan writes them, one per line.
    #[serde(default)]
    pub milestones: String,
    pub version: i64,
}

crate::coded_enum! {
    /// Whether a resource is already funded or is new money or capacity.
    ResourceKind {
        Existing => ("existing", "Existing"),
        Additional => ("additional", "Additional"),
    }
}

/// A resource committed to an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    pub kind: ResourceKind,
    pub description: String,
    /// An amount in pence, when the plan gives one.
    pub amount_pence: Option<i64>,
}

/// An action of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub id: ActionId,
    pub plan_id: PlanId,
    pub area_id: AreaId,
    pub objective_id: Option<ObjectiveId>,
    pub number: ItemNumber,
    pub description: String,
    pub leads: Vec<PersonId>,
    pub partner_people: Vec<PersonId>,
    pub partner_organisations: Vec<OrganisationId>,
    pub resources: Vec<Resource>,
    pub evidence_of_success: String,
    pub impact_measures: String,
    pub start_date: Option<Date>,
    pub completion_date: Option<Date>,
    pub depends_on: Vec<ActionId>,
    /// The text the plan wrote, where sendplan keeps it beside what it read from it.
    #[serde(default)]
    pub written: ActionText,
    pub version: i64,
}

/// An action's text as the plan wrote it: cells that sendplan reads into structured
/// values (dates, people) are kept word for word, and columns only some plans have.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionText {
    /// The lead cell, e.g. "PeRi SEND GM".
    pub lead: String,
    /// The partners cell.
    pub partners: String,
    pub accountability_measures: String,
    pub intended_outcome: String,
    /// The start date as written, when it is not simply a date.
    pub start: String,
    /// The completion date as written ("Autumn Term 2018", "Ongoing").
    pub completion: String,
}

/// A milestone of an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub id: MilestoneId,
    pub action_id: ActionId,
    pub title: String,
    pub due_date: Option<Date>,
    pub success_criteria: String,
    pub done_date: Option<Date>,
    /// The due date as written, when it is not simply a date.
    #[serde(default)]
    pub due_text: String,
    /// What shows it was done, given by whoever marked it done.
    #[serde(default)]
    pub done_evidence: String,
    pub version: i64,
}

/// A dated progress update. Updates are never edited or deleted: the latest that
/// [`counts`](ProgressUpdate::counts) is the action's current rating and the rest are its
/// history. A mistake is put right by superseding the update with a correction, or by
/// withdrawing it; the history shows both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressUpdate {
    pub id: UpdateId,
    pub action_id: ActionId,
    pub update_date: Date,
    pub author: UserId,
    pub author_name: String,
    pub rating_id: RatingId,
    pub narrative: String,
    /// Links to evidence, one per entry.
    pub evidence_links: Vec<String>,
    /// Set when a later correction replaced this update or it was withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded: Option<Supersession>,
    /// The update this one corrects, when it is a correction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrects: Option<UpdateId>,
    /// The date as a tracker's column heading wrote it ("May 20"), when the update came
    /// from one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_written: Option<String>,
}

impl ProgressUpdate {
    /// Whether the update counts towards the action's rating, reports and reminders: it
    /// has been neither corrected nor withdrawn. The one definition every page uses.
    pub fn counts(&self) -> bool {
        self.superseded.is_none()
    }
}

/// Progress of a whole area or objective: a dated narrative (what has been done, what
/// difference it made, what will happen next), rated or not, as plans that report per
/// area or recommendation write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaProgress {
    pub id: i64,
    pub area_id: AreaId,
    /// The objective it is about, or none for the whole area.
    pub objective_id: Option<ObjectiveId>,
    /// The objective's number as written ("1.1"), when it is about one.
    pub objective_number: Option<String>,
    pub update_date: Date,
    pub rating_id: Option<RatingId>,
    pub narrative: String,
    pub author_name: String,
}

/// Why a progress update no longer counts, and who said so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supersession {
    pub by_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: time::OffsetDateTime,
    pub reason: String,
    /// The update that corrects it; `None` when it was withdrawn.
    pub replacement: Option<UpdateId>,
}

/// Formats pence as pounds for people: `£45,000` or `£1,250.50`.
pub fn format_pounds(pence: i64) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    let pence = pence.unsigned_abs();
    let pounds = pence / 100;
    let digits = pounds.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    match pence % 100 {
        0 => format!("{sign}£{grouped}"),
        p => format!("{sign}£{grouped}.{p:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pounds_are_grouped_in_thousands() {
        assert_eq!(format_pounds(4_500_000), "£45,000");
        assert_eq!(format_pounds(125_050), "£1,250.50");
        assert_eq!(format_pounds(99), "£0.99");
        assert_eq!(format_pounds(100_000_000), "£1,000,000");
        assert_eq!(format_pounds(-500), "-£5");
    }
}

//! The interchange document, field for field as `docs/interchange.md` describes it.
//! Codes and dates are kept as the strings the file holds; `crate::read` checks them
//! and says where each problem is.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The value of `format` in every document.
pub const FORMAT: &str = "sendplan-plan";
/// The version this build reads and writes.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
/// A partnership's plan, with everything it refers to.
pub struct Document {
    /// Always "sendplan-plan".
    pub format: String,
    /// The format version: 1.
    pub version: u32,
    /// Where the data came from.
    #[serde(default)]
    pub source: Option<String>,
    pub partnership: Partnership,
    #[serde(default)]
    pub organisations: Vec<Organisation>,
    #[serde(default)]
    pub people: Vec<Person>,
    #[serde(default)]
    pub inspections: Vec<Inspection>,
    #[serde(default)]
    pub plans: Vec<Plan>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Partnership {
    pub name: String,
    /// The local authority's 9-character ONS code, e.g. E08000031.
    pub la_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub key: String,
    pub name: String,
    /// local_authority | icb | ccg | parent_carer_forum | provider | school | other
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub key: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub job_title: Option<String>,
    /// An organisation key.
    #[serde(default)]
    pub organisation: Option<String>,
    /// The initials plans write, e.g. PeRi.
    #[serde(default)]
    pub short_code: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// A name the source used that could not be matched to a known person.
    #[serde(default)]
    pub to_review: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Inspection {
    pub key: String,
    /// joint_2016 | area_2023
    pub framework: String,
    /// ISO date.
    pub start_date: String,
    /// ISO date.
    pub end_date: String,
    /// ISO date.
    #[serde(default)]
    pub published_date: Option<String>,
    /// wsoa_required | wsoa_not_required | positive | inconsistent | systemic_failings
    pub outcome: String,
    #[serde(default)]
    pub inspectors: Option<String>,
    #[serde(default)]
    pub main_findings: Option<String>,
    #[serde(default)]
    pub findings: Vec<Finding>,
    #[serde(default)]
    pub revisits: Vec<Revisit>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub key: String,
    /// significant_weakness | area_for_priority_action | area_for_improvement | strength | area_for_development
    pub kind: String,
    /// identifying | assessing_meeting | improving_outcomes
    #[serde(default)]
    pub heading: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Revisit {
    /// ISO date.
    pub date: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub judgements: Vec<Judgement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Judgement {
    /// A finding key of this inspection.
    pub finding: String,
    pub sufficient_progress: bool,
    #[serde(default)]
    pub commentary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub key: String,
    /// wsoa | app | priority_action_plan | strategic
    pub kind: String,
    pub title: String,
    /// Date text as written.
    #[serde(default)]
    pub period_start: Option<String>,
    /// Date text as written.
    #[serde(default)]
    pub period_end: Option<String>,
    /// An inspection key.
    #[serde(default)]
    pub inspection: Option<String>,
    /// draft | submitted | approved | active | closed
    pub status: String,
    #[serde(default = "default_stale_after_days")]
    pub stale_after_days: i64,
    pub ratings: Vec<Rating>,
    #[serde(default)]
    pub areas: Vec<Area>,
    #[serde(default)]
    pub actions: Vec<Action>,
}

fn default_stale_after_days() -> i64 {
    sendplan_domain::plan::DEFAULT_STALE_AFTER_DAYS
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    pub label: String,
    /// red | orange | yellow | green | turquoise | blue | light-blue | purple | pink | grey
    pub colour: String,
    pub meaning: String,
    /// off_track | some_concerns | not_started | waiting | on_track | complete | not_yet_due
    pub class: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Area {
    pub number: String,
    pub title: String,
    /// Finding keys this area answers.
    #[serde(default)]
    pub findings: Vec<String>,
    /// A person key.
    #[serde(default)]
    pub senior_responsible_officer: Option<String>,
    #[serde(default)]
    pub outcomes: Option<String>,
    #[serde(default)]
    pub objectives: Vec<Objective>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Objective {
    pub number: String,
    pub title: String,
    #[serde(default)]
    pub i_statement: Option<String>,
    #[serde(default)]
    pub impact_indicators: Option<String>,
    #[serde(default)]
    pub milestones: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Action {
    pub number: String,
    /// The area's number.
    pub area: String,
    /// The objective's number, if the action sits under one.
    #[serde(default)]
    pub objective: Option<String>,
    pub description: String,
    /// Person keys.
    #[serde(default)]
    pub leads: Vec<String>,
    #[serde(default)]
    pub lead_text: Option<String>,
    #[serde(default)]
    pub partner_people: Vec<String>,
    #[serde(default)]
    pub partner_organisations: Vec<String>,
    #[serde(default)]
    pub partners_text: Option<String>,
    #[serde(default)]
    pub resources: Vec<Resource>,
    #[serde(default)]
    pub evidence_of_success: Option<String>,
    #[serde(default)]
    pub accountability_measures: Option<String>,
    #[serde(default)]
    pub intended_outcome: Option<String>,
    #[serde(default)]
    pub impact_measures: Option<String>,
    /// Date text as written.
    #[serde(default)]
    pub start: Option<String>,
    /// Date text as written.
    #[serde(default)]
    pub completion: Option<String>,
    #[serde(default)]
    pub milestones: Vec<Milestone>,
    /// Numbers of actions in this plan.
    #[serde(default)]
    pub depends_on: Vec<String>,
    #[serde(default)]
    pub updates: Vec<Update>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// existing | additional
    pub kind: String,
    pub description: String,
    #[serde(default)]
    pub amount_pence: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    pub title: String,
    /// Date text as written.
    #[serde(default)]
    pub due: Option<String>,
    #[serde(default)]
    pub success_criteria: Option<String>,
    /// ISO date it was done.
    #[serde(default)]
    pub done: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Update {
    /// ISO date.
    pub date: String,
    /// A rating label of this plan.
    pub rating: String,
    pub narrative: String,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub evidence_links: Vec<String>,
}

//! The interchange document, field for field as `docs/interchange.md` describes it.
//! Codes and dates are kept as the strings the file holds; `crate::read` checks them
//! and says where each problem is.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The value of `format` in every document.
pub const FORMAT: &str = "sendplan-plan";
/// The version this build reads and writes.
pub const VERSION: u32 = 1;

/// What a plan document may hold. The first three are checked on the text before anything
/// is built from it; a reached limit is refused with a message that names it.
pub mod limits {
    /// Bytes of JSON: the same as `sendplan import` takes from a file. The largest seed
    /// plan (Worcestershire, 125 activities) is 231 KB, so this is room for plans with
    /// years of updates, while bounding what one document can cost to read.
    pub const MAX_DOCUMENT_BYTES: usize = 50 * 1024 * 1024;
    /// How deep lists and objects may nest. The format needs 9 (document, plans, a plan,
    /// surveys, a survey, questions, a question, options, an option); 20 leaves room for
    /// later versions. It is checked without recursion, so a document nested 100,000 deep
    /// is refused by name long before serde_json's own recursion limit of 128 (which stays
    /// as a backstop) could be reached.
    pub const MAX_DEPTH: usize = 20;
    /// Items in all the document's lists together. A plan of 700 actions with five years
    /// of monthly updates has about 100,000; each item can cost some hundreds of bytes once
    /// read (a minimal action is 40 bytes of JSON), so this bounds what the byte limit
    /// alone would not.
    pub const MAX_ITEMS: usize = 250_000;
    /// The largest amount of a resource, in pence: the most the resource form takes (12
    /// digits of pounds, as `sendplan_domain::input::parse_pounds` reads them), so a file
    /// cannot hold what a person could not type, and totals cannot overflow.
    pub const MAX_AMOUNT_PENCE: i64 = 99_999_999_999_999;
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
    /// DfE and NHS England interventions and reviews.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interventions: Vec<Intervention>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Intervention {
    /// improvement_notice | statutory_direction | stocktake | review_6_months |
    /// review_12_months | review_18_months | other_review | lifted
    pub kind: String,
    /// dfe | nhse | dfe_nhse
    pub by: String,
    /// A date as far as it is known: "2024", "2024-03" or "2024-03-27".
    pub date: String,
    /// What it is called locally ("Deep dive").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Links to its documents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
    /// The key of the plan it concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
}

/// A plan's way to approval; each date as far as it is known ("2023", "2023-10" or
/// "2023-10-24"), or left out when not known.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submission_due: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Partnership {
    pub name: String,
    /// The local authority's 9-character ONS code, e.g. E08000031.
    pub la_code: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub key: String,
    pub name: String,
    /// local_authority | icb | ccg | parent_carer_forum | provider | school | other
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Inspection {
    pub key: String,
    /// joint_2016 | area_2023
    pub framework: String,
    /// How much of the dates is known: days (the default) | first_day | month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dates_known: Option<String>,
    /// ISO date; "YYYY-MM" when only the month is known.
    pub start_date: String,
    /// ISO date; left out when only the first day or the month is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Revisit {
    /// ISO date.
    pub date: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub judgements: Vec<Judgement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Judgement {
    /// A finding key of this inspection.
    pub finding: String,
    pub sufficient_progress: bool,
    #[serde(default)]
    pub commentary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
    /// The plan's impact measures, with their values and comparators.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measures: Vec<Measure>,
    /// Family and professional surveys, with their results.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub surveys: Vec<Survey>,
    /// When it had to be submitted, was submitted, approved and published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Approval>,
}

fn default_stale_after_days() -> i64 {
    sendplan_domain::plan::DEFAULT_STALE_AFTER_DAYS
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    pub label: String,
    /// red | orange | yellow | green | turquoise | blue | light-blue | purple | pink | grey
    pub colour: String,
    pub meaning: String,
    /// off_track | some_concerns | not_started | waiting | on_track | complete | not_yet_due
    pub class: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
    /// Progress of the whole area, oldest first: dated narratives, rated or not (an
    /// empty `rating`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub progress: Vec<Update>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
    /// Progress of the objective, oldest first, as an area's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub progress: Vec<Update>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
    /// Columns of the plan's own tracker that sendplan has no field for ("Risk", "Budget
    /// code"), kept by name, in the tracker's order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_fields: Vec<ExtraField>,
}

/// A named value of an action from a column sendplan has no field for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtraField {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// existing | additional
    pub kind: String,
    pub description: String,
    #[serde(default)]
    pub amount_pence: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
    /// What shows it was done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_evidence: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
    /// When the date came from a tracker's column heading ("RAG May 20"), the date as the
    /// heading wrote it ("May 20").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_written: Option<String>,
    /// Set when the update was corrected or withdrawn: it stays in the history but no
    /// longer counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded: Option<Superseded>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Superseded {
    pub reason: String,
    /// Who corrected or withdrew it.
    #[serde(default)]
    pub by: Option<String>,
    /// When, RFC 3339.
    pub at: String,
    /// The position (from 0) in this action's `updates` of the update that corrects it;
    /// left out when it was withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrected_by: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
/// An impact measure: where it starts, where it must get to and by when, and its values.
pub struct Measure {
    pub name: String,
    #[serde(default)]
    pub definition: Option<String>,
    /// percentage | count | weeks | days | money | ratio | yes_no
    pub unit: String,
    /// higher | lower: which way is better.
    pub polarity: String,
    /// monthly | quarterly | termly | academic_year | financial_year | calendar_year
    pub frequency: String,
    /// Left out when the plan has not measured it yet.
    #[serde(default)]
    pub baseline: Option<DatedValue>,
    /// Interim trajectory points and the final target, any order.
    #[serde(default)]
    pub targets: Vec<DatedValue>,
    /// How far behind the trajectory, in the measure's unit, is still "some concerns".
    #[serde(default)]
    pub tolerance: f64,
    /// A person key.
    #[serde(default)]
    pub owner: Option<String>,
    /// entered | imported | computed
    #[serde(default = "default_measure_source")]
    pub source: String,
    /// Area numbers of this plan.
    #[serde(default)]
    pub areas: Vec<String>,
    /// Action numbers of this plan.
    #[serde(default)]
    pub actions: Vec<String>,
    /// Every value recorded, oldest first; a later value for the same period revises it.
    #[serde(default)]
    pub values: Vec<Value>,
    #[serde(default)]
    pub comparators: Vec<Comparator>,
}

fn default_measure_source() -> String {
    "imported".to_owned()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DatedValue {
    /// ISO date.
    pub date: String,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
/// One recorded value of a measure.
pub struct Value {
    /// A period of the measure's frequency: "2023-06", "2023-24 Q1", "Autumn 2023",
    /// "2023/24", "2023-24" or "2023".
    pub period: String,
    pub value: f64,
    /// provisional | final | revised
    #[serde(default = "default_value_status")]
    pub status: String,
    #[serde(default)]
    pub note: Option<String>,
    /// When it was recorded (RFC 3339); the time of import if left out.
    #[serde(default)]
    pub recorded_at: Option<String>,
}

fn default_value_status() -> String {
    "final".to_owned()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
/// A figure to compare a measure with: England, a region, another local authority.
pub struct Comparator {
    /// "england", "region:E12000005", "la:E08000031", or a name.
    pub series: String,
    /// The period as its publisher labels it, e.g. "2023" or "2023/24".
    pub period: String,
    /// ISO date the period ends.
    pub period_end: String,
    /// null where the publisher suppressed the figure.
    pub value: Option<f64>,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
/// A survey and its results, as published or as tallied from responses.
pub struct Survey {
    pub title: String,
    /// Surveys of the same series are compared year on year; the title if left out.
    #[serde(default)]
    pub series: Option<String>,
    #[serde(default)]
    pub run_by: String,
    #[serde(default)]
    pub audience: String,
    /// When it ran, as written: "2021", "Autumn 2022".
    pub period: String,
    #[serde(default)]
    pub respondents: Option<u32>,
    /// Quotations published with the results, verbatim.
    #[serde(default)]
    pub quotes: Vec<String>,
    pub questions: Vec<SurveyQuestion>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyQuestion {
    pub number: String,
    /// The heading it was published under.
    #[serde(default)]
    pub topic: Option<String>,
    pub text: String,
    /// Respondents could choose more than one answer.
    #[serde(default)]
    pub multiple: bool,
    /// How many answered it, when known.
    #[serde(default)]
    pub answered: Option<u32>,
    #[serde(default)]
    pub notes: Option<String>,
    pub options: Vec<SurveyOption>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
/// One answer: its percentage as published, its count, or both.
pub struct SurveyOption {
    pub label: String,
    #[serde(default)]
    pub percent: Option<f64>,
    #[serde(default)]
    pub count: Option<u32>,
}

//! A whole plan ready to be stored: every record validated, and every reference between
//! records resolved to a position in this structure (the database ids do not exist yet).
//! File formats (JSON, spreadsheets) build one of these; storage writes it in a single
//! transaction, so an import is all or nothing.

use crate::input::*;
use crate::rating::RatingDefinition;
use time::Date;

/// Everything one import creates.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanImport {
    pub partnership: PartnershipInput,
    pub organisations: Vec<OrganisationInput>,
    /// Each person with the position of their organisation in `organisations`.
    pub people: Vec<(PersonInput, Option<usize>)>,
    pub inspections: Vec<InspectionImport>,
    pub plans: Vec<PlanToImport>,
    /// Each intervention with the position of its plan in `plans`.
    pub interventions: Vec<(crate::history::InterventionInput, Option<usize>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InspectionImport {
    pub inspection: InspectionInput,
    pub findings: Vec<FindingInput>,
    pub revisits: Vec<RevisitImport>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RevisitImport {
    pub date: Date,
    pub summary: String,
    /// (finding position in its inspection, sufficient progress, commentary)
    pub judgements: Vec<(usize, bool, String)>,
}

/// A reference to a finding: (inspection position, finding position).
pub type FindingRef = (usize, usize);

#[derive(Debug, Clone, PartialEq)]
pub struct PlanToImport {
    /// `inspection_id` is left empty; `inspection` says which of the import's it is.
    pub plan: PlanInput,
    pub inspection: Option<usize>,
    pub ratings: Vec<RatingDefinition>,
    pub areas: Vec<AreaImport>,
    pub actions: Vec<ActionImport>,
    pub measures: Vec<MeasureImport>,
    pub surveys: Vec<crate::surveys::SurveyInput>,
    pub approval: crate::history::PlanApproval,
}

/// A measure with its values and comparators. Its `areas`, `actions` and `owner` are
/// empty in `measure`; the positions here say which of the import's they are.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureImport {
    pub measure: crate::measures::MeasureInput,
    pub owner: Option<usize>,
    pub areas: Vec<usize>,
    pub actions: Vec<usize>,
    /// Oldest first, each with the time it was recorded (RFC 3339) if known; a later value
    /// for the same period revises the earlier one.
    pub values: Vec<(crate::measures::DataPointInput, Option<String>)>,
    pub comparators: Vec<crate::measures::Comparator>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AreaImport {
    /// `findings` and `senior_responsible_officer` are left empty: see the fields below.
    pub area: AreaInput,
    pub findings: Vec<FindingRef>,
    pub senior_responsible_officer: Option<usize>,
    pub objectives: Vec<ObjectiveInput>,
    /// Progress of the area and its objectives: the objective's position (or none for the
    /// whole area), and the update with the rating's position in the plan's `ratings`.
    pub progress: Vec<AreaProgressImport>,
}

/// An imported progress update of an area or objective.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaProgressImport {
    pub objective: Option<usize>,
    pub date: Date,
    pub rating: Option<usize>,
    pub narrative: String,
    pub recorded_by: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActionImport {
    pub area: usize,
    /// The objective's position within its area.
    pub objective: Option<usize>,
    /// Links (leads, partners, dependencies) are left empty: see the fields below.
    pub action: ActionInput,
    pub leads: Vec<usize>,
    pub partner_people: Vec<usize>,
    pub partner_organisations: Vec<usize>,
    /// Positions in the plan's `actions`.
    pub depends_on: Vec<usize>,
    pub milestones: Vec<MilestoneInput>,
    pub updates: Vec<UpdateImport>,
    /// A start or completion date whose text sendplan could not fully read.
    pub dates_need_review: bool,
    /// Named values from tracker columns sendplan has no field for.
    pub extra_fields: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UpdateImport {
    pub date: Date,
    /// Position in the plan's `ratings`.
    pub rating: usize,
    pub narrative: String,
    pub evidence_links: Vec<String>,
    /// Who the source says reported it, when it says.
    pub recorded_by: String,
    /// The date as a tracker's column heading wrote it, when it came from one.
    pub as_written: String,
    /// Set when the update was corrected or withdrawn: it is history, not the rating.
    pub superseded: Option<SupersededImport>,
}

/// Why an imported update no longer counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupersededImport {
    pub reason: String,
    pub by: String,
    /// When, RFC 3339.
    pub at: String,
    /// The position, in the same action's updates, of the update that corrects it; `None`
    /// when it was withdrawn.
    pub corrected_by: Option<usize>,
}

/// What an import created, for the person who ran it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub partnership: Option<crate::PartnershipId>,
    pub plans: Vec<crate::PlanId>,
    pub people: usize,
    pub findings: usize,
    pub areas: usize,
    pub objectives: usize,
    pub actions: usize,
    pub milestones: usize,
    pub updates: usize,
    pub measures: usize,
    pub values: usize,
    pub surveys: usize,
    pub interventions: usize,
    pub people_to_review: usize,
    pub dates_to_review: usize,
}

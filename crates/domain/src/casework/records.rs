//! A child's or young person's case as sendplan keeps it: only what the measures need
//! (`../shared/sen2.md` §6). A pseudonymous key, an age, and the dates and outcomes of
//! requests, assessments, plans, reviews and phase transfers; never a name, a date of
//! birth, an address or a postcode.

use super::clock::Request;
use time::Date;

/// One child or young person in a return or extract.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRecord {
    /// The record's number in its file, from 1, for problems.
    pub record: usize,
    /// A keyed hash of the UPN with the partnership's secret, or the authority's own
    /// case reference.
    pub key: String,
    /// Age in whole years at the return's reference date, if known.
    pub age: Option<i32>,
    pub requests: Vec<CaseRequest>,
    pub active_plan: Option<ActivePlan>,
    /// Who holds the case, and their team, where a case-system extract names them (SEN2
    /// does not): for caseload by caseworker.
    pub caseworker: Option<String>,
    pub team: Option<String>,
}

/// A request for an assessment, with what the clock reads and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRequest {
    pub request: Request,
    /// SEN2 `RequestSource`: 1 parent or young person, 2 school or setting, 3 health, 4
    /// social care, 5 other.
    pub source: Option<u8>,
}

/// The plan as at the census date (SEN2 module 5).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivePlan {
    pub review_meeting: Option<Date>,
    /// SEN2 `ReviewOutcome`: A amend, C cease, M maintain.
    pub review_outcome: Option<String>,
    pub last_review: Option<Date>,
    pub review_draft: Option<Date>,
    pub phase_transfer_due: Option<Date>,
    pub phase_transfer_final: Option<Date>,
    /// SEN2 `SENtype` codes with their rank (1 primary).
    pub needs: Vec<(String, u8)>,
    /// SEN2 `SENSetting` codes.
    pub settings: Vec<String>,
}

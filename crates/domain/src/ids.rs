//! Typed identifiers, so a `PlanId` can never be passed where an `ActionId` is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    )+};
}

id_type!(
    /// A local area partnership: the tenant boundary of every record.
    PartnershipId,
    /// A member organisation of a partnership (council, ICB, parent carer forum...).
    OrganisationId,
    /// A person named in plans (not necessarily someone who signs in).
    PersonId,
    /// A sign-in account.
    UserId,
    /// An Ofsted/CQC inspection.
    InspectionId,
    /// One finding of an inspection (a strength, an area for development, a weakness...).
    FindingId,
    /// A revisit (or monitoring inspection) following an inspection.
    RevisitId,
    /// An improvement plan (WSOA, APP, priority action plan...).
    PlanId,
    /// One rating in a plan's rating scheme.
    RatingId,
    /// A top-level area of a plan.
    AreaId,
    /// The optional objective / workstream level between an area and its actions.
    ObjectiveId,
    /// An action of a plan.
    ActionId,
    /// A milestone of an action.
    MilestoneId,
    /// A dated progress update on an action.
    UpdateId,
    /// A resource committed to an action.
    ResourceId,
    /// An impact measure.
    MeasureId,
    /// One value of a measure for one period.
    DataPointId,
    /// A family or professional survey.
    SurveyId,
    /// A board or group in a partnership's governance.
    BoardId,
    /// A "You said, we did" entry.
    YouSaidId,
    /// A meeting of a board.
    MeetingId,
    /// A decision of a meeting, or an action arising from it.
    OutcomeId,
    /// A report that goes to a board on a cadence.
    ReportingLineId,
    /// A DfE or NHS England intervention or review.
    InterventionId,
);

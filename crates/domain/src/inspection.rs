//! Inspections and their findings: what a plan starts from.

use crate::ids::*;
use serde::{Deserialize, Serialize};
use time::Date;

crate::coded_enum! {
    /// The inspection framework in force when the area was inspected.
    Framework {
        /// Joint local area SEND inspection, Ofsted and CQC, 2016 to 2022.
        Joint2016 => ("joint_2016", "Joint local area SEND inspection (2016 framework)"),
        /// Area SEND inspection, from 2023.
        Area2023 => ("area_2023", "Area SEND inspection (2023 framework)"),
    }
}

crate::coded_enum! {
    /// The outcome of an inspection. Which outcomes apply depends on the framework.
    InspectionOutcome {
        WsoaRequired => ("wsoa_required", "Written statement of action required"),
        WsoaNotRequired => ("wsoa_not_required", "No written statement of action required"),
        Positive => ("positive", "Typically lead to positive experiences and outcomes"),
        Inconsistent => ("inconsistent", "Lead to inconsistent experiences and outcomes"),
        SystemicFailings => ("systemic_failings", "Widespread and/or systemic failings"),
    }
}

impl InspectionOutcome {
    /// Whether the outcome belongs to `framework`.
    pub fn belongs_to(self, framework: Framework) -> bool {
        match framework {
            Framework::Joint2016 => matches!(self, Self::WsoaRequired | Self::WsoaNotRequired),
            Framework::Area2023 => {
                matches!(
                    self,
                    Self::Positive | Self::Inconsistent | Self::SystemicFailings
                )
            }
        }
    }
}

crate::coded_enum! {
    /// What a finding is.
    FindingKind {
        SignificantWeakness => ("significant_weakness", "Significant weakness"),
        AreaForPriorityAction => ("area_for_priority_action", "Area for priority action"),
        AreaForImprovement => ("area_for_improvement", "Area for improvement"),
        Strength => ("strength", "Strength"),
        AreaForDevelopment => ("area_for_development", "Area for development"),
    }
}

impl FindingKind {
    /// Whether a plan is expected to answer findings of this kind.
    pub fn needs_a_response(self) -> bool {
        matches!(
            self,
            Self::SignificantWeakness | Self::AreaForPriorityAction | Self::AreaForImprovement
        )
    }
}

crate::coded_enum! {
    /// The three headings of the 2016 framework's outcome letters.
    FindingHeading {
        Identifying => ("identifying", "Effectiveness of the local area in identifying children and young people's special educational needs and/or disabilities"),
        AssessingMeeting => ("assessing_meeting", "Effectiveness of the local area in assessing and meeting the needs of children and young people with special educational needs and/or disabilities"),
        ImprovingOutcomes => ("improving_outcomes", "Effectiveness of the local area in improving outcomes for children and young people with special educational needs and/or disabilities"),
    }
}

/// An inspection of the local area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    pub id: InspectionId,
    pub partnership_id: PartnershipId,
    pub framework: Framework,
    pub start_date: Date,
    pub end_date: Date,
    pub published_date: Option<Date>,
    pub outcome: InspectionOutcome,
    pub inspectors: String,
    pub main_findings: String,
    pub version: i64,
}

impl Inspection {
    /// A short name for lists and links, e.g. "Joint local area SEND inspection, 12 July 2021".
    pub fn title(&self) -> String {
        let kind = match self.framework {
            Framework::Joint2016 => "Joint local area SEND inspection",
            Framework::Area2023 => "Area SEND inspection",
        };
        format!("{kind}, {}", crate::input::long_date(self.start_date))
    }
}

/// One finding of an inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub id: FindingId,
    pub inspection_id: InspectionId,
    pub kind: FindingKind,
    pub heading: Option<FindingHeading>,
    pub text: String,
    pub position: i64,
}

/// A revisit or monitoring inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revisit {
    pub id: RevisitId,
    pub inspection_id: InspectionId,
    pub date: Date,
    pub summary: String,
    pub judgements: Vec<RevisitJudgement>,
}

/// The revisit's judgement on one weakness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisitJudgement {
    pub finding_id: FindingId,
    pub sufficient_progress: bool,
    pub commentary: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_belong_to_their_framework_only() {
        assert!(InspectionOutcome::WsoaRequired.belongs_to(Framework::Joint2016));
        assert!(!InspectionOutcome::WsoaRequired.belongs_to(Framework::Area2023));
        assert!(InspectionOutcome::SystemicFailings.belongs_to(Framework::Area2023));
        assert!(!InspectionOutcome::Positive.belongs_to(Framework::Joint2016));
    }

    #[test]
    fn weaknesses_need_a_response_strengths_do_not() {
        assert!(FindingKind::SignificantWeakness.needs_a_response());
        assert!(FindingKind::AreaForPriorityAction.needs_a_response());
        assert!(!FindingKind::Strength.needs_a_response());
    }
}

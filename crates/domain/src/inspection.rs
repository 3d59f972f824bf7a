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
    /// Whether an inspection of `framework` can have findings of this kind: significant
    /// weaknesses and areas for development are the 2016 framework's words, areas for
    /// priority action and for improvement the 2023 framework's; both name strengths.
    pub fn belongs_to(self, framework: Framework) -> bool {
        match framework {
            Framework::Joint2016 => matches!(
                self,
                Self::SignificantWeakness | Self::Strength | Self::AreaForDevelopment
            ),
            Framework::Area2023 => matches!(
                self,
                Self::AreaForPriorityAction | Self::AreaForImprovement | Self::Strength
            ),
        }
    }

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
    /// How much of `start_date` and `end_date` is known: with only the month, both hold
    /// its first day; with only the first day, `end_date` repeats it.
    #[serde(default = "days_known")]
    pub date_precision: crate::history::DatePrecision,
    pub version: i64,
}

fn days_known() -> crate::history::DatePrecision {
    crate::history::DatePrecision::Days
}

impl Inspection {
    /// A short name for lists and links, e.g. "Joint local area SEND inspection, 12 July 2021".
    pub fn title(&self) -> String {
        let kind = match self.framework {
            Framework::Joint2016 => "Joint local area SEND inspection",
            Framework::Area2023 => "Area SEND inspection",
        };
        format!("{kind}, {}", self.began())
    }

    /// When it began, as far as it is known: "25 September 2017" or "September 2017".
    pub fn began(&self) -> String {
        match self.date_precision {
            crate::history::DatePrecision::Month => {
                format!("{} {}", self.start_date.month(), self.start_date.year())
            }
            _ => crate::input::long_date(self.start_date),
        }
    }

    /// Its dates as far as they are known: "20 to 24 September 2021", "from 25 September
    /// 2017" or "September 2017".
    pub fn dates(&self) -> String {
        use crate::history::DatePrecision::*;
        match self.date_precision {
            Days if self.end_date != self.start_date => format!(
                "{} to {}",
                crate::input::long_date(self.start_date),
                crate::input::long_date(self.end_date)
            ),
            Days => crate::input::long_date(self.start_date),
            FirstDay => format!("From {}", crate::input::long_date(self.start_date)),
            Month => self.began(),
        }
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

/// A revisit (2016 framework) or monitoring inspection (2023 framework).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revisit {
    pub id: RevisitId,
    pub inspection_id: InspectionId,
    #[serde(default = "revisit_kind")]
    pub kind: crate::history::RevisitKind,
    pub date: Date,
    pub summary: String,
    pub judgements: Vec<RevisitJudgement>,
}

fn revisit_kind() -> crate::history::RevisitKind {
    crate::history::RevisitKind::Revisit
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
    fn finding_kinds_belong_to_their_framework_only() {
        assert!(FindingKind::SignificantWeakness.belongs_to(Framework::Joint2016));
        assert!(!FindingKind::SignificantWeakness.belongs_to(Framework::Area2023));
        assert!(FindingKind::AreaForPriorityAction.belongs_to(Framework::Area2023));
        assert!(!FindingKind::AreaForImprovement.belongs_to(Framework::Joint2016));
        assert!(FindingKind::Strength.belongs_to(Framework::Joint2016));
        assert!(FindingKind::Strength.belongs_to(Framework::Area2023));
    }

    #[test]
    fn weaknesses_need_a_response_strengths_do_not() {
        assert!(FindingKind::SignificantWeakness.needs_a_response());
        assert!(FindingKind::AreaForPriorityAction.needs_a_response());
        assert!(!FindingKind::Strength.needs_a_response());
    }
}

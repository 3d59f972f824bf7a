//! The partnership's history as it really happens (issue 13): dates known only in part,
//! DfE and NHS England interventions and reviews, a plan's submission and approval, and
//! the timeline that puts inspections, plans and interventions in order.

use crate::ids::*;
use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// A date of which only part may be known: a year, a month, or a day. Sources often give
/// "December 2016" or just "2020"; sendplan keeps exactly what is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PartialDate {
    pub year: i32,
    pub month: Option<Month>,
    /// Only with a month.
    pub day: Option<u8>,
}

impl PartialDate {
    pub fn day(date: Date) -> Self {
        PartialDate {
            year: date.year(),
            month: Some(date.month()),
            day: Some(date.day()),
        }
    }

    /// Reads `2016`, `2016-12` or `2016-12-05`, the form it is stored and exchanged in.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.trim().split('-');
        let year: i32 = parts.next()?.parse().ok()?;
        if !(1900..=2200).contains(&year) {
            return None;
        }
        let month = match parts.next() {
            None => {
                return Some(PartialDate {
                    year,
                    month: None,
                    day: None,
                })
            }
            Some(m) => Month::try_from(m.parse::<u8>().ok()?).ok()?,
        };
        let day = match parts.next() {
            None => None,
            Some(d) => {
                let d: u8 = d.parse().ok()?;
                Date::from_calendar_date(year, month, d).ok()?;
                Some(d)
            }
        };
        if parts.next().is_some() {
            return None;
        }
        Some(PartialDate {
            year,
            month: Some(month),
            day,
        })
    }

    /// From a form's day, month and year boxes, where the day, or the day and the month,
    /// may be left empty. `Ok(None)` when all three are empty.
    pub fn from_parts(day: &str, month: &str, year: &str) -> Result<Option<Self>, &'static str> {
        let (day, month, year) = (day.trim(), month.trim(), year.trim());
        if day.is_empty() && month.is_empty() && year.is_empty() {
            return Ok(None);
        }
        let year: i32 = year
            .parse()
            .ok()
            .filter(|y| (1900..=2200).contains(y))
            .ok_or("must include a year, like 2016")?;
        if month.is_empty() {
            return if day.is_empty() {
                Ok(Some(PartialDate {
                    year,
                    month: None,
                    day: None,
                }))
            } else {
                Err("must include a month when it includes a day")
            };
        }
        let month = month
            .parse::<u8>()
            .ok()
            .and_then(|m| Month::try_from(m).ok())
            .ok_or("must have a month from 1 to 12")?;
        if day.is_empty() {
            return Ok(Some(PartialDate {
                year,
                month: Some(month),
                day: None,
            }));
        }
        let day: u8 = day.parse().map_err(|_| "must be a real date")?;
        Date::from_calendar_date(year, month, day).map_err(|_| "must be a real date")?;
        Ok(Some(PartialDate {
            year,
            month: Some(month),
            day: Some(day),
        }))
    }

    /// The first day the date could be, for putting events in order.
    pub fn earliest(&self) -> Date {
        let month = self.month.unwrap_or(Month::January);
        Date::from_calendar_date(self.year, month, self.day.unwrap_or(1)).unwrap_or(Date::MIN)
    }

    /// The exact day, when it is known.
    pub fn exact(&self) -> Option<Date> {
        self.day.map(|_| self.earliest())
    }

    /// How people read it: "5 December 2016", "December 2016" or "2016".
    pub fn long(&self) -> String {
        match (self.month, self.day) {
            (Some(_), Some(_)) => crate::input::long_date(self.earliest()),
            (Some(m), None) => format!("{m} {}", self.year),
            _ => self.year.to_string(),
        }
    }
}

impl std::fmt::Display for PartialDate {
    /// The stored form: `2016`, `2016-12` or `2016-12-05`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.month, self.day) {
            (Some(m), Some(d)) => write!(f, "{:04}-{:02}-{d:02}", self.year, u8::from(m)),
            (Some(m), None) => write!(f, "{:04}-{:02}", self.year, u8::from(m)),
            _ => write!(f, "{:04}", self.year),
        }
    }
}

impl TryFrom<String> for PartialDate {
    type Error = String;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        PartialDate::parse(&text)
            .ok_or_else(|| format!("\"{text}\" is not a date like 2016, 2016-12 or 2016-12-05"))
    }
}

impl From<PartialDate> for String {
    fn from(date: PartialDate) -> String {
        date.to_string()
    }
}

crate::coded_enum! {
    /// How much of an inspection's dates is known.
    DatePrecision {
        /// The first and last days of the inspection.
        Days => ("days", "First and last days known"),
        /// Only the day it began.
        FirstDay => ("first_day", "Only the first day known"),
        /// Only the month.
        Month => ("month", "Only the month known"),
    }
}

crate::coded_enum! {
    /// What kind of revisit: the 2016 framework's revisit, which judges whether each
    /// significant weakness has made sufficient progress, or the 2023 framework's
    /// monitoring inspection, which judges whether effective action has been taken on each
    /// area for priority action.
    RevisitKind {
        Revisit => ("revisit", "Revisit (2016 framework)"),
        Monitoring => ("monitoring", "Monitoring inspection (2023 framework)"),
    }
}

impl RevisitKind {
    /// The framework whose inspections it follows.
    pub fn framework(self) -> crate::inspection::Framework {
        match self {
            RevisitKind::Revisit => crate::inspection::Framework::Joint2016,
            RevisitKind::Monitoring => crate::inspection::Framework::Area2023,
        }
    }

    /// The kind of revisit that follows an inspection of `framework`.
    pub fn following(framework: crate::inspection::Framework) -> Self {
        match framework {
            crate::inspection::Framework::Joint2016 => RevisitKind::Revisit,
            crate::inspection::Framework::Area2023 => RevisitKind::Monitoring,
        }
    }

    /// Whether the revisit judges findings of `kind`: a revisit judges each significant
    /// weakness, a monitoring inspection each area for priority action.
    pub fn judges(self, kind: crate::inspection::FindingKind) -> bool {
        use crate::inspection::FindingKind::*;
        match self {
            RevisitKind::Revisit => kind == SignificantWeakness,
            RevisitKind::Monitoring => kind == AreaForPriorityAction,
        }
    }

    /// The judgement on one finding, in the framework's own words.
    pub fn judgement(self, positive: bool) -> &'static str {
        match (self, positive) {
            (RevisitKind::Revisit, true) => "Sufficient progress",
            (RevisitKind::Revisit, false) => "Not sufficient progress",
            (RevisitKind::Monitoring, true) => "Effective action taken",
            (RevisitKind::Monitoring, false) => "Effective action not taken",
        }
    }
}

crate::coded_enum! {
    /// A DfE or NHS England intervention in, or review of, the local area.
    InterventionKind {
        ImprovementNotice => ("improvement_notice", "Improvement notice"),
        StatutoryDirection => ("statutory_direction", "Statutory direction"),
        Stocktake => ("stocktake", "Stocktake"),
        Review6 => ("review_6_months", "Review at 6 months"),
        Review12 => ("review_12_months", "Review at 12 months"),
        Review18 => ("review_18_months", "Review at 18 months"),
        OtherReview => ("other_review", "Other review or visit"),
        Lifted => ("lifted", "Notice or direction lifted"),
    }
}

crate::coded_enum! {
    /// Who intervened or reviewed.
    InterventionBody {
        Dfe => ("dfe", "Department for Education"),
        Nhse => ("nhse", "NHS England"),
        DfeAndNhse => ("dfe_nhse", "Department for Education and NHS England"),
    }
}

/// A dated intervention or review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intervention {
    pub id: InterventionId,
    pub kind: InterventionKind,
    pub by: InterventionBody,
    pub date: PartialDate,
    /// What it is called locally when that says more ("Deep dive").
    pub title: String,
    pub outcome: String,
    pub notes: String,
    /// Links to its documents, one per entry.
    pub documents: Vec<String>,
    /// The plan it concerns, if one.
    pub plan_id: Option<PlanId>,
    pub version: i64,
}

impl Intervention {
    /// How it is named in lists: its local title, else its kind.
    pub fn name(&self) -> String {
        if self.title.is_empty() {
            self.kind.label().to_owned()
        } else {
            format!("{} ({})", self.title, self.kind.label().to_lowercase())
        }
    }
}

/// An intervention's details, valid by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterventionInput {
    pub kind: InterventionKind,
    pub by: InterventionBody,
    pub date: PartialDate,
    pub title: String,
    pub outcome: String,
    pub notes: String,
    pub documents: Vec<String>,
    pub plan_id: Option<PlanId>,
}

impl InterventionInput {
    pub fn parse(form: &crate::input::RawForm) -> Result<Self, crate::input::FieldErrors> {
        use crate::input::{FormReader, LONG_TEXT, SHORT_TEXT};
        let mut f = FormReader::new(form);
        let kind = f.choice("kind", "what it was", InterventionKind::from_code);
        let by = f.choice("by", "who it was by", InterventionBody::from_code);
        let date = f.partial_date("date", "the date", true);
        let title = f.optional("title", "what it is called", SHORT_TEXT);
        let outcome = f.optional("outcome", "the outcome", LONG_TEXT);
        let notes = f.optional("notes", "the notes", LONG_TEXT);
        let documents = crate::input::web_addresses(&mut f, "documents", "the documents");
        let plan_id = f.optional_id("plan", "the plan");
        f.finish(InterventionInput {
            kind: kind.unwrap_or(InterventionKind::OtherReview),
            by: by.unwrap_or(InterventionBody::Dfe),
            date: date.unwrap_or(PartialDate {
                year: 1900,
                month: None,
                day: None,
            }),
            title,
            outcome,
            notes,
            documents,
            plan_id,
        })
    }
}

/// A plan's way to approval: when it had to be submitted, when it was, and when and by
/// whom it was approved and published. Each date may be known only in part, or not at all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanApproval {
    pub submission_due: Option<PartialDate>,
    pub submitted_on: Option<PartialDate>,
    pub approved_on: Option<PartialDate>,
    /// Who approved it, as the record says ("Ofsted and CQC", "DfE").
    pub approved_by: String,
    pub published_on: Option<PartialDate>,
}

impl PlanApproval {
    pub fn is_empty(&self) -> bool {
        *self == PlanApproval::default()
    }

    pub fn parse(form: &crate::input::RawForm) -> Result<Self, crate::input::FieldErrors> {
        use crate::input::{FormReader, SHORT_TEXT};
        let mut f = FormReader::new(form);
        let approval = PlanApproval {
            submission_due: f.partial_date(
                "submission_due",
                "the date it had to be submitted by",
                false,
            ),
            submitted_on: f.partial_date("submitted_on", "the date it was submitted", false),
            approved_on: f.partial_date("approved_on", "the date it was approved", false),
            approved_by: f.optional("approved_by", "who approved it", SHORT_TEXT),
            published_on: f.partial_date("published_on", "the date it was published", false),
        };
        if let (Some(submitted), Some(approved)) = (approval.submitted_on, approval.approved_on) {
            if approved.earliest() < submitted.earliest() {
                f.error(
                    "approved_on-year",
                    "The date it was approved must be after the date it was submitted",
                );
            }
        }
        f.finish(approval)
    }
}

/// What a timeline entry is, for its tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Inspection,
    Revisit,
    Plan,
    Intervention,
    ReportingCycle,
}

/// One entry of the partnership's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEvent {
    /// `None` when no source gives the date; the entry is placed after `after`.
    pub date: Option<PartialDate>,
    /// Where an undated entry belongs: just after this date.
    pub after: Option<Date>,
    pub kind: EventKind,
    pub title: String,
    pub detail: String,
    /// The record's page, relative to the partnership's base address.
    pub href: String,
}

impl TimelineEvent {
    fn sort_key(&self) -> (Date, u8) {
        match (self.date, self.after) {
            (Some(d), _) => (d.earliest(), 0),
            // Undated: after what it follows, before anything dated later that day.
            (None, Some(after)) => (after, 1),
            (None, None) => (Date::MAX, 1),
        }
    }
}

/// The events in date order; an event known only by month or year comes at the start of
/// that month or year, and undated events after what they follow.
pub fn in_order(mut events: Vec<TimelineEvent>) -> Vec<TimelineEvent> {
    events.sort_by_key(|e| e.sort_key());
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_partial_date_keeps_exactly_what_is_known() {
        for text in ["2016", "2016-12", "2016-12-05"] {
            assert_eq!(PartialDate::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(
            PartialDate::parse("2016-12").unwrap().long(),
            "December 2016"
        );
        assert_eq!(PartialDate::parse("2020").unwrap().long(), "2020");
        assert_eq!(
            PartialDate::parse("2017-09-25").unwrap().long(),
            "25 September 2017"
        );
        for bad in [
            "",
            "16",
            "2016-13",
            "2016-02-30",
            "2016-1-1-1",
            "December 2016",
        ] {
            assert_eq!(PartialDate::parse(bad), None, "{bad}");
        }
        assert_eq!(
            PartialDate::parse("2016-12").unwrap().earliest(),
            date!(2016 - 12 - 01)
        );
        assert_eq!(PartialDate::parse("2016-12").unwrap().exact(), None);
    }

    #[test]
    fn a_partial_date_is_read_from_a_form_with_the_day_or_month_left_empty() {
        assert_eq!(PartialDate::from_parts("", "", ""), Ok(None));
        assert_eq!(
            PartialDate::from_parts("", "12", "2016")
                .unwrap()
                .unwrap()
                .to_string(),
            "2016-12"
        );
        assert_eq!(
            PartialDate::from_parts("", "", "2020")
                .unwrap()
                .unwrap()
                .to_string(),
            "2020"
        );
        assert!(PartialDate::from_parts("5", "", "2016").is_err());
        assert!(PartialDate::from_parts("31", "2", "2016").is_err());
        assert!(PartialDate::from_parts("1", "1", "").is_err());
    }

    #[test]
    fn the_timeline_puts_partial_and_undated_events_where_they_belong() {
        let event = |date: Option<&str>, after: Option<Date>, title: &str| TimelineEvent {
            date: date.and_then(PartialDate::parse),
            after,
            kind: EventKind::Plan,
            title: title.into(),
            detail: String::new(),
            href: String::new(),
        };
        let ordered = in_order(vec![
            event(Some("2019-10-14"), None, "revisit"),
            event(None, Some(date!(2017 - 12 - 04)), "WSOA, date not known"),
            event(Some("2017-09-25"), None, "inspection"),
            event(Some("2024-03"), None, "deep dive"),
            event(Some("2017-12-04"), None, "letter published"),
            event(Some("2024"), None, "something in 2024"),
        ]);
        let titles: Vec<_> = ordered.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "inspection",
                "letter published",
                "WSOA, date not known",
                "revisit",
                "something in 2024",
                "deep dive"
            ]
        );
    }

    #[test]
    fn each_framework_has_its_own_revisit_and_judgements() {
        use crate::inspection::Framework;
        assert_eq!(
            RevisitKind::following(Framework::Area2023),
            RevisitKind::Monitoring
        );
        assert_eq!(
            RevisitKind::Monitoring.judgement(true),
            "Effective action taken"
        );
        assert_eq!(
            RevisitKind::Revisit.judgement(false),
            "Not sufficient progress"
        );
        assert_eq!(RevisitKind::Revisit.framework(), Framework::Joint2016);
    }
}

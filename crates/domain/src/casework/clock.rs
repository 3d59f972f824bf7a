//! The statutory clock of EHC needs assessments and plans (SEN Regulations 2014; SEND
//! Code of Practice 2015), one function per rule, for any case on any date (issue 18).
//!
//! | step | limit |
//! |---|---|
//! | decide whether to assess (regs 4-5) | 6 weeks from the request |
//! | decide not to issue a plan after assessing (reg 10) | 16 weeks from the request |
//! | issue the final plan (reg 13(2)) | 20 weeks from the request |
//! | annual review | every 12 months; the decision within 4 weeks of the meeting (reg 20) |
//! | phase transfer | the amended plan by 15 February, or 31 March from secondary school to post-16 |
//!
//! Two points of the DfE's method are not published: whether "within 20 weeks" takes in
//! the 140th day, and which date counts as the plan's issue when the assessment outcome's
//! date and the plan's start date differ. They are settings ([`ClockSettings`]), shown
//! wherever a figure uses them, defaulting to the 140th day counting and the outcome's
//! date. The same "last day counts" setting applies to every limit.

use time::{Date, Duration, Month};

/// 6 weeks: the decision whether to assess.
pub const DECIDE_TO_ASSESS: Duration = Duration::weeks(6);
/// 16 weeks: the decision not to issue a plan, after assessing.
pub const DECIDE_NOT_TO_ISSUE: Duration = Duration::weeks(16);
/// 20 weeks: the final plan.
pub const ISSUE_FINAL_PLAN: Duration = Duration::weeks(20);
/// 4 weeks: the decision after an annual review meeting.
pub const DECIDE_AFTER_REVIEW: Duration = Duration::weeks(4);

crate::coded_enum! {
    /// Which date is the plan's issue, for the 20-week measure.
    IssueDate {
        /// The assessment outcome's date (the DfE's data guidance: "for Y, the date the
        /// final plan was issued").
        OutcomeDate => ("outcome_date", "the assessment outcome's date"),
        /// The named plan's start date.
        PlanStart => ("plan_start", "the plan's start date"),
    }
}

/// How the clock is read where the DfE's method is not published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockSettings {
    /// Whether the last day of a limit counts as within it (day 140 of 20 weeks).
    pub last_day_counts: bool,
    pub issue_date: IssueDate,
}

impl Default for ClockSettings {
    fn default() -> Self {
        ClockSettings {
            last_day_counts: true,
            issue_date: IssueDate::OutcomeDate,
        }
    }
}

impl ClockSettings {
    /// The settings in words, for every page and paper that uses them.
    pub fn describe(&self) -> String {
        format!(
            "Within 20 weeks means up to {} day 140 after the request; a plan's issue date is {}.",
            if self.last_day_counts {
                "and including"
            } else {
                "but not including"
            },
            self.issue_date.label()
        )
    }

    /// Whether `done` is within `limit` of `from`.
    pub fn within(&self, from: Date, done: Date, limit: Duration) -> bool {
        let taken = done - from;
        if self.last_day_counts {
            taken <= limit
        } else {
            taken < limit
        }
    }

    /// The last day on which something due `limit` after `from` is on time.
    pub fn last_day(&self, from: Date, limit: Duration) -> Date {
        if self.last_day_counts {
            from + limit
        } else {
            from + limit - Duration::days(1)
        }
    }
}

/// Whole and part weeks from one day to another, to one decimal place.
pub fn weeks_between(from: Date, to: Date) -> f64 {
    ((to - from).whole_days() as f64 / 7.0 * 10.0).round() / 10.0
}

crate::coded_enum! {
    /// What was decided on a request for an assessment (SEN2 `RequestOutcome`).
    RequestOutcome {
        Assess => ("Y", "Decided to assess"),
        NotAssess => ("N", "Decided not to assess"),
        NotYetDecided => ("A", "Not yet decided"),
        Withdrawn => ("W", "Withdrawn before a decision"),
        Historical => ("H", "Decided before the period"),
    }
}

crate::coded_enum! {
    /// What an assessment led to (SEN2 `AssessmentOutcome`).
    AssessmentOutcome {
        Issue => ("Y", "A plan will be issued"),
        NotIssue => ("N", "No plan will be issued"),
        NotYetDecided => ("A", "Not yet decided"),
        Withdrawn => ("W", "Withdrawn"),
        Historical => ("H", "Historical, or a plan transferred in"),
    }
}

crate::coded_enum! {
    /// Why the 20-week limit does not apply for a time (SEN Regulations 2014 reg 13(3)).
    ExceptionReason {
        SettingClosed => ("setting_closed", "The school or college was closed for 4 weeks or more while advice was sought"),
        PersonalCircumstances => ("personal_circumstances", "Exceptional personal circumstances of the child or family"),
        AwayFromArea => ("away_from_area", "The family was away from the area for 4 weeks or more"),
        MissedAppointment => ("missed_appointment", "The child or family missed an appointment"),
        /// SEN2's `Week20 = 1` says an exception applied, but not what or when.
        Unspecified => ("unspecified", "An exception applied (the return does not say which)"),
    }
}

/// A time the 20-week limit did not apply, with why. SEN2 gives only a flag
/// (`Week20`); a case system can give the dates, which is what councils cannot report
/// today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionPeriod {
    pub reason: ExceptionReason,
    /// `None` when only the flag is known.
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl ExceptionPeriod {
    /// An exception known only by SEN2's `Week20` flag: no reason, no dates.
    pub fn flag_only() -> Self {
        ExceptionPeriod {
            reason: ExceptionReason::Unspecified,
            from: None,
            to: None,
        }
    }
}

/// One request for an EHC needs assessment and what came of it: as much of a case as
/// the clock reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub received: Date,
    pub outcome: RequestOutcome,
    /// The date of the decision whether to assess (Y or N only).
    pub decided: Option<Date>,
    pub assessment: Option<Assessment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub outcome: AssessmentOutcome,
    /// For Y, the date the final plan was issued; for N, the date the family was told.
    pub outcome_date: Option<Date>,
    /// The named plan's start date, if there is a plan.
    pub plan_start: Option<Date>,
    pub exceptions: Vec<ExceptionPeriod>,
}

impl Assessment {
    /// Whether an exception to the 20-week limit applied.
    pub fn has_exception(&self) -> bool {
        !self.exceptions.is_empty()
    }
}

/// The date a request's plan was issued, by the settings; `None` without one.
pub fn issue_date(request: &Request, settings: &ClockSettings) -> Option<Date> {
    let a = request.assessment.as_ref()?;
    if a.outcome != AssessmentOutcome::Issue {
        return None;
    }
    match settings.issue_date {
        IssueDate::OutcomeDate => a.outcome_date.or(a.plan_start),
        IssueDate::PlanStart => a.plan_start.or(a.outcome_date),
    }
}

/// Whether the decision whether to assess came within 6 weeks; `None` until it was made.
pub fn decided_to_assess_in_time(request: &Request, settings: &ClockSettings) -> Option<bool> {
    match request.outcome {
        RequestOutcome::Assess | RequestOutcome::NotAssess => request
            .decided
            .map(|d| settings.within(request.received, d, DECIDE_TO_ASSESS)),
        _ => None,
    }
}

/// Whether a decision not to issue a plan came within 16 weeks of the request; `None`
/// unless that was the decision.
pub fn not_to_issue_in_time(request: &Request, settings: &ClockSettings) -> Option<bool> {
    let a = request.assessment.as_ref()?;
    if a.outcome != AssessmentOutcome::NotIssue {
        return None;
    }
    a.outcome_date
        .map(|d| settings.within(request.received, d, DECIDE_NOT_TO_ISSUE))
}

/// Whether the final plan was issued within 20 weeks of the request; `None` without a
/// plan issued.
pub fn plan_in_time(request: &Request, settings: &ClockSettings) -> Option<bool> {
    issue_date(request, settings).map(|d| settings.within(request.received, d, ISSUE_FINAL_PLAN))
}

/// The date a plan's next annual review is due: 12 months after the plan was issued or
/// last reviewed (29 February is followed by 28 February).
pub fn review_due(last: Date) -> Date {
    add_months(last, 12)
}

/// Whether the decision after an annual review meeting came within 4 weeks of it.
pub fn review_decided_in_time(meeting: Date, decided: Date, settings: &ClockSettings) -> bool {
    settings.within(meeting, decided, DECIDE_AFTER_REVIEW)
}

crate::coded_enum! {
    /// A move between phases of education, whose amended plan has a fixed deadline.
    PhaseTransfer {
        /// Into school, between schools' phases (primary to secondary and the like).
        School => ("school", "Into or within school"),
        /// From secondary school to post-16 education.
        PostSixteen => ("post_16", "Secondary school to post-16"),
    }
}

/// The date by which the amended plan for a transfer in `year` must be issued: 15
/// February, or 31 March for secondary to post-16 (SEN Regulations 2014 reg 18).
pub fn phase_transfer_deadline(year: i32, transfer: PhaseTransfer) -> Option<Date> {
    match transfer {
        PhaseTransfer::School => Date::from_calendar_date(year, Month::February, 15).ok(),
        PhaseTransfer::PostSixteen => Date::from_calendar_date(year, Month::March, 31).ok(),
    }
}

/// `date` moved on by `months`, on the same day of the month or that month's last.
pub fn add_months(date: Date, months: i32) -> Date {
    let total = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + months;
    let (year, month) = (total.div_euclid(12), total.rem_euclid(12) as u8 + 1);
    let month = Month::try_from(month).unwrap_or(Month::January);
    Date::from_calendar_date(year, month, date.day().min(month.length(year))).unwrap_or(date)
}

crate::coded_enum! {
    /// Where a request stands on a day.
    Step {
        /// Waiting for the decision whether to assess.
        DecisionToAssess => ("decision_to_assess", "Waiting for the decision whether to assess"),
        /// Being assessed: waiting for the plan, or the decision not to issue one.
        Assessment => ("assessment", "Being assessed"),
        /// Decided: a plan issued, or not to assess, or not to issue.
        Finished => ("finished", "Finished"),
        /// Withdrawn, or decided before the period.
        Closed => ("closed", "Closed"),
    }
}

/// Where a request stands on a day: its step, the weeks since the request, when the step
/// is due and whether it is overdue.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub step: Step,
    pub weeks: f64,
    /// The last day on time for the step; `None` once finished.
    pub due: Option<Date>,
    pub overdue: bool,
    /// An exception to the 20-week limit applies, so lateness is explained.
    pub exception: bool,
}

/// Where `request` stands on `on`, read from what had happened by then.
pub fn standing_on(request: &Request, on: Date, settings: &ClockSettings) -> Standing {
    let weeks = weeks_between(request.received, on);
    let exception = request
        .assessment
        .as_ref()
        .is_some_and(Assessment::has_exception);
    let open = |step, limit| {
        let due = settings.last_day(request.received, limit);
        Standing {
            step,
            weeks,
            due: Some(due),
            overdue: on > due,
            exception,
        }
    };
    let happened = |d: Option<Date>| d.is_some_and(|d| d <= on);
    match request.outcome {
        RequestOutcome::Withdrawn | RequestOutcome::Historical => Standing {
            step: Step::Closed,
            weeks,
            due: None,
            overdue: false,
            exception,
        },
        RequestOutcome::NotYetDecided => open(Step::DecisionToAssess, DECIDE_TO_ASSESS),
        _ if !happened(request.decided) => open(Step::DecisionToAssess, DECIDE_TO_ASSESS),
        RequestOutcome::NotAssess => Standing {
            step: Step::Finished,
            weeks,
            due: None,
            overdue: false,
            exception,
        },
        RequestOutcome::Assess => {
            let assessment = request.assessment.as_ref();
            let finished = assessment.is_some_and(|a| match a.outcome {
                AssessmentOutcome::Issue => happened(issue_date(request, settings)),
                AssessmentOutcome::NotIssue => happened(a.outcome_date),
                AssessmentOutcome::Withdrawn | AssessmentOutcome::Historical => true,
                AssessmentOutcome::NotYetDecided => false,
            });
            if finished {
                Standing {
                    step: Step::Finished,
                    weeks,
                    due: None,
                    overdue: false,
                    exception,
                }
            } else {
                open(Step::Assessment, ISSUE_FINAL_PLAN)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn request(received: Date, issued: Option<Date>, exception: bool) -> Request {
        Request {
            received,
            outcome: RequestOutcome::Assess,
            decided: Some(received + Duration::weeks(5)),
            assessment: Some(Assessment {
                outcome: if issued.is_some() {
                    AssessmentOutcome::Issue
                } else {
                    AssessmentOutcome::NotYetDecided
                },
                outcome_date: issued,
                plan_start: issued,
                exceptions: if exception {
                    vec![ExceptionPeriod::flag_only()]
                } else {
                    vec![]
                },
            }),
        }
    }

    #[test]
    fn twenty_weeks_is_day_140_and_the_setting_decides_the_last_day() {
        let received = date!(2025 - 01 - 06);
        let on = ClockSettings::default();
        let strict = ClockSettings {
            last_day_counts: false,
            ..ClockSettings::default()
        };
        for (day, default, strict_answer) in
            [(139, true, true), (140, true, false), (141, false, false)]
        {
            let r = request(received, Some(received + Duration::days(day)), false);
            assert_eq!(plan_in_time(&r, &on), Some(default), "day {day}");
            assert_eq!(
                plan_in_time(&r, &strict),
                Some(strict_answer),
                "day {day}, strict"
            );
        }
        assert_eq!(plan_in_time(&request(received, None, false), &on), None);
        assert!(on.describe().contains("and including day 140"));
        assert!(strict.describe().contains("but not including"));
    }

    #[test]
    fn six_and_sixteen_weeks() {
        let settings = ClockSettings::default();
        let received = date!(2024 - 02 - 20);
        let decided = |days| Request {
            received,
            outcome: RequestOutcome::NotAssess,
            decided: Some(received + Duration::days(days)),
            assessment: None,
        };
        assert_eq!(
            decided_to_assess_in_time(&decided(42), &settings),
            Some(true)
        );
        assert_eq!(
            decided_to_assess_in_time(&decided(43), &settings),
            Some(false)
        );
        let undecided = Request {
            outcome: RequestOutcome::NotYetDecided,
            decided: None,
            ..decided(0)
        };
        assert_eq!(decided_to_assess_in_time(&undecided, &settings), None);
        let mut not_issued = request(received, None, false);
        let a = not_issued.assessment.as_mut().unwrap();
        a.outcome = AssessmentOutcome::NotIssue;
        a.outcome_date = Some(received + Duration::days(112));
        assert_eq!(not_to_issue_in_time(&not_issued, &settings), Some(true));
        not_issued.assessment.as_mut().unwrap().outcome_date = Some(received + Duration::days(113));
        assert_eq!(not_to_issue_in_time(&not_issued, &settings), Some(false));
    }

    #[test]
    fn the_issue_date_setting_chooses_between_the_two_dates() {
        let received = date!(2025 - 03 - 03);
        let mut r = request(received, Some(received + Duration::days(138)), false);
        r.assessment.as_mut().unwrap().plan_start = Some(received + Duration::days(150));
        let by_start = ClockSettings {
            issue_date: IssueDate::PlanStart,
            ..ClockSettings::default()
        };
        assert_eq!(plan_in_time(&r, &ClockSettings::default()), Some(true));
        assert_eq!(plan_in_time(&r, &by_start), Some(false));
    }

    #[test]
    fn reviews_and_phase_transfers_fall_due_on_fixed_days_leap_years_included() {
        assert_eq!(review_due(date!(2024 - 02 - 29)), date!(2025 - 02 - 28));
        assert_eq!(review_due(date!(2023 - 03 - 31)), date!(2024 - 03 - 31));
        let settings = ClockSettings::default();
        assert!(review_decided_in_time(
            date!(2024 - 02 - 01),
            date!(2024 - 02 - 29),
            &settings
        ));
        assert!(!review_decided_in_time(
            date!(2024 - 02 - 01),
            date!(2024 - 03 - 01),
            &settings
        ));
        assert_eq!(
            phase_transfer_deadline(2026, PhaseTransfer::School),
            Some(date!(2026 - 02 - 15))
        );
        assert_eq!(
            phase_transfer_deadline(2026, PhaseTransfer::PostSixteen),
            Some(date!(2026 - 03 - 31))
        );
        assert_eq!(add_months(date!(2025 - 01 - 31), 1), date!(2025 - 02 - 28));
        assert_eq!(add_months(date!(2024 - 01 - 31), 1), date!(2024 - 02 - 29));
        assert_eq!(
            add_months(date!(2024 - 12 - 15), -12),
            date!(2023 - 12 - 15)
        );
    }

    #[test]
    fn any_case_on_any_day_has_a_step_a_due_date_and_whether_it_is_overdue() {
        let settings = ClockSettings::default();
        let received = date!(2024 - 12 - 30);
        // Across a leap year's end: 140 days on is 19 May 2025.
        let r = request(received, Some(date!(2025 - 06 - 02)), true);
        let waiting = standing_on(&r, received + Duration::days(10), &settings);
        assert_eq!(waiting.step, Step::DecisionToAssess);
        assert_eq!(waiting.due, Some(received + Duration::days(42)));
        assert!(!waiting.overdue);
        let assessing = standing_on(&r, date!(2025 - 05 - 19), &settings);
        assert_eq!(
            (assessing.step, assessing.overdue),
            (Step::Assessment, false)
        );
        assert_eq!(assessing.due, Some(date!(2025 - 05 - 19)));
        let late = standing_on(&r, date!(2025 - 05 - 20), &settings);
        assert!(
            late.overdue && late.exception,
            "overdue, with an exception to explain it"
        );
        assert_eq!(late.weeks, 20.1);
        let done = standing_on(&r, date!(2025 - 06 - 02), &settings);
        assert_eq!((done.step, done.due), (Step::Finished, None));
        let withdrawn = Request {
            outcome: RequestOutcome::Withdrawn,
            ..r.clone()
        };
        assert_eq!(
            standing_on(&withdrawn, date!(2025 - 06 - 02), &settings).step,
            Step::Closed
        );
    }
}

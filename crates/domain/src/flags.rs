//! Flags derived from the facts of a plan: overdue, stale, not yet due, blocked.
//! They are computed on every read, never stored, so they can never disagree with the
//! dates and updates they come from.

use crate::rating::RatingClass;
use serde::Serialize;
use time::Date;

/// Whether a milestone is past its due date and not done.
pub fn milestone_overdue(due: Option<Date>, done: Option<Date>, today: Date) -> bool {
    done.is_none() && due.is_some_and(|due| due < today)
}

/// What the flags of one action are computed from.
#[derive(Debug, Clone)]
pub struct ActionFacts {
    pub start_date: Option<Date>,
    pub completion_date: Option<Date>,
    /// The day the action was added to sendplan, when it has no start date or update.
    pub created_on: Date,
    /// The date and rating class of the latest update, if there is one.
    pub latest_update: Option<(Date, RatingClass)>,
    /// Due and done dates of the action's milestones.
    pub milestones: Vec<(Option<Date>, Option<Date>)>,
    /// How many of the actions this one depends on are not complete.
    pub incomplete_dependencies: usize,
}

/// The derived state of one action on a given day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ActionFlags {
    /// The latest update says the action is complete.
    pub complete: bool,
    /// Past its completion date and not complete.
    pub overdue: bool,
    /// No update for longer than the plan allows, while work is due.
    pub stale: bool,
    /// Not due to start yet (by start date, or as the latest rating says).
    pub not_yet_due: bool,
    /// Waiting on an action it depends on that is not complete.
    pub blocked: bool,
    /// How many of its milestones are overdue.
    pub overdue_milestones: usize,
    /// Days since the latest update, or `None` if there has been none.
    pub days_since_update: Option<i64>,
}

impl ActionFlags {
    /// Computes the flags of an action on `today`, with the plan's staleness threshold.
    pub fn compute(facts: &ActionFacts, stale_after_days: i64, today: Date) -> Self {
        let class = facts.latest_update.map(|(_, class)| class);
        let complete = class == Some(RatingClass::Complete);
        let not_yet_due = !complete
            && (facts.start_date.is_some_and(|start| start > today)
                || class == Some(RatingClass::NotYetDue));
        let overdue = !complete && facts.completion_date.is_some_and(|due| due < today);
        let last_activity = facts
            .latest_update
            .map(|(date, _)| date)
            .or(facts.start_date)
            .unwrap_or(facts.created_on);
        let stale =
            !complete && !not_yet_due && (today - last_activity).whole_days() > stale_after_days;
        let overdue_milestones = facts
            .milestones
            .iter()
            .filter(|(due, done)| milestone_overdue(*due, *done, today))
            .count();
        ActionFlags {
            complete,
            overdue,
            stale,
            not_yet_due,
            blocked: !complete && facts.incomplete_dependencies > 0,
            overdue_milestones,
            days_since_update: facts
                .latest_update
                .map(|(date, _)| (today - date).whole_days()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2022 - 06 - 01);

    fn facts() -> ActionFacts {
        ActionFacts {
            start_date: None,
            completion_date: None,
            created_on: date!(2022 - 05 - 20),
            latest_update: None,
            milestones: vec![],
            incomplete_dependencies: 0,
        }
    }

    #[test]
    fn an_action_past_its_completion_date_is_overdue_until_complete() {
        let mut f = facts();
        f.completion_date = Some(date!(2022 - 05 - 31));
        assert!(ActionFlags::compute(&f, 42, TODAY).overdue);
        f.latest_update = Some((date!(2022 - 05 - 30), RatingClass::Complete));
        assert!(!ActionFlags::compute(&f, 42, TODAY).overdue);
    }

    #[test]
    fn an_action_due_today_is_not_overdue() {
        let mut f = facts();
        f.completion_date = Some(TODAY);
        assert!(!ActionFlags::compute(&f, 42, TODAY).overdue);
    }

    #[test]
    fn an_update_older_than_the_threshold_is_stale() {
        let mut f = facts();
        f.latest_update = Some((TODAY - time::Duration::days(43), RatingClass::OnTrack));
        let flags = ActionFlags::compute(&f, 42, TODAY);
        assert!(flags.stale);
        assert_eq!(flags.days_since_update, Some(43));
        f.latest_update = Some((TODAY - time::Duration::days(42), RatingClass::OnTrack));
        assert!(!ActionFlags::compute(&f, 42, TODAY).stale);
    }

    #[test]
    fn staleness_follows_the_plans_own_threshold() {
        let mut f = facts();
        f.latest_update = Some((TODAY - time::Duration::days(20), RatingClass::OnTrack));
        assert!(ActionFlags::compute(&f, 14, TODAY).stale);
        assert!(!ActionFlags::compute(&f, 42, TODAY).stale);
    }

    #[test]
    fn a_never_updated_action_goes_stale_from_its_start_date() {
        let mut f = facts();
        f.start_date = Some(date!(2022 - 01 - 01));
        assert!(ActionFlags::compute(&f, 42, TODAY).stale);
        f.start_date = None; // then from when it was added
        assert!(!ActionFlags::compute(&f, 42, TODAY).stale);
    }

    #[test]
    fn complete_and_not_yet_due_actions_are_never_stale() {
        let mut f = facts();
        f.latest_update = Some((date!(2021 - 01 - 01), RatingClass::Complete));
        assert!(!ActionFlags::compute(&f, 42, TODAY).stale);
        f.latest_update = Some((date!(2021 - 01 - 01), RatingClass::NotYetDue));
        let flags = ActionFlags::compute(&f, 42, TODAY);
        assert!(flags.not_yet_due && !flags.stale);
    }

    #[test]
    fn an_action_starting_later_is_not_yet_due() {
        let mut f = facts();
        f.start_date = Some(date!(2022 - 09 - 01));
        assert!(ActionFlags::compute(&f, 42, TODAY).not_yet_due);
    }

    #[test]
    fn incomplete_dependencies_block_an_action_that_is_not_complete() {
        let mut f = facts();
        f.incomplete_dependencies = 1;
        assert!(ActionFlags::compute(&f, 42, TODAY).blocked);
        f.latest_update = Some((TODAY, RatingClass::Complete));
        assert!(!ActionFlags::compute(&f, 42, TODAY).blocked);
    }

    #[test]
    fn milestones_are_overdue_only_when_past_due_and_not_done() {
        assert!(milestone_overdue(Some(date!(2022 - 05 - 31)), None, TODAY));
        assert!(!milestone_overdue(
            Some(date!(2022 - 05 - 31)),
            Some(TODAY),
            TODAY
        ));
        assert!(!milestone_overdue(Some(TODAY), None, TODAY));
        assert!(!milestone_overdue(None, None, TODAY));
        let mut f = facts();
        f.milestones = vec![
            (Some(date!(2022 - 01 - 01)), None),
            (Some(date!(2022 - 01 - 01)), Some(date!(2022 - 02 - 01))),
            (Some(date!(2023 - 01 - 01)), None),
        ];
        assert_eq!(ActionFlags::compute(&f, 42, TODAY).overdue_milestones, 1);
    }
}

//! Flags derived from the facts of a plan: overdue, needs an update, not yet due, waiting
//! on another action, not yet rated. They are computed on every read, never stored, so
//! they can never disagree with the dates and updates they come from; and they are
//! counted in one place (`PlanCounts`), so no two pages, papers or emails count them
//! differently.

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
    /// Needs an update: work is due (not complete, not yet-to-start) and nothing has been
    /// posted for longer than the plan allows, counted from the latest update or, for an
    /// action never updated, from its start date or the day it was added.
    pub needs_update: bool,
    /// Not due to start yet (by start date, or as the latest rating says).
    pub not_yet_due: bool,
    /// An action it depends on is not complete.
    pub blocked: bool,
    /// Waiting on another action: blocked by a dependency, or its latest rating says it is
    /// waiting on other actions. Not complete either way.
    pub waiting: bool,
    /// No update has ever been posted, so it has no rating.
    pub not_yet_rated: bool,
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
        let needs_update =
            !complete && !not_yet_due && (today - last_activity).whole_days() > stale_after_days;
        let blocked = !complete && facts.incomplete_dependencies > 0;
        let overdue_milestones = facts
            .milestones
            .iter()
            .filter(|(due, done)| milestone_overdue(*due, *done, today))
            .count();
        ActionFlags {
            complete,
            overdue,
            needs_update,
            not_yet_due,
            blocked,
            waiting: blocked || class == Some(RatingClass::Waiting),
            not_yet_rated: facts.latest_update.is_none(),
            overdue_milestones,
            days_since_update: facts
                .latest_update
                .map(|(date, _)| (today - date).whole_days()),
        }
    }
}

/// The counts of a plan's actions that every page, paper, email and public page shows.
/// Each is defined here once, from the flags above and the actions' rating classes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PlanCounts {
    pub actions: usize,
    pub needs_update: usize,
    pub overdue: usize,
    pub overdue_milestones: usize,
    pub waiting: usize,
    pub not_yet_rated: usize,
    /// Off track (`off_track`): what an exception report lists.
    pub off_track: usize,
}

impl PlanCounts {
    /// Counts actions given as their flags and their current rating's class.
    pub fn of<'a>(
        actions: impl IntoIterator<Item = (&'a ActionFlags, Option<RatingClass>)>,
    ) -> Self {
        let mut counts = PlanCounts::default();
        for (flags, class) in actions {
            counts.actions += 1;
            counts.needs_update += usize::from(flags.needs_update);
            counts.overdue += usize::from(flags.overdue);
            counts.overdue_milestones += flags.overdue_milestones;
            counts.waiting += usize::from(flags.waiting);
            counts.not_yet_rated += usize::from(flags.not_yet_rated);
            counts.off_track += usize::from(is_off_track(flags, class));
        }
        counts
    }
}

/// Whether an action is off track: rated off track or some concerns, past its completion
/// date, or with a milestone past due. The exception report's rule, and the list one click
/// from the home page and the plan page.
pub fn off_track(class: Option<RatingClass>, overdue: bool, milestone_overdue: bool) -> bool {
    matches!(
        class,
        Some(RatingClass::OffTrack | RatingClass::SomeConcerns)
    ) || overdue
        || milestone_overdue
}

/// `off_track` from an action's flags.
pub fn is_off_track(flags: &ActionFlags, class: Option<RatingClass>) -> bool {
    off_track(class, flags.overdue, flags.overdue_milestones > 0)
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
        assert!(flags.needs_update);
        assert_eq!(flags.days_since_update, Some(43));
        f.latest_update = Some((TODAY - time::Duration::days(42), RatingClass::OnTrack));
        assert!(!ActionFlags::compute(&f, 42, TODAY).needs_update);
    }

    #[test]
    fn staleness_follows_the_plans_own_threshold() {
        let mut f = facts();
        f.latest_update = Some((TODAY - time::Duration::days(20), RatingClass::OnTrack));
        assert!(ActionFlags::compute(&f, 14, TODAY).needs_update);
        assert!(!ActionFlags::compute(&f, 42, TODAY).needs_update);
    }

    #[test]
    fn a_never_updated_action_goes_stale_from_its_start_date() {
        let mut f = facts();
        f.start_date = Some(date!(2022 - 01 - 01));
        assert!(ActionFlags::compute(&f, 42, TODAY).needs_update);
        f.start_date = None; // then from when it was added
        assert!(!ActionFlags::compute(&f, 42, TODAY).needs_update);
    }

    #[test]
    fn complete_and_not_yet_due_actions_are_never_stale() {
        let mut f = facts();
        f.latest_update = Some((date!(2021 - 01 - 01), RatingClass::Complete));
        assert!(!ActionFlags::compute(&f, 42, TODAY).needs_update);
        f.latest_update = Some((date!(2021 - 01 - 01), RatingClass::NotYetDue));
        let flags = ActionFlags::compute(&f, 42, TODAY);
        assert!(flags.not_yet_due && !flags.needs_update);
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
    fn an_action_rated_as_waiting_or_blocked_is_waiting_on_another_action() {
        let mut f = facts();
        f.latest_update = Some((TODAY, RatingClass::Waiting));
        let flags = ActionFlags::compute(&f, 42, TODAY);
        assert!(flags.waiting && !flags.blocked && !flags.not_yet_rated);
        f.latest_update = Some((TODAY, RatingClass::OnTrack));
        f.incomplete_dependencies = 2;
        assert!(ActionFlags::compute(&f, 42, TODAY).waiting);
        f.latest_update = None;
        assert!(ActionFlags::compute(&f, 42, TODAY).not_yet_rated);
    }

    /// The contradictions the counts once showed ("7 Waiting on other actions" beside "0
    /// actions waiting on another action") cannot happen: each count contains the rating
    /// tiles it is read beside.
    #[test]
    fn the_counts_agree_with_the_rating_tiles_they_sit_beside() {
        let mut waiting = facts();
        waiting.latest_update = Some((TODAY, RatingClass::Waiting));
        let mut concerns = facts();
        concerns.latest_update = Some((TODAY, RatingClass::SomeConcerns));
        let mut overdue = facts();
        overdue.completion_date = Some(date!(2022 - 01 - 01));
        overdue.latest_update = Some((TODAY, RatingClass::OnTrack));
        let mut done_late = overdue.clone();
        done_late.latest_update = Some((TODAY, RatingClass::Complete));
        let mut old = facts();
        old.start_date = Some(date!(2021 - 01 - 01));
        let all = [facts(), waiting, concerns, overdue, done_late, old];
        let flags: Vec<(ActionFlags, Option<RatingClass>)> = all
            .iter()
            .map(|f| {
                (
                    ActionFlags::compute(f, 42, TODAY),
                    f.latest_update.map(|(_, c)| c),
                )
            })
            .collect();
        let counts = PlanCounts::of(flags.iter().map(|(f, c)| (f, *c)));
        assert_eq!(
            counts,
            PlanCounts {
                actions: 6,
                needs_update: 1,
                overdue: 1,
                overdue_milestones: 0,
                waiting: 1,
                not_yet_rated: 2,
                off_track: 2,
            }
        );
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

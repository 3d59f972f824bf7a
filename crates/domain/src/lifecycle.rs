//! How records are put right (issue 13): which kinds of record can be deleted and
//! restored, for how long, and what a deletion's confirmation says goes with it.
//!
//! Structure and reference records (areas, actions, people...) are deleted into a
//! partnership's "Recently deleted" list, restorable for [`RESTORE_DAYS`]. History
//! (progress updates) is never deleted: it is superseded, see [`crate::plan::Supersession`].

use time::{Duration, OffsetDateTime};

/// How long a deleted record can be restored before it is purged.
pub const RESTORE_DAYS: i64 = 30;

crate::coded_enum! {
    /// A kind of record that can be deleted and restored. The code is used in addresses
    /// (`/p/1/delete/action/7`) and in the "Recently deleted" list.
    RecordKind {
        Plan => ("plan", "plan"),
        Area => ("area", "area"),
        Objective => ("objective", "objective"),
        Action => ("action", "action"),
        Milestone => ("milestone", "milestone"),
        Measure => ("measure", "measure"),
        Person => ("person", "person"),
        Organisation => ("organisation", "organisation"),
        Inspection => ("inspection", "inspection"),
        Finding => ("finding", "finding"),
        Board => ("board", "board"),
        Meeting => ("meeting", "meeting"),
        Survey => ("survey", "survey"),
        Intervention => ("intervention", "intervention or review"),
    }
}

/// How long after it was created or imported a plan can be deleted outright; after that
/// it is archived instead, as its history matters.
pub const PLAN_DELETABLE_DAYS: i64 = 30;

/// Whether a plan created at `created_at` can still be deleted outright at `now`.
pub fn plan_deletable(created_at: OffsetDateTime, now: OffsetDateTime) -> bool {
    now < created_at + Duration::days(PLAN_DELETABLE_DAYS)
}

/// When a record deleted at `deleted_at` is purged.
pub fn purge_after(deleted_at: OffsetDateTime) -> OffsetDateTime {
    deleted_at + Duration::days(RESTORE_DAYS)
}

/// Whether a record deleted at `deleted_at` can still be restored at `now`.
pub fn restorable(deleted_at: OffsetDateTime, now: OffsetDateTime) -> bool {
    now < purge_after(deleted_at)
}

/// "1 milestone", "3 milestones": how a confirmation page counts what goes with a record.
pub fn count_of(n: i64, singular: &str, plural: &str) -> String {
    if n == 1 {
        format!("1 {singular}")
    } else {
        format!("{n} {plural}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_deletion_can_be_restored_for_thirty_days_and_no_longer() {
        let deleted = datetime!(2026-11-01 09:30 UTC);
        assert!(restorable(deleted, datetime!(2026-12-01 09:29 UTC)));
        assert!(!restorable(deleted, datetime!(2026-12-01 09:30 UTC)));
        assert_eq!(purge_after(deleted), datetime!(2026-12-01 09:30 UTC));
    }

    #[test]
    fn a_plan_can_be_deleted_outright_for_thirty_days_after_it_is_made() {
        let made = datetime!(2026-11-01 09:30 UTC);
        assert!(plan_deletable(made, datetime!(2026-11-30 23:00 UTC)));
        assert!(!plan_deletable(made, datetime!(2026-12-01 09:30 UTC)));
    }

    #[test]
    fn counts_read_as_english() {
        assert_eq!(count_of(1, "milestone", "milestones"), "1 milestone");
        assert_eq!(count_of(0, "milestone", "milestones"), "0 milestones");
        assert_eq!(
            count_of(12, "progress update", "progress updates"),
            "12 progress updates"
        );
    }

    #[test]
    fn every_kind_round_trips_through_its_code() {
        for kind in RecordKind::ALL {
            assert_eq!(RecordKind::from_code(kind.code()), Some(*kind));
        }
    }
}

//! The append-only audit log: who changed what, when, with the record before and after.

use crate::sql::{now_text, parse_timestamp, RowExt};
use crate::{Actor, Result, Store, Tx};
use sendplan_domain::{PartnershipId, UserId};
use serde::Serialize;
use time::OffsetDateTime;

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub id: i64,
    pub partnership_id: Option<PartnershipId>,
    pub actor: Option<UserId>,
    pub actor_name: String,
    pub at: OffsetDateTime,
    /// The kind of record: `action`, `plan`, `milestone`...
    pub entity: String,
    pub entity_id: i64,
    /// `created`, `updated`, `added` (for updates) or `granted` (for roles).
    pub change: String,
    pub summary: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A change about to be written to the log.
pub(crate) struct Change<'a, B: Serialize, A: Serialize> {
    pub partnership: Option<PartnershipId>,
    pub actor: Actor,
    pub entity: &'a str,
    pub entity_id: i64,
    pub change: &'a str,
    pub summary: String,
    pub before: Option<&'a B>,
    pub after: Option<&'a A>,
}

fn to_json<T: Serialize>(value: Option<&T>) -> Result<Option<String>> {
    value
        .map(|v| {
            serde_json::to_string_pretty(v).map_err(|e| crate::StoreError::Corrupt(e.to_string()))
        })
        .transpose()
}

/// Appends `change` to the log inside the caller's transaction, so the change and its
/// record commit or fail together.
pub(crate) async fn record<B: Serialize, A: Serialize>(
    tx: &mut Tx,
    change: Change<'_, B, A>,
) -> Result<()> {
    append(tx, change, true).await
}

/// Appends a look at data that changes nothing (a view of case-level data): the
/// partnership's data version stays, so no read cache is thrown away for it.
pub(crate) async fn record_view<B: Serialize, A: Serialize>(
    tx: &mut Tx,
    change: Change<'_, B, A>,
) -> Result<()> {
    append(tx, change, false).await
}

async fn append<B: Serialize, A: Serialize>(
    tx: &mut Tx,
    change: Change<'_, B, A>,
    changes_data: bool,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_events (partnership_id, actor_user_id, at, entity, entity_id, change, summary, before_json, after_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(change.partnership.map(|p| p.0))
    .bind(change.actor.0.map(|u| u.0))
    .bind(now_text())
    .bind(change.entity.to_owned())
    .bind(change.entity_id)
    .bind(change.change.to_owned())
    .bind(change.summary)
    .bind(to_json(change.before)?)
    .bind(to_json(change.after)?)
    .execute(&mut **tx)
    .await?;
    // The partnership's data version moves with the change, under its row's lock, so read
    // caches keyed by it can never miss a change that commits late (see migration 0013).
    if let (Some(partnership), true) = (change.partnership, changes_data) {
        sqlx::query(
            "INSERT INTO data_versions (partnership_id, version) VALUES ($1, 1) \
             ON CONFLICT (partnership_id) DO UPDATE SET version = data_versions.version + 1",
        )
        .bind(partnership.0)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Which entries of the audit log to list (all, unless narrowed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<UserId>,
    /// The kind of record (`action`, `plan`...), and optionally which one.
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    /// Entries on or after this day, and on or before this day (UTC days).
    pub from: Option<time::Date>,
    pub to: Option<time::Date>,
}

impl Store {
    /// The partnership's audit log, newest first, `limit` entries before `before_id`.
    pub async fn list_audit(
        &self,
        partnership: PartnershipId,
        before_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEvent>> {
        self.list_audit_filtered(partnership, before_id, limit, &AuditFilter::default())
            .await
    }

    /// `list_audit` narrowed by `filter`. Moments are stored as RFC 3339 text, so days
    /// compare as text.
    pub async fn list_audit_filtered(
        &self,
        partnership: PartnershipId,
        before_id: Option<i64>,
        limit: i64,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditEvent>> {
        // "No filter" is a value no row has (0, "", the ends of time) rather than NULL,
        // which PostgreSQL cannot type in `$n IS NULL`.
        let to = filter
            .to
            .and_then(time::Date::next_day)
            .map_or("9999".to_owned(), |d| d.to_string());
        let rows = sqlx::query(
            "SELECT e.*, COALESCE(u.display_name, 'Command line') AS actor_name FROM audit_events e \
             LEFT JOIN users u ON u.id = e.actor_user_id \
             WHERE e.partnership_id = $1 AND e.id < $2 \
             AND ($4 = 0 OR e.actor_user_id = $4) AND ($5 = '' OR e.entity = $5) \
             AND ($6 = 0 OR e.entity_id = $6) AND e.at >= $7 AND e.at < $8 \
             ORDER BY e.id DESC LIMIT $3",
        )
        .bind(partnership.0)
        .bind(before_id.unwrap_or(i64::MAX))
        .bind(limit)
        .bind(filter.actor.map_or(0, |u| u.0))
        .bind(filter.entity.clone().unwrap_or_default())
        .bind(filter.entity_id.unwrap_or(0))
        .bind(filter.from.map_or(String::new(), |d| d.to_string()))
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(event_from).collect()
    }

    /// Who has changed anything in the partnership, and the kinds of record changed: the
    /// audit log's filter choices.
    pub async fn audit_choices(
        &self,
        partnership: PartnershipId,
    ) -> Result<(Vec<(UserId, String)>, Vec<String>)> {
        let people = sqlx::query(
            "SELECT DISTINCT u.id AS id, u.display_name AS name FROM audit_events e \
             JOIN users u ON u.id = e.actor_user_id WHERE e.partnership_id = $1 ORDER BY u.display_name",
        )
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((UserId(r.int("id")?), r.text("name")?)))
        .collect::<Result<Vec<_>>>()?;
        let kinds = sqlx::query(
            "SELECT DISTINCT entity FROM audit_events WHERE partnership_id = $1 ORDER BY entity",
        )
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| r.text("entity"))
        .collect::<Result<Vec<_>>>()?;
        Ok((people, kinds))
    }
}

/// An audit entry from a row that also holds its actor's name as `actor_name`.
pub(crate) fn event_from(r: &sqlx::any::AnyRow) -> Result<AuditEvent> {
    Ok(AuditEvent {
        id: r.int("id")?,
        partnership_id: r.opt_int("partnership_id")?.map(PartnershipId),
        actor: r.opt_int("actor_user_id")?.map(UserId),
        actor_name: r.text("actor_name")?,
        at: parse_timestamp(&r.text("at")?)?,
        entity: r.text("entity")?,
        entity_id: r.int("entity_id")?,
        change: r.text("change")?,
        summary: r.text("summary")?,
        before: r.opt_text("before_json")?,
        after: r.opt_text("after_json")?,
    })
}

/// The record a change is about.
pub(crate) struct Subject<'a> {
    pub partnership: PartnershipId,
    pub actor: Actor,
    pub entity: &'a str,
    pub id: i64,
}

/// Logs that a record was created, with the record as created.
pub(crate) async fn record_created<A: Serialize>(
    tx: &mut Tx,
    subject: Subject<'_>,
    summary: String,
    after: &A,
) -> Result<()> {
    record::<(), _>(
        tx,
        Change {
            partnership: Some(subject.partnership),
            actor: subject.actor,
            entity: subject.entity,
            entity_id: subject.id,
            change: "created",
            summary,
            before: None,
            after: Some(after),
        },
    )
    .await
}

/// Logs that a record was edited, with the record before and after.
pub(crate) async fn record_updated<T: Serialize>(
    tx: &mut Tx,
    subject: Subject<'_>,
    summary: String,
    before: &T,
    after: &T,
) -> Result<()> {
    record(
        tx,
        Change {
            partnership: Some(subject.partnership),
            actor: subject.actor,
            entity: subject.entity,
            entity_id: subject.id,
            change: "updated",
            summary,
            before: Some(before),
            after: Some(after),
        },
    )
    .await
}

//! Problems families report with Local Offer entries: kept until an officer marks each
//! dealt with, and sent to the officers (through the outbox) as they arrive.

use crate::audit::{record, Change};
use crate::reminders::{queue_mail, OutgoingMail};
use crate::sql::{now_text, parse_timestamp, RowExt};
use crate::{Actor, Result, Store, StoreError};
use sendplan_domain::local_offer::problems::{ProblemKind, ProblemReport};
use sendplan_domain::PartnershipId;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

/// A reported problem as the officers and providers see it.
#[derive(Debug, Clone)]
pub struct Problem {
    pub id: i64,
    pub service_key: String,
    pub kind: ProblemKind,
    pub details: String,
    pub flagged: bool,
    pub reported_at: OffsetDateTime,
    pub dealt_at: Option<OffsetDateTime>,
}

fn problem_from(row: &AnyRow) -> Result<Problem> {
    Ok(Problem {
        id: row.int("id")?,
        service_key: row.text("service_key")?,
        kind: row.code("kind", ProblemKind::from_code)?,
        details: row.text("details")?,
        flagged: row.int("flagged")? != 0,
        reported_at: parse_timestamp(&row.text("reported_at")?)?,
        dealt_at: row
            .opt_text("dealt_at")?
            .map(|t| parse_timestamp(&t))
            .transpose()?,
    })
}

impl Store {
    /// Keeps a family's report about a service, and queues `mails` (to the officers) with
    /// it in one transaction.
    pub async fn report_problem(
        &self,
        partnership: PartnershipId,
        service_key: &str,
        report: &ProblemReport,
        mails: &[OutgoingMail],
    ) -> Result<i64> {
        let mut write = self.begin_write().await?;
        let now = OffsetDateTime::now_utc();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO local_offer_problems (partnership_id, service_key, kind, details, flagged, reported_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(partnership.0)
        .bind(service_key.to_owned())
        .bind(report.kind.code())
        .bind(report.details.clone())
        .bind(i64::from(report.flagged))
        .bind(now_text())
        .fetch_one(&mut *write.tx)
        .await?;
        for mail in mails {
            queue_mail(&mut write.tx, mail, now).await?;
        }
        record::<(), ()>(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor: Actor(None),
                entity: "local_offer_problem",
                entity_id: id,
                change: "reported",
                summary: format!(
                    "Problem {id} reported with a Local Offer entry: {}",
                    report.kind.label()
                ),
                before: None,
                after: None,
            },
        )
        .await?;
        write.commit().await?;
        Ok(id)
    }

    /// The problems reported in the partnership, those not yet dealt with first, newest
    /// first; at most 200.
    pub async fn list_problems(&self, partnership: PartnershipId) -> Result<Vec<Problem>> {
        sqlx::query(
            "SELECT * FROM local_offer_problems WHERE partnership_id = $1 \
             ORDER BY CASE WHEN dealt_at IS NULL THEN 0 ELSE 1 END, id DESC LIMIT 200",
        )
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(problem_from)
        .collect()
    }

    /// Marks a problem dealt with. Doing it twice changes nothing.
    pub async fn mark_problem_dealt(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        id: i64,
    ) -> Result<bool> {
        let mut write = self.begin_write().await?;
        let moved = sqlx::query(
            "UPDATE local_offer_problems SET dealt_at = $1, dealt_by = $2 WHERE id = $3 AND partnership_id = $4 AND dealt_at IS NULL",
        )
        .bind(now_text())
        .bind(actor.0.map(|u| u.0))
        .bind(id)
        .bind(partnership.0)
        .execute(&mut *write.tx)
        .await?;
        if moved.rows_affected() == 0 {
            let exists: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM local_offer_problems WHERE id = $1 AND partnership_id = $2",
            )
            .bind(id)
            .bind(partnership.0)
            .fetch_optional(&mut *write.tx)
            .await?;
            return match exists {
                Some(_) => Ok(false),
                None => Err(StoreError::NotFound),
            };
        }
        record::<(), ()>(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "local_offer_problem",
                entity_id: id,
                change: "dealt with",
                summary: format!("Problem {id} with a Local Offer entry dealt with"),
                before: None,
                after: None,
            },
        )
        .await?;
        write.commit().await?;
        Ok(true)
    }
}

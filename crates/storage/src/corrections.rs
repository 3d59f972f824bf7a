//! Correcting and withdrawing progress updates (issue 13).
//!
//! Updates are history: the database refuses to rewrite or delete them. A correction is a
//! new update plus a row in `update_supersessions` naming the update it replaces; a
//! withdrawal is such a row with no replacement. Only updates that
//! [count](sendplan_domain::plan::ProgressUpdate::counts) feed ratings, reports and
//! reminders; the action's page shows the whole history.

use crate::audit::{record, Change};
use crate::sql::{date_text, now_text, RowExt};
use crate::{one_or_not_found, Actor, Result, Store, StoreError, Tx};
use sendplan_domain::input::UpdateInput;
use sendplan_domain::{PartnershipId, UpdateId};

/// The update being put right, as the writer saw it.
struct Target {
    action_id: i64,
    plan_id: i64,
    number: String,
    rating: String,
}

impl Store {
    /// Replaces an update with a corrected one. Refused with [`StoreError::Conflict`] when
    /// someone has already corrected or withdrawn it.
    pub async fn correct_update(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        update: UpdateId,
        corrected: &UpdateInput,
        reason: &str,
    ) -> Result<UpdateId> {
        let author = actor.0.ok_or_else(|| {
            StoreError::Rule("Corrections are made by a signed-in person".to_owned())
        })?;
        let mut write = self.begin_write().await?;
        let target = still_counting(&mut write.tx, partnership, update).await?;
        let rating: String =
            sqlx::query_scalar("SELECT label FROM ratings WHERE id = $1 AND plan_id = $2")
                .bind(corrected.rating_id.0)
                .bind(target.plan_id)
                .fetch_optional(&mut *write.tx)
                .await?
                .ok_or_else(|| {
                    StoreError::Rule("Select a rating from this plan's scheme".to_owned())
                })?;
        let replacement: i64 = sqlx::query_scalar(
            "INSERT INTO updates (partnership_id, plan_id, action_id, update_date, author_user_id, rating_id, narrative, evidence_links, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(partnership.0)
        .bind(target.plan_id)
        .bind(target.action_id)
        .bind(date_text(corrected.update_date))
        .bind(author.0)
        .bind(corrected.rating_id.0)
        .bind(corrected.narrative.clone())
        .bind(corrected.evidence_links.join("\n"))
        .bind(now_text())
        .fetch_one(&mut *write.tx)
        .await?;
        supersede(
            &mut write.tx,
            partnership,
            actor,
            update,
            Some(replacement),
            reason,
        )
        .await?;
        #[derive(serde::Serialize)]
        struct Corrected<'a> {
            corrects: UpdateId,
            update_date: time::Date,
            rating: &'a str,
            narrative: &'a str,
            evidence_links: &'a [String],
            reason: &'a str,
        }
        record::<(), _>(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "update",
                entity_id: replacement,
                change: "corrected",
                summary: format!(
                    "Update on action {} corrected from {} to {}: {reason}",
                    target.number, target.rating, rating
                ),
                before: None,
                after: Some(&Corrected {
                    corrects: update,
                    update_date: corrected.update_date,
                    rating: &rating,
                    narrative: &corrected.narrative,
                    evidence_links: &corrected.evidence_links,
                    reason,
                }),
            },
        )
        .await?;
        write.commit().await?;
        Ok(UpdateId(replacement))
    }

    /// Withdraws an update: it stays in the history but no longer counts. Refused with
    /// [`StoreError::Conflict`] when someone has already corrected or withdrawn it.
    pub async fn withdraw_update(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        update: UpdateId,
        reason: &str,
    ) -> Result<()> {
        let mut write = self.begin_write().await?;
        let target = still_counting(&mut write.tx, partnership, update).await?;
        supersede(&mut write.tx, partnership, actor, update, None, reason).await?;
        record::<(), _>(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "update",
                entity_id: update.0,
                change: "withdrawn",
                summary: format!(
                    "Update on action {} ({}) withdrawn: {reason}",
                    target.number, target.rating
                ),
                before: None,
                after: Some(&reason),
            },
        )
        .await?;
        write.commit().await?;
        Ok(())
    }
}

/// The update, if it is in the partnership and still counts.
async fn still_counting(
    tx: &mut Tx,
    partnership: PartnershipId,
    update: UpdateId,
) -> Result<Target> {
    let row = sqlx::query(
        "SELECT up.action_id, up.plan_id, a.number, r.label, \
         (SELECT COUNT(*) FROM update_supersessions s WHERE s.update_id = up.id) AS superseded \
         FROM updates up JOIN actions a ON a.id = up.action_id JOIN ratings r ON r.id = up.rating_id \
         WHERE up.id = $1 AND up.partnership_id = $2",
    )
    .bind(update.0)
    .bind(partnership.0)
    .fetch_optional(&mut **tx)
    .await?;
    let row = one_or_not_found(row)?;
    if row.int("superseded")? > 0 {
        return Err(StoreError::Conflict);
    }
    Ok(Target {
        action_id: row.int("action_id")?,
        plan_id: row.int("plan_id")?,
        number: row.text("number")?,
        rating: row.text("label")?,
    })
}

async fn supersede(
    tx: &mut Tx,
    partnership: PartnershipId,
    actor: Actor,
    update: UpdateId,
    replacement: Option<i64>,
    reason: &str,
) -> Result<()> {
    // The primary key on update_id makes a second, concurrent supersession fail here
    // even if both writers passed `still_counting`.
    sqlx::query(
        "INSERT INTO update_supersessions (update_id, partnership_id, replacement_id, reason, by_user_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(update.0)
    .bind(partnership.0)
    .bind(replacement)
    .bind(reason.to_owned())
    .bind(actor.0.map(|u| u.0))
    .bind(now_text())
    .execute(&mut **tx)
    .await
    .map_err(crate::conflict_on_duplicate)?;
    Ok(())
}

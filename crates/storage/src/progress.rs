//! Progress of a whole area or objective (issue 14): dated narratives, rated or not, kept
//! as history like an action's updates.

use crate::audit::{record_created, Subject};
use crate::sql::{date_text, now_text, RowExt};
use crate::{Actor, Result, Store, StoreError, Tx};
use sendplan_domain::input::AreaProgressInput;
use sendplan_domain::plan::AreaProgress;
use sendplan_domain::{AreaId, ObjectiveId, PartnershipId, PlanId, RatingId};

/// The columns an area update is read from, named (not `*`, so a widened table keeps
/// every statement's shape).
macro_rules! area_progress_select {
    () => {
        "SELECT au.id, au.area_id, au.objective_id, o.number AS objective_number, au.update_date, au.rating_id, au.narrative, \
         COALESCE(NULLIF(au.recorded_by, ''), u.display_name, '') AS author_name \
         FROM area_updates au LEFT JOIN users u ON u.id = au.author_user_id \
         LEFT JOIN objectives o ON o.id = au.objective_id "
    };
}

fn area_progress_from(row: &sqlx::any::AnyRow) -> Result<AreaProgress> {
    Ok(AreaProgress {
        id: row.int("id")?,
        area_id: AreaId(row.int("area_id")?),
        objective_id: row.opt_int("objective_id")?.map(ObjectiveId),
        objective_number: row.opt_text("objective_number")?,
        update_date: row.date("update_date")?,
        rating_id: row.opt_int("rating_id")?.map(RatingId),
        narrative: row.text("narrative")?,
        author_name: row.text("author_name")?,
    })
}

impl Store {
    /// The progress of every area and objective of a plan, oldest first.
    pub async fn list_area_progress(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
    ) -> Result<Vec<AreaProgress>> {
        let rows = sqlx::query(concat!(
            area_progress_select!(),
            "WHERE au.partnership_id = $1 AND au.plan_id = $2 ORDER BY au.update_date, au.id"
        ))
        .bind(partnership.0)
        .bind(plan.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(area_progress_from).collect()
    }

    /// Records progress of an area (or one of its objectives), in the audit log.
    pub async fn add_area_progress(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        area: AreaId,
        input: &AreaProgressInput,
    ) -> Result<i64> {
        let mut write = self.begin_write().await?;
        let id = self
            .insert_area_progress(&mut write.tx, actor, partnership, area, input, "")
            .await?;
        write.commit().await?;
        Ok(id)
    }

    /// Writes an area update inside a transaction (a form's, or an import's, whose
    /// `recorded_by` names who the source says wrote it).
    pub(crate) async fn insert_area_progress(
        &self,
        tx: &mut Tx,
        actor: Actor,
        partnership: PartnershipId,
        area: AreaId,
        input: &AreaProgressInput,
        recorded_by: &str,
    ) -> Result<i64> {
        // The area, objective and rating must be this partnership's, of one plan.
        let plan: Option<i64> =
            sqlx::query_scalar("SELECT plan_id FROM areas WHERE id = $1 AND partnership_id = $2")
                .bind(area.0)
                .bind(partnership.0)
                .fetch_optional(&mut **tx)
                .await?;
        let plan = plan.ok_or(StoreError::NotFound)?;
        if let Some(objective) = input.objective_id {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM objectives WHERE id = $1 AND area_id = $2",
            )
            .bind(objective.0)
            .bind(area.0)
            .fetch_one(&mut **tx)
            .await?;
            if n == 0 {
                return Err(StoreError::Rule(
                    "Choose one of the area's objectives".to_owned(),
                ));
            }
        }
        if let Some(rating) = input.rating_id {
            let n: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM ratings WHERE id = $1 AND plan_id = $2")
                    .bind(rating.0)
                    .bind(plan)
                    .fetch_one(&mut **tx)
                    .await?;
            if n == 0 {
                return Err(StoreError::Rule(
                    "Choose a rating of the plan's scheme".to_owned(),
                ));
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO area_updates (partnership_id, plan_id, area_id, objective_id, update_date, rating_id, narrative, author_user_id, recorded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(partnership.0)
        .bind(plan)
        .bind(area.0)
        .bind(input.objective_id.map(|o| o.0))
        .bind(date_text(input.update_date))
        .bind(input.rating_id.map(|r| r.0))
        .bind(input.narrative.clone())
        .bind(actor.0.map(|u| u.0))
        .bind(recorded_by.to_owned())
        .bind(now_text())
        .fetch_one(&mut **tx)
        .await?;
        let after = AreaProgress {
            id,
            area_id: area,
            objective_id: input.objective_id,
            objective_number: None,
            update_date: input.update_date,
            rating_id: input.rating_id,
            narrative: input.narrative.clone(),
            author_name: recorded_by.to_owned(),
        };
        record_created(
            tx,
            Subject {
                partnership,
                actor,
                entity: "area_update",
                id,
            },
            format!(
                "Progress of an area recorded, {}",
                sendplan_domain::input::long_date(input.update_date)
            ),
            &after,
        )
        .await?;
        Ok(id)
    }
}

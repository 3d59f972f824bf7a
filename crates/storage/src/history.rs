//! The partnership's history (issue 13): DfE and NHS England interventions and reviews,
//! and each plan's submission and approval. Dates are stored as partial dates ('2024',
//! '2024-03' or '2024-03-27'), exactly as much as is known.

use crate::audit::{record_created, record_updated, Subject};
use crate::sql::RowExt;
use crate::{one_or_not_found, Actor, Result, Store, StoreError, Tx};
use sendplan_domain::history::*;
use sendplan_domain::{InterventionId, PartnershipId, PlanId};
use sqlx::any::AnyRow;

fn partial(row: &AnyRow, column: &str) -> Result<Option<PartialDate>> {
    row.opt_text(column)?
        .map(|text| {
            PartialDate::parse(&text)
                .ok_or_else(|| StoreError::Corrupt(format!("{column}: {text}")))
        })
        .transpose()
}

fn intervention_from(row: &AnyRow) -> Result<Intervention> {
    Ok(Intervention {
        id: InterventionId(row.int("id")?),
        kind: row.code("kind", InterventionKind::from_code)?,
        by: row.code("by_body", InterventionBody::from_code)?,
        date: partial(row, "on_date")?
            .ok_or_else(|| StoreError::Corrupt("an intervention without a date".to_owned()))?,
        title: row.text("title")?,
        outcome: row.text("outcome")?,
        notes: row.text("notes")?,
        documents: row.text("documents")?.lines().map(str::to_owned).collect(),
        plan_id: row.opt_int("plan_id")?.map(PlanId),
        version: row.int("version")?,
    })
}

impl Store {
    /// The partnership's interventions and reviews, in the order they were recorded (the
    /// timeline puts them in date order).
    pub async fn list_interventions(
        &self,
        partnership: PartnershipId,
    ) -> Result<Vec<Intervention>> {
        let rows = sqlx::query("SELECT * FROM interventions WHERE partnership_id = $1 ORDER BY id")
            .bind(partnership.0)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(intervention_from).collect()
    }

    pub async fn get_intervention(
        &self,
        partnership: PartnershipId,
        id: InterventionId,
    ) -> Result<Intervention> {
        let row = sqlx::query("SELECT * FROM interventions WHERE id = $1 AND partnership_id = $2")
            .bind(id.0)
            .bind(partnership.0)
            .fetch_optional(self.pool())
            .await?;
        intervention_from(&one_or_not_found(row)?)
    }

    pub async fn create_intervention(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        input: &InterventionInput,
    ) -> Result<InterventionId> {
        let mut write = self.begin_write().await?;
        let id = self
            .insert_intervention(&mut write.tx, actor, partnership, input)
            .await?;
        write.commit().await?;
        Ok(id)
    }

    pub(crate) async fn insert_intervention(
        &self,
        tx: &mut Tx,
        actor: Actor,
        partnership: PartnershipId,
        input: &InterventionInput,
    ) -> Result<InterventionId> {
        plan_in(tx, partnership, input.plan_id).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO interventions (partnership_id, kind, by_body, on_date, title, outcome, notes, documents, plan_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(partnership.0)
        .bind(input.kind.code())
        .bind(input.by.code())
        .bind(input.date.to_string())
        .bind(input.title.clone())
        .bind(input.outcome.clone())
        .bind(input.notes.clone())
        .bind(input.documents.join("\n"))
        .bind(input.plan_id.map(|p| p.0))
        .fetch_one(&mut **tx)
        .await?;
        let after = intervention(InterventionId(id), input, 1);
        record_created(
            tx,
            Subject {
                partnership,
                actor,
                entity: "intervention",
                id,
            },
            format!("{} recorded, {}", after.name(), after.date.long()),
            &after,
        )
        .await?;
        Ok(after.id)
    }

    pub async fn update_intervention(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        id: InterventionId,
        version: i64,
        input: &InterventionInput,
    ) -> Result<()> {
        let before = self.get_intervention(partnership, id).await?;
        let mut write = self.begin_write().await?;
        plan_in(&mut write.tx, partnership, input.plan_id).await?;
        let done = sqlx::query(
            "UPDATE interventions SET kind = $1, by_body = $2, on_date = $3, title = $4, outcome = $5, notes = $6, \
             documents = $7, plan_id = $8, version = version + 1 WHERE id = $9 AND partnership_id = $10 AND version = $11",
        )
        .bind(input.kind.code())
        .bind(input.by.code())
        .bind(input.date.to_string())
        .bind(input.title.clone())
        .bind(input.outcome.clone())
        .bind(input.notes.clone())
        .bind(input.documents.join("\n"))
        .bind(input.plan_id.map(|p| p.0))
        .bind(id.0)
        .bind(partnership.0)
        .bind(version)
        .execute(&mut *write.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        let after = intervention(id, input, version + 1);
        record_updated(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "intervention",
                id: id.0,
            },
            format!("{} edited", after.name()),
            &before,
            &after,
        )
        .await?;
        write.commit().await
    }

    /// A plan's submission and approval, with its version (0 before it is first saved).
    pub async fn plan_approval(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
    ) -> Result<(PlanApproval, i64)> {
        let row =
            sqlx::query("SELECT * FROM plan_approvals WHERE plan_id = $1 AND partnership_id = $2")
                .bind(plan.0)
                .bind(partnership.0)
                .fetch_optional(self.pool())
                .await?;
        match row {
            None => Ok((PlanApproval::default(), 0)),
            Some(row) => Ok((approval_from(&row)?, row.int("version")?)),
        }
    }

    /// Every plan's submission and approval in the partnership, by plan.
    pub async fn plan_approvals(
        &self,
        partnership: PartnershipId,
    ) -> Result<Vec<(PlanId, PlanApproval)>> {
        let rows = sqlx::query("SELECT * FROM plan_approvals WHERE partnership_id = $1")
            .bind(partnership.0)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((PlanId(r.int("plan_id")?), approval_from(r)?)))
            .collect()
    }

    /// Saves a plan's submission and approval. `version` is what the form was opened at.
    pub async fn set_plan_approval(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
        version: i64,
        approval: &PlanApproval,
    ) -> Result<()> {
        self.get_plan(partnership, plan).await?;
        let (before, current) = self.plan_approval(partnership, plan).await?;
        if current != version {
            return Err(StoreError::Conflict);
        }
        let mut write = self.begin_write().await?;
        write_approval(&mut write.tx, partnership, plan, version, approval).await?;
        record_updated(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "plan",
                id: plan.0,
            },
            "Plan's submission and approval dates saved".to_owned(),
            &before,
            approval,
        )
        .await?;
        write.commit().await
    }

    /// For imports: a new plan's approval, written inside the import's transaction.
    pub(crate) async fn insert_plan_approval(
        &self,
        tx: &mut Tx,
        partnership: PartnershipId,
        plan: PlanId,
        approval: &PlanApproval,
    ) -> Result<()> {
        write_approval(tx, partnership, plan, 0, approval).await
    }
}

fn approval_from(row: &AnyRow) -> Result<PlanApproval> {
    Ok(PlanApproval {
        submission_due: partial(row, "submission_due")?,
        submitted_on: partial(row, "submitted_on")?,
        approved_on: partial(row, "approved_on")?,
        approved_by: row.text("approved_by")?,
        published_on: partial(row, "published_on")?,
    })
}

async fn write_approval(
    tx: &mut Tx,
    partnership: PartnershipId,
    plan: PlanId,
    version: i64,
    a: &PlanApproval,
) -> Result<()> {
    let text = |d: Option<PartialDate>| d.map(|d| d.to_string());
    let done = if version == 0 {
        sqlx::query(
            "INSERT INTO plan_approvals (plan_id, partnership_id, submission_due, submitted_on, approved_on, approved_by, published_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(plan.0)
        .bind(partnership.0)
        .bind(text(a.submission_due))
        .bind(text(a.submitted_on))
        .bind(text(a.approved_on))
        .bind(a.approved_by.clone())
        .bind(text(a.published_on))
        .execute(&mut **tx)
        .await
        // Two first saves at once: the second is the stale one.
        .map_err(crate::conflict_on_duplicate)?
    } else {
        sqlx::query(
            "UPDATE plan_approvals SET submission_due = $1, submitted_on = $2, approved_on = $3, approved_by = $4, published_on = $5, \
             version = version + 1 WHERE plan_id = $6 AND partnership_id = $7 AND version = $8",
        )
        .bind(text(a.submission_due))
        .bind(text(a.submitted_on))
        .bind(text(a.approved_on))
        .bind(a.approved_by.clone())
        .bind(text(a.published_on))
        .bind(plan.0)
        .bind(partnership.0)
        .bind(version)
        .execute(&mut **tx)
        .await?
    };
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

/// Refuses a plan of another partnership.
async fn plan_in(tx: &mut Tx, partnership: PartnershipId, plan: Option<PlanId>) -> Result<()> {
    if let Some(plan) = plan {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM plans WHERE id = $1 AND partnership_id = $2")
                .bind(plan.0)
                .bind(partnership.0)
                .fetch_one(&mut **tx)
                .await?;
        if n == 0 {
            return Err(StoreError::Rule(
                "Choose one of this partnership's plans".to_owned(),
            ));
        }
    }
    Ok(())
}

fn intervention(id: InterventionId, input: &InterventionInput, version: i64) -> Intervention {
    Intervention {
        id,
        kind: input.kind,
        by: input.by,
        date: input.date,
        title: input.title.clone(),
        outcome: input.outcome.clone(),
        notes: input.notes.clone(),
        documents: input.documents.clone(),
        plan_id: input.plan_id,
        version,
    }
}

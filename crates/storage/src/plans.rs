//! Plans and their structure: rating schemes, areas, objectives, actions, milestones and
//! progress updates.

use crate::audit::{record, record_created, record_updated, Change, Subject};
use crate::partnerships::missing_or_conflict;
use crate::sql::{date_text, now_text, opt_date_text, RowExt};
use crate::{duplicate_as, one_or_not_found, Actor, Result, Store, StoreError, Tx};
use sendplan_domain::input::{
    creates_dependency_cycle, ActionInput, AreaInput, MilestoneInput, ObjectiveInput, PlanInput,
    RatingInput, UpdateInput,
};
use sendplan_domain::plan::*;
use sendplan_domain::rating::{RatingClass, RatingDefinition, TagColour};
use sendplan_domain::*;
use sqlx::any::AnyRow;
use std::collections::HashMap;
use time::Date;

pub(crate) fn plan_from(row: &AnyRow) -> Result<Plan> {
    Ok(Plan {
        id: PlanId(row.int("id")?),
        partnership_id: PartnershipId(row.int("partnership_id")?),
        kind: row.code("kind", PlanKind::from_code)?,
        title: row.text("title")?,
        period_start: row.opt_date("period_start")?,
        period_end: row.opt_date("period_end")?,
        inspection_id: row.opt_int("inspection_id")?.map(InspectionId),
        status: row.code("status", PlanStatus::from_code)?,
        stale_after_days: row.int("stale_after_days")?,
        version: row.int("version")?,
    })
}

pub(crate) fn rating_from(row: &AnyRow) -> Result<Rating> {
    Ok(Rating {
        id: RatingId(row.int("id")?),
        plan_id: PlanId(row.int("plan_id")?),
        position: row.int("position")?,
        label: row.text("label")?,
        colour: row.code("colour", TagColour::from_code)?,
        meaning: row.text("meaning")?,
        class: row.code("class", RatingClass::from_code)?,
    })
}

fn objective_from(row: &AnyRow) -> Result<Objective> {
    Ok(Objective {
        id: ObjectiveId(row.int("id")?),
        area_id: AreaId(row.int("area_id")?),
        number: row.number("number")?,
        title: row.text("title")?,
        i_statement: row.text("i_statement")?,
        impact_indicators: row.text("impact_indicators")?,
        milestones: row.text("milestones")?,
        version: row.int("version")?,
    })
}

/// The columns [`milestone_from`] reads, named rather than `*` so a migration that adds a
/// column cannot change what a cached statement returns.
macro_rules! milestone_columns {
    () => {
        "id, action_id, title, due_date, success_criteria, done_date, due_text, done_evidence, version"
    };
}

fn milestone_from(row: &AnyRow) -> Result<Milestone> {
    Ok(Milestone {
        id: MilestoneId(row.int("id")?),
        action_id: ActionId(row.int("action_id")?),
        title: row.text("title")?,
        due_date: row.opt_date("due_date")?,
        success_criteria: row.text("success_criteria")?,
        done_date: row.opt_date("done_date")?,
        due_text: row.text("due_text")?,
        done_evidence: row.text("done_evidence")?,
        version: row.int("version")?,
    })
}

/// Reads updates with who wrote them, whether they were corrected or withdrawn, and which
/// update a correction replaces. `WHERE` clauses follow, on `up`.
macro_rules! updates_select {
    () => {
        "SELECT up.*, COALESCE(NULLIF(up.recorded_by, ''), u.display_name) AS author_name, \
         s.update_id AS superseded_id, s.at AS superseded_at, s.reason AS superseded_reason, \
         s.replacement_id AS superseded_replacement, COALESCE(NULLIF(s.by_name, ''), su.display_name, '') AS superseded_by_name, \
         (SELECT c.update_id FROM update_supersessions c WHERE c.replacement_id = up.id) AS corrects_id, \
         (SELECT h.as_written FROM update_headings h WHERE h.update_id = up.id) AS as_written \
         FROM updates up JOIN users u ON u.id = up.author_user_id \
         LEFT JOIN update_supersessions s ON s.update_id = up.id LEFT JOIN users su ON su.id = s.by_user_id "
    };
}

fn update_from(row: &AnyRow) -> Result<ProgressUpdate> {
    let superseded = match row.opt_int("superseded_id")? {
        None => None,
        Some(_) => Some(Supersession {
            by_name: row.text("superseded_by_name")?,
            at: crate::sql::parse_timestamp(&row.text("superseded_at")?)?,
            reason: row.text("superseded_reason")?,
            replacement: row.opt_int("superseded_replacement")?.map(UpdateId),
        }),
    };
    Ok(ProgressUpdate {
        id: UpdateId(row.int("id")?),
        action_id: ActionId(row.int("action_id")?),
        update_date: row.date("update_date")?,
        author: UserId(row.int("author_user_id")?),
        author_name: row.text("author_name")?,
        rating_id: RatingId(row.int("rating_id")?),
        narrative: row.text("narrative")?,
        evidence_links: row
            .text("evidence_links")?
            .lines()
            .map(str::to_owned)
            .collect(),
        superseded,
        corrects: row.opt_int("corrects_id")?.map(UpdateId),
        as_written: row.opt_text("as_written")?.filter(|w| !w.is_empty()),
    })
}

impl Store {
    // ----- plans and rating schemes -------------------------------------------------

    /// The partnership's plans in use, newest first. Archived plans are left out: see
    /// [`Store::list_archived_plans`].
    pub async fn list_plans(&self, partnership: PartnershipId) -> Result<Vec<Plan>> {
        let rows = sqlx::query(
            "SELECT * FROM plans p WHERE partnership_id = $1 \
             AND NOT EXISTS (SELECT 1 FROM plan_archives x WHERE x.plan_id = p.id) \
             ORDER BY created_at DESC, id DESC",
        )
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(plan_from).collect()
    }

    /// Any partnership's plan by id alone: for the command line, which administers the
    /// whole deployment. Web requests always use [`Store::get_plan`] with a partnership.
    pub async fn find_plan(&self, id: PlanId) -> Result<Plan> {
        let row = sqlx::query("SELECT * FROM plans WHERE id = $1")
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?;
        plan_from(&one_or_not_found(row)?)
    }

    /// Every plan in the deployment, oldest first (for the command line).
    pub async fn list_all_plans(&self) -> Result<Vec<Plan>> {
        let rows = sqlx::query("SELECT * FROM plans ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(plan_from).collect()
    }

    pub async fn get_plan(&self, partnership: PartnershipId, id: PlanId) -> Result<Plan> {
        let row = sqlx::query("SELECT * FROM plans WHERE id = $1 AND partnership_id = $2")
            .bind(id.0)
            .bind(partnership.0)
            .fetch_optional(self.pool())
            .await?;
        plan_from(&one_or_not_found(row)?)
    }

    async fn check_inspection(
        &self,
        tx: &mut Tx,
        partnership: PartnershipId,
        inspection: Option<InspectionId>,
    ) -> Result<()> {
        let Some(inspection) = inspection else {
            return Ok(());
        };
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM inspections WHERE id = $1 AND partnership_id = $2",
        )
        .bind(inspection.0)
        .bind(partnership.0)
        .fetch_one(&mut **tx)
        .await?;
        if n == 0 {
            return Err(StoreError::Rule(
                "Select an inspection of this partnership".to_owned(),
            ));
        }
        Ok(())
    }

    /// Creates a plan with the rating scheme `ratings` (from a preset or an import).
    pub async fn create_plan(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        input: &PlanInput,
        ratings: &[RatingDefinition],
    ) -> Result<PlanId> {
        let mut write = self.begin_write().await?;
        let created = self
            .insert_plan(&mut write.tx, actor, partnership, input, ratings)
            .await?;
        write.commit().await?;
        Ok(created)
    }

    pub(crate) async fn insert_plan(
        &self,
        tx: &mut Tx,
        actor: Actor,
        partnership: PartnershipId,
        input: &PlanInput,
        ratings: &[RatingDefinition],
    ) -> Result<PlanId> {
        self.check_inspection(tx, partnership, input.inspection_id)
            .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO plans (partnership_id, kind, title, period_start, period_end, inspection_id, status, stale_after_days, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(partnership.0)
        .bind(input.kind.code())
        .bind(input.title.clone())
        .bind(opt_date_text(input.period_start))
        .bind(opt_date_text(input.period_end))
        .bind(input.inspection_id.map(|i| i.0))
        .bind(input.status.code())
        .bind(input.stale_after_days)
        .bind(now_text())
        .fetch_one(&mut **tx)
        .await?;
        for (position, rating) in ratings.iter().enumerate() {
            insert_rating(tx, partnership, PlanId(id), position as i64 + 1, rating).await?;
        }
        let after = Plan {
            id: PlanId(id),
            partnership_id: partnership,
            kind: input.kind,
            title: input.title.clone(),
            period_start: input.period_start,
            period_end: input.period_end,
            inspection_id: input.inspection_id,
            status: input.status,
            stale_after_days: input.stale_after_days,
            version: 1,
        };
        record_created(
            tx,
            Subject {
                partnership,
                actor,
                entity: "plan",
                id,
            },
            format!("Plan created: {}", after.title),
            &(&after, ratings),
        )
        .await?;
        Ok(after.id)
    }

    pub async fn update_plan(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        id: PlanId,
        version: i64,
        input: &PlanInput,
    ) -> Result<()> {
        let before = self.get_plan(partnership, id).await?;
        let mut write = self.begin_write().await?;
        self.check_inspection(&mut write.tx, partnership, input.inspection_id)
            .await?;
        let done = sqlx::query(
            "UPDATE plans SET kind = $1, title = $2, period_start = $3, period_end = $4, inspection_id = $5, status = $6, \
             stale_after_days = $7, version = version + 1 WHERE id = $8 AND partnership_id = $9 AND version = $10",
        )
        .bind(input.kind.code())
        .bind(input.title.clone())
        .bind(opt_date_text(input.period_start))
        .bind(opt_date_text(input.period_end))
        .bind(input.inspection_id.map(|i| i.0))
        .bind(input.status.code())
        .bind(input.stale_after_days)
        .bind(id.0)
        .bind(partnership.0)
        .bind(version)
        .execute(&mut *write.tx)
        .await?;
        if done.rows_affected() == 0 || before.version != version {
            return Err(missing_or_conflict(&mut write.tx, "plans", id.0, partnership).await);
        }
        let after = Plan {
            kind: input.kind,
            title: input.title.clone(),
            period_start: input.period_start,
            period_end: input.period_end,
            inspection_id: input.inspection_id,
            status: input.status,
            stale_after_days: input.stale_after_days,
            version: version + 1,
            ..before.clone()
        };
        record_updated(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "plan",
                id: id.0,
            },
            format!("Plan edited: {}", after.title),
            &before,
            &after,
        )
        .await?;
        write.commit().await
    }

    pub async fn list_ratings(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
    ) -> Result<Vec<Rating>> {
        let rows = sqlx::query("SELECT * FROM ratings WHERE plan_id = $1 AND partnership_id = $2 ORDER BY position, id")
            .bind(plan.0)
            .bind(partnership.0)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(rating_from).collect()
    }

    pub async fn add_rating(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
        input: &RatingInput,
    ) -> Result<RatingId> {
        self.get_plan(partnership, plan).await?;
        let mut write = self.begin_write().await?;
        let position: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ratings WHERE plan_id = $1")
            .bind(plan.0)
            .fetch_one(&mut *write.tx)
            .await?;
        let definition = RatingDefinition {
            label: input.label.clone(),
            colour: input.colour,
            meaning: input.meaning.clone(),
            class: input.class,
        };
        let id = insert_rating(&mut write.tx, partnership, plan, position + 1, &definition).await?;
        record_created(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "rating",
                id: id.0,
            },
            format!("Rating {} added to plan {plan}", input.label),
            &definition,
        )
        .await?;
        write.commit().await?;
        Ok(id)
    }

    /// Ratings carry no version: the editor's view of the rating is compared instead.
    pub async fn update_rating(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        id: RatingId,
        seen: &Rating,
        input: &RatingInput,
    ) -> Result<()> {
        let mut write = self.begin_write().await?;
        let row = sqlx::query("SELECT * FROM ratings WHERE id = $1 AND partnership_id = $2")
            .bind(id.0)
            .bind(partnership.0)
            .fetch_optional(&mut *write.tx)
            .await?;
        let before = rating_from(&one_or_not_found(row)?)?;
        if &before != seen {
            return Err(StoreError::Conflict);
        }
        sqlx::query(
            "UPDATE ratings SET label = $1, colour = $2, meaning = $3, class = $4 WHERE id = $5",
        )
        .bind(input.label.clone())
        .bind(input.colour.code())
        .bind(input.meaning.clone())
        .bind(input.class.code())
        .bind(id.0)
        .execute(&mut *write.tx)
        .await
        .map_err(duplicate_as(
            "The plan already has a rating with that label",
        ))?;
        let after = Rating {
            label: input.label.clone(),
            colour: input.colour,
            meaning: input.meaning.clone(),
            class: input.class,
            ..before.clone()
        };
        record_updated(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "rating",
                id: id.0,
            },
            format!("Rating {} edited", after.label),
            &before,
            &after,
        )
        .await?;
        write.commit().await
    }

    // ----- areas and objectives -----------------------------------------------------

    pub async fn list_areas(&self, partnership: PartnershipId, plan: PlanId) -> Result<Vec<Area>> {
        let rows = sqlx::query(
            "SELECT * FROM areas WHERE plan_id = $1 AND partnership_id = $2 ORDER BY sort_key",
        )
        .bind(plan.0)
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        let links = sqlx::query("SELECT af.* FROM area_findings af JOIN areas a ON a.id = af.area_id WHERE a.plan_id = $1")
            .bind(plan.0)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let id = r.int("id")?;
                Ok(Area {
                    id: AreaId(id),
                    plan_id: plan,
                    number: r.number("number")?,
                    title: r.text("title")?,
                    senior_responsible_officer: r.opt_int("sro_person_id")?.map(PersonId),
                    outcomes: r.text("outcomes")?,
                    findings: links
                        .iter()
                        .filter(|l| l.int("area_id").ok() == Some(id))
                        .map(|l| l.int("finding_id").map(FindingId))
                        .collect::<Result<_>>()?,
                    version: r.int("version")?,
                })
            })
            .collect()
    }

    pub async fn get_area(&self, partnership: PartnershipId, id: AreaId) -> Result<Area> {
        let plan: i64 =
            sqlx::query_scalar("SELECT plan_id FROM areas WHERE id = $1 AND partnership_id = $2")
                .bind(id.0)
                .bind(partnership.0)
                .fetch_optional(self.pool())
                .await?
                .ok_or(StoreError::NotFound)?;
        self.list_areas(partnership, PlanId(plan))
            .await?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or(StoreError::NotFound)
    }

    async fn write_area_links(
        &self,
        tx: &mut Tx,
        partnership: PartnershipId,
        area: AreaId,
        input: &AreaInput,
    ) -> Result<()> {
        sqlx::query("DELETE FROM area_findings WHERE area_id = $1")
            .bind(area.0)
            .execute(&mut **tx)
            .await?;
        for finding in &input.findings {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM findings WHERE id = $1 AND partnership_id = $2",
            )
            .bind(finding.0)
            .bind(partnership.0)
            .fetch_one(&mut **tx)
            .await?;
            if n == 0 {
                return Err(StoreError::Rule(
                    "Select findings of this partnership's inspections".to_owned(),
                ));
            }
            sqlx::query("INSERT INTO area_findings (area_id, finding_id) VALUES ($1, $2)")
                .bind(area.0)
                .bind(finding.0)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    pub async fn create_area(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
        input: &AreaInput,
    ) -> Result<AreaId> {
        self.get_plan(partnership, plan).await?;
        let mut write = self.begin_write().await?;
        let created = self
            .insert_area(&mut write.tx, actor, partnership, plan, input)
            .await?;
        write.commit().await?;
        Ok(created)
    }

    pub(crate) async fn insert_area(
        &self,
        tx: &mut Tx,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
        input: &AreaInput,
    ) -> Result<AreaId> {
        // Before the row is written: SQLite checks its foreign keys at once, so a person
        // who does not exist would be a database error (a 500), not this refusal.
        if let Some(person) = input.senior_responsible_officer {
            self.person_in(tx, partnership, person).await?;
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO areas (partnership_id, plan_id, number, sort_key, title, sro_person_id, outcomes) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(partnership.0)
        .bind(plan.0)
        .bind(input.number.to_string())
        .bind(input.number.sort_key())
        .bind(input.title.clone())
        .bind(input.senior_responsible_officer.map(|p| p.0))
        .bind(input.outcomes.clone())
        .fetch_one(&mut **tx)
        .await
        .map_err(duplicate_as("The plan already has an area with that number"))?;
        self.write_area_links(tx, partnership, AreaId(id), input)
            .await?;
        let after = Area {
            id: AreaId(id),
            plan_id: plan,
            number: input.number.clone(),
            title: input.title.clone(),
            senior_responsible_officer: input.senior_responsible_officer,
            outcomes: input.outcomes.clone(),
            findings: input.findings.clone(),
            version: 1,
        };
        record_created(
            tx,
            Subject {
                partnership,
                actor,
                entity: "area",
                id,
            },
            format!("Area {} added", after.number),
            &after,
        )
        .await?;
        Ok(after.id)
    }

    pub async fn update_area(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        id: AreaId,
        version: i64,
        input: &AreaInput,
    ) -> Result<()> {
        let before = self.get_area(partnership, id).await?;
        let mut write = self.begin_write().await?;
        if let Some(person) = input.senior_responsible_officer {
            self.person_in(&mut write.tx, partnership, person).await?;
        }
        let done = sqlx::query(
            "UPDATE areas SET number = $1, sort_key = $2, title = $3, sro_person_id = $4, outcomes = $5, version = version + 1 \
             WHERE id = $6 AND partnership_id = $7 AND version = $8",
        )
        .bind(input.number.to_string())
        .bind(input.number.sort_key())
        .bind(input.title.clone())
        .bind(input.senior_responsible_officer.map(|p| p.0))
        .bind(input.outcomes.clone())
        .bind(id.0)
        .bind(partnership.0)
        .bind(version)
        .execute(&mut *write.tx)
        .await
        .map_err(duplicate_as("The plan already has an area with that number"))?;
        if done.rows_affected() == 0 || before.version != version {
            return Err(missing_or_conflict(&mut write.tx, "areas", id.0, partnership).await);
        }
        self.write_area_links(&mut write.tx, partnership, id, input)
            .await?;
        let after = Area {
            number: input.number.clone(),
            title: input.title.clone(),
            senior_responsible_officer: input.senior_responsible_officer,
            outcomes: input.outcomes.clone(),
            findings: input.findings.clone(),
            version: version + 1,
            ..before.clone()
        };
        record_updated(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "area",
                id: id.0,
            },
            format!("Area {} edited", after.number),
            &before,
            &after,
        )
        .await?;
        write.commit().await
    }

    pub async fn list_objectives(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
    ) -> Result<Vec<Objective>> {
        let rows = sqlx::query(
            "SELECT * FROM objectives WHERE plan_id = $1 AND partnership_id = $2 ORDER BY sort_key",
        )
        .bind(plan.0)
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(objective_from).collect()
    }

    pub async fn get_objective(
        &self,
        partnership: PartnershipId,
        id: ObjectiveId,
    ) -> Result<(PlanId, Objective)> {
        let row = sqlx::query("SELECT * FROM objectives WHERE id = $1 AND partnership_id = $2")
            .bind(id.0)
            .bind(partnership.0)
            .fetch_optional(self.pool())
            .await?;
        let row = one_or_not_found(row)?;
        Ok((PlanId(row.int("plan_id")?), objective_from(&row)?))
    }

    pub async fn create_objective(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        area: AreaId,
        input: &ObjectiveInput,
    ) -> Result<ObjectiveId> {
        let area = self.get_area(partnership, area).await?;
        let mut write = self.begin_write().await?;
        let created = self
            .insert_objective(
                &mut write.tx,
                actor,
                partnership,
                area.plan_id,
                area.id,
                input,
            )
            .await?;
        write.commit().await?;
        Ok(created)
    }

    pub(crate) async fn insert_objective(
        &self,
        tx: &mut Tx,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
        area: AreaId,
        input: &ObjectiveInput,
    ) -> Result<ObjectiveId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO objectives (partnership_id, plan_id, area_id, number, sort_key, title, i_statement, impact_indicators, milestones) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(partnership.0)
        .bind(plan.0)
        .bind(area.0)
        .bind(input.number.to_string())
        .bind(input.number.sort_key())
        .bind(input.title.clone())
        .bind(input.i_statement.clone())
        .bind(input.impact_indicators.clone())
        .bind(input.milestones.clone())
        .fetch_one(&mut **tx)
        .await
        .map_err(duplicate_as("The plan already has an objective with that number"))?;
        let after = Objective {
            id: ObjectiveId(id),
            area_id: area,
            number: input.number.clone(),
            title: input.title.clone(),
            i_statement: input.i_statement.clone(),
            impact_indicators: input.impact_indicators.clone(),
            milestones: input.milestones.clone(),
            version: 1,
        };
        record_created(
            tx,
            Subject {
                partnership,
                actor,
                entity: "objective",
                id,
            },
            format!("Objective {} added", after.number),
            &after,
        )
        .await?;
        Ok(after.id)
    }

    pub async fn update_objective(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        id: ObjectiveId,
        version: i64,
        input: &ObjectiveInput,
    ) -> Result<()> {
        let (_, before) = self.get_objective(partnership, id).await?;
        let mut write = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE objectives SET number = $1, sort_key = $2, title = $3, i_statement = $4, impact_indicators = $5, milestones = $6, version = version + 1 \
             WHERE id = $7 AND partnership_id = $8 AND version = $9",
        )
        .bind(input.number.to_string())
        .bind(input.number.sort_key())
        .bind(input.title.clone())
        .bind(input.i_statement.clone())
        .bind(input.impact_indicators.clone())
        .bind(input.milestones.clone())
        .bind(id.0)
        .bind(partnership.0)
        .bind(version)
        .execute(&mut *write.tx)
        .await
        .map_err(duplicate_as("The plan already has an objective with that number"))?;
        if done.rows_affected() == 0 || before.version != version {
            return Err(missing_or_conflict(&mut write.tx, "objectives", id.0, partnership).await);
        }
        let after = Objective {
            number: input.number.clone(),
            title: input.title.clone(),
            i_statement: input.i_statement.clone(),
            impact_indicators: input.impact_indicators.clone(),
            milestones: input.milestones.clone(),
            version: version + 1,
            ..before.clone()
        };
        record_updated(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "objective",
                id: id.0,
            },
            format!("Objective {} edited", after.number),
            &before,
            &after,
        )
        .await?;
        write.commit().await
    }

    // ----- actions ------------------------------------------------------------------

    pub async fn get_action(&self, partnership: PartnershipId, id: ActionId) -> Result<Action> {
        self.load_actions("id", id.0, partnership)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    /// Every action of a plan with all its links, in number order: a handful of queries
    /// however many actions there are (exports read thousands).
    pub async fn list_actions(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
    ) -> Result<Vec<Action>> {
        self.load_actions("plan_id", plan.0, partnership).await
    }

    /// Actions whose `column` (`id` or `plan_id`) is `value`, with their linked rows.
    async fn load_actions(
        &self,
        column: &'static str,
        value: i64,
        partnership: PartnershipId,
    ) -> Result<Vec<Action>> {
        let rows = sqlx::query(&format!(
            "SELECT * FROM actions WHERE {column} = $1 AND partnership_id = $2 ORDER BY sort_key"
        ))
        .bind(value)
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        let linked = |table: &'static str, field: &'static str| {
            let sql = format!(
                "SELECT l.action_id, l.{field} FROM {table} l JOIN actions a ON a.id = l.action_id \
                 WHERE a.{column} = $1 AND a.partnership_id = $2 ORDER BY l.action_id, l.position"
            );
            async move {
                let rows = sqlx::query(&sql)
                    .bind(value)
                    .bind(partnership.0)
                    .fetch_all(self.pool())
                    .await?;
                let mut by_action: HashMap<i64, Vec<i64>> = HashMap::new();
                for row in &rows {
                    by_action
                        .entry(row.int("action_id")?)
                        .or_default()
                        .push(row.int(field)?);
                }
                Ok::<_, StoreError>(by_action)
            }
        };
        let mut leads = linked("action_leads", "person_id").await?;
        let mut partner_people = linked("action_partner_people", "person_id").await?;
        let mut partner_orgs = linked("action_partner_organisations", "organisation_id").await?;
        let mut depends = linked("action_dependencies", "depends_on_id").await?;
        let resource_rows = sqlx::query(&format!(
            "SELECT r.* FROM action_resources r JOIN actions a ON a.id = r.action_id \
             WHERE a.{column} = $1 AND a.partnership_id = $2 ORDER BY r.action_id, r.position"
        ))
        .bind(value)
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        let mut resources: HashMap<i64, Vec<Resource>> = HashMap::new();
        for r in &resource_rows {
            resources
                .entry(r.int("action_id")?)
                .or_default()
                .push(Resource {
                    kind: r.code("kind", ResourceKind::from_code)?,
                    description: r.text("description")?,
                    amount_pence: r.opt_int("amount_pence")?,
                });
        }
        let take = |map: &mut HashMap<i64, Vec<i64>>, id: i64| map.remove(&id).unwrap_or_default();
        rows.iter()
            .map(|row| {
                let id = row.int("id")?;
                Ok(Action {
                    id: ActionId(id),
                    plan_id: PlanId(row.int("plan_id")?),
                    area_id: AreaId(row.int("area_id")?),
                    objective_id: row.opt_int("objective_id")?.map(ObjectiveId),
                    number: row.number("number")?,
                    description: row.text("description")?,
                    leads: take(&mut leads, id).into_iter().map(PersonId).collect(),
                    partner_people: take(&mut partner_people, id)
                        .into_iter()
                        .map(PersonId)
                        .collect(),
                    partner_organisations: take(&mut partner_orgs, id)
                        .into_iter()
                        .map(OrganisationId)
                        .collect(),
                    resources: resources.remove(&id).unwrap_or_default(),
                    evidence_of_success: row.text("evidence_of_success")?,
                    impact_measures: row.text("impact_measures")?,
                    start_date: row.opt_date("start_date")?,
                    completion_date: row.opt_date("completion_date")?,
                    depends_on: take(&mut depends, id).into_iter().map(ActionId).collect(),
                    written: ActionText {
                        lead: row.text("lead_text")?,
                        partners: row.text("partners_text")?,
                        accountability_measures: row.text("accountability_measures")?,
                        intended_outcome: row.text("intended_outcome")?,
                        start: row.text("start_text")?,
                        completion: row.text("completion_text")?,
                    },
                    version: row.int("version")?,
                })
            })
            .collect()
    }

    /// Every milestone of a plan, in each action's order.
    pub async fn list_plan_milestones(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
    ) -> Result<Vec<Milestone>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            milestone_columns!(),
            " FROM milestones WHERE plan_id = $1 AND partnership_id = $2 \
             ORDER BY action_id, CASE WHEN due_date IS NULL THEN 1 ELSE 0 END, due_date, id"
        ))
        .bind(plan.0)
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(milestone_from).collect()
    }

    /// Every progress update of a plan that [counts](ProgressUpdate::counts), oldest first
    /// within each action: what reports and measures use. The history, less what
    /// `counts` leaves out, so there is one definition of an update that counts.
    pub async fn list_plan_updates(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
    ) -> Result<Vec<ProgressUpdate>> {
        let mut updates = self.list_plan_history(partnership, plan).await?;
        updates.retain(ProgressUpdate::counts);
        Ok(updates)
    }

    /// Checks that everything an action refers to is in its partnership and plan, and
    /// that its dependencies make no loop; then (re)writes its linked rows.
    async fn write_action_links(
        &self,
        tx: &mut Tx,
        partnership: PartnershipId,
        plan: PlanId,
        area: AreaId,
        action: ActionId,
        input: &ActionInput,
    ) -> Result<()> {
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
                    "Select an objective of this area".to_owned(),
                ));
            }
        }
        for person in input.leads.iter().chain(&input.partner_people) {
            self.person_in(tx, partnership, *person).await?;
        }
        // The plan's other dependencies are needed only to look for loops.
        let edges: Vec<(ActionId, ActionId)> = if input.depends_on.is_empty() {
            Vec::new()
        } else {
            sqlx::query(
                "SELECT d.action_id, d.depends_on_id FROM action_dependencies d JOIN actions a ON a.id = d.action_id WHERE a.plan_id = $1 AND d.action_id <> $2",
            )
            .bind(plan.0)
            .bind(action.0)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| Ok((ActionId(r.int("action_id")?), ActionId(r.int("depends_on_id")?))))
            .collect::<Result<_>>()?
        };
        for dependency in &input.depends_on {
            let n: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM actions WHERE id = $1 AND plan_id = $2")
                    .bind(dependency.0)
                    .bind(plan.0)
                    .fetch_one(&mut **tx)
                    .await?;
            if n == 0 {
                return Err(StoreError::Rule(
                    "Select actions of this plan to depend on".to_owned(),
                ));
            }
            if creates_dependency_cycle(&edges, action, *dependency) {
                return Err(StoreError::Rule(
                    "An action cannot depend, directly or through others, on itself".to_owned(),
                ));
            }
        }
        for table in [
            "action_leads",
            "action_partner_people",
            "action_partner_organisations",
            "action_resources",
            "action_dependencies",
        ] {
            sqlx::query(&format!("DELETE FROM {table} WHERE action_id = $1"))
                .bind(action.0)
                .execute(&mut **tx)
                .await?;
        }
        for (position, person) in input.leads.iter().enumerate() {
            sqlx::query("INSERT INTO action_leads (action_id, person_id, position) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(action.0)
                .bind(person.0)
                .bind(position as i64)
                .execute(&mut **tx)
                .await?;
        }
        for (position, person) in input.partner_people.iter().enumerate() {
            sqlx::query("INSERT INTO action_partner_people (action_id, person_id, position) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(action.0)
                .bind(person.0)
                .bind(position as i64)
                .execute(&mut **tx)
                .await?;
        }
        for (position, organisation) in input.partner_organisations.iter().enumerate() {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM organisations WHERE id = $1 AND partnership_id = $2",
            )
            .bind(organisation.0)
            .bind(partnership.0)
            .fetch_one(&mut **tx)
            .await?;
            if n == 0 {
                return Err(StoreError::Rule(
                    "Select an organisation from this partnership".to_owned(),
                ));
            }
            sqlx::query("INSERT INTO action_partner_organisations (action_id, organisation_id, position) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(action.0)
                .bind(organisation.0)
                .bind(position as i64)
                .execute(&mut **tx)
                .await?;
        }
        for (position, resource) in input.resources.iter().enumerate() {
            sqlx::query("INSERT INTO action_resources (action_id, position, kind, description, amount_pence) VALUES ($1, $2, $3, $4, $5)")
                .bind(action.0)
                .bind(position as i64)
                .bind(resource.kind.code())
                .bind(resource.description.clone())
                .bind(resource.amount_pence)
                .execute(&mut **tx)
                .await?;
        }
        for (position, dependency) in input.depends_on.iter().enumerate() {
            sqlx::query("INSERT INTO action_dependencies (action_id, depends_on_id, position) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(action.0)
                .bind(dependency.0)
                .bind(position as i64)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Adds an action to an area. `today` is recorded as the day it was added.
    pub async fn create_action(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        area: AreaId,
        input: &ActionInput,
        today: Date,
    ) -> Result<ActionId> {
        let area = self.get_area(partnership, area).await?;
        let mut write = self.begin_write().await?;
        let created = self
            .insert_action(
                &mut write.tx,
                actor,
                partnership,
                area.plan_id,
                area.id,
                input,
                today,
            )
            .await?;
        write.commit().await?;
        Ok(created)
    }

    #[allow(clippy::too_many_arguments)] // the records it is placed under, resolved by the caller
    pub(crate) async fn insert_action(
        &self,
        tx: &mut Tx,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
        area: AreaId,
        input: &ActionInput,
        today: Date,
    ) -> Result<ActionId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO actions (partnership_id, plan_id, area_id, objective_id, number, sort_key, description, evidence_of_success, \
             impact_measures, start_date, completion_date, created_on, lead_text, partners_text, accountability_measures, intended_outcome, \
             start_text, completion_text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id",
        )
        .bind(partnership.0)
        .bind(plan.0)
        .bind(area.0)
        .bind(input.objective_id.map(|o| o.0))
        .bind(input.number.to_string())
        .bind(input.number.sort_key())
        .bind(input.description.clone())
        .bind(input.evidence_of_success.clone())
        .bind(input.impact_measures.clone())
        .bind(opt_date_text(input.start_date))
        .bind(opt_date_text(input.completion_date))
        .bind(date_text(today))
        .bind(input.written.lead.clone())
        .bind(input.written.partners.clone())
        .bind(input.written.accountability_measures.clone())
        .bind(input.written.intended_outcome.clone())
        .bind(input.written.start.clone())
        .bind(input.written.completion.clone())
        .fetch_one(&mut **tx)
        .await
        .map_err(duplicate_as("The plan already has an action with that number"))?;
        self.write_action_links(tx, partnership, plan, area, ActionId(id), input)
            .await?;
        let after = action_from_input(ActionId(id), plan, area, input, 1);
        record_created(
            tx,
            Subject {
                partnership,
                actor,
                entity: "action",
                id,
            },
            format!("Action {} added", after.number),
            &after,
        )
        .await?;
        Ok(after.id)
    }

    pub async fn update_action(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        id: ActionId,
        version: i64,
        input: &ActionInput,
    ) -> Result<()> {
        let before = self.get_action(partnership, id).await?;
        let mut write = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE actions SET objective_id = $1, number = $2, sort_key = $3, description = $4, evidence_of_success = $5, \
             impact_measures = $6, start_date = $7, completion_date = $8, lead_text = $9, partners_text = $10, \
             accountability_measures = $11, intended_outcome = $12, start_text = $13, completion_text = $14, version = version + 1 \
             WHERE id = $15 AND partnership_id = $16 AND version = $17",
        )
        .bind(input.objective_id.map(|o| o.0))
        .bind(input.number.to_string())
        .bind(input.number.sort_key())
        .bind(input.description.clone())
        .bind(input.evidence_of_success.clone())
        .bind(input.impact_measures.clone())
        .bind(opt_date_text(input.start_date))
        .bind(opt_date_text(input.completion_date))
        .bind(input.written.lead.clone())
        .bind(input.written.partners.clone())
        .bind(input.written.accountability_measures.clone())
        .bind(input.written.intended_outcome.clone())
        .bind(input.written.start.clone())
        .bind(input.written.completion.clone())
        .bind(id.0)
        .bind(partnership.0)
        .bind(version)
        .execute(&mut *write.tx)
        .await
        .map_err(duplicate_as("The plan already has an action with that number"))?;
        if done.rows_affected() == 0 || before.version != version {
            return Err(missing_or_conflict(&mut write.tx, "actions", id.0, partnership).await);
        }
        self.write_action_links(
            &mut write.tx,
            partnership,
            before.plan_id,
            before.area_id,
            id,
            input,
        )
        .await?;
        let after = action_from_input(id, before.plan_id, before.area_id, input, version + 1);
        record_updated(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "action",
                id: id.0,
            },
            format!("Action {} edited", after.number),
            &before,
            &after,
        )
        .await?;
        write.commit().await
    }

    // ----- milestones ---------------------------------------------------------------

    pub async fn list_milestones(
        &self,
        partnership: PartnershipId,
        action: ActionId,
    ) -> Result<Vec<Milestone>> {
        let rows = sqlx::query(
            concat!("SELECT ", milestone_columns!(), " FROM milestones WHERE action_id = $1 AND partnership_id = $2 ORDER BY CASE WHEN due_date IS NULL THEN 1 ELSE 0 END, due_date, id"),
        )
        .bind(action.0)
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(milestone_from).collect()
    }

    pub async fn get_milestone(
        &self,
        partnership: PartnershipId,
        id: MilestoneId,
    ) -> Result<Milestone> {
        let row = sqlx::query(concat!(
            "SELECT ",
            milestone_columns!(),
            " FROM milestones WHERE id = $1 AND partnership_id = $2"
        ))
        .bind(id.0)
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?;
        milestone_from(&one_or_not_found(row)?)
    }

    pub async fn create_milestone(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        action: ActionId,
        input: &MilestoneInput,
    ) -> Result<MilestoneId> {
        let parent = self.get_action(partnership, action).await?;
        let mut write = self.begin_write().await?;
        let created = self
            .insert_milestone(
                &mut write.tx,
                actor,
                partnership,
                action,
                parent.plan_id,
                &parent.number.to_string(),
                input,
            )
            .await?;
        write.commit().await?;
        Ok(created)
    }

    #[allow(clippy::too_many_arguments)] // the records it is placed under, resolved by the caller
    pub(crate) async fn insert_milestone(
        &self,
        tx: &mut Tx,
        actor: Actor,
        partnership: PartnershipId,
        action: ActionId,
        plan: PlanId,
        action_number: &str,
        input: &MilestoneInput,
    ) -> Result<MilestoneId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO milestones (partnership_id, plan_id, action_id, title, due_date, success_criteria, done_date, due_text, done_evidence) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(partnership.0)
        .bind(plan.0)
        .bind(action.0)
        .bind(input.title.clone())
        .bind(opt_date_text(input.due_date))
        .bind(input.success_criteria.clone())
        .bind(opt_date_text(input.done_date))
        .bind(input.due_text.clone())
        .bind(input.done_evidence.clone())
        .fetch_one(&mut **tx)
        .await?;
        let after = Milestone {
            id: MilestoneId(id),
            action_id: action,
            title: input.title.clone(),
            due_date: input.due_date,
            success_criteria: input.success_criteria.clone(),
            done_date: input.done_date,
            due_text: input.due_text.clone(),
            done_evidence: input.done_evidence.clone(),
            version: 1,
        };
        record_created(
            tx,
            Subject {
                partnership,
                actor,
                entity: "milestone",
                id,
            },
            format!("Milestone added to action {}", action_number),
            &after,
        )
        .await?;
        Ok(after.id)
    }

    pub async fn update_milestone(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        id: MilestoneId,
        version: i64,
        input: &MilestoneInput,
    ) -> Result<()> {
        let before = self.get_milestone(partnership, id).await?;
        let mut write = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE milestones SET title = $1, due_date = $2, success_criteria = $3, done_date = $4, due_text = $5, done_evidence = $9, version = version + 1 \
             WHERE id = $6 AND partnership_id = $7 AND version = $8",
        )
        .bind(input.title.clone())
        .bind(opt_date_text(input.due_date))
        .bind(input.success_criteria.clone())
        .bind(opt_date_text(input.done_date))
        .bind(input.due_text.clone())
        .bind(id.0)
        .bind(partnership.0)
        .bind(version)
        .bind(input.done_evidence.clone())
        .execute(&mut *write.tx)
        .await?;
        if done.rows_affected() == 0 || before.version != version {
            return Err(missing_or_conflict(&mut write.tx, "milestones", id.0, partnership).await);
        }
        let after = Milestone {
            title: input.title.clone(),
            due_date: input.due_date,
            success_criteria: input.success_criteria.clone(),
            done_date: input.done_date,
            due_text: input.due_text.clone(),
            done_evidence: input.done_evidence.clone(),
            version: version + 1,
            ..before.clone()
        };
        let summary = if before.done_date.is_none() && after.done_date.is_some() {
            "Milestone marked done"
        } else {
            "Milestone edited"
        };
        record_updated(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "milestone",
                id: id.0,
            },
            summary.to_owned(),
            &before,
            &after,
        )
        .await?;
        write.commit().await
    }

    // ----- progress updates ---------------------------------------------------------

    /// Posts a progress update. It is acknowledged only once committed durably.
    pub async fn add_update(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        action: ActionId,
        input: &UpdateInput,
    ) -> Result<UpdateId> {
        let author = actor.0.ok_or_else(|| {
            StoreError::Rule("Updates are posted by a signed-in person".to_owned())
        })?;
        let mut write = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT plan_id, number FROM actions WHERE id = $1 AND partnership_id = $2",
        )
        .bind(action.0)
        .bind(partnership.0)
        .fetch_optional(&mut *write.tx)
        .await?;
        let row = one_or_not_found(row)?;
        let plan = row.int("plan_id")?;
        let rating = sqlx::query("SELECT * FROM ratings WHERE id = $1 AND plan_id = $2")
            .bind(input.rating_id.0)
            .bind(plan)
            .fetch_optional(&mut *write.tx)
            .await?
            .ok_or_else(|| {
                StoreError::Rule("Select a rating from this plan's scheme".to_owned())
            })?;
        let rating = rating_from(&rating)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO updates (partnership_id, plan_id, action_id, update_date, author_user_id, rating_id, narrative, evidence_links, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(partnership.0)
        .bind(plan)
        .bind(action.0)
        .bind(date_text(input.update_date))
        .bind(author.0)
        .bind(input.rating_id.0)
        .bind(input.narrative.clone())
        .bind(input.evidence_links.join("\n"))
        .bind(now_text())
        .fetch_one(&mut *write.tx)
        .await?;
        #[derive(serde::Serialize)]
        struct Posted<'a> {
            action_id: ActionId,
            update_date: Date,
            rating: &'a str,
            narrative: &'a str,
            evidence_links: &'a [String],
        }
        let after = Posted {
            action_id: action,
            update_date: input.update_date,
            rating: &rating.label,
            narrative: &input.narrative,
            evidence_links: &input.evidence_links,
        };
        record::<(), _>(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "update",
                entity_id: id,
                change: "added",
                summary: format!(
                    "Update posted on action {}: {}",
                    row.text("number")?,
                    rating.label
                ),
                before: None,
                after: Some(&after),
            },
        )
        .await?;
        write.commit().await?;
        Ok(UpdateId(id))
    }

    /// Every progress update of a plan, corrected and withdrawn ones too, oldest first
    /// within each action: the plan's whole history, for its export.
    pub async fn list_plan_history(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
    ) -> Result<Vec<ProgressUpdate>> {
        let rows = sqlx::query(concat!(
            updates_select!(),
            "WHERE up.plan_id = $1 AND up.partnership_id = $2 ORDER BY up.action_id, up.update_date, up.id"
        ))
        .bind(plan.0)
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(update_from).collect()
    }

    /// One update, corrected or not, if it is in the partnership.
    pub async fn find_update(
        &self,
        partnership: PartnershipId,
        update: UpdateId,
    ) -> Result<Option<ProgressUpdate>> {
        let row = sqlx::query(concat!(
            updates_select!(),
            "WHERE up.id = $1 AND up.partnership_id = $2"
        ))
        .bind(update.0)
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(update_from).transpose()
    }

    /// An action's whole history of updates, corrected and withdrawn ones included,
    /// newest first.
    pub async fn list_updates(
        &self,
        partnership: PartnershipId,
        action: ActionId,
    ) -> Result<Vec<ProgressUpdate>> {
        let rows = sqlx::query(
            concat!(
                updates_select!(),
                "WHERE up.action_id = $1 AND up.partnership_id = $2 ORDER BY up.update_date DESC, up.id DESC"
            ),
        )
        .bind(action.0)
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(update_from).collect()
    }
}

async fn insert_rating(
    tx: &mut Tx,
    partnership: PartnershipId,
    plan: PlanId,
    position: i64,
    rating: &RatingDefinition,
) -> Result<RatingId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO ratings (partnership_id, plan_id, position, label, colour, meaning, class) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(partnership.0)
    .bind(plan.0)
    .bind(position)
    .bind(rating.label.clone())
    .bind(rating.colour.code())
    .bind(rating.meaning.clone())
    .bind(rating.class.code())
    .fetch_one(&mut **tx)
    .await
    .map_err(duplicate_as("The plan already has a rating with that label"))?;
    Ok(RatingId(id))
}

fn action_from_input(
    id: ActionId,
    plan: PlanId,
    area: AreaId,
    input: &ActionInput,
    version: i64,
) -> Action {
    Action {
        id,
        plan_id: plan,
        area_id: area,
        objective_id: input.objective_id,
        number: input.number.clone(),
        description: input.description.clone(),
        leads: input.leads.clone(),
        partner_people: input.partner_people.clone(),
        partner_organisations: input.partner_organisations.clone(),
        resources: input.resources.clone(),
        evidence_of_success: input.evidence_of_success.clone(),
        impact_measures: input.impact_measures.clone(),
        start_date: input.start_date,
        completion_date: input.completion_date,
        depends_on: input.depends_on.clone(),
        written: input.written.clone(),
        version,
    }
}

impl Store {
    /// An action's extra fields (tracker columns sendplan has no field for), in order.
    pub async fn list_extra_fields(
        &self,
        partnership: PartnershipId,
        action: ActionId,
    ) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT name, value FROM action_extra_fields WHERE partnership_id = $1 AND action_id = $2 ORDER BY position",
        )
        .bind(partnership.0)
        .bind(action.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.text("name")?, r.text("value")?)))
            .collect()
    }

    /// The extra fields of every action of a plan, by action.
    pub async fn list_plan_extra_fields(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
    ) -> Result<std::collections::HashMap<ActionId, Vec<(String, String)>>> {
        let rows = sqlx::query(
            "SELECT f.action_id, f.name, f.value FROM action_extra_fields f JOIN actions a ON a.id = f.action_id \
             WHERE f.partnership_id = $1 AND a.plan_id = $2 ORDER BY f.action_id, f.position",
        )
        .bind(partnership.0)
        .bind(plan.0)
        .fetch_all(self.pool())
        .await?;
        let mut by_action: std::collections::HashMap<ActionId, Vec<(String, String)>> =
            std::collections::HashMap::new();
        for row in &rows {
            by_action
                .entry(ActionId(row.int("action_id")?))
                .or_default()
                .push((row.text("name")?, row.text("value")?));
        }
        Ok(by_action)
    }
}

//! What board reports are built from, and the papers issued to boards: stored exactly as
//! issued, never changed.

use crate::audit::{record_created, Subject};
use crate::sql::{date_text, now_text, opt_date_text, RowExt};
use crate::{one_or_not_found, Actor, Result, Store};
use sendplan_domain::measures::{DataPoint, Measure};
use sendplan_domain::plan::{Action, Area, Milestone, Plan, ProgressUpdate, Rating};
use sendplan_domain::reports::ReportKind;
use sendplan_domain::*;
use std::collections::HashMap;
use time::Date;

/// A plan's facts for `sendplan_domain::reports::build`.
#[derive(Debug, Clone)]
pub struct ReportData {
    pub plan: Plan,
    pub areas: Vec<Area>,
    pub actions: Vec<Action>,
    pub updates: Vec<ProgressUpdate>,
    pub milestones: Vec<Milestone>,
    pub ratings: Vec<Rating>,
    pub people: HashMap<PersonId, String>,
    pub measures: Vec<(Measure, Vec<DataPoint>)>,
}

impl ReportData {
    pub fn facts(&self) -> sendplan_domain::reports::ReportFacts<'_> {
        sendplan_domain::reports::ReportFacts {
            plan: &self.plan,
            areas: &self.areas,
            actions: &self.actions,
            updates: &self.updates,
            milestones: &self.milestones,
            ratings: &self.ratings,
            people: &self.people,
            measures: &self.measures,
        }
    }
}

/// A paper issued to a board, as issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedReport {
    pub id: i64,
    pub plan_id: PlanId,
    pub kind: ReportKind,
    pub as_at: Date,
    pub since: Option<Date>,
    pub board: String,
    pub title: String,
    pub html: String,
    pub issued_by: Option<UserId>,
    pub issued_at: String,
}

impl Store {
    /// Everything a report on `plan` is built from, read in a handful of queries.
    pub async fn report_data(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
    ) -> Result<ReportData> {
        let plan_record = self.get_plan(partnership, plan).await?;
        let plan_measures = self.plan_measures(partnership, plan).await?;
        Ok(ReportData {
            areas: self.list_areas(partnership, plan).await?,
            actions: self.list_actions(partnership, plan).await?,
            updates: self.list_plan_updates(partnership, plan).await?,
            milestones: self.list_plan_milestones(partnership, plan).await?,
            ratings: self.list_ratings(partnership, plan).await?,
            people: self
                .people(partnership)
                .await?
                .iter()
                .map(|p| (p.id, p.display_name()))
                .collect(),
            measures: plan_measures
                .measures
                .iter()
                .map(|m| (m.clone(), plan_measures.values_of(m.id).to_vec()))
                .collect(),
            plan: plan_record,
        })
    }

    /// Stores a paper as issued to `board`. The rendered content is kept exactly.
    #[allow(clippy::too_many_arguments)] // one paper's fields
    pub async fn issue_report(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
        kind: ReportKind,
        as_at: Date,
        since: Option<Date>,
        board: &str,
        title: &str,
        html: &str,
    ) -> Result<i64> {
        self.get_plan(partnership, plan).await?;
        let mut write = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO issued_reports (partnership_id, plan_id, kind, as_at, since, board, title, html, issued_by, issued_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(partnership.0)
        .bind(plan.0)
        .bind(kind.code())
        .bind(date_text(as_at))
        .bind(opt_date_text(since))
        .bind(board.to_owned())
        .bind(title.to_owned())
        .bind(html.to_owned())
        .bind(actor.0.map(|u| u.0))
        .bind(now_text())
        .fetch_one(&mut *write.tx)
        .await?;
        record_created(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "issued_report",
                id,
            },
            format!("{title}, as at {as_at}, issued to {board}"),
            &(kind.code(), as_at, board),
        )
        .await?;
        write.commit().await?;
        Ok(id)
    }

    /// A plan's issued papers, newest first, without their content.
    pub async fn list_issued_reports(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
    ) -> Result<Vec<IssuedReport>> {
        let rows = sqlx::query(
            "SELECT id, plan_id, kind, as_at, since, board, title, '' AS html, issued_by, issued_at FROM issued_reports \
             WHERE partnership_id = $1 AND plan_id = $2 ORDER BY issued_at DESC, id DESC",
        )
        .bind(partnership.0)
        .bind(plan.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(issued_from).collect()
    }

    pub async fn get_issued_report(
        &self,
        partnership: PartnershipId,
        id: i64,
    ) -> Result<IssuedReport> {
        let row = sqlx::query("SELECT * FROM issued_reports WHERE id = $1 AND partnership_id = $2")
            .bind(id)
            .bind(partnership.0)
            .fetch_optional(self.pool())
            .await?;
        issued_from(&one_or_not_found(row)?)
    }
}

fn issued_from(row: &sqlx::any::AnyRow) -> Result<IssuedReport> {
    Ok(IssuedReport {
        id: row.int("id")?,
        plan_id: PlanId(row.int("plan_id")?),
        kind: row.code("kind", ReportKind::from_code)?,
        as_at: row.date("as_at")?,
        since: row.opt_date("since")?,
        board: row.text("board")?,
        title: row.text("title")?,
        html: row.text("html")?,
        issued_by: row.opt_int("issued_by")?.map(UserId),
        issued_at: row.text("issued_at")?,
    })
}

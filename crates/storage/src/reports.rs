//! What board reports are built from, and the papers issued to boards: stored exactly as
//! issued, never changed.

use crate::audit::{record, record_created, Change, Subject};
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
    pub area_progress: Vec<sendplan_domain::plan::AreaProgress>,
    pub extra_fields: HashMap<sendplan_domain::ActionId, Vec<(String, String)>>,
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
            area_progress: &self.area_progress,
            extra_fields: &self.extra_fields,
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
    /// Who issued it, by name ("" for the command line or a removed account).
    pub issued_by_name: String,
    pub issued_at: String,
    /// The form it was issued in: "html", or "pdf" or "docx" with the document kept.
    pub format: String,
}

/// What an issued paper holds: its title, its HTML and, issued as PDF or Word, that
/// document byte for byte.
#[derive(Debug, Clone, Copy)]
pub struct PaperContent<'a> {
    pub title: &'a str,
    pub html: &'a str,
    pub document: Option<&'a IssuedDocument>,
}

/// A paper's document as issued to a board (a PDF or Word file), byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedDocument {
    /// "pdf" or "docx".
    pub format: String,
    pub bytes: Vec<u8>,
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
            area_progress: self.list_area_progress(partnership, plan).await?,
            extra_fields: self.list_plan_extra_fields(partnership, plan).await?,
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
        content: PaperContent<'_>,
    ) -> Result<i64> {
        self.get_plan(partnership, plan).await?;
        let mut write = self.begin_write().await?;
        let paper = Paper {
            plan,
            kind,
            as_at,
            since,
            board,
        };
        let id = insert_paper(&mut write.tx, actor, partnership, &paper, &content).await?;
        record_created(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "issued_report",
                id,
            },
            format!(
                "{}, as at {as_at}, issued to {board} as {}",
                content.title,
                content.document.map_or("HTML", |d| format_name(&d.format))
            ),
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
            "SELECT r.id, r.plan_id, r.kind, r.as_at, r.since, r.board, r.title, '' AS html, r.issued_by, r.issued_at, r.format, \
             COALESCE(u.display_name, '') AS issued_by_name FROM issued_reports r LEFT JOIN users u ON u.id = r.issued_by \
             WHERE r.partnership_id = $1 AND r.plan_id = $2 ORDER BY r.issued_at DESC, r.id DESC",
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
        let row = sqlx::query(
            "SELECT r.id, r.plan_id, r.kind, r.as_at, r.since, r.board, r.title, r.html, r.issued_by, r.issued_at, r.format, \
             COALESCE(u.display_name, '') AS issued_by_name FROM issued_reports r \
             LEFT JOIN users u ON u.id = r.issued_by WHERE r.id = $1 AND r.partnership_id = $2",
        )
        .bind(id)
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?;
        issued_from(&one_or_not_found(row)?)
    }

    /// The PDF or Word document a paper was issued as, byte for byte; `None` for a paper
    /// issued as HTML.
    pub async fn get_issued_document(
        &self,
        partnership: PartnershipId,
        id: i64,
    ) -> Result<Option<IssuedDocument>> {
        let row = sqlx::query(
            "SELECT format, document FROM issued_reports WHERE id = $1 AND partnership_id = $2",
        )
        .bind(id)
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?;
        let row = one_or_not_found(row)?;
        let bytes: Option<Vec<u8>> = sqlx::Row::try_get(&row, "document")?;
        Ok(bytes.map(|bytes| IssuedDocument {
            format: row.text("format").unwrap_or_default(),
            bytes,
        }))
    }
}

/// "PDF", "Word" or "HTML": a paper's format in words.
pub fn format_name(format: &str) -> &'static str {
    match format {
        "pdf" => "PDF",
        "docx" => "Word",
        _ => "HTML",
    }
}

/// A paper that a correction superseded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperCorrection {
    pub report_id: i64,
    pub replacement_id: i64,
    pub reason: String,
    pub by_name: String,
    pub at: String,
}

impl Store {
    /// Issues a corrected paper in place of `report`: `content` is the paper rebuilt from the
    /// records for the same as-at date. The old paper stays as it was, marked as
    /// superseded; if it was on the public page, the correction takes its place there.
    /// Refused with [`StoreError::Conflict`] when the paper has already been corrected.
    pub async fn correct_report(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        report: i64,
        content: PaperContent<'_>,
        reason: &str,
    ) -> Result<i64> {
        let old = self.get_issued_report(partnership, report).await?;
        let mut write = self.begin_write().await?;
        let paper = Paper {
            plan: old.plan_id,
            kind: old.kind,
            as_at: old.as_at,
            since: old.since,
            board: &old.board,
        };
        let id = insert_paper(&mut write.tx, actor, partnership, &paper, &content).await?;
        sqlx::query(
            "INSERT INTO report_supersessions (report_id, partnership_id, replacement_id, reason, by_user_id, at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(report)
        .bind(partnership.0)
        .bind(id)
        .bind(reason.to_owned())
        .bind(actor.0.map(|u| u.0))
        .bind(now_text())
        .execute(&mut *write.tx)
        .await
        .map_err(crate::conflict_on_duplicate)?;
        let published = sqlx::query(
            "DELETE FROM published_reports WHERE report_id = $1 AND partnership_id = $2",
        )
        .bind(report)
        .bind(partnership.0)
        .execute(&mut *write.tx)
        .await?;
        if published.rows_affected() > 0 {
            sqlx::query(
                "INSERT INTO published_reports (report_id, partnership_id, plan_id, published_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(partnership.0)
            .bind(old.plan_id.0)
            .bind(now_text())
            .execute(&mut *write.tx)
            .await?;
        }
        record::<(), _>(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "issued_report",
                entity_id: id,
                change: "corrected",
                summary: format!(
                    "{} to {}, as at {}, corrected: {reason}",
                    old.title, old.board, old.as_at
                ),
                before: None,
                after: Some(&(report, reason)),
            },
        )
        .await?;
        write.commit().await?;
        Ok(id)
    }

    /// The plan's papers that corrections superseded.
    pub async fn paper_corrections(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
    ) -> Result<Vec<PaperCorrection>> {
        let rows = sqlx::query(
            "SELECT s.report_id, s.replacement_id, s.reason, s.at, COALESCE(u.display_name, '') AS by_name \
             FROM report_supersessions s JOIN issued_reports r ON r.id = s.report_id LEFT JOIN users u ON u.id = s.by_user_id \
             WHERE s.partnership_id = $1 AND r.plan_id = $2",
        )
        .bind(partnership.0)
        .bind(plan.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PaperCorrection {
                    report_id: r.int("report_id")?,
                    replacement_id: r.int("replacement_id")?,
                    reason: r.text("reason")?,
                    by_name: r.text("by_name")?,
                    at: r.text("at")?,
                })
            })
            .collect()
    }
}

/// What a paper is, apart from its content: which plan, report and day, for which board.
struct Paper<'a> {
    plan: PlanId,
    kind: ReportKind,
    as_at: Date,
    since: Option<Date>,
    board: &'a str,
}

async fn insert_paper(
    tx: &mut crate::Tx,
    actor: Actor,
    partnership: PartnershipId,
    paper: &Paper<'_>,
    content: &PaperContent<'_>,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO issued_reports (partnership_id, plan_id, kind, as_at, since, board, title, html, issued_by, issued_at, format, document) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(partnership.0)
    .bind(paper.plan.0)
    .bind(paper.kind.code())
    .bind(date_text(paper.as_at))
    .bind(opt_date_text(paper.since))
    .bind(paper.board.to_owned())
    .bind(content.title.to_owned())
    .bind(content.html.to_owned())
    .bind(actor.0.map(|u| u.0))
    .bind(now_text())
    .bind(content.document.map_or("html".to_owned(), |d| d.format.clone()))
    .bind(content.document.map(|d| d.bytes.clone()))
    .fetch_one(&mut **tx)
    .await?)
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
        issued_by_name: row.text("issued_by_name")?,
        issued_at: row.text("issued_at")?,
        format: row.text("format")?,
    })
}

//! Boards and reporting cycles.

use crate::audit::{record_created, Subject};
use crate::sql::{date_text, now_text, RowExt};
use crate::{duplicate_as, Actor, Result, Store, StoreError};
use sendplan_domain::governance::*;
use sendplan_domain::reports::ReportKind;
use sendplan_domain::*;

impl Store {
    /// Adds a board. The board it reports to must be the partnership's.
    pub async fn create_board(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        input: &BoardInput,
    ) -> Result<BoardId> {
        if let Some(to) = input.reports_to {
            if !self
                .list_boards(partnership)
                .await?
                .iter()
                .any(|b| b.id == to)
            {
                return Err(StoreError::Rule(
                    "Choose a board of this partnership to report to".to_owned(),
                ));
            }
        }
        let mut write = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO boards (partnership_id, name, purpose, chair, members, reports_to, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(partnership.0)
        .bind(input.name.clone())
        .bind(input.purpose.clone())
        .bind(input.chair.clone())
        .bind(input.members.clone())
        .bind(input.reports_to.map(|b| b.0))
        .bind(now_text())
        .fetch_one(&mut *write.tx)
        .await
        .map_err(duplicate_as("The partnership already has a board with that name"))?;
        record_created(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "board",
                id,
            },
            format!("Board added: {}", input.name),
            &input.name,
        )
        .await?;
        write.commit().await?;
        Ok(BoardId(id))
    }

    pub async fn list_boards(&self, partnership: PartnershipId) -> Result<Vec<Board>> {
        let rows = sqlx::query("SELECT * FROM boards WHERE partnership_id = $1 ORDER BY name")
            .bind(partnership.0)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Board {
                    id: BoardId(r.int("id")?),
                    partnership_id: PartnershipId(r.int("partnership_id")?),
                    name: r.text("name")?,
                    purpose: r.text("purpose")?,
                    chair: r.text("chair")?,
                    members: r.text("members")?,
                    reports_to: r.opt_int("reports_to")?.map(BoardId),
                    version: r.int("version")?,
                })
            })
            .collect()
    }

    /// Adds a report to a plan's reporting cycle.
    pub async fn create_reporting_line(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
        input: &ReportingLineInput,
    ) -> Result<ReportingLineId> {
        self.get_plan(partnership, plan).await?;
        let Some(board) = self
            .list_boards(partnership)
            .await?
            .into_iter()
            .find(|b| b.id == input.board_id)
        else {
            return Err(StoreError::Rule(
                "Choose a board of this partnership".to_owned(),
            ));
        };
        let mut write = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO reporting_lines (partnership_id, plan_id, board_id, kind, cadence, first_due, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(partnership.0)
        .bind(plan.0)
        .bind(input.board_id.0)
        .bind(input.kind.code())
        .bind(input.cadence.code())
        .bind(date_text(input.first_due))
        .bind(now_text())
        .fetch_one(&mut *write.tx)
        .await?;
        let summary = format!(
            "Reporting cycle: {} to {}, {}",
            input.kind.label(),
            board.name,
            input.cadence.label().to_lowercase()
        );
        record_created(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "reporting_line",
                id,
            },
            summary,
            &(
                input.kind.code(),
                board.name,
                input.cadence.code(),
                input.first_due,
            ),
        )
        .await?;
        write.commit().await?;
        Ok(ReportingLineId(id))
    }

    pub async fn list_reporting_lines(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
    ) -> Result<Vec<ReportingLine>> {
        let rows = sqlx::query("SELECT * FROM reporting_lines WHERE partnership_id = $1 AND plan_id = $2 ORDER BY first_due, id")
            .bind(partnership.0)
            .bind(plan.0)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ReportingLine {
                    id: ReportingLineId(r.int("id")?),
                    plan_id: PlanId(r.int("plan_id")?),
                    board_id: BoardId(r.int("board_id")?),
                    kind: r.code("kind", ReportKind::from_code)?,
                    cadence: r.code("cadence", Cadence::from_code)?,
                    first_due: r.date("first_due")?,
                })
            })
            .collect()
    }
}

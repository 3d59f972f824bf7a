//! Boards and reporting cycles.

use crate::audit::{record_created, record_updated, Subject};
use crate::sql::{date_text, now_text, RowExt};
use crate::{duplicate_as, Actor, Result, Store, StoreError};
use sendplan_domain::governance::*;
use sendplan_domain::input::ActionInput;
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
        reports_to_one_of(&self.list_boards(partnership).await?, input.reports_to)?;
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

    /// One of the partnership's boards.
    pub async fn get_board(&self, partnership: PartnershipId, id: BoardId) -> Result<Board> {
        self.list_boards(partnership)
            .await?
            .into_iter()
            .find(|b| b.id == id)
            .ok_or(StoreError::NotFound)
    }

    /// Changes a board, if it is still at `version`. It may not come to report to itself,
    /// or to a board that reports to it.
    pub async fn update_board(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        id: BoardId,
        version: i64,
        input: &BoardInput,
    ) -> Result<()> {
        let boards = self.list_boards(partnership).await?;
        let before = boards
            .iter()
            .find(|b| b.id == id)
            .cloned()
            .ok_or(StoreError::NotFound)?;
        reports_to_one_of(&boards, input.reports_to)?;
        if reporting_loop(&boards, id, input.reports_to) {
            return Err(StoreError::Rule(format!(
                "{} cannot report to a board that reports to it",
                before.name
            )));
        }
        let mut write = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE boards SET name = $1, purpose = $2, chair = $3, members = $4, reports_to = $5, version = version + 1 \
             WHERE id = $6 AND partnership_id = $7 AND version = $8",
        )
        .bind(input.name.clone())
        .bind(input.purpose.clone())
        .bind(input.chair.clone())
        .bind(input.members.clone())
        .bind(input.reports_to.map(|b| b.0))
        .bind(id.0)
        .bind(partnership.0)
        .bind(version)
        .execute(&mut *write.tx)
        .await
        .map_err(duplicate_as("The partnership already has a board with that name"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        let after = Board {
            name: input.name.clone(),
            purpose: input.purpose.clone(),
            chair: input.chair.clone(),
            members: input.members.clone(),
            reports_to: input.reports_to,
            version: version + 1,
            ..before.clone()
        };
        record_updated(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "board",
                id: id.0,
            },
            format!("Board changed: {}", input.name),
            &before,
            &after,
        )
        .await?;
        write.commit().await
    }

    /// The partnership's board `id`, or a rule broken if it is not one of its boards.
    async fn board_of(&self, partnership: PartnershipId, id: BoardId) -> Result<Board> {
        self.get_board(partnership, id)
            .await
            .map_err(|error| match error {
                StoreError::NotFound => {
                    StoreError::Rule("Choose a board of this partnership".to_owned())
                }
                other => other,
            })
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
        let board = self.board_of(partnership, input.board_id).await?;
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
        let rows = sqlx::query("SELECT id, plan_id, board_id, kind, cadence, first_due, until_date FROM reporting_lines WHERE partnership_id = $1 AND plan_id = $2 ORDER BY first_due, id")
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
                    until: r.opt_date("until_date")?,
                })
            })
            .collect()
    }

    /// Checks a meeting's board and the actions its agenda names, and returns the board.
    async fn check_meeting(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
        input: &MeetingInput,
    ) -> Result<Board> {
        self.get_plan(partnership, plan).await?;
        let board = self.board_of(partnership, input.board_id).await?;
        for item in &input.agenda {
            if let Some(action) = item.action {
                if self.get_action(partnership, action).await?.plan_id != plan {
                    return Err(StoreError::Rule(
                        "Agenda items can only name this plan's actions".to_owned(),
                    ));
                }
            }
        }
        Ok(board)
    }

    /// Records a meeting of a board about a plan: its agenda and what it decided.
    pub async fn create_meeting(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
        input: &MeetingInput,
    ) -> Result<MeetingId> {
        let board = self.check_meeting(partnership, plan, input).await?;
        let mut write = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO meetings (partnership_id, board_id, plan_id, held_on, attendees, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(partnership.0)
        .bind(board.id.0)
        .bind(plan.0)
        .bind(date_text(input.held_on))
        .bind(input.attendees.clone())
        .bind(now_text())
        .fetch_one(&mut *write.tx)
        .await?;
        insert_minutes(&mut write.tx, id, &input.agenda, &input.outcomes).await?;
        record_created(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "meeting",
                id,
            },
            format!("Meeting of {} on {} recorded", board.name, input.held_on),
            &(
                board.name.as_str(),
                input.held_on,
                &input.agenda,
                &input.outcomes,
            ),
        )
        .await?;
        write.commit().await?;
        Ok(MeetingId(id))
    }

    /// One line of a plan's reporting cycle.
    pub async fn get_reporting_line(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
        line: ReportingLineId,
    ) -> Result<ReportingLine> {
        self.list_reporting_lines(partnership, plan)
            .await?
            .into_iter()
            .find(|l| l.id == line)
            .ok_or(StoreError::NotFound)
    }

    /// Changes how often a report goes, from a date: the line ends the day before `from`
    /// and a new line with `cadence` is first due on `from`, so the history of what was
    /// due when stays as it was. Refused if the line already ended or `from` is not after
    /// its first due date.
    pub async fn change_reporting_cadence(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
        line: ReportingLineId,
        from: Date,
        cadence: Cadence,
    ) -> Result<ReportingLineId> {
        let before = self.get_reporting_line(partnership, plan, line).await?;
        if from <= before.first_due {
            return Err(StoreError::Rule(format!(
                "Choose a date after the first report was due ({}); to change the whole cycle, take it out and add it again",
                sendplan_domain::input::long_date(before.first_due)
            )));
        }
        let mut write = self.begin_write().await?;
        let ended = sqlx::query(
            "UPDATE reporting_lines SET until_date = $1 WHERE id = $2 AND partnership_id = $3 AND until_date IS NULL",
        )
        .bind(date_text(from - time::Duration::days(1)))
        .bind(line.0)
        .bind(partnership.0)
        .execute(&mut *write.tx)
        .await?;
        if ended.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO reporting_lines (partnership_id, plan_id, board_id, kind, cadence, first_due, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(partnership.0)
        .bind(plan.0)
        .bind(before.board_id.0)
        .bind(before.kind.code())
        .bind(cadence.code())
        .bind(date_text(from))
        .bind(now_text())
        .fetch_one(&mut *write.tx)
        .await?;
        crate::audit::record(
            &mut write.tx,
            crate::audit::Change {
                partnership: Some(partnership),
                actor,
                entity: "reporting_line",
                entity_id: id,
                change: "changed",
                summary: format!(
                    "{} changed from {} to {} from {}",
                    before.kind.label(),
                    before.cadence.label().to_lowercase(),
                    cadence.label().to_lowercase(),
                    sendplan_domain::input::long_date(from)
                ),
                before: Some(&before),
                after: Some(&(cadence.code(), from)),
            },
        )
        .await?;
        write.commit().await?;
        Ok(ReportingLineId(id))
    }

    /// Takes a report out of a plan's reporting cycle: no more next due dates or
    /// reminders for it. Papers already issued to the board are kept.
    pub async fn remove_reporting_line(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
        line: ReportingLineId,
    ) -> Result<()> {
        let before = self.get_reporting_line(partnership, plan, line).await?;
        let mut write = self.begin_write().await?;
        let done = sqlx::query(
            "DELETE FROM reporting_lines WHERE id = $1 AND plan_id = $2 AND partnership_id = $3",
        )
        .bind(line.0)
        .bind(plan.0)
        .bind(partnership.0)
        .execute(&mut *write.tx)
        .await?;
        if done.rows_affected() == 0 {
            // Removed by someone else meanwhile: the cycle is as they wanted it.
            return Err(StoreError::NotFound);
        }
        crate::audit::record(
            &mut write.tx,
            crate::audit::Change::<ReportingLine, ()> {
                partnership: Some(partnership),
                actor,
                entity: "reporting_line",
                entity_id: line.0,
                change: "removed",
                summary: format!(
                    "{} ({}) taken out of the reporting cycle",
                    before.kind.label(),
                    before.cadence.label().to_lowercase()
                ),
                before: Some(&before),
                after: None,
            },
        )
        .await?;
        write.commit().await
    }

    /// One of a plan's meetings.
    pub async fn get_meeting(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
        id: MeetingId,
    ) -> Result<Meeting> {
        self.list_meetings(partnership, plan)
            .await?
            .into_iter()
            .find(|m| m.id == id)
            .ok_or(StoreError::NotFound)
    }

    /// Corrects a meeting's record, if it is still at `version`. Actions arising that were
    /// added to the plan keep their plan actions (see `keep_plan_actions`).
    pub async fn update_meeting(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
        id: MeetingId,
        version: i64,
        input: &MeetingInput,
    ) -> Result<()> {
        let before = self.get_meeting(partnership, plan, id).await?;
        let board = self.check_meeting(partnership, plan, input).await?;
        if before.version != version {
            return Err(StoreError::Conflict);
        }
        let mut outcomes = input.outcomes.clone();
        keep_plan_actions(&before.outcomes, &mut outcomes).map_err(StoreError::Rule)?;
        let mut write = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE meetings SET board_id = $1, held_on = $2, attendees = $3, version = version + 1 \
             WHERE id = $4 AND partnership_id = $5 AND plan_id = $6 AND version = $7",
        )
        .bind(board.id.0)
        .bind(date_text(input.held_on))
        .bind(input.attendees.clone())
        .bind(id.0)
        .bind(partnership.0)
        .bind(plan.0)
        .bind(version)
        .execute(&mut *write.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        for table in ["meeting_agenda", "meeting_outcomes"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE meeting_id = $1"))
                .bind(id.0)
                .execute(&mut *write.tx)
                .await?;
        }
        insert_minutes(&mut write.tx, id.0, &input.agenda, &outcomes).await?;
        let after = Meeting {
            board_id: board.id,
            held_on: input.held_on,
            attendees: input.attendees.clone(),
            agenda: input.agenda.clone(),
            outcomes,
            version: version + 1,
            ..before.clone()
        };
        record_updated(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "meeting",
                id: id.0,
            },
            format!("Meeting of {} on {} corrected", board.name, input.held_on),
            &before,
            &after,
        )
        .await?;
        write.commit().await
    }

    /// A plan's meetings, newest first, each with its agenda and outcomes.
    pub async fn list_meetings(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
    ) -> Result<Vec<Meeting>> {
        let rows = sqlx::query("SELECT * FROM meetings WHERE partnership_id = $1 AND plan_id = $2 ORDER BY held_on DESC, id DESC")
            .bind(partnership.0)
            .bind(plan.0)
            .fetch_all(self.pool())
            .await?;
        let agenda = sqlx::query(
            "SELECT a.* FROM meeting_agenda a JOIN meetings m ON m.id = a.meeting_id WHERE m.plan_id = $1 AND m.partnership_id = $2 ORDER BY a.meeting_id, a.position",
        )
        .bind(plan.0)
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        let outcomes = sqlx::query(
            "SELECT o.* FROM meeting_outcomes o JOIN meetings m ON m.id = o.meeting_id WHERE m.plan_id = $1 AND m.partnership_id = $2 ORDER BY o.meeting_id, o.position",
        )
        .bind(plan.0)
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let id = r.int("id")?;
                Ok(Meeting {
                    id: MeetingId(id),
                    board_id: BoardId(r.int("board_id")?),
                    plan_id: PlanId(r.int("plan_id")?),
                    held_on: r.date("held_on")?,
                    attendees: r.text("attendees")?,
                    agenda: agenda
                        .iter()
                        .filter(|a| a.int("meeting_id").ok() == Some(id))
                        .map(|a| {
                            Ok(AgendaItem {
                                title: a.text("title")?,
                                action: a.opt_int("action_id")?.map(ActionId),
                            })
                        })
                        .collect::<Result<_>>()?,
                    outcomes: outcomes
                        .iter()
                        .filter(|o| o.int("meeting_id").ok() == Some(id))
                        .map(|o| {
                            Ok(Outcome {
                                id: Some(OutcomeId(o.int("id")?)),
                                is_action: o.int("is_action")? != 0,
                                text: o.text("text")?,
                                plan_action: o.opt_int("plan_action_id")?.map(ActionId),
                            })
                        })
                        .collect::<Result<_>>()?,
                    version: r.int("version")?,
                })
            })
            .collect()
    }
}

/// A board may report only to one of its partnership's boards.
fn reports_to_one_of(boards: &[Board], reports_to: Option<BoardId>) -> Result<()> {
    match reports_to {
        Some(to) if !boards.iter().any(|b| b.id == to) => Err(StoreError::Rule(
            "Choose a board of this partnership to report to".to_owned(),
        )),
        _ => Ok(()),
    }
}

/// Writes a meeting's agenda and outcomes, in order.
async fn insert_minutes(
    tx: &mut crate::Tx,
    meeting: i64,
    agenda: &[AgendaItem],
    outcomes: &[Outcome],
) -> Result<()> {
    for (position, item) in agenda.iter().enumerate() {
        sqlx::query("INSERT INTO meeting_agenda (meeting_id, position, title, action_id) VALUES ($1, $2, $3, $4)")
            .bind(meeting)
            .bind(position as i64)
            .bind(item.title.clone())
            .bind(item.action.map(|a| a.0))
            .execute(&mut **tx)
            .await?;
    }
    for (position, outcome) in outcomes.iter().enumerate() {
        sqlx::query("INSERT INTO meeting_outcomes (meeting_id, position, is_action, text, plan_action_id) VALUES ($1, $2, $3, $4, $5)")
            .bind(meeting)
            .bind(position as i64)
            .bind(i64::from(outcome.is_action))
            .bind(outcome.text.clone())
            .bind(outcome.plan_action.map(|a| a.0))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// An action arising from a meeting, with the plan its meeting was about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionArising {
    pub id: OutcomeId,
    pub plan_id: PlanId,
    pub board: String,
    pub held_on: Date,
    pub text: String,
    pub plan_action: Option<ActionId>,
}

impl Store {
    /// An action arising from one of the partnership's meetings.
    pub async fn get_action_arising(
        &self,
        partnership: PartnershipId,
        outcome: OutcomeId,
    ) -> Result<ActionArising> {
        let row = sqlx::query(
            "SELECT o.id, o.text, o.plan_action_id, m.plan_id, m.held_on, b.name AS board FROM meeting_outcomes o \
             JOIN meetings m ON m.id = o.meeting_id JOIN boards b ON b.id = m.board_id \
             WHERE o.id = $1 AND m.partnership_id = $2 AND o.is_action = 1",
        )
        .bind(outcome.0)
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?;
        let row = crate::one_or_not_found(row)?;
        Ok(ActionArising {
            id: outcome,
            plan_id: PlanId(row.int("plan_id")?),
            board: row.text("board")?,
            held_on: row.date("held_on")?,
            text: row.text("text")?,
            plan_action: row.opt_int("plan_action_id")?.map(ActionId),
        })
    }

    /// Adds an action arising from a meeting to the meeting's plan, in `area`, and records
    /// on the meeting that it became that action: both or neither.
    pub async fn create_action_arising(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        area: AreaId,
        input: &ActionInput,
        today: Date,
        outcome: OutcomeId,
    ) -> Result<ActionId> {
        let arising = self.get_action_arising(partnership, outcome).await?;
        let area = self.get_area(partnership, area).await?;
        if area.plan_id != arising.plan_id {
            return Err(StoreError::Rule(
                "The action must go in the plan the meeting was about".to_owned(),
            ));
        }
        let mut write = self.begin_write().await?;
        let action = self
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
        let linked = sqlx::query(
            "UPDATE meeting_outcomes SET plan_action_id = $1 WHERE id = $2 AND plan_action_id IS NULL",
        )
        .bind(action.0)
        .bind(outcome.0)
        .execute(&mut *write.tx)
        .await?;
        if linked.rows_affected() == 0 {
            // Someone else made it a plan action meanwhile: this one is not added twice.
            return Err(StoreError::Conflict);
        }
        record_updated(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "meeting_outcome",
                id: outcome.0,
            },
            format!(
                "Action arising from {} on {} became plan action {}",
                arising.board, arising.held_on, input.number
            ),
            &None::<ActionId>,
            &Some(action),
        )
        .await?;
        write.commit().await?;
        Ok(action)
    }
}

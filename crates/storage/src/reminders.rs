//! Reminder settings, the email outbox and the keys of reminders already queued.
//!
//! Queuing is one transaction: the keys of the lines already sent are dropped, the rest
//! are recorded, and an email holding them is added to the outbox, so a reminder is queued
//! once or not at all. Delivery claims an email for a while before sending it and marks it
//! sent once the mail server has accepted it; a failure sets the next attempt later. An
//! email is sent at most once: if its sender stops half way, it is marked, not resent.

use crate::audit::{record_updated, Subject};
use crate::sql::{parse_timestamp, timestamp_text, RowExt};
use crate::{Actor, Result, Store, StoreError};
use sendplan_domain::access::Role;
use sendplan_domain::reminders::*;
use sendplan_domain::*;
use std::collections::HashMap;
use time::OffsetDateTime;

/// An email in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub id: i64,
    /// None for an email about an account rather than a partnership (a password reset).
    pub partnership_id: Option<PartnershipId>,
    /// None for an email about access rather than a plan (an invitation, a reset).
    pub plan_id: Option<PlanId>,
    /// `reminder`, `invitation` or `password_reset`.
    pub purpose: String,
    pub to: Recipient,
    pub subject: String,
    pub body: String,
    pub queued_at: OffsetDateTime,
    pub attempts: i64,
    pub next_attempt_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
    pub failed_at: Option<OffsetDateTime>,
    pub last_error: String,
}

impl Mail {
    /// Where it stands, in words.
    pub fn state(&self) -> String {
        match (self.sent_at, self.failed_at) {
            (Some(_), _) => "Sent".to_owned(),
            (None, Some(_)) if self.last_error == INTERRUPTED => {
                "Perhaps not sent: the server stopped while sending it, so it was not sent again (to be sure nobody gets it twice); send it again if it did not arrive".to_owned()
            }
            (None, Some(_)) => "Not sent: the mail server refused it".to_owned(),
            (None, None) if self.attempts == 0 => "Waiting to be sent".to_owned(),
            (None, None) => format!(
                "Waiting: {} failed {}, will try again",
                self.attempts,
                if self.attempts == 1 {
                    "attempt"
                } else {
                    "attempts"
                }
            ),
        }
    }
}

/// Why an email whose sender stopped half way was not sent again.
pub const INTERRUPTED: &str =
    "the server sending it stopped before it could record whether the mail server took it";

fn opt_stamp(row: &sqlx::any::AnyRow, column: &str) -> Result<Option<OffsetDateTime>> {
    row.opt_text(column)?
        .map(|t| parse_timestamp(&t))
        .transpose()
}

fn mail_from(row: &sqlx::any::AnyRow) -> Result<Mail> {
    Ok(Mail {
        id: row.int("id")?,
        partnership_id: row.opt_int("partnership_id")?.map(PartnershipId),
        plan_id: row.opt_int("plan_id")?.map(PlanId),
        purpose: row.text("purpose")?,
        to: Recipient {
            name: row.text("to_name")?,
            email: row.text("to_email")?,
        },
        subject: row.text("subject")?,
        body: row.text("body")?,
        queued_at: parse_timestamp(&row.text("queued_at")?)?,
        attempts: row.int("attempts")?,
        next_attempt_at: parse_timestamp(&row.text("next_attempt_at")?)?,
        sent_at: opt_stamp(row, "sent_at")?,
        failed_at: opt_stamp(row, "failed_at")?,
        last_error: row.text("last_error")?,
    })
}

/// An email to queue that is not a reminder: an invitation or a password reset link.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub partnership: Option<PartnershipId>,
    pub purpose: &'static str,
    pub to: Recipient,
    pub subject: String,
    pub body: String,
    /// The body holds a single-use link: it is blanked once the mail server has it, so the
    /// outbox never keeps a working link longer than it must.
    pub secret: bool,
}

/// What a secret email's body becomes once sent.
const SENT_SECRET: &str =
    "(This email held a single-use link. It was removed once the email was sent.)";

/// Queues `mail` inside the caller's transaction, due at `now`. Returns its id.
pub(crate) async fn queue_mail(
    tx: &mut crate::Tx,
    mail: &OutgoingMail,
    now: OffsetDateTime,
) -> Result<i64> {
    let now = timestamp_text(now);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO outbox (partnership_id, plan_id, to_name, to_email, subject, body, queued_at, next_attempt_at, purpose, secret) \
         VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(mail.partnership.map(|p| p.0))
    .bind(mail.to.name.clone())
    .bind(mail.to.email.clone())
    .bind(mail.subject.clone())
    .bind(mail.body.clone())
    .bind(now.clone())
    .bind(now)
    .bind(mail.purpose)
    .bind(i64::from(mail.secret))
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

impl Store {
    /// A plan's reminder settings and their version (0: never saved, so the defaults).
    pub async fn reminder_settings(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
    ) -> Result<(ReminderSettings, i64)> {
        let row = sqlx::query(
            "SELECT * FROM reminder_settings WHERE plan_id = $1 AND partnership_id = $2",
        )
        .bind(plan.0)
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok((ReminderSettings::default(), 0));
        };
        Ok((
            ReminderSettings {
                enabled: row.int("enabled")? != 0,
                days_before_board: row.int("days_before_board")?,
                milestone_days: row.int("milestone_days")?,
                stale: row.int("stale")? != 0,
            },
            row.int("version")?,
        ))
    }

    /// Saves a plan's reminder settings, if they are still at `version`.
    pub async fn set_reminder_settings(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
        version: i64,
        settings: &ReminderSettings,
    ) -> Result<()> {
        self.get_plan(partnership, plan).await?;
        let (before, current) = self.reminder_settings(partnership, plan).await?;
        if current != version {
            return Err(StoreError::Conflict);
        }
        let mut write = self.begin_write().await?;
        let values = (
            i64::from(settings.enabled),
            settings.days_before_board,
            settings.milestone_days,
            i64::from(settings.stale),
        );
        let done = if version == 0 {
            sqlx::query(
                "INSERT INTO reminder_settings (plan_id, partnership_id, enabled, days_before_board, milestone_days, stale) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(plan.0)
            .bind(partnership.0)
            .bind(values.0)
            .bind(values.1)
            .bind(values.2)
            .bind(values.3)
            .execute(&mut *write.tx)
            .await
            .map_err(crate::duplicate_as("Someone else saved these reminders first"))?
        } else {
            sqlx::query(
                "UPDATE reminder_settings SET enabled = $1, days_before_board = $2, milestone_days = $3, stale = $4, \
                 version = version + 1 WHERE plan_id = $5 AND partnership_id = $6 AND version = $7",
            )
            .bind(values.0)
            .bind(values.1)
            .bind(values.2)
            .bind(values.3)
            .bind(plan.0)
            .bind(partnership.0)
            .bind(version)
            .execute(&mut *write.tx)
            .await?
        };
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        record_updated(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "reminders",
                id: plan.0,
            },
            if settings.enabled {
                "Email reminders turned on or changed".to_owned()
            } else {
                "Email reminders turned off".to_owned()
            },
            &before,
            settings,
        )
        .await?;
        write.commit().await
    }

    /// Every plan whose reminders are on, with its partnership; archived plans send none.
    pub async fn plans_with_reminders(&self) -> Result<Vec<(PartnershipId, PlanId)>> {
        sqlx::query(
            "SELECT partnership_id, plan_id FROM reminder_settings r WHERE enabled = 1 \
             AND NOT EXISTS (SELECT 1 FROM plan_archives x WHERE x.plan_id = r.plan_id) ORDER BY plan_id",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok((
                PartnershipId(r.int("partnership_id")?),
                PlanId(r.int("plan_id")?),
            ))
        })
        .collect()
    }

    /// The reminders a plan is due on `today`, before those already sent are dropped, and
    /// the plan's title.
    pub async fn reminders_due(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
        today: Date,
    ) -> Result<(Vec<Reminder>, String)> {
        let (settings, _) = self.reminder_settings(partnership, plan).await?;
        let overview = self.plan_overview(partnership, plan, today).await?;
        let people = self.list_people(partnership).await?;
        let boards = self.list_boards(partnership).await?;
        let actions: Vec<ChaseAction> = overview
            .actions
            .iter()
            .map(|a| ChaseAction {
                id: a.id,
                number: a.number.to_string(),
                description: a.description.clone(),
                leads: a.leads.clone(),
                latest_update: a.latest_update,
                complete: a.flags.complete,
                stale: a.flags.needs_update,
                not_yet_due: a.flags.not_yet_due,
            })
            .collect();
        let milestones: Vec<ChaseMilestone> = self
            .list_plan_milestones(partnership, plan)
            .await?
            .into_iter()
            .filter(|m| m.done_date.is_none())
            .filter_map(|m| {
                Some(ChaseMilestone {
                    id: m.id,
                    action: m.action_id,
                    title: m.title,
                    due: m.due_date?,
                })
            })
            .collect();
        let board_dates: Vec<BoardDate> = self
            .list_reporting_lines(partnership, plan)
            .await?
            .iter()
            // A line whose frequency changed has ended: its successor reminds instead.
            .filter(|line| line.next_due(today).is_some())
            .map(|line| {
                let board = boards
                    .iter()
                    .find(|b| b.id == line.board_id)
                    .map_or("the board", |b| b.name.as_str());
                BoardDate::next(line.id, board, line.cadence, line.first_due, today)
            })
            .collect();
        let members = self.list_members(partnership).await?;
        // A lead is emailed at the address on the People page, or else at the address of
        // the sendplan account linked to them.
        let with_email: HashMap<PersonId, Recipient> = people
            .iter()
            .filter_map(|p| {
                let email = if p.email.contains('@') {
                    p.email.clone()
                } else {
                    members
                        .iter()
                        .find(|m| m.person_id == Some(p.id))?
                        .email
                        .clone()
                };
                Some((
                    p.id,
                    Recipient {
                        name: p.display_name(),
                        email,
                    },
                ))
            })
            .collect();
        let names: HashMap<PersonId, String> =
            people.iter().map(|p| (p.id, p.display_name())).collect();
        let managers: Vec<Recipient> = members
            .into_iter()
            .filter(|m| matches!(m.role, Role::PlanManager | Role::Admin))
            .map(|m| Recipient {
                name: m.display_name,
                email: m.email,
            })
            .collect();
        let facts = ChaseFacts {
            plan_title: &overview.plan.title,
            settings,
            actions: &actions,
            milestones: &milestones,
            boards: &board_dates,
            people: &with_email,
            names: &names,
            managers: &managers,
        };
        Ok((due(&facts, today), overview.plan.title.clone()))
    }

    /// Queues `reminders`, leaving out every line already queued before; an email whose
    /// lines were all sent before is not queued at all; those queued are due for sending at
    /// `now`. Returns how many were queued.
    pub async fn queue_reminders(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
        plan_title: &str,
        reminders: &[Reminder],
        link: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<usize> {
        if reminders.is_empty() {
            return Ok(0);
        }
        let mut write = self.begin_write().await?;
        let now = timestamp_text(now);
        let mut queued = 0;
        for reminder in reminders {
            // Each line is looked up by its key, so a round reads what is due now, not
            // every reminder the partnership was ever sent.
            let mut lines: Vec<&Line> = Vec::new();
            for line in &reminder.lines {
                let sent = sqlx::query(
                    "SELECT 1 AS sent FROM reminder_keys WHERE partnership_id = $1 AND reminder_key = $2",
                )
                .bind(partnership.0)
                .bind(line.key.clone())
                .fetch_optional(&mut *write.tx)
                .await?;
                if sent.is_none() {
                    lines.push(line);
                }
            }
            if lines.is_empty() {
                continue;
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO outbox (partnership_id, plan_id, to_name, to_email, subject, body, queued_at, next_attempt_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(partnership.0)
            .bind(plan.0)
            .bind(reminder.to.name.clone())
            .bind(reminder.to.email.clone())
            .bind(reminder.subject.clone())
            .bind(reminder.body(&lines, link, plan_title))
            .bind(now.clone())
            .bind(now.clone())
            .fetch_one(&mut *write.tx)
            .await?;
            for line in lines {
                sqlx::query(
                    "INSERT INTO reminder_keys (partnership_id, reminder_key, outbox_id) VALUES ($1, $2, $3)",
                )
                .bind(partnership.0)
                .bind(line.key.clone())
                .bind(id)
                .execute(&mut *write.tx)
                .await
                .map_err(crate::duplicate_as("These reminders were queued at the same time elsewhere"))?;
            }
            queued += 1;
        }
        write.commit().await?;
        Ok(queued)
    }

    /// Claims up to `limit` emails due for sending at `now`, each for `lease`: no other
    /// server sends them meanwhile. If this one stops before recording how the sending
    /// went, the email is marked as perhaps not sent when the lease runs out, never sent
    /// twice.
    pub async fn claim_mail(
        &self,
        now: OffsetDateTime,
        lease: time::Duration,
        limit: i64,
    ) -> Result<Vec<Mail>> {
        let now_text = timestamp_text(now);
        // An email whose claim ran out was being sent by a server that stopped: the mail
        // server may have taken it before the stop, so it is not sent again (nobody gets
        // an email twice); it is marked, with why, for its page to show and a person to
        // send again if it did not arrive.
        let mut write = self.begin_write().await?;
        sqlx::query(
            "UPDATE outbox SET failed_at = $1, last_error = $2, claimed_until = NULL \
             WHERE sent_at IS NULL AND failed_at IS NULL AND claimed_until < $1",
        )
        .bind(now_text.clone())
        .bind(INTERRUPTED)
        .execute(&mut *write.tx)
        .await?;
        write.commit().await?;
        let candidates = sqlx::query(
            "SELECT id, partnership_id, plan_id, purpose, to_name, to_email, subject, body, queued_at, attempts, next_attempt_at, sent_at, failed_at, last_error FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 \
             AND claimed_until IS NULL ORDER BY id LIMIT $2",
        )
        .bind(now_text.clone())
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut claimed = Vec::new();
        for row in &candidates {
            let mail = mail_from(row)?;
            let mut write = self.begin_write().await?;
            let done = sqlx::query(
                "UPDATE outbox SET claimed_until = $1 WHERE id = $2 AND sent_at IS NULL AND failed_at IS NULL \
                 AND claimed_until IS NULL",
            )
            .bind(timestamp_text(now + lease))
            .bind(mail.id)
            .execute(&mut *write.tx)
            .await?;
            write.commit().await?;
            if done.rows_affected() == 1 {
                claimed.push(mail);
            }
        }
        Ok(claimed)
    }

    /// Records that the mail server accepted an email.
    pub async fn mail_sent(&self, id: i64, at: OffsetDateTime) -> Result<()> {
        let mut write = self.begin_write().await?;
        sqlx::query(
            "UPDATE outbox SET sent_at = $1, attempts = attempts + 1, claimed_until = NULL, \
             body = CASE WHEN secret = 1 THEN $3 ELSE body END WHERE id = $2",
        )
        .bind(timestamp_text(at))
        .bind(id)
        .bind(SENT_SECRET)
        .execute(&mut *write.tx)
        .await?;
        write.commit().await
    }

    /// Records a failed attempt: to try again at `retry_at`, or, without one, never.
    pub async fn mail_failed(
        &self,
        id: i64,
        at: OffsetDateTime,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<()> {
        let mut write = self.begin_write().await?;
        sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $1, claimed_until = NULL, \
             next_attempt_at = $2, failed_at = $3 WHERE id = $4",
        )
        .bind(error.to_owned())
        .bind(timestamp_text(retry_at.unwrap_or(at)))
        .bind(if retry_at.is_some() {
            None
        } else {
            Some(timestamp_text(at))
        })
        .bind(id)
        .execute(&mut *write.tx)
        .await?;
        write.commit().await
    }

    /// One email of the outbox, as it stands.
    pub async fn get_mail(&self, id: i64) -> Result<Mail> {
        let row = sqlx::query("SELECT id, partnership_id, plan_id, purpose, to_name, to_email, subject, body, queued_at, attempts, next_attempt_at, sent_at, failed_at, last_error FROM outbox WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        mail_from(&row)
    }

    /// A plan's emails, newest first.
    pub async fn list_mail(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
        limit: i64,
    ) -> Result<Vec<Mail>> {
        sqlx::query(
            "SELECT id, partnership_id, plan_id, purpose, to_name, to_email, subject, body, queued_at, attempts, next_attempt_at, sent_at, failed_at, last_error FROM outbox WHERE partnership_id = $1 AND plan_id = $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(partnership.0)
        .bind(plan.0)
        .bind(limit)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(mail_from)
        .collect()
    }
}

//! What families tell the Local Offer: their answers and comments, the officers' triage,
//! publishing as "You said, we did" (a plan's entry, so it shows on the plan's public page
//! as well as the Local Offer's), and deleting comments that were not published once the
//! partnership's retention period has passed.

use crate::audit::{record, Change};
use crate::publication::{insert_you_said, write_you_said};
use crate::sql::{now_text, parse_timestamp, timestamp_text, RowExt};
use crate::{Actor, Result, Store, StoreError, Tx};
use sendplan_domain::local_offer::feedback::{
    delete_from, Answer, Comment, FeedbackStatus, Identifying, Rating, Theme, Triage,
    DEFAULT_RETAIN_MONTHS, RETAIN_MONTHS,
};
use sendplan_domain::publication::YouSaidInput;
use sendplan_domain::{ActionId, PartnershipId, PlanId, YouSaidId};
use serde::Serialize;
use sqlx::any::AnyRow;
use time::{Date, OffsetDateTime};

/// An answer, with its comment and triage, as the officers see it.
#[derive(Debug, Clone, Serialize)]
pub struct Feedback {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub given_at: OffsetDateTime,
    /// The page it was given on, below the Local Offer's address ("" for the home page).
    pub page: String,
    /// "Did you find what you were looking for?", if that was the question.
    pub found: Option<bool>,
    /// The landing page's rating, if that was the question.
    pub rating: Option<Rating>,
    /// `None` without a comment, or once it was deleted after the retention period.
    pub comment: Option<String>,
    pub flags: Vec<Identifying>,
    pub status: FeedbackStatus,
    pub themes: Vec<Theme>,
    pub response: String,
    pub will_do: String,
    /// The words to publish, as the officer last left them.
    pub said: String,
    pub action_id: Option<ActionId>,
    pub you_said_id: Option<YouSaidId>,
    pub comment_deleted: bool,
    pub version: i64,
}

/// Counts of answers over a period, for the measures and the performance page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnswerCounts {
    pub found_yes: u64,
    pub found_no: u64,
    pub ratings: u64,
    pub rated_good_or_better: u64,
}

const SELECT_FEEDBACK: &str = "SELECT id, given_at, page, found, rating, comment, flags, status, themes, response, will_do, said, action_id, you_said_id, comment_deleted_at, version FROM local_offer_feedback";

fn codes<T>(text: &str, parse: fn(&str) -> Option<T>) -> Vec<T> {
    text.split(',').filter_map(parse).collect()
}

fn feedback_from(row: &AnyRow) -> Result<Feedback> {
    Ok(Feedback {
        id: row.int("id")?,
        given_at: parse_timestamp(&row.text("given_at")?)?,
        page: row.text("page")?,
        found: row.opt_int("found")?.map(|f| f != 0),
        rating: row.opt_int("rating")?.and_then(Rating::from_score),
        comment: row.opt_text("comment")?,
        flags: codes(&row.text("flags")?, Identifying::from_code),
        status: row.code("status", FeedbackStatus::from_code)?,
        themes: codes(&row.text("themes")?, Theme::from_code),
        response: row.text("response")?,
        will_do: row.text("will_do")?,
        said: row.text("said")?,
        action_id: row.opt_int("action_id")?.map(ActionId),
        you_said_id: row.opt_int("you_said_id")?.map(YouSaidId),
        comment_deleted: row.opt_text("comment_deleted_at")?.is_some(),
        version: row.int("version")?,
    })
}

fn joined<T: Copy>(items: &[T], code: fn(T) -> &'static str) -> String {
    items.iter().map(|i| code(*i)).collect::<Vec<_>>().join(",")
}

/// Logs a change that needs no before and after: an answer, a comment (never its words),
/// an entry published or withdrawn, comments deleted.
async fn log(
    tx: &mut Tx,
    actor: Actor,
    partnership: PartnershipId,
    (entity, id): (&str, i64),
    change: &str,
    summary: String,
) -> Result<()> {
    record::<(), ()>(
        tx,
        Change {
            partnership: Some(partnership),
            actor,
            entity,
            entity_id: id,
            change,
            summary,
            before: None,
            after: None,
        },
    )
    .await
}

/// The "You said, we did" entry a triage publishes (or holds, withdrawn).
fn entry_of(triage: &Triage, said_on: Date, published: bool) -> YouSaidInput {
    YouSaidInput {
        said: triage.said.clone(),
        response: triage.published_response(),
        action_id: triage.action,
        said_on,
        published,
    }
}

/// A triage as the audit log keeps it: without the comment or the words to publish.
#[derive(Serialize)]
struct Logged<'a> {
    status: &'a str,
    themes: Vec<&'a str>,
    response: &'a str,
    will_do: &'a str,
    action_id: Option<i64>,
}

impl<'a> Logged<'a> {
    fn of(
        status: FeedbackStatus,
        themes: &[Theme],
        response: &'a str,
        will_do: &'a str,
        action: Option<ActionId>,
    ) -> Self {
        Logged {
            status: status.code(),
            themes: themes.iter().map(|t| t.code()).collect(),
            response,
            will_do,
            action_id: action.map(|a| a.0),
        }
    }
}

impl Store {
    /// Keeps a visitor's answer given on `page`. `reference` (random, from the caller) lets
    /// them add a comment to it on the next page.
    pub async fn give_feedback(
        &self,
        partnership: PartnershipId,
        page: &str,
        answer: Answer,
        reference: &str,
    ) -> Result<i64> {
        let (found, rating) = match answer {
            Answer::Found(found) => (Some(i64::from(found)), None),
            Answer::Rated(rating) => (None, Some(rating.score())),
        };
        let mut write = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO local_offer_feedback (partnership_id, given_at, page, found, rating, reference) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(partnership.0)
        .bind(now_text())
        .bind(page.chars().take(300).collect::<String>())
        .bind(found)
        .bind(rating)
        .bind(reference.to_owned())
        .fetch_one(&mut *write.tx)
        .await?;
        let summary = match answer {
            Answer::Found(true) => "found what they were looking for".to_owned(),
            Answer::Found(false) => "did not find what they were looking for".to_owned(),
            Answer::Rated(r) => format!("rated the Local Offer \"{}\"", r.label()),
        };
        log(
            &mut write.tx,
            Actor(None),
            partnership,
            ("local_offer_feedback", id),
            "given",
            format!("Local Offer feedback {id}: a visitor {summary}"),
        )
        .await?;
        write.commit().await?;
        Ok(id)
    }

    /// Adds the visitor's comment to the answer they gave (found by its reference) within
    /// the last hour, once. Returns whether it was added.
    pub async fn add_feedback_comment(
        &self,
        partnership: PartnershipId,
        reference: &str,
        comment: &Comment,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let mut write = self.begin_write().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "UPDATE local_offer_feedback SET comment = $1, flags = $2 \
             WHERE partnership_id = $3 AND reference = $4 AND comment IS NULL AND comment_deleted_at IS NULL AND given_at > $5 \
             RETURNING id",
        )
        .bind(comment.text.clone())
        .bind(joined(&comment.flags, Identifying::code))
        .bind(partnership.0)
        .bind(reference.to_owned())
        .bind(timestamp_text(now - time::Duration::hours(1)))
        .fetch_optional(&mut *write.tx)
        .await?;
        let Some(id) = id else {
            return Ok(false);
        };
        // The comment itself is not logged: it may hold personal details, and it is
        // deleted after the retention period.
        log(
            &mut write.tx,
            Actor(None),
            partnership,
            ("local_offer_feedback", id),
            "commented",
            format!("Local Offer feedback {id}: a comment was added"),
        )
        .await?;
        write.commit().await?;
        Ok(true)
    }

    /// How many answers the partnership's Local Offer has had since `since` (the daily cap).
    pub async fn feedback_given_since(
        &self,
        partnership: PartnershipId,
        since: OffsetDateTime,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM local_offer_feedback WHERE partnership_id = $1 AND given_at >= $2",
        )
        .bind(partnership.0)
        .bind(timestamp_text(since))
        .fetch_one(self.pool())
        .await?)
    }

    /// The partnership's answers that came with a comment (or had one, since deleted), in
    /// `status` or any, newest first.
    pub async fn list_feedback(
        &self,
        partnership: PartnershipId,
        status: Option<FeedbackStatus>,
    ) -> Result<Vec<Feedback>> {
        let rows = sqlx::query(&format!(
            "{SELECT_FEEDBACK} WHERE partnership_id = $1 AND (comment IS NOT NULL OR comment_deleted_at IS NOT NULL) \
             AND ($2 = '' OR status = $2) ORDER BY given_at DESC, id DESC"
        ))
        .bind(partnership.0)
        .bind(status.map_or("", FeedbackStatus::code))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(feedback_from).collect()
    }

    /// How many comments are waiting to be looked at.
    pub async fn new_comments(&self, partnership: PartnershipId) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM local_offer_feedback WHERE partnership_id = $1 AND status = 'new' AND (comment IS NOT NULL OR comment_deleted_at IS NOT NULL)",
        )
        .bind(partnership.0)
        .fetch_one(self.pool())
        .await?)
    }

    pub async fn get_feedback(&self, partnership: PartnershipId, id: i64) -> Result<Feedback> {
        let row = sqlx::query(&format!(
            "{SELECT_FEEDBACK} WHERE partnership_id = $1 AND id = $2"
        ))
        .bind(partnership.0)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        feedback_from(&row.ok_or(StoreError::NotFound)?)
    }

    /// Saves an officer's triage of a comment made at `version`. Publishing makes (or
    /// updates) a "You said, we did" entry in `plan` from the words to publish, the
    /// response and what will be done; anything else takes an entry already made off the
    /// public pages. All in one transaction.
    pub async fn triage_feedback(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        id: i64,
        version: i64,
        triage: &Triage,
        plan: Option<PlanId>,
    ) -> Result<()> {
        let before = self.get_feedback(partnership, id).await?;
        if before.comment.is_none() && triage.status == FeedbackStatus::Published {
            return Err(StoreError::Rule(
                "This comment was deleted after the retention period, so it cannot be published"
                    .to_owned(),
            ));
        }
        if let Some(action) = triage.action {
            let action_plan = self.get_action(partnership, action).await?.plan_id;
            if plan.is_some_and(|p| p != action_plan) {
                return Err(StoreError::Rule(
                    "Choose an action of the plan it is published in".to_owned(),
                ));
            }
        }
        let mut write = self.begin_write().await?;
        let mut you_said = before.you_said_id;
        let published = triage.status == FeedbackStatus::Published;
        match (you_said, published) {
            (None, true) => {
                let Some(plan) = plan else {
                    return Err(StoreError::Rule(
                        "Choose the plan whose public page shows it".to_owned(),
                    ));
                };
                self.get_plan(partnership, plan).await?;
                let made = insert_you_said(
                    &mut write.tx,
                    partnership,
                    plan,
                    &entry_of(triage, before.given_at.date(), true),
                )
                .await?;
                you_said = Some(YouSaidId(made));
                log(
                    &mut write.tx,
                    actor,
                    partnership,
                    ("you_said_we_did", made),
                    "created",
                    "You said, we did: entry published from Local Offer feedback".to_owned(),
                )
                .await?;
            }
            (Some(entry), _) => {
                let held = self.get_you_said(partnership, entry).await?;
                let said = if published {
                    triage.said.clone()
                } else {
                    held.said
                };
                let input = YouSaidInput {
                    said,
                    ..entry_of(triage, held.said_on, published)
                };
                write_you_said(&mut write.tx, partnership, entry, &input, None).await?;
                let summary = if published {
                    "You said, we did: entry from Local Offer feedback published"
                } else {
                    "You said, we did: entry from Local Offer feedback withdrawn from the public pages"
                };
                log(
                    &mut write.tx,
                    actor,
                    partnership,
                    ("you_said_we_did", entry.0),
                    "updated",
                    summary.to_owned(),
                )
                .await?;
            }
            (None, false) => {}
        }
        let done = sqlx::query(
            "UPDATE local_offer_feedback SET status = $1, themes = $2, response = $3, will_do = $4, said = $5, action_id = $6, \
             you_said_id = $7, version = version + 1 WHERE id = $8 AND partnership_id = $9 AND version = $10",
        )
        .bind(triage.status.code())
        .bind(joined(&triage.themes, Theme::code))
        .bind(triage.response.clone())
        .bind(triage.will_do.clone())
        .bind(triage.said.clone())
        .bind(triage.action.map(|a| a.0))
        .bind(you_said.map(|y| y.0))
        .bind(id)
        .bind(partnership.0)
        .bind(version)
        .execute(&mut *write.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        // The comment and the words to publish are left out of the log: the comment may
        // hold personal details and is deleted after the retention period.
        record(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "local_offer_feedback",
                entity_id: id,
                change: "updated",
                summary: format!(
                    "Local Offer feedback {id}: {}",
                    triage.status.label().to_lowercase()
                ),
                before: Some(&Logged::of(
                    before.status,
                    &before.themes,
                    &before.response,
                    &before.will_do,
                    before.action_id,
                )),
                after: Some(&Logged::of(
                    triage.status,
                    &triage.themes,
                    &triage.response,
                    &triage.will_do,
                    triage.action,
                )),
            },
        )
        .await?;
        write.commit().await
    }

    /// How the answers given from `from` up to (not including) `to` add up.
    pub async fn answer_counts(
        &self,
        partnership: PartnershipId,
        from: Date,
        to: Date,
    ) -> Result<AnswerCounts> {
        let row = sqlx::query(
            "SELECT COALESCE(SUM(CASE WHEN found = 1 THEN 1 ELSE 0 END), 0) AS yes, \
                    COALESCE(SUM(CASE WHEN found = 0 THEN 1 ELSE 0 END), 0) AS no, \
                    COALESCE(SUM(CASE WHEN rating IS NOT NULL THEN 1 ELSE 0 END), 0) AS rated, \
                    COALESCE(SUM(CASE WHEN rating >= 4 THEN 1 ELSE 0 END), 0) AS good \
             FROM local_offer_feedback WHERE partnership_id = $1 AND given_at >= $2 AND given_at < $3",
        )
        .bind(partnership.0)
        .bind(crate::sql::date_text(from))
        .bind(crate::sql::date_text(to))
        .fetch_one(self.pool())
        .await?;
        let n = |c: &str| row.int(c).map(|v| v.max(0) as u64);
        Ok(AnswerCounts {
            found_yes: n("yes")?,
            found_no: n("no")?,
            ratings: n("rated")?,
            rated_good_or_better: n("good")?,
        })
    }

    /// How many months the partnership keeps comments that are not published.
    pub async fn feedback_retention(&self, partnership: PartnershipId) -> Result<u8> {
        let months: Option<i64> = sqlx::query_scalar(
            "SELECT retain_months FROM local_offer_feedback_policy WHERE partnership_id = $1",
        )
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?;
        Ok(months
            .and_then(|m| u8::try_from(m).ok())
            .unwrap_or(DEFAULT_RETAIN_MONTHS))
    }

    pub async fn set_feedback_retention(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        months: u8,
    ) -> Result<()> {
        if !RETAIN_MONTHS.contains(&months) {
            return Err(StoreError::Rule(format!(
                "Keep comments for {} to {} months",
                RETAIN_MONTHS.start(),
                RETAIN_MONTHS.end()
            )));
        }
        let before = self.feedback_retention(partnership).await?;
        let mut write = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO local_offer_feedback_policy (partnership_id, retain_months) VALUES ($1, $2) \
             ON CONFLICT (partnership_id) DO UPDATE SET retain_months = excluded.retain_months",
        )
        .bind(partnership.0)
        .bind(i64::from(months))
        .execute(&mut *write.tx)
        .await?;
        record(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "local_offer_feedback_policy",
                entity_id: partnership.0,
                change: "updated",
                summary: format!("Local Offer comments not published are kept for {months} months"),
                before: Some(&before),
                after: Some(&months),
            },
        )
        .await?;
        write.commit().await
    }

    /// Deletes every partnership's comments that were not published and are older than
    /// its retention period on `today`. The answers stay, for the measures. Returns how
    /// many comments were deleted.
    pub async fn delete_expired_comments(&self, today: Date) -> Result<u64> {
        let partnerships: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT partnership_id FROM local_offer_feedback WHERE comment IS NOT NULL AND status <> 'published'",
        )
        .fetch_all(self.pool())
        .await?;
        let mut deleted = 0;
        for p in partnerships {
            let partnership = PartnershipId(p);
            let months = self.feedback_retention(partnership).await?;
            // The latest day a comment can have been given on and still be deleted today.
            let mut cutoff = today;
            while delete_from(cutoff, months) > today {
                cutoff = cutoff.previous_day().unwrap_or(cutoff);
            }
            let before = cutoff.next_day().unwrap_or(cutoff);
            let mut write = self.begin_write().await?;
            let done = sqlx::query(
                "UPDATE local_offer_feedback SET comment = NULL, flags = '', said = '', comment_deleted_at = $1 \
                 WHERE partnership_id = $2 AND comment IS NOT NULL AND status <> 'published' AND given_at < $3",
            )
            .bind(now_text())
            .bind(p)
            .bind(crate::sql::date_text(before))
            .execute(&mut *write.tx)
            .await?
            .rows_affected();
            if done > 0 {
                log(
                    &mut write.tx,
                    Actor(None),
                    partnership,
                    ("local_offer_feedback_policy", p),
                    "deleted",
                    format!(
                            "{done} Local Offer comments not published were deleted after {months} months"
                        ),
                )
                .await?;
            }
            write.commit().await?;
            deleted += done;
        }
        Ok(deleted)
    }
}

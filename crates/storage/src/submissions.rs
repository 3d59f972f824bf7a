//! One-time form tokens: each form page carries a random token, and sending the form
//! claims it here before anything changes. A second sending of the same page (a double
//! click, the back button, a retry through another server) finds the claim and is shown
//! where the first went instead of doing it again. Claims live in the database, so they
//! hold across every server process sharing it.

use crate::sql::{parse_timestamp, timestamp_text, RowExt};
use crate::{Result, Store};
use time::OffsetDateTime;

/// What claiming a form's token found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The first sending: go ahead, then [`Store::finish_submission`] or
    /// [`Store::release_submission`].
    First,
    /// Sent before and done; `location` is where it sent the person, if anywhere.
    Done { location: Option<String> },
    /// Sent before and still being done (or its server stopped half way), since `since`.
    Running { since: OffsetDateTime },
}

impl Store {
    /// Claims the form token whose hash is `token_hash`. Exactly one sending of a token
    /// gets [`Claim::First`], however many arrive at once on however many servers: the
    /// claim is one insert on the primary key.
    pub async fn claim_submission(&self, token_hash: &str, now: OffsetDateTime) -> Result<Claim> {
        let mut write = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO form_submissions (token_hash, started_at) VALUES ($1, $2) \
             ON CONFLICT (token_hash) DO NOTHING",
        )
        .bind(token_hash.to_owned())
        .bind(timestamp_text(now))
        .execute(&mut *write.tx)
        .await?
        .rows_affected();
        let claim = if inserted == 1 {
            Claim::First
        } else {
            let row = sqlx::query(
                "SELECT started_at, finished_at, location FROM form_submissions WHERE token_hash = $1",
            )
            .bind(token_hash.to_owned())
            .fetch_one(&mut *write.tx)
            .await?;
            claim_from(&row)?
        };
        write.commit().await?;
        Ok(claim)
    }

    /// How the sending that claimed the token stands, without claiming it (for a second
    /// sending waiting on the first: a read, not a write, each time it looks).
    pub async fn submission(&self, token_hash: &str) -> Result<Option<Claim>> {
        sqlx::query(
            "SELECT started_at, finished_at, location FROM form_submissions WHERE token_hash = $1",
        )
        .bind(token_hash.to_owned())
        .fetch_optional(self.pool())
        .await?
        .map(|row| claim_from(&row))
        .transpose()
    }

    /// Records that the claimed sending is done, and where it sent the person.
    pub async fn finish_submission(
        &self,
        token_hash: &str,
        location: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<()> {
        let mut write = self.begin_write().await?;
        sqlx::query(
            "UPDATE form_submissions SET finished_at = $1, location = $2 WHERE token_hash = $3",
        )
        .bind(timestamp_text(now))
        .bind(location.map(str::to_owned))
        .bind(token_hash.to_owned())
        .execute(&mut *write.tx)
        .await?;
        write.commit().await
    }

    /// Gives the token back after a sending that changed nothing (refused, or failed), so
    /// the page can be corrected and sent again.
    pub async fn release_submission(&self, token_hash: &str) -> Result<()> {
        let mut write = self.begin_write().await?;
        sqlx::query("DELETE FROM form_submissions WHERE token_hash = $1 AND finished_at IS NULL")
            .bind(token_hash.to_owned())
            .execute(&mut *write.tx)
            .await?;
        write.commit().await
    }

    /// Forgets claims made before `before` (no session that could still send those forms
    /// is alive). Returns how many were removed.
    pub async fn purge_submissions(&self, before: OffsetDateTime) -> Result<u64> {
        let mut write = self.begin_write().await?;
        let removed = sqlx::query("DELETE FROM form_submissions WHERE started_at < $1")
            .bind(timestamp_text(before))
            .execute(&mut *write.tx)
            .await?
            .rows_affected();
        write.commit().await?;
        Ok(removed)
    }
}

/// A claim already made, as it stands.
fn claim_from(row: &sqlx::any::AnyRow) -> Result<Claim> {
    Ok(if row.opt_text("finished_at")?.is_some() {
        Claim::Done {
            location: row.opt_text("location")?,
        }
    } else {
        Claim::Running {
            since: parse_timestamp(&row.text("started_at")?)?,
        }
    })
}

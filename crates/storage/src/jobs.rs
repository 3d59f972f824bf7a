//! Failures of background jobs, one per job and record: a job that cannot do one record
//! says why here and goes on with the rest, and the record's page shows it until the job
//! next succeeds there.

use crate::sql::{parse_timestamp, timestamp_text, RowExt};
use crate::{Result, Store};
use sendplan_domain::PartnershipId;
use time::OffsetDateTime;

/// A background job that works record by record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Working out and queueing a plan's reminders (the record is the plan).
    PlanReminders,
}

impl Job {
    fn code(self) -> &'static str {
        match self {
            Job::PlanReminders => "plan_reminders",
        }
    }
}

/// Why a job last failed on a record, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFailure {
    pub at: OffsetDateTime,
    pub reason: String,
}

impl Store {
    /// Records that `job` failed on `record` because of `reason` (replacing an earlier one).
    pub async fn job_failed(
        &self,
        job: Job,
        partnership: PartnershipId,
        record: i64,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<()> {
        let mut write = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO job_failures (job, record_id, partnership_id, failed_at, reason) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (job, record_id) DO UPDATE SET failed_at = excluded.failed_at, reason = excluded.reason",
        )
        .bind(job.code())
        .bind(record)
        .bind(partnership.0)
        .bind(timestamp_text(now))
        .bind(reason.to_owned())
        .execute(&mut *write.tx)
        .await?;
        write.commit().await
    }

    /// Forgets `job`'s failure on `record`, now that it has succeeded there.
    pub async fn job_succeeded(&self, job: Job, record: i64) -> Result<()> {
        let mut write = self.begin_write().await?;
        sqlx::query("DELETE FROM job_failures WHERE job = $1 AND record_id = $2")
            .bind(job.code())
            .bind(record)
            .execute(&mut *write.tx)
            .await?;
        write.commit().await
    }

    /// Why `job` last failed on `record` of `partnership`, if it has not succeeded since.
    pub async fn job_failure(
        &self,
        job: Job,
        partnership: PartnershipId,
        record: i64,
    ) -> Result<Option<JobFailure>> {
        let row = sqlx::query(
            "SELECT failed_at, reason FROM job_failures WHERE job = $1 AND record_id = $2 AND partnership_id = $3",
        )
        .bind(job.code())
        .bind(record)
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(JobFailure {
                at: parse_timestamp(&row.text("failed_at")?)?,
                reason: row.text("reason")?,
            })
        })
        .transpose()
    }
}

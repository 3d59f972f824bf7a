-- A background job that fails on one record (working out one plan's reminders) records
-- why here and goes on with the others; the record's page shows it, and the row is
-- removed when the job next succeeds for that record. A log line alone reached nobody.
-- Kept in lockstep with migrations/postgres/0015_job_failures.sql.

CREATE TABLE job_failures (
    job TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    failed_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (job, record_id)
);

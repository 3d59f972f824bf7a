-- One row per form sent, keyed by the hash of the one-time token the form page carried,
-- so a form sent twice (a double click, a resubmitted page, a retry through another
-- server) is done once: the second sending finds the row and is shown where the first
-- went. A row is removed if its sending failed, so the same page can be sent again, and
-- rows are purged once no session that could hold the form can still be alive.
-- Kept in lockstep with migrations/sqlite/0014_form_submissions.sql.

CREATE TABLE form_submissions (
    token_hash TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    location TEXT
);
CREATE INDEX form_submissions_started ON form_submissions (started_at);

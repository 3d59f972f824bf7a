-- Papers issued to boards (issue 5): each report exactly as it was issued, with its
-- as-at date and who issued it, so it can be shown again unchanged whatever changes
-- later. Append-only, like progress updates and the audit log.
-- Kept in lockstep with migrations/postgres/0006_issued_reports.sql.

CREATE TABLE issued_reports (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    kind TEXT NOT NULL,
    as_at TEXT NOT NULL,
    since TEXT,
    board TEXT NOT NULL,
    title TEXT NOT NULL,
    html TEXT NOT NULL,
    issued_by INTEGER REFERENCES users(id),
    issued_at TEXT NOT NULL
);
CREATE INDEX issued_reports_plan ON issued_reports(plan_id, issued_at);

CREATE TRIGGER issued_reports_are_append_only_on_update BEFORE UPDATE ON issued_reports
BEGIN SELECT RAISE(ABORT, 'issued reports are append-only'); END;
CREATE TRIGGER issued_reports_are_append_only_on_delete BEFORE DELETE ON issued_reports
BEGIN SELECT RAISE(ABORT, 'issued reports are append-only'); END;

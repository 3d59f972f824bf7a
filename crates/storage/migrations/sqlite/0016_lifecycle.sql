-- Every record can be put right (issue 13). Kept in lockstep with
-- migrations/postgres/0016_lifecycle.sql.

-- A progress update is never rewritten. A correction is a new update, and this row says
-- which earlier update it supersedes, or that the update was withdrawn (no replacement),
-- who did it, when and why. An update counts while no row here names it. One row per
-- update, so two people correcting the same update at once cannot both succeed.
CREATE TABLE update_supersessions (
    update_id INTEGER PRIMARY KEY REFERENCES updates(id),
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    replacement_id INTEGER REFERENCES updates(id),
    reason TEXT NOT NULL,
    by_user_id INTEGER REFERENCES users(id),
    -- Who did it, as an imported document names them (no account here).
    by_name TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX update_supersessions_replacement ON update_supersessions(replacement_id);

-- An archived plan leaves the home page, My actions, reminders and the public pages but
-- stays readable; restoring it removes its row here.
CREATE TABLE plan_archives (
    plan_id INTEGER PRIMARY KEY REFERENCES plans(id),
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    archived_at TEXT NOT NULL,
    archived_by INTEGER REFERENCES users(id),
    reason TEXT NOT NULL
);

-- "Recently deleted": a deletion keeps every row it removed, parents first, so an
-- administrator can put back exactly what was there for 30 days. Then the row is purged
-- and the audit log's deletion entry keeps the last state.
CREATE TABLE deleted_records (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    kind TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    label TEXT NOT NULL,
    context TEXT NOT NULL,
    parent_id INTEGER,
    rows_json TEXT NOT NULL,
    deleted_at TEXT NOT NULL,
    deleted_by INTEGER REFERENCES users(id)
);
CREATE INDEX deleted_records_partnership ON deleted_records(partnership_id, deleted_at);

-- What shows a milestone was done, given by whoever marked it done.
ALTER TABLE milestones ADD COLUMN done_evidence TEXT NOT NULL DEFAULT '';


-- "You said, we did" entries are edited, withdrawn from the public page and published
-- again; the version refuses an edit made on a stale copy.
ALTER TABLE you_said_we_did ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- The inspection history as it happens. An inspection known only by its first day or
-- its month says so; a revisit is the 2016 framework's revisit or the 2023 framework's
-- monitoring inspection, whose judgements are worded differently.
ALTER TABLE inspections ADD COLUMN date_precision TEXT NOT NULL DEFAULT 'days';
ALTER TABLE revisits ADD COLUMN kind TEXT NOT NULL DEFAULT 'revisit';

-- DfE and NHS England interventions and reviews: improvement notices, statutory
-- directions, stocktakes, 6, 12 and 18-month reviews. Dates may be partial: '2024',
-- '2024-03' or '2024-03-27'. Documents are links, one per line.
CREATE TABLE interventions (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    kind TEXT NOT NULL,
    by_body TEXT NOT NULL,
    on_date TEXT NOT NULL,
    title TEXT NOT NULL,
    outcome TEXT NOT NULL,
    notes TEXT NOT NULL,
    documents TEXT NOT NULL,
    plan_id INTEGER REFERENCES plans(id),
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX interventions_partnership ON interventions(partnership_id, on_date);

-- A plan's way to approval, each date partial or unknown (NULL).
CREATE TABLE plan_approvals (
    plan_id INTEGER PRIMARY KEY REFERENCES plans(id),
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    submission_due TEXT,
    submitted_on TEXT,
    approved_on TEXT,
    approved_by TEXT NOT NULL,
    published_on TEXT,
    version INTEGER NOT NULL DEFAULT 1
);

-- A reporting line that changed frequency ends the day before its successor starts.
ALTER TABLE reporting_lines ADD COLUMN until_date TEXT;

-- A plan created or imported by mistake can be deleted outright within 30 days, its
-- progress updates and issued papers with it (kept in "Recently deleted" like any other
-- deletion). The deleting transaction names the plan here and removes the row before it
-- commits; only then does the database let that plan's history go.
CREATE TABLE plan_deletions (
    plan_id INTEGER PRIMARY KEY
);
DROP TRIGGER updates_are_append_only_on_delete;
CREATE TRIGGER updates_are_append_only_on_delete BEFORE DELETE ON updates
WHEN NOT EXISTS (SELECT 1 FROM plan_deletions WHERE plan_id = OLD.plan_id)
BEGIN SELECT RAISE(ABORT, 'progress updates are append-only'); END;
DROP TRIGGER issued_reports_are_append_only_on_delete;
CREATE TRIGGER issued_reports_are_append_only_on_delete BEFORE DELETE ON issued_reports
WHEN NOT EXISTS (SELECT 1 FROM plan_deletions WHERE plan_id = OLD.plan_id)
BEGIN SELECT RAISE(ABORT, 'issued reports are append-only'); END;

-- An issued paper is never rewritten: a correction is a new paper, rebuilt from the
-- records for the same day, and this row says which paper it supersedes, who, when and
-- why. One row per paper, so two corrections of one paper cannot both succeed.
CREATE TABLE report_supersessions (
    report_id INTEGER PRIMARY KEY REFERENCES issued_reports(id),
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    replacement_id INTEGER NOT NULL REFERENCES issued_reports(id),
    reason TEXT NOT NULL,
    by_user_id INTEGER REFERENCES users(id),
    at TEXT NOT NULL
);

-- A survey's details (title, series, who ran it...) can be corrected; its results are
-- replaced by deleting it and adding it again.
ALTER TABLE surveys ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

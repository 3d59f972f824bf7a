-- Governance (issue 5): a partnership's boards and groups, which reports to which, and
-- each plan's reporting cycle (which report goes to which board how often).
-- Kept in lockstep with migrations/postgres/0007_governance.sql.

CREATE TABLE boards (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    name TEXT NOT NULL,
    purpose TEXT NOT NULL,
    chair TEXT NOT NULL,
    members TEXT NOT NULL,
    reports_to INTEGER REFERENCES boards(id),
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (partnership_id, name)
);

CREATE TABLE reporting_lines (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    board_id INTEGER NOT NULL REFERENCES boards(id),
    kind TEXT NOT NULL,
    cadence TEXT NOT NULL,
    first_due TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX reporting_lines_plan ON reporting_lines(plan_id);

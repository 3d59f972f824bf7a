-- sendplan 0.1: partnerships, accounts, inspections, plans, actions, updates, audit.
-- Kept in lockstep with migrations/postgres/0001_tracker.sql (a test compares them).
-- Dates are TEXT 'YYYY-MM-DD', timestamps TEXT RFC 3339 UTC, flags INTEGER 0/1, so the
-- same SQL reads and writes both backends.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    deployment_admin INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE partnerships (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    la_code TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX organisations_partnership ON organisations(partnership_id);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    name TEXT NOT NULL,
    job_title TEXT NOT NULL,
    organisation_id INTEGER REFERENCES organisations(id),
    short_code TEXT NOT NULL,
    email TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX people_partnership ON people(partnership_id);

CREATE TABLE memberships (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    role TEXT NOT NULL,
    person_id INTEGER REFERENCES people(id),
    PRIMARY KEY (user_id, partnership_id)
);

CREATE TABLE inspections (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    framework TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    published_date TEXT,
    outcome TEXT NOT NULL,
    inspectors TEXT NOT NULL,
    main_findings TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX inspections_partnership ON inspections(partnership_id);

CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    kind TEXT NOT NULL,
    heading TEXT,
    text TEXT NOT NULL,
    position INTEGER NOT NULL
);
CREATE INDEX findings_inspection ON findings(inspection_id);

CREATE TABLE revisits (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    revisit_date TEXT NOT NULL,
    summary TEXT NOT NULL
);

CREATE TABLE revisit_judgements (
    revisit_id INTEGER NOT NULL REFERENCES revisits(id),
    finding_id INTEGER NOT NULL REFERENCES findings(id),
    sufficient_progress INTEGER NOT NULL,
    commentary TEXT NOT NULL,
    PRIMARY KEY (revisit_id, finding_id)
);

CREATE TABLE plans (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    period_start TEXT,
    period_end TEXT,
    inspection_id INTEGER REFERENCES inspections(id),
    status TEXT NOT NULL,
    stale_after_days INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX plans_partnership ON plans(partnership_id);

CREATE TABLE ratings (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    colour TEXT NOT NULL,
    meaning TEXT NOT NULL,
    class TEXT NOT NULL,
    UNIQUE (plan_id, label)
);

CREATE TABLE areas (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    number TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    title TEXT NOT NULL,
    sro_person_id INTEGER REFERENCES people(id),
    outcomes TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (plan_id, number)
);

CREATE TABLE area_findings (
    area_id INTEGER NOT NULL REFERENCES areas(id),
    finding_id INTEGER NOT NULL REFERENCES findings(id),
    PRIMARY KEY (area_id, finding_id)
);

CREATE TABLE objectives (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    area_id INTEGER NOT NULL REFERENCES areas(id),
    number TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    title TEXT NOT NULL,
    i_statement TEXT NOT NULL,
    impact_indicators TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (plan_id, number)
);

CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    area_id INTEGER NOT NULL REFERENCES areas(id),
    objective_id INTEGER REFERENCES objectives(id),
    number TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    description TEXT NOT NULL,
    evidence_of_success TEXT NOT NULL,
    impact_measures TEXT NOT NULL,
    start_date TEXT,
    completion_date TEXT,
    created_on TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (plan_id, number)
);
CREATE INDEX actions_plan ON actions(plan_id, sort_key);

CREATE TABLE action_leads (
    action_id INTEGER NOT NULL REFERENCES actions(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (action_id, person_id)
);
CREATE INDEX action_leads_person ON action_leads(person_id);

CREATE TABLE action_partner_people (
    action_id INTEGER NOT NULL REFERENCES actions(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (action_id, person_id)
);

CREATE TABLE action_partner_organisations (
    action_id INTEGER NOT NULL REFERENCES actions(id),
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    PRIMARY KEY (action_id, organisation_id)
);

CREATE TABLE action_resources (
    id INTEGER PRIMARY KEY,
    action_id INTEGER NOT NULL REFERENCES actions(id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    amount_pence INTEGER
);
CREATE INDEX action_resources_action ON action_resources(action_id);

CREATE TABLE action_dependencies (
    action_id INTEGER NOT NULL REFERENCES actions(id),
    depends_on_id INTEGER NOT NULL REFERENCES actions(id),
    PRIMARY KEY (action_id, depends_on_id)
);

CREATE TABLE milestones (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    action_id INTEGER NOT NULL REFERENCES actions(id),
    title TEXT NOT NULL,
    due_date TEXT,
    success_criteria TEXT NOT NULL,
    done_date TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX milestones_plan ON milestones(plan_id);
CREATE INDEX milestones_action ON milestones(action_id);

CREATE TABLE updates (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    action_id INTEGER NOT NULL REFERENCES actions(id),
    update_date TEXT NOT NULL,
    author_user_id INTEGER NOT NULL REFERENCES users(id),
    rating_id INTEGER NOT NULL REFERENCES ratings(id),
    narrative TEXT NOT NULL,
    evidence_links TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX updates_action_latest ON updates(action_id, update_date, id);

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER REFERENCES partnerships(id),
    actor_user_id INTEGER REFERENCES users(id),
    at TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    change TEXT NOT NULL,
    summary TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_events_partnership ON audit_events(partnership_id, id);

-- Progress updates and the audit log are history: the database itself refuses to rewrite them.
CREATE TRIGGER updates_are_append_only_on_update BEFORE UPDATE ON updates
BEGIN SELECT RAISE(ABORT, 'progress updates are append-only'); END;
CREATE TRIGGER updates_are_append_only_on_delete BEFORE DELETE ON updates
BEGIN SELECT RAISE(ABORT, 'progress updates are append-only'); END;
CREATE TRIGGER audit_is_append_only_on_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_is_append_only_on_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

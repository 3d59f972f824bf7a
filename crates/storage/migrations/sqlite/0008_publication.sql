-- Public progress pages (issue 5): what a plan manager chooses to publish about a plan,
-- plain-language summaries per area, and "You said, we did" entries. Nothing is public
-- unless a row here says so.
-- Kept in lockstep with migrations/postgres/0008_publication.sql.

CREATE TABLE plan_publications (
    plan_id INTEGER PRIMARY KEY REFERENCES plans(id),
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    published INTEGER NOT NULL,
    summary TEXT NOT NULL,
    show_ratings INTEGER NOT NULL,
    show_measures INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE area_summaries (
    area_id INTEGER PRIMARY KEY REFERENCES areas(id),
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    summary TEXT NOT NULL
);

CREATE TABLE you_said_we_did (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    said TEXT NOT NULL,
    response TEXT NOT NULL,
    action_id INTEGER REFERENCES actions(id),
    said_on TEXT NOT NULL,
    published INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX you_said_we_did_plan ON you_said_we_did(plan_id);

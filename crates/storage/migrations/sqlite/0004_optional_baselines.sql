-- Plans often set a target before the baseline is measured ("70% of users can find what
-- they are looking for"), so a measure's baseline becomes optional. SQLite cannot drop
-- NOT NULL in place: the table is rebuilt with the same rows and ids, following SQLite's
-- procedure (the migrator runs it with foreign keys off and checks them all before it
-- commits, so targets, links, data points and comparators still point at their measure).
-- Kept in lockstep with migrations/postgres/0004_optional_baselines.sql.

CREATE TABLE measures_rebuilt (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    unit TEXT NOT NULL,
    polarity TEXT NOT NULL,
    frequency TEXT NOT NULL,
    baseline_date TEXT,
    baseline_value REAL,
    tolerance REAL NOT NULL,
    owner_person_id INTEGER REFERENCES people(id),
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK ((baseline_date IS NULL) = (baseline_value IS NULL))
);
INSERT INTO measures_rebuilt SELECT id, partnership_id, plan_id, name, definition, unit, polarity,
    frequency, baseline_date, baseline_value, tolerance, owner_person_id, source, created_at, version
    FROM measures;
DROP TABLE measures;
ALTER TABLE measures_rebuilt RENAME TO measures;
CREATE INDEX measures_plan ON measures(plan_id);

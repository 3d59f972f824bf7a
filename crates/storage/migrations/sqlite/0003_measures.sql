-- Impact measures (issue 4): a measure with its baseline, targets and the areas and
-- actions meant to move it; dated data points whose revisions keep the earlier value;
-- and comparator figures (England, region, other local authorities) per period.
-- Kept in lockstep with migrations/postgres/0003_measures.sql.

CREATE TABLE measures (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    unit TEXT NOT NULL,
    polarity TEXT NOT NULL,
    frequency TEXT NOT NULL,
    baseline_date TEXT NOT NULL,
    baseline_value REAL NOT NULL,
    tolerance REAL NOT NULL,
    owner_person_id INTEGER REFERENCES people(id),
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX measures_plan ON measures(plan_id);

CREATE TABLE measure_targets (
    id INTEGER PRIMARY KEY,
    measure_id INTEGER NOT NULL REFERENCES measures(id),
    target_date TEXT NOT NULL,
    value REAL NOT NULL,
    UNIQUE (measure_id, target_date)
);

CREATE TABLE measure_links (
    measure_id INTEGER NOT NULL REFERENCES measures(id),
    area_id INTEGER REFERENCES areas(id),
    action_id INTEGER REFERENCES actions(id)
);
CREATE INDEX measure_links_measure ON measure_links(measure_id);

CREATE TABLE data_points (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    measure_id INTEGER NOT NULL REFERENCES measures(id),
    period TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    value REAL NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    recorded_by INTEGER REFERENCES users(id),
    recorded_at TEXT NOT NULL,
    replaced_by INTEGER REFERENCES data_points(id)
);
CREATE INDEX data_points_measure ON data_points(measure_id, period_end);
-- One current value per period; revisions keep the earlier rows, marked replaced.
CREATE UNIQUE INDEX data_points_current ON data_points(measure_id, period) WHERE replaced_by IS NULL;

CREATE TABLE comparators (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    measure_id INTEGER NOT NULL REFERENCES measures(id),
    series TEXT NOT NULL,
    period TEXT NOT NULL,
    period_end TEXT NOT NULL,
    value REAL,
    source TEXT NOT NULL,
    UNIQUE (measure_id, series, period)
);

-- Measures sendplan works out itself (issue 16: the Local Offer's figures on a plan).
-- Each row says what a measure is computed from; the daily refresh records its value.
-- A measure or plan deleted takes its row into deleted_records and a restore brings it
-- back (see lifecycle.rs); rows whose measure is gone are passed over. Kept in lockstep
-- with the other backend's copy.
CREATE TABLE computed_measures (
    measure_id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    computed_from TEXT NOT NULL,
    UNIQUE (plan_id, computed_from)
);

-- Progress at area or objective level (issue 14): a dated narrative (what we have done,
-- what difference it made, what we will do next), optionally rated, as plans that report
-- per area or recommendation write it. Kept in lockstep with the other backend's
-- 0018_area_progress.sql.
CREATE TABLE area_updates (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    area_id INTEGER NOT NULL REFERENCES areas(id),
    objective_id INTEGER REFERENCES objectives(id),
    update_date TEXT NOT NULL,
    rating_id INTEGER REFERENCES ratings(id),
    narrative TEXT NOT NULL,
    author_user_id INTEGER REFERENCES users(id),
    -- Who the source names, for an imported update (no account here).
    recorded_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX area_updates_plan ON area_updates(plan_id, area_id, update_date);

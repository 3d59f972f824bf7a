-- A council's tracker brought in whole (issue 14). Kept in lockstep with the other
-- backend's 0017_tracker_import.sql.

-- Columns of a tracker that sendplan has no field for ("Risk", "Budget code"), kept by
-- name as extra fields of each action, in the tracker's order.
CREATE TABLE action_extra_fields (
    action_id BIGINT NOT NULL REFERENCES actions(id),
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (action_id, position)
);

-- The date of an update as a tracker's column heading wrote it ("May 20" of "RAG May
-- 20"), kept beside the date read from it. A table of its own, so the updates table
-- (read with up.*) keeps its shape.
CREATE TABLE update_headings (
    update_id BIGINT PRIMARY KEY REFERENCES updates(id),
    as_written TEXT NOT NULL
);

-- A partnership's choices for a tracker layout (its sheets' column headings), so the
-- next upload of the same layout needs no choices.
CREATE TABLE import_mappings (
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    layout_key TEXT NOT NULL,
    mapping_json TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by BIGINT REFERENCES users(id),
    PRIMARY KEY (partnership_id, layout_key)
);

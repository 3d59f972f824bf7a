-- A version for everything a partnership holds, moved on in the same transaction as every
-- change (with its audit entry). Read caches were versioned by the highest audit id, but
-- PostgreSQL hands out ids when rows are inserted and makes them visible when transactions
-- commit, which need not be in the same order: a slow change could commit under an id
-- already seen, and a cached page missing it would be served for ever. A counter row per
-- partnership is moved under that row's lock, so it only ever counts commits in order.
-- (A table of its own rather than a column on partnerships, whose rows are read whole.
-- IF NOT EXISTS: a test builds an old database through today's code, which keeps it.)
-- Kept in lockstep with migrations/sqlite/0013_data_version.sql.

CREATE TABLE IF NOT EXISTS data_versions (
    partnership_id BIGINT PRIMARY KEY REFERENCES partnerships(id),
    version BIGINT NOT NULL
);
INSERT INTO data_versions (partnership_id, version)
    SELECT p.id, COALESCE((SELECT MAX(e.id) FROM audit_events e WHERE e.partnership_id = p.id), 0)
    FROM partnerships p WHERE true
    ON CONFLICT (partnership_id) DO NOTHING;

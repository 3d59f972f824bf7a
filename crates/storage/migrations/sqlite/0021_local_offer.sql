-- The Local Offer directory (issue 16): organisations, services and taxonomy terms, each
-- kept as the record sendplan reads (domain::local_offer, as JSON in "record") with the
-- columns it is found by. "key" is the id the source gave, so a feed imported again
-- matches its records. Kept in lockstep with the other backend's 0021_local_offer.sql.
CREATE TABLE local_offer_organizations (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    record TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (partnership_id, key)
);
CREATE TABLE local_offer_services (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    key TEXT NOT NULL,
    organization_key TEXT NOT NULL,
    name TEXT NOT NULL,
    assured_date TEXT,
    record TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (partnership_id, key)
);
CREATE TABLE local_offer_terms (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    key TEXT NOT NULL,
    parent_key TEXT,
    name TEXT NOT NULL,
    record TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (partnership_id, key)
);

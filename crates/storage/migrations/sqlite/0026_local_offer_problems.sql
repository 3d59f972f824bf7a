-- Problems families report with Local Offer entries (issue 16: "report a problem with this
-- information"). No personal details are asked for; a report that seems to hold some is
-- flagged. A report stays until an officer marks it dealt with. Kept in lockstep with the
-- other backend's copy.
CREATE TABLE local_offer_problems (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    service_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    details TEXT NOT NULL,
    flagged INTEGER NOT NULL,
    reported_at TEXT NOT NULL,
    dealt_at TEXT,
    dealt_by INTEGER REFERENCES users(id)
);
CREATE INDEX local_offer_problems_partnership ON local_offer_problems (partnership_id, id);

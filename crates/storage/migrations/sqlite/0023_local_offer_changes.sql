-- Providers keep their own Local Offer entries (issue 16). A provider is a member tied to
-- the directory organisation whose services they keep (memberships.organization_key; an
-- invitation carries it until accepted). Their changes wait in local_offer_proposals for a
-- Local Offer officer to approve or return with a reason; at most one waits per service.
-- Every version a service has had is kept in local_offer_service_versions, so any can be
-- read again and restored (as a new version: history is never rewritten). The versions
-- the directory already holds are its first history. Kept in lockstep with the other
-- backend's copy.
ALTER TABLE memberships ADD COLUMN organization_key TEXT;
ALTER TABLE invitations ADD COLUMN organization_key TEXT;

CREATE TABLE local_offer_service_versions (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    service_key TEXT NOT NULL,
    version INTEGER NOT NULL,
    record TEXT NOT NULL,
    made_at TEXT NOT NULL,
    made_by INTEGER REFERENCES users(id),
    how TEXT NOT NULL,
    UNIQUE (partnership_id, service_key, version)
);
INSERT INTO local_offer_service_versions (partnership_id, service_key, version, record, made_at, how)
    SELECT partnership_id, key, version, record, updated_at, 'imported' FROM local_offer_services;

CREATE TABLE local_offer_proposals (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    service_key TEXT NOT NULL,
    base_version INTEGER NOT NULL,
    record TEXT NOT NULL,
    state TEXT NOT NULL,
    proposed_by INTEGER REFERENCES users(id),
    proposed_at TEXT NOT NULL,
    decided_by INTEGER REFERENCES users(id),
    decided_at TEXT,
    reason TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX local_offer_proposals_waiting ON local_offer_proposals (partnership_id, service_key)
    WHERE state = 'waiting';
CREATE INDEX local_offer_proposals_partnership ON local_offer_proposals (partnership_id, id);

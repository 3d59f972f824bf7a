-- Accounts in the pages (issue 11): accounts that can be disabled, sessions that know
-- their device and when they were last used (so they can be listed, ended one by one and
-- time out when idle), invitations and password resets as single-use links whose tokens
-- are stored only as hashes, attempt counts shared by every server (so the throttle holds
-- behind a load balancer), and the email domains that sign in through a partnership's
-- identity provider. The outbox now also carries account emails, which belong to no plan
-- (and, for a password reset, to no partnership); SQLite cannot drop NOT NULL in place,
-- so the outbox is rebuilt with the same rows and ids (the migrator runs this with foreign
-- keys off and checks them all before it commits).
-- Kept in lockstep with migrations/postgres/0012_accounts.sql.

ALTER TABLE users ADD COLUMN disabled_at TEXT;
ALTER TABLE users ADD COLUMN last_sign_in_at TEXT;
ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- Sessions from before cannot say which device they are: everyone signs in once more.
DELETE FROM sessions;
ALTER TABLE sessions ADD COLUMN handle TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX sessions_handle ON sessions(handle);

CREATE TABLE outbox_rebuilt (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER REFERENCES partnerships(id),
    plan_id INTEGER REFERENCES plans(id),
    to_name TEXT NOT NULL,
    to_email TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_until TEXT,
    sent_at TEXT,
    failed_at TEXT,
    last_error TEXT NOT NULL DEFAULT '',
    purpose TEXT NOT NULL DEFAULT 'reminder',
    secret INTEGER NOT NULL DEFAULT 0
);
INSERT INTO outbox_rebuilt (id, partnership_id, plan_id, to_name, to_email, subject, body, queued_at,
    attempts, next_attempt_at, claimed_until, sent_at, failed_at, last_error)
    SELECT id, partnership_id, plan_id, to_name, to_email, subject, body, queued_at,
    attempts, next_attempt_at, claimed_until, sent_at, failed_at, last_error FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_rebuilt RENAME TO outbox;
CREATE INDEX outbox_waiting ON outbox(next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_plan ON outbox(plan_id, id);

CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    person_id INTEGER REFERENCES people(id),
    token_hash TEXT NOT NULL UNIQUE,
    invited_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    outbox_id INTEGER REFERENCES outbox(id),
    accepted_at TEXT,
    accepted_by INTEGER REFERENCES users(id),
    withdrawn_at TEXT
);
CREATE INDEX invitations_partnership ON invitations(partnership_id, id);
-- One open invitation per address per partnership.
CREATE UNIQUE INDEX invitations_open ON invitations(partnership_id, email)
    WHERE accepted_at IS NULL AND withdrawn_at IS NULL;

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX password_resets_user ON password_resets(user_id);

-- Attempts counted per key (a hash of an account's address, or of a client address) in a
-- window that starts at the first attempt.
CREATE TABLE attempt_counts (
    bucket TEXT PRIMARY KEY,
    window_started_at TEXT NOT NULL,
    attempts INTEGER NOT NULL
);

CREATE TABLE sign_in_domains (
    domain TEXT PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    password_allowed INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX sign_in_domains_partnership ON sign_in_domains(partnership_id);

-- Reminders and chasing (issue 5): each plan's reminder settings, the email outbox the
-- scheduler in `sendplan serve` delivers from, and the key of every reminder ever
-- queued, so that no reminder is sent twice, whatever restarts in between.
-- Kept in lockstep with migrations/postgres/0010_reminders.sql.

CREATE TABLE reminder_settings (
    plan_id INTEGER PRIMARY KEY REFERENCES plans(id),
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    enabled INTEGER NOT NULL,
    days_before_board INTEGER NOT NULL,
    milestone_days INTEGER NOT NULL,
    stale INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- One email to send. It is claimed for a while before sending, so two servers never send
-- the same one; sent_at is set once the mail server accepted it; failed_at once it was
-- refused for good. Until then next_attempt_at backs off after each failure.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    plan_id INTEGER NOT NULL REFERENCES plans(id),
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
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_waiting ON outbox(next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_plan ON outbox(plan_id, id);

CREATE TABLE reminder_keys (
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    reminder_key TEXT NOT NULL,
    outbox_id INTEGER NOT NULL REFERENCES outbox(id),
    PRIMARY KEY (partnership_id, reminder_key)
);

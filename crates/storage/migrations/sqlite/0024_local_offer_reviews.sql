-- The Local Offer's rolling review programme (issue 16). A partnership's policy (how many
-- months an entry stays current; whether overdue entries are hidden from families, and
-- after how many days) is in local_offer_settings; without a row the defaults apply.
-- Each email the programme sends about a service is a row of local_offer_review_emails,
-- belonging to the round that began with the entry's last check (checked_on, '' for an
-- entry never checked): a new check starts a new round. An invitation or reminder holds
-- a link, kept by its hash, that confirms "nothing has changed" without signing in; the
-- unique index stops two servers sending the same email on the same day. Kept in
-- lockstep with the other backend's copy.
CREATE TABLE local_offer_settings (
    partnership_id INTEGER PRIMARY KEY REFERENCES partnerships(id),
    review_months INTEGER NOT NULL,
    hide_after_days INTEGER,
    version INTEGER NOT NULL
);

CREATE TABLE local_offer_review_emails (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    service_key TEXT NOT NULL,
    checked_on TEXT NOT NULL,
    kind TEXT NOT NULL,
    sent_on TEXT NOT NULL,
    recipient TEXT NOT NULL,
    token_hash TEXT UNIQUE,
    expires_at TEXT,
    used_at TEXT,
    outbox_id INTEGER REFERENCES outbox(id),
    UNIQUE (partnership_id, service_key, checked_on, kind, sent_on)
);
CREATE INDEX local_offer_review_emails_round ON local_offer_review_emails (partnership_id, service_key, checked_on);

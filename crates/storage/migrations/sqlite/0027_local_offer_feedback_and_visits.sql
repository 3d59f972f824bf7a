-- What families tell the Local Offer and how it is used (issue 17). Kept in lockstep with
-- the other backend's copy.
--
-- Answers to "Did you find what you were looking for?" (found 1/0) and the landing page's
-- rating (5 very good .. 1 very poor), each with an optional comment. A comment that is
-- not published is deleted after the partnership's retention period (comment set to NULL,
-- comment_deleted_at set); the answer stays for the measures. `reference` lets the
-- visitor add a comment to the answer they just gave, once, without a cookie.
CREATE TABLE local_offer_feedback (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    given_at TEXT NOT NULL,
    page TEXT NOT NULL,
    found INTEGER,
    rating INTEGER,
    comment TEXT,
    flags TEXT NOT NULL DEFAULT '',
    reference TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'new',
    themes TEXT NOT NULL DEFAULT '',
    response TEXT NOT NULL DEFAULT '',
    said TEXT NOT NULL DEFAULT '',
    will_do TEXT NOT NULL DEFAULT '',
    action_id INTEGER REFERENCES actions(id),
    you_said_id INTEGER REFERENCES you_said_we_did(id),
    comment_deleted_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX local_offer_feedback_partnership ON local_offer_feedback (partnership_id, given_at);
CREATE UNIQUE INDEX local_offer_feedback_reference ON local_offer_feedback (reference);

-- How long comments that are not published are kept, per partnership (6 months unless set).
CREATE TABLE local_offer_feedback_policy (
    partnership_id INTEGER PRIMARY KEY REFERENCES partnerships(id),
    retain_months INTEGER NOT NULL
);

-- Page views of the Local Offer, counted on the server without cookies. `visitor` is a
-- keyed hash of site, address and browser whose key is held only in memory and replaced
-- daily; the address itself is never stored. Kept 31 days, then only the daily figures.
CREATE TABLE local_offer_page_views (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    viewed_at TEXT NOT NULL,
    visitor INTEGER NOT NULL,
    path TEXT NOT NULL,
    section TEXT NOT NULL,
    device TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_name TEXT NOT NULL
);
CREATE INDEX local_offer_page_views_partnership ON local_offer_page_views (partnership_id, viewed_at);

-- Each day's figures once the day is over (domain::local_offer::analytics::roll_up), kept
-- for good: totals, and visits or page views by device, source, section and page.
CREATE TABLE local_offer_daily_figures (
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    day TEXT NOT NULL,
    dimension TEXT NOT NULL,
    item TEXT NOT NULL,
    visits INTEGER NOT NULL,
    visitors INTEGER NOT NULL,
    page_views INTEGER NOT NULL,
    bounces INTEGER NOT NULL,
    seconds INTEGER NOT NULL,
    PRIMARY KEY (partnership_id, day, dimension, item)
);

-- Searches of the Local Offer: the words written one way, the filters, how many services
-- were found. Nothing says who searched. Kept 25 months, so a month can be set beside the
-- same month a year before.
CREATE TABLE local_offer_searches (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    searched_at TEXT NOT NULL,
    words TEXT NOT NULL,
    age_band TEXT NOT NULL,
    need TEXT NOT NULL,
    category TEXT NOT NULL,
    other_filters TEXT NOT NULL,
    results INTEGER NOT NULL
);
CREATE INDEX local_offer_searches_partnership ON local_offer_searches (partnership_id, searched_at);

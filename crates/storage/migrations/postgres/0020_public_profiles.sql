-- A partnership's public pages as its own (issue 15): its colour, contact details, Local
-- Offer and feedback links and logo. One row per partnership, made when first saved.
-- Kept in lockstep with the other backend's 0020_public_profiles.sql.
CREATE TABLE public_profiles (
    partnership_id BIGINT PRIMARY KEY REFERENCES partnerships(id),
    colour TEXT NOT NULL DEFAULT '',
    website TEXT NOT NULL DEFAULT '',
    contact_email TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    contact_text TEXT NOT NULL DEFAULT '',
    local_offer_url TEXT NOT NULL DEFAULT '',
    feedback_url TEXT NOT NULL DEFAULT '',
    logo_type TEXT NOT NULL DEFAULT '',
    logo BYTEA,
    version BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Measures on a plan's public page are chosen one by one (issue 15): a plan that showed all
-- its measures keeps showing each of them.
CREATE TABLE published_measures (
    plan_id BIGINT NOT NULL REFERENCES plans(id),
    measure_id BIGINT NOT NULL REFERENCES measures(id),
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    PRIMARY KEY (plan_id, measure_id)
);
INSERT INTO published_measures (plan_id, measure_id, partnership_id)
    SELECT m.plan_id, m.id, m.partnership_id FROM measures m
    JOIN plan_publications p ON p.plan_id = m.plan_id WHERE p.show_measures = 1;

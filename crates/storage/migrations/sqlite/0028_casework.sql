-- EHC casework as the measures need it (issue 18), from the SEN2 return and case-system
-- extracts. Only what the measures read: a pseudonymous key per child (a keyed hash of
-- the UPN with the partnership's secret, or the authority's own case reference), an age,
-- needs, settings, and the dates and outcomes of requests, assessments, plans, reviews
-- and phase transfers. Never names, dates of birth, addresses or postcodes. Kept in
-- lockstep with the other backend's copy.

-- The secret the partnership's UPNs are hashed with: random, made once, never shown.
CREATE TABLE casework_secrets (
    partnership_id INTEGER PRIMARY KEY REFERENCES partnerships(id),
    secret TEXT NOT NULL
);

-- One imported return or extract. Importing the same collection year again replaces it.
CREATE TABLE casework_imports (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    source TEXT NOT NULL,
    collection_year INTEGER NOT NULL,
    la_code TEXT NOT NULL,
    reference_date TEXT,
    file_name TEXT NOT NULL,
    people INTEGER NOT NULL,
    requests INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by INTEGER REFERENCES users(id),
    UNIQUE (partnership_id, source, collection_year)
);

CREATE TABLE casework_people (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES casework_imports(id),
    person_key TEXT NOT NULL,
    age INTEGER,
    needs TEXT NOT NULL,
    settings TEXT NOT NULL,
    review_meeting TEXT,
    review_outcome TEXT,
    last_review TEXT,
    review_draft TEXT,
    phase_transfer_due TEXT,
    phase_transfer_final TEXT
);
CREATE INDEX casework_people_import ON casework_people (import_id);

CREATE TABLE casework_requests (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES casework_people(id),
    received TEXT NOT NULL,
    source INTEGER,
    outcome TEXT NOT NULL,
    decided TEXT,
    assessment_outcome TEXT,
    assessment_date TEXT,
    plan_start TEXT,
    exception INTEGER NOT NULL
);
CREATE INDEX casework_requests_person ON casework_requests (person_id);

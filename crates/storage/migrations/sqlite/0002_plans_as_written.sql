-- Real plans keep their words: dates and leads as written, the columns some plans have
-- (accountability measures, intended outcome, objective milestones), and people the
-- importer could not match, flagged for a plan manager to review.
ALTER TABLE actions ADD COLUMN lead_text TEXT NOT NULL DEFAULT '';
ALTER TABLE actions ADD COLUMN partners_text TEXT NOT NULL DEFAULT '';
ALTER TABLE actions ADD COLUMN accountability_measures TEXT NOT NULL DEFAULT '';
ALTER TABLE actions ADD COLUMN intended_outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE actions ADD COLUMN start_text TEXT NOT NULL DEFAULT '';
ALTER TABLE actions ADD COLUMN completion_text TEXT NOT NULL DEFAULT '';
ALTER TABLE milestones ADD COLUMN due_text TEXT NOT NULL DEFAULT '';
ALTER TABLE objectives ADD COLUMN milestones TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN to_review INTEGER NOT NULL DEFAULT 0;
ALTER TABLE updates ADD COLUMN recorded_by TEXT NOT NULL DEFAULT '';
-- Links keep the order the plan lists them in (the first lead named is usually the owner).
ALTER TABLE action_leads ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE action_partner_people ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE action_partner_organisations ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE action_dependencies ADD COLUMN position INTEGER NOT NULL DEFAULT 0;

-- A spreadsheet being imported through the web pages, between upload and confirmation.
CREATE TABLE import_drafts (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    file_name TEXT NOT NULL,
    table_json TEXT NOT NULL,
    created_at TEXT NOT NULL
);

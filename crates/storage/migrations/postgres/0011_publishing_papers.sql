-- The rest of issue 5's publication and governance: easy-read text beside each area's
-- plain-language summary, whether the public page shows who leads each area (their role,
-- and their name only if chosen as well), papers issued to boards that a plan manager has chosen to
-- publish on the public progress page (issued papers themselves stay append-only, so
-- publication is a row of its own, removed when a paper is withdrawn), the plan action
-- an action arising from a meeting became, and a version for meetings, whose minutes can
-- now be corrected.
-- Kept in lockstep with migrations/sqlite/0011_publishing_papers.sql.

ALTER TABLE area_summaries ADD COLUMN easy_read TEXT NOT NULL DEFAULT '';

ALTER TABLE plan_publications ADD COLUMN show_roles BIGINT NOT NULL DEFAULT 0;
ALTER TABLE plan_publications ADD COLUMN show_names BIGINT NOT NULL DEFAULT 0;

ALTER TABLE meeting_outcomes ADD COLUMN plan_action_id BIGINT REFERENCES actions(id);

ALTER TABLE meetings ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

CREATE TABLE published_reports (
    report_id BIGINT PRIMARY KEY REFERENCES issued_reports(id),
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    plan_id BIGINT NOT NULL REFERENCES plans(id),
    published_at TEXT NOT NULL
);
CREATE INDEX published_reports_plan ON published_reports(plan_id);

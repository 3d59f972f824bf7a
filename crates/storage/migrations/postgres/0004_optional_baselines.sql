-- Plans often set a target before the baseline is measured ("70% of users can find what
-- they are looking for"), so a measure's baseline becomes optional: both parts or neither.
-- Kept in lockstep with migrations/sqlite/0004_optional_baselines.sql.

ALTER TABLE measures ALTER COLUMN baseline_date DROP NOT NULL;
ALTER TABLE measures ALTER COLUMN baseline_value DROP NOT NULL;
ALTER TABLE measures ADD CONSTRAINT measures_baseline_whole
    CHECK ((baseline_date IS NULL) = (baseline_value IS NULL));

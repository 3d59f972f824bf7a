-- Case-level data about children is seen only by members granted it (issue 18), apart
-- from their role: no plan role, not even an administrator's, brings it with it. Kept
-- in lockstep with the other backend's copy.
ALTER TABLE memberships ADD COLUMN casework INTEGER NOT NULL DEFAULT 0;

-- A computed measure is worked out from the Local Offer or from the casework data.
ALTER TABLE computed_measures ADD COLUMN source TEXT NOT NULL DEFAULT 'local_offer';

-- Case-system extracts (issue 18) say more than the SEN2 return: who holds each case
-- (for caseload by caseworker and team) and each exception to the 20-week limit as a
-- dated period with its reason ("reason|from|to", several joined by ";"; SEN2's Week20
-- flag alone is "unspecified||"). Kept in lockstep with the other backend's copy.
ALTER TABLE casework_people ADD COLUMN caseworker TEXT;
ALTER TABLE casework_people ADD COLUMN team TEXT;
ALTER TABLE casework_requests ADD COLUMN exceptions TEXT NOT NULL DEFAULT '';

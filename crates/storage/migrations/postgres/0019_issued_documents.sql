-- Papers issued as PDF or Word (issue 15) are kept byte for byte beside the HTML they were
-- made from: the document a board received is the one anyone can download later.
-- Kept in lockstep with the other backend's 0019_issued_documents.sql.
ALTER TABLE issued_reports ADD COLUMN format TEXT NOT NULL DEFAULT 'html';
ALTER TABLE issued_reports ADD COLUMN document BYTEA;

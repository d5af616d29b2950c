-- Columns the staff workflow adds to a case (owned by src/staff/; the SQLite twin is
-- ../sqlite/0100_staff_workflow.sql). Numbered 0100 to leave 0002-0099 to the core schema.
ALTER TABLE cases ADD COLUMN outcome TEXT;              -- conclusion category key, or not-accepted
ALTER TABLE cases ADD COLUMN closed_on TEXT;            -- local (UTC+8) date of the decision
ALTER TABLE cases ADD COLUMN published_title TEXT;      -- the public title, without personal data
ALTER TABLE cases ADD COLUMN published_outcome TEXT;    -- the public one-line outcome
ALTER TABLE cases ADD COLUMN published_updated_on TEXT; -- local date of the last re-publication
CREATE INDEX cases_closed ON cases (closed_on);
CREATE INDEX cases_received_on ON cases (received_on);

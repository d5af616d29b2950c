-- The chain covers the case rows that matter (the PostgreSQL twin is ../postgres/0130_audit_case_state.sql; owned by src/audit.rs): each
-- event about a case carries a digest of the case's status, department, deadlines, pause and
-- decision as they stood when it was appended. Empty for events about no case and for events from
-- before this column.
ALTER TABLE events ADD COLUMN case_state TEXT NOT NULL DEFAULT '';

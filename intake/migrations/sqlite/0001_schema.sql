-- The whole intake schema (SQLite). The PostgreSQL twin is ../postgres/0001_schema.sql: keep the
-- two in step. Timestamps are RFC 3339 UTC text with a fixed width ("2026-03-01T08:00:00.000000Z")
-- so that text order is time order on both back ends; calendar dates are "YYYY-MM-DD".

-- One case per submission. Personal data (submitter_*) lives here and nowhere public.
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    tracking_number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,                  -- complaint | objection | report | suggestion
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    project TEXT,
    category TEXT,
    submitter_name TEXT,                 -- NULL for an anonymous report
    submitter_phone TEXT,
    submitter_email TEXT,
    department TEXT NOT NULL,            -- the department handling the case now
    routing_reason TEXT NOT NULL,        -- why it went there, shown to the submitter
    status TEXT NOT NULL,                -- received | accepted | waiting | rejected | concluded
    received_at TEXT NOT NULL,
    received_on TEXT NOT NULL,           -- local (UTC+8) date the periods count from
    rule TEXT NOT NULL,                  -- the deadline rule applied, e.g. complaint-tendering
    accept_deadline TEXT,                -- date by which to decide on acceptance
    decide_deadline TEXT,                -- date by which to decide the case
    accepted_on TEXT,
    closed_at TEXT,
    paused_on TEXT,                      -- clock stopped (waiting for material) since this date
    status_before_pause TEXT,            -- the status to return to when the material arrives
    paused_days_total INTEGER NOT NULL DEFAULT 0,
    overdue_escalated_at TEXT,
    access_key_hash TEXT NOT NULL,       -- argon2id PHC string; the key itself is never stored
    decision TEXT,                       -- the conclusion or the reason for not accepting
    published INTEGER NOT NULL DEFAULT 0,
    published_decision TEXT,             -- the text published, without personal data
    published_at TEXT
);
CREATE INDEX cases_department ON cases (department, status);
CREATE INDEX cases_open ON cases (status, decide_deadline);

-- Uploaded files: only metadata here; the bytes live under the attachment folder, outside every
-- public path, and are never served to the public.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    file_name TEXT NOT NULL,             -- as uploaded, for staff only
    content_type TEXT NOT NULL,          -- recognised from the content
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    stored_path TEXT NOT NULL,           -- relative to the attachment folder
    created_at TEXT NOT NULL
);
CREATE INDEX attachments_case ON attachments (case_id);

-- The audit trail: append-only, a hash chain. hash = sha256 over the previous hash and every
-- column of the event, so an edited, removed or reordered event breaks the chain.
CREATE TABLE events (
    seq INTEGER PRIMARY KEY,             -- 1, 2, 3 … without gaps
    case_id INTEGER REFERENCES cases (id), -- NULL for events about no case (staff sign-in)
    at TEXT NOT NULL,
    actor TEXT NOT NULL,                 -- staff username, "public" or "system"
    action TEXT NOT NULL,
    note TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX events_case ON events (case_id, seq);
-- Append-only in the database too; someone who drops these is still caught by `audit verify`.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- The head of the chain, one row. Every writer updates it first, which serialises appends on
-- both back ends (a row lock on PostgreSQL) and lets `audit verify` notice a removed last event.
CREATE TABLE chain_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO chain_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Mail to send, written in the same transaction as the change it reports.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,     -- stable: a resend after a crash carries the same one
    case_id INTEGER REFERENCES cases (id),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT
);
CREATE INDEX outbox_pending ON outbox (sent_at, next_attempt_at);

CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    department TEXT NOT NULL,
    password_hash TEXT NOT NULL,         -- argon2id PHC string
    created_at TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,     -- sha256 of the cookie value
    staff_id INTEGER NOT NULL REFERENCES staff (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX sessions_staff ON sessions (staff_id);

-- Sign-in attempts, for throttling per (username, client) so that nobody can lock out someone else.
CREATE TABLE sign_in_attempts (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    client TEXT NOT NULL,
    at TEXT NOT NULL,
    succeeded INTEGER NOT NULL
);
CREATE INDEX sign_in_attempts_user ON sign_in_attempts (username, client, at);

-- The last sequence number handed out per day, for tracking numbers.
CREATE TABLE day_sequences (
    day TEXT PRIMARY KEY,                -- YYYYMMDD
    last INTEGER NOT NULL
);

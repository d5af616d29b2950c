-- Refused staff requests and the per-account sign-in slowdown (owned by src/staff/; the
-- PostgreSQL twin is ../postgres/0110_staff_guard.sql).

-- Refused staff requests (another department's case, a forged form, a step the account may not
-- take), counted per account so that repeated refusals become one audit event. No personal data:
-- the account, the session, the path asked for.
CREATE TABLE staff_refusals (
    id INTEGER PRIMARY KEY,
    staff_id INTEGER NOT NULL REFERENCES staff (id),
    session_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,                  -- other_department | forbidden | csrf
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    reported INTEGER NOT NULL DEFAULT 0  -- 1 once an audit event covers it
);
CREATE INDEX staff_refusals_staff ON staff_refusals (staff_id, reported, at);
CREATE INDEX staff_refusals_at ON staff_refusals (at);

-- The per-account slowdown counts an account's failures across addresses; old attempts are
-- purged by time.
CREATE INDEX sign_in_attempts_account ON sign_in_attempts (username, at);
CREATE INDEX sign_in_attempts_at ON sign_in_attempts (at);

-- Several intake instances may share one database (twin of ../postgres/0140_outbox_claims.sql; owned
-- by src/mail.rs). A sender claims the messages it is about to send until `claimed_until`, so
-- no other instance sends them meanwhile; a claim left by an instance that died runs out and
-- another instance sends the message then, with the same Message-ID.
ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;

-- Lists come out in the order their rows were written (sessions newest first, security events
-- newest first, passkeys oldest first). created_at alone ties: PGlite's clock moves in whole
-- milliseconds and now() is one value per transaction, and a random uuid is no tie-break. An
-- identity column is, as mail_outbox.seq already is. Adding it numbers the existing rows (in
-- their stored order) and rewrites each table once, under a lock, at this migration.
ALTER TABLE sessions ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE security_events ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE passkeys ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;

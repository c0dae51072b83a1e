-- The session that asked for a pending TOTP secret (issue 19, item 13): the same session asking
-- again soon after (a reload, a second tab) gets that secret back instead of replacing the one it
-- may have scanned already. created_at is the pending secret's own age from now on.
ALTER TABLE mfa_totp ADD COLUMN setup_session_id uuid;

-- The retention job (src/db/retention.ts) deletes rows some time after they stopped being of use;
-- each index is on the very expression it compares, so a batch reads only what it deletes.
CREATE INDEX sessions_ended ON sessions ((least(expires_at, revoked_at)));
CREATE INDEX one_time_tokens_ended ON one_time_tokens ((least(expires_at, consumed_at, voided_at)));
CREATE INDEX mfa_tickets_ended ON mfa_tickets ((least(expires_at, consumed_at)));
CREATE INDEX mail_outbox_done ON mail_outbox ((coalesce(sent_at, created_at))) WHERE status <> 'pending';

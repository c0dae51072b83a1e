-- The session that asked for a pending TOTP secret (issue 19, item 13): the same session asking
-- again soon after (a reload, a second tab) gets that secret back instead of replacing the one it
-- may have scanned already. created_at is the pending secret's own age from now on.
ALTER TABLE mfa_totp ADD COLUMN setup_session_id uuid;

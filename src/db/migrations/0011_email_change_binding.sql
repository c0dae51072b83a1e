-- An e-mail change belongs to the session that asked for it (issue 19, item 5): its link works
-- only while that session is live, so logging out, "Log out of all other sessions", a password
-- change or reset end it. A session row that goes leaves the token unbound (and so dead), and
-- the row stays for the mail caps that count them.
ALTER TABLE one_time_tokens ADD COLUMN session_id uuid REFERENCES sessions (id) ON DELETE SET NULL;

-- The "Cancel this change" link of the notice to the old address: the SHA-256 of a second token
-- that voids this (still pending) change.
ALTER TABLE one_time_tokens ADD COLUMN cancel_token_hash text;
CREATE UNIQUE INDEX one_time_tokens_cancel_hash_key ON one_time_tokens (cancel_token_hash)
  WHERE cancel_token_hash IS NOT NULL;

-- The per-target cap on e-mail-change mails counts the links sent to one address, whoever asked.
CREATE INDEX one_time_tokens_email_change_target ON one_time_tokens (lower(email), created_at)
  WHERE purpose = 'email_change';

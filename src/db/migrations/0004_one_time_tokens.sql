-- E-mail verification (SPEC §7): null until the address is proven.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

-- One-time links (SPEC §9): verification, password reset, e-mail change. Only the SHA-256 of the
-- token is stored; a token is consumed by one conditional UPDATE, so a race has one winner.
CREATE TABLE one_time_tokens (
  id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  purpose     text        NOT NULL CHECK (purpose IN ('verify_email', 'password_reset', 'email_change')),
  token_hash  text        NOT NULL,
  -- The address the link was sent to (for an e-mail change: the new address).
  email       text        NOT NULL,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  consumed_at timestamptz,
  voided_at   timestamptz
);

CREATE UNIQUE INDEX one_time_tokens_hash_key ON one_time_tokens (token_hash);
-- Superseding, voiding, the per-address cap and the resend cooldown look a user's tokens up by purpose.
CREATE INDEX one_time_tokens_by_user ON one_time_tokens (user_id, purpose, created_at DESC);

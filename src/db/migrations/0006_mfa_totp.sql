-- TOTP (SPEC §11): one authenticator app per user. The secret is stored encrypted (AES-256-GCM);
-- enabled_at stays null between setup and the first good code.
CREATE TABLE mfa_totp (
  user_id          uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  secret_encrypted text        NOT NULL,
  enabled_at       timestamptz,
  -- The newest time step accepted: no code of that step or an earlier one is accepted again.
  last_step        bigint,
  created_at       timestamptz NOT NULL DEFAULT now()
);

-- Ten recovery codes per enablement, each usable once; only a keyed hash is stored.
CREATE TABLE mfa_recovery_codes (
  id        uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id   uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash text        NOT NULL,
  used_at   timestamptz
);
CREATE INDEX mfa_recovery_codes_by_user ON mfa_recovery_codes (user_id);

-- The ticket between a right password and the second factor: 5 minutes, 5 failures.
CREATE TABLE mfa_tickets (
  id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash  text        NOT NULL UNIQUE,
  expires_at  timestamptz NOT NULL,
  failures    integer     NOT NULL DEFAULT 0,
  consumed_at timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);

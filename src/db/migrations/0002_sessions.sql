-- Sessions (SPEC §6): every sign-in makes one; a token (its `sid`) is good only while its row is live.
CREATE TABLE sessions (
  id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id        uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  auth_method    text        NOT NULL DEFAULT 'password'
                             CHECK (auth_method IN ('password', 'totp', 'recovery_code', 'passkey')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  last_seen_at   timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL,
  revoked_at     timestamptz,
  revoked_reason text,
  ip             text,
  user_agent     text
);

-- Live sessions per user, newest first: the session list, revoke-others and revoke-all.
CREATE INDEX sessions_live_by_user ON sessions (user_id, created_at DESC) WHERE revoked_at IS NULL;

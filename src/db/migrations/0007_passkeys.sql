-- Passkeys (SPEC §11): WebAuthn credentials, discoverable, one user may have several.
CREATE TABLE passkeys (
  id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id       uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- The credential's id as the browser sends it (base64url): a sign-in finds its passkey by it.
  credential_id text        NOT NULL UNIQUE,
  -- The COSE public key, base64url (text, so both drivers read it back the same way).
  public_key    text        NOT NULL,
  -- The signature counter (uint32 in WebAuthn, so wider than integer).
  counter       bigint      NOT NULL DEFAULT 0 CHECK (counter >= 0),
  transports    text[]      NOT NULL DEFAULT '{}',
  name          text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  last_used_at  timestamptz
);

CREATE INDEX passkeys_by_user ON passkeys (user_id, created_at);

-- WebAuthn challenges, kept server-side: single use, 5 minutes. A sign-in challenge has no user
-- (usernameless: the passkey says whose it is).
CREATE TABLE webauthn_challenges (
  id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id    uuid        REFERENCES users (id) ON DELETE CASCADE,
  purpose    text        NOT NULL CHECK (purpose IN ('register', 'login')),
  challenge  text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz,
  CHECK ((purpose = 'register') = (user_id IS NOT NULL))
);

CREATE INDEX webauthn_challenges_by_user ON webauthn_challenges (user_id, challenge) WHERE user_id IS NOT NULL;
CREATE INDEX webauthn_challenges_expiry ON webauthn_challenges (expires_at);

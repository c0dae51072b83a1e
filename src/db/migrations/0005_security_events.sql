-- Security activity (SPEC §9): what happened to an account, when, and from where.
CREATE TABLE security_events (
  id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  type       text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  ip         text,
  user_agent text
);

CREATE INDEX security_events_by_user ON security_events (user_id, created_at DESC);

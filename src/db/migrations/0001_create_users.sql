-- Users, as SPEC §3 describes. The id is made by the database (seed 000).
CREATE TABLE users (
  id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  email         text        NOT NULL,
  name          text        NOT NULL,
  first_name    text,
  last_name     text,
  password_hash text        NOT NULL,
  role          text        NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- The final judge of duplicates: two racing registrations give one row and one 23505.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

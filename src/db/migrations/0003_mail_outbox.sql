-- The mail outbox (SPEC §10): a mail is a row written in the same transaction as the change that
-- causes it, then delivered by a worker in each instance. The row is the only copy of the mail.
CREATE TABLE mail_outbox (
  id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Insertion order: mails queued in one transaction (or one millisecond on PGlite) share created_at.
  seq             bigint      GENERATED ALWAYS AS IDENTITY,
  -- Deleting a user drops its queued mails (SPEC §13). The account-deleted notice has no user.
  user_id         uuid        REFERENCES users (id) ON DELETE CASCADE,
  kind            text        NOT NULL,
  recipient       text        NOT NULL,
  subject         text        NOT NULL,
  -- Wiped once delivered: they hold live links.
  text_body       text,
  html_body       text,
  status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
  attempts        integer     NOT NULL DEFAULT 0,
  -- When a worker may take the row next: now for a new mail, the retry time after a failure, or
  -- the end of a claimer's lease (so a crashed claimer's rows come back).
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  link_expires_at timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz
);

-- What the workers poll: due pending rows, oldest first. Sent and dead rows stay out of it.
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE status = 'pending';

-- ON DELETE CASCADE from users, and the development mailbox (newest first).
CREATE INDEX mail_outbox_user_id ON mail_outbox (user_id);
CREATE INDEX mail_outbox_newest ON mail_outbox (created_at DESC, seq DESC);

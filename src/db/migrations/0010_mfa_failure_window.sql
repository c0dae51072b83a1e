-- The per-account cap on wrong second-factor codes (10 per 15 minutes, SPEC §11, §20) as a
-- counter on the account's TOTP row. A try reserves its place with one conditional UPDATE
-- (failures_in_window < 10, or the window is over) before the code is checked, so a burst of
-- concurrent tries has exactly as many winners as the cap allows; a right code gives it back.
-- (It was a count of mfa.failed events taken before checking: a burst all read the same count.)
ALTER TABLE mfa_totp
  ADD COLUMN failures_in_window        integer     NOT NULL DEFAULT 0,
  ADD COLUMN failure_window_started_at timestamptz;

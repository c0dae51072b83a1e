-- "This wasn't me" (SPEC §20): the notice mailed when a way to sign in is added carries a one-time
-- link that removes that factor and ends every session. The link names what it removes: "totp",
-- or the id of a passkey (no foreign key: a passkey removed meanwhile leaves the link harmless).
ALTER TABLE one_time_tokens DROP CONSTRAINT one_time_tokens_purpose_check;
ALTER TABLE one_time_tokens ADD CONSTRAINT one_time_tokens_purpose_check
  CHECK (purpose IN ('verify_email', 'password_reset', 'email_change', 'factor_revoke'));
ALTER TABLE one_time_tokens ADD COLUMN subject text;

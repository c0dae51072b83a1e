import type { ParsedMail } from "mailparser";
import { type TestSmtpServer, until } from "../../src/mail/test-support.js";

/** The mails the SMTP test server took for one address, in order. */
export function mailsTo(smtp: TestSmtpServer, email: string): ParsedMail[] {
  return smtp.received.filter((mail) =>
    JSON.stringify(mail.to ?? "")
      .toLowerCase()
      .includes(email.toLowerCase()),
  );
}

/** Waits for the `n`-th mail (1-based) to `email` whose subject matches, and returns it. */
export async function waitForMail(smtp: TestSmtpServer, email: string, subject: RegExp, n = 1): Promise<ParsedMail> {
  const matching = () => mailsTo(smtp, email).filter((mail) => subject.test(mail.subject ?? ""));
  await until(`mail ${n} to ${email} (${subject})`, () => matching().length >= n, 10_000);
  return matching()[n - 1] as ParsedMail;
}

/**
 * The link to `path` in a mail's text part: the whole URL, its path and query to open on a test
 * server (the mail's own origin is PUBLIC_ORIGIN, not the test server's port), and its token.
 */
export function linkIn(mail: ParsedMail, path: string): { url: URL; path: string; token: string } {
  const found = (mail.text ?? "").match(new RegExp(`https?://[^\\s]+${path}\\?token=[A-Za-z0-9_-]+`));
  if (!found) throw new Error(`no ${path} link in "${mail.subject}"`);
  const url = new URL(found[0]);
  return { url, path: `${url.pathname}${url.search}`, token: url.searchParams.get("token") ?? "" };
}

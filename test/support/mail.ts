import type { ParsedMail } from "mailparser";
import { afterAll, beforeAll } from "vitest";
import { startTestSmtpServer, type TestSmtpServer, until } from "../../src/mail/test-support.js";

/** What the helpers below read of a test SMTP server. */
type Mailbox = Pick<TestSmtpServer, "received">;

/** The mails the SMTP test server took for one address, in order. */
export function mailsTo(smtp: Mailbox, email: string): ParsedMail[] {
  return smtp.received.filter((mail) =>
    JSON.stringify(mail.to ?? "")
      .toLowerCase()
      .includes(email.toLowerCase()),
  );
}

/** Waits for the `n`-th mail (1-based) to `email` whose subject matches, and returns it. */
export async function waitForMail(smtp: Mailbox, email: string, subject: RegExp, n = 1): Promise<ParsedMail> {
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

/**
 * A real SMTP server for a file or a describe block: started before its tests, closed after them.
 * Its fields are read when used (after beforeAll), so `env: () => ({ SMTP_URL: smtp.url })` works.
 */
export function useSmtpServer(): Omit<TestSmtpServer, "close"> {
  let server: TestSmtpServer | undefined;
  beforeAll(async () => {
    server = await startTestSmtpServer();
  });
  afterAll(() => server?.close());
  const current = (): TestSmtpServer => {
    if (!server) throw new Error("useSmtpServer: the server starts in beforeAll");
    return server;
  };
  return {
    get url() {
      return current().url;
    },
    get port() {
      return current().port;
    },
    get received() {
      return current().received;
    },
    refuseWith: (reply) => current().refuseWith(reply),
    waitFor: (count, timeoutMs) => current().waitFor(count, timeoutMs),
  };
}

import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenOnLoopback, newUserBody, TEST_ENGINES, uniqueEmail } from "./helpers.js";
import { useSmtpServer, waitForMail } from "./support/mail.js";
import { usePortico } from "./use-portico.js";

const REGISTER = "/api/v1/auth/register";
const CHANGE_EMAIL = "/api/v1/auth/email/change";

/**
 * Issue 19, item 6: /email/change mails at most 3 times per user per hour and 3 times per target
 * address per day (429 RATE_LIMITED with Retry-After beyond), exactly under a concurrent burst;
 * and a mail to an address nobody has proven carries no name.
 */
describe.each(TEST_ENGINES)("caps on e-mail-change mails on $name", (engine) => {
  const smtp = useSmtpServer();
  const portico = usePortico({ engine, env: () => ({ SMTP_URL: smtp.url, RATE_LIMIT: "on" }) });
  const api = () => request(portico.app);
  let server: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    server = await listenOnLoopback(portico.app);
  });
  afterAll(() => server.close());

  async function signedIn(overrides: Record<string, unknown> = {}) {
    const body = newUserBody(overrides);
    const res = await api().post(REGISTER).send(body);
    expect(res.status).toBe(201);
    return { body, token: res.body.token as string, userId: res.body.user.id as string };
  }

  /** One request over a real socket, so a burst is concurrent. */
  async function change(user: Awaited<ReturnType<typeof signedIn>>, newEmail: string) {
    const res = await fetch(`${server.url}${CHANGE_EMAIL}`, {
      method: "POST",
      headers: { authorization: `Bearer ${user.token}`, "content-type": "application/json" },
      body: JSON.stringify({ newEmail, password: user.body.password }),
    });
    const body = (await res.json()) as { code?: string };
    return { status: res.status, retryAfter: Number(res.headers.get("retry-after")), body };
  }

  /** E-mail-change links queued: of one user, or to one address. */
  async function queued(where: { userId?: string; to?: string }) {
    let query = portico.database.kysely.selectFrom("mail_outbox").select("id").where("kind", "=", "email_change");
    if (where.userId) query = query.where("user_id", "=", where.userId);
    if (where.to) query = query.where("recipient", "=", where.to);
    return (await query.execute()).length;
  }

  it("per user: 3 an hour, the 4th is 429 RATE_LIMITED with Retry-After, and nothing is queued for it", async () => {
    const user = await signedIn();
    for (let i = 0; i < 3; i++) expect((await change(user, uniqueEmail("target"))).status).toBe(202);
    const target = uniqueEmail("fourth");
    const refused = await change(user, target);
    expect([refused.status, refused.body.code]).toEqual([429, "RATE_LIMITED"]);
    expect(refused.retryAfter).toBeGreaterThan(0);
    expect(refused.retryAfter).toBeLessThanOrEqual(3600);
    expect(await queued({ userId: user.userId })).toBe(3);
    expect(await queued({ to: target })).toBe(0);
  });

  it("per target address: 3 a day whoever asks, the 4th is 429 with Retry-After", async () => {
    const target = uniqueEmail("stranger");
    for (let i = 0; i < 3; i++) expect((await change(await signedIn(), target)).status).toBe(202);
    const refused = await change(await signedIn(), target);
    expect([refused.status, refused.body.code]).toEqual([429, "RATE_LIMITED"]);
    expect(refused.retryAfter).toBeGreaterThan(3600);
    expect(refused.retryAfter).toBeLessThanOrEqual(86_400);
    expect(await queued({ to: target })).toBe(3);
  });

  it("a burst of 8 concurrent requests of one user sends exactly 3", async () => {
    const user = await signedIn();
    const results = await Promise.all(Array.from({ length: 8 }, () => change(user, uniqueEmail("burst"))));
    expect(results.filter((r) => r.status === 202)).toHaveLength(3);
    expect(results.filter((r) => r.status === 429)).toHaveLength(5);
    expect(await queued({ userId: user.userId })).toBe(3);
  });

  it("a burst of 8 users asking for one address at once sends it exactly 3", async () => {
    const users = await Promise.all(Array.from({ length: 8 }, () => signedIn()));
    const target = uniqueEmail("burst-target");
    const results = await Promise.all(users.map((user) => change(user, target)));
    expect(results.filter((r) => r.status === 202)).toHaveLength(3);
    expect(results.filter((r) => r.status === 429)).toHaveLength(5);
    expect(await queued({ to: target })).toBe(3);
  });

  it("greets no one by name at an address nobody has proven: the sign-up link and the new address's link", async () => {
    const user = await signedIn({ firstName: "Mallory", lastName: "Schemer" });
    const target = uniqueEmail("greeted");
    expect((await change(user, target)).status).toBe(202);
    for (const mail of [
      await waitForMail(smtp, user.body.email, /Confirm your email/),
      await waitForMail(smtp, target, /new email/i),
    ]) {
      expect(mail.text).toMatch(/^Hello,$/m);
      expect(`${mail.text}${mail.html}`).not.toMatch(/Mallory|Schemer/);
    }
    // The notice to the account's own address still greets its holder.
    expect((await waitForMail(smtp, user.body.email, /change of your email/i)).text).toContain("Hello Mallory");
  });
});

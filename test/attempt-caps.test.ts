import { sql } from "kysely";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { newUserBody, TEST_ENGINES } from "./helpers.js";
import { countMfaFailed, mfaTicket, userWithTotp } from "./support/mfa.js";
import { expectRateLimited } from "./support/rate-limits.js";
import { usePortico } from "./use-portico.js";

const VERIFY = "/api/v1/auth/mfa/verify";
const FORGOT = "/api/v1/auth/password/forgot";
const RESEND = "/api/v1/auth/email/verification";
const WRONG = "aaaaa-aaaaa"; // the shape of a recovery code, none of the user's

/** A client address of its own per test (TRUST_PROXY=loopback): the per-address limits never mix. */
let nextAddress = 1;
const address = () => ({ "X-Forwarded-For": `198.51.100.${nextAddress++}` });

const tally = (responses: request.Response[]) => {
  const counts: Record<string, number> = {};
  for (const res of responses)
    counts[`${res.status} ${res.body.code}`] = (counts[`${res.status} ${res.body.code}`] ?? 0) + 1;
  return counts;
};

/**
 * SPEC §20: every attempt cap holds under concurrent requests. Each test sends a burst at once
 * (Promise.all) and counts the work that was done: codes checked (each wrong one records
 * `mfa.failed`), mails queued. On the PostgreSQL server the requests really run side by side.
 */
describe.each(TEST_ENGINES)("attempt caps under a concurrent burst on $name", (engine) => {
  const portico = usePortico({ engine, env: { RATE_LIMIT: "on" } });
  const api = () => request(portico.app);
  const db = () => portico.database.kysely;

  it("40 wrong codes at once on one ticket: exactly 5 are checked (5 tries per ticket)", async () => {
    const { body, userId } = await userWithTotp(portico.app);
    const headers = address();
    const mfaToken = await mfaTicket(portico.app, body, headers);
    const burst = await Promise.all(
      Array.from({ length: 40 }, () => api().post(VERIFY).set(headers).send({ mfaToken, code: WRONG })),
    );
    expect(tally(burst)).toEqual({ "401 INVALID_MFA_CODE": 40 });
    expect(await countMfaFailed(db(), userId)).toBe(5);
    const ticket = await db().selectFrom("mfa_tickets").select("failures").where("user_id", "=", userId).execute();
    expect(ticket).toEqual([{ failures: 5 }]);
  });

  it("64 wrong codes at once over 8 tickets: exactly 10 are checked (10 per account per 15 min), the rest refused", async () => {
    const { body, userId, recoveryCodes } = await userWithTotp(portico.app);
    const headers = address();
    const tickets: string[] = [];
    for (let i = 0; i < 8; i++) tickets.push(await mfaTicket(portico.app, body, headers));
    const burst = await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        api()
          .post(VERIFY)
          .set(headers)
          .send({ mfaToken: tickets[i % 8], code: WRONG }),
      ),
    );
    expect(await countMfaFailed(db(), userId)).toBe(10);
    const counts = tally(burst);
    expect(Object.keys(counts).sort()).toEqual(["401 INVALID_MFA_CODE", "429 RATE_LIMITED"]);
    expect(counts["401 INVALID_MFA_CODE"]).toBeGreaterThanOrEqual(10);
    expectRateLimited(burst.find((res) => res.status === 429) as request.Response, 15 * 60);
    const totp = await db()
      .selectFrom("mfa_totp")
      .select("failures_in_window")
      .where("user_id", "=", userId)
      .executeTakeFirstOrThrow();
    expect(totp.failures_in_window).toBe(10);
    // A right code on a fresh ticket is refused too, until the window ends: the cap is the account's.
    const res = await api()
      .post(VERIFY)
      .set(headers)
      .send({ mfaToken: await mfaTicket(portico.app, body, headers), code: recoveryCodes[0] });
    expect(res.status).toBe(429);
  });

  it("a right code gives its place back: 9 wrong and 1 right leave room for 1 more wrong one", async () => {
    const { body, userId, recoveryCodes } = await userWithTotp(portico.app);
    const headers = address();
    const tickets: string[] = [];
    for (let i = 0; i < 2; i++) tickets.push(await mfaTicket(portico.app, body, headers));
    const wrong = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        api()
          .post(VERIFY)
          .set(headers)
          .send({ mfaToken: tickets[i % 2], code: WRONG }),
      ),
    );
    expect(tally(wrong)).toEqual({ "401 INVALID_MFA_CODE": 9 });
    const right = await api()
      .post(VERIFY)
      .set(headers)
      .send({ mfaToken: await mfaTicket(portico.app, body, headers), code: recoveryCodes[0] });
    expect(right.status).toBe(200);
    const last = await mfaTicket(portico.app, body, headers);
    expect((await api().post(VERIFY).set(headers).send({ mfaToken: last, code: WRONG })).status).toBe(401);
    expect((await api().post(VERIFY).set(headers).send({ mfaToken: last, code: WRONG })).status).toBe(429);
    expect(await countMfaFailed(db(), userId)).toBe(10);
  });

  it("10 forgot-password requests at once for one address queue exactly 3 reset mails (3 per 15 min)", async () => {
    const body = newUserBody();
    const user = (await api().post("/api/v1/auth/register").send(body)).body.user;
    const burst = await Promise.all(
      Array.from({ length: 10 }, () => api().post(FORGOT).set(address()).send({ email: body.email })),
    );
    expect(tally(burst)).toEqual({ "202 undefined": 10 });
    const mails = await db()
      .selectFrom("mail_outbox")
      .select("id")
      .where("user_id", "=", user.id)
      .where("kind", "=", "password_reset")
      .execute();
    expect(mails).toHaveLength(3);
    // One link is live: the last one queued (each supersedes the one before).
    const live = await sql<{ n: string }>`select count(*) as n from one_time_tokens
      where user_id = ${user.id} and purpose = 'password_reset' and voided_at is null`.execute(db());
    expect(Number(live.rows[0]?.n)).toBe(1);
  });

  it("10 resend-verification requests at once: exactly 1 new link (one per 60 s), 9 refused", async () => {
    const body = newUserBody();
    const reg = await api().post("/api/v1/auth/register").send(body);
    // The sign-up link counts as the first: move it out of the cooldown.
    await sql`update one_time_tokens set created_at = created_at - interval '2 minutes'
      where user_id = ${reg.body.user.id}`.execute(db());
    const burst = await Promise.all(
      Array.from({ length: 10 }, () => api().post(RESEND).set("Authorization", `Bearer ${reg.body.token}`)),
    );
    expect(tally(burst)).toEqual({ "202 undefined": 1, "429 RATE_LIMITED": 9 });
    const mails = await db()
      .selectFrom("mail_outbox")
      .select("id")
      .where("user_id", "=", reg.body.user.id)
      .where("kind", "=", "verify_email")
      .execute();
    expect(mails).toHaveLength(2);
  });

  it("/mfa/verify has a per-address limit (/login's policy: 100 failures per 15 min), in a burst too", async () => {
    const headers = address();
    const burst = await Promise.all(
      Array.from({ length: 101 }, () =>
        api().post(VERIFY).set(headers).send({ mfaToken: "no-such-ticket", code: WRONG }),
      ),
    );
    expect(tally(burst)).toEqual({ "401 INVALID_MFA_CODE": 100, "429 RATE_LIMITED": 1 });
    expectRateLimited(burst.find((res) => res.status === 429) as request.Response, 15 * 60);
    // Another address is not affected.
    expect((await api().post(VERIFY).set(address()).send({ mfaToken: "no-such-ticket", code: WRONG })).status).toBe(
      401,
    );
  });
});

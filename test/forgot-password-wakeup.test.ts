import { sql } from "kysely";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { RESET_MAIL_SPREAD_MS } from "../src/recovery/reset.service.js";
import { newUserBody, TEST_ENGINES, uniqueEmail } from "./helpers.js";
import { useSmtpServer, waitForMail } from "./support/mail.js";
import { usePortico } from "./use-portico.js";

const FORGOT = "/api/v1/auth/password/forgot";

/**
 * Issue 19, item 7: the delivery of a reset mail is work that only a known address causes. When
 * the request woke the mail worker at its commit, that work slowed the request right after it
 * (median 134.3 vs 124.6 ms). Counted instead of timed: a forgot-password request wakes no
 * worker, known address or not, and its mail is due at a random instant of the next 3 s, when a
 * worker's own poll finds it. (bench/forgot-timing.ts measures the medians.)
 */
describe.each(TEST_ENGINES)("forgot-password starts no mail work on its request on $name", (engine) => {
  const smtp = useSmtpServer();
  const portico = usePortico({ engine, env: () => ({ SMTP_URL: smtp.url }) });

  /** Counts the wake-ups of this instance's mail worker (each still wakes it). */
  function countKicks(): { readonly count: number } {
    const worker = portico.mail;
    const kick = worker.kick.bind(worker);
    const counter = { count: 0 };
    worker.kick = () => {
      counter.count++;
      kick();
    };
    return counter;
  }

  it("a known and an unknown address both wake no worker; the reset mail still arrives", async () => {
    const body = newUserBody();
    expect((await request(portico.app).post("/api/v1/auth/register").send(body)).status).toBe(201);
    const kicks = countKicks();
    expect((await request(portico.app).post(FORGOT).send({ email: body.email })).status).toBe(202);
    expect(
      (
        await request(portico.app)
          .post(FORGOT)
          .send({ email: uniqueEmail("nobody") })
      ).status,
    ).toBe(202);
    expect(kicks.count).toBe(0);
    // The worker's poll delivers it: within the spread plus a poll (SPEC §13: 5 s).
    await waitForMail(smtp, body.email, /Reset your password/i);
  });

  it("each reset mail is due at a random instant within 3 s of its request", async () => {
    await portico.mail.stop(); // nothing claimed: each row keeps the due time it was written with
    const body = newUserBody();
    const user = (await request(portico.app).post("/api/v1/auth/register").send(body)).body.user;
    for (let i = 0; i < 8; i++) await request(portico.app).post(FORGOT).send({ email: body.email });
    const { rows } = await sql<{ delay_ms: number }>`
      select extract(epoch from next_attempt_at - created_at) * 1000 as delay_ms from mail_outbox
      where user_id = ${user.id} and kind = 'password_reset'`.execute(portico.database.kysely);
    const delays = rows.map((row) => Number(row.delay_ms));
    expect(delays).toHaveLength(8);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(RESET_MAIL_SPREAD_MS);
    }
    // Random: 8 draws from 3,000 ms are not all one value (the odds of that are 3000^-7).
    expect(new Set(delays.map(Math.round)).size).toBeGreaterThan(1);
  });
});

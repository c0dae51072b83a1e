import { sql } from "kysely";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { newUserBody, TEST_ENGINES, uniqueEmail } from "./helpers.js";
import { linkIn, mailsTo as mailsOf, useSmtpServer, waitForMail } from "./support/mail.js";
import { usePortico } from "./use-portico.js";

const ORIGIN = "https://auth.example.test";
const REGISTER = "/api/v1/auth/register";
const LOGIN = "/api/v1/auth/login";
const ME = "/api/v1/auth/me";
const VERIFY = "/api/v1/auth/email/verify";
const RESEND = "/api/v1/auth/email/verification";
const FORGOT = "/api/v1/auth/password/forgot";
const RESET = "/api/v1/auth/password/reset";
const FORGOT_MESSAGE = "If an account exists for that address, we have sent a link to reset the password.";

describe.each(TEST_ENGINES)("verification and password reset (SPEC §7, §8) on $name", (engine) => {
  const smtp = useSmtpServer();
  const portico = usePortico({ engine, env: () => ({ SMTP_URL: smtp.url, PUBLIC_ORIGIN: ORIGIN }) });
  const api = () => request(portico.app);
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  const mailTo = (email: string, subject: RegExp, n = 1) => waitForMail(smtp, email, subject, n);
  const mailsTo = (email: string) => mailsOf(smtp, email);

  async function register(overrides: Record<string, unknown> = {}) {
    const body = newUserBody(overrides);
    const res = await api().post(REGISTER).set("Host", "evil.example").send(body);
    expect(res.status).toBe(201);
    return { body, token: res.body.token as string, user: res.body.user };
  }

  it("sends one verification mail on sign-up, with a PUBLIC_ORIGIN link whatever the Host; the button's POST verifies", async () => {
    const { body, token, user } = await register();
    expect(user.emailVerified).toBe(false);
    const mail = await mailTo(body.email, /Confirm your email/);
    expect(mail.html).toContain("Confirm email address");
    const link = linkIn(mail, "/verify-email");
    expect(link.url.origin).toBe(ORIGIN);
    expect(link.token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const verified = await api().post(VERIFY).send({ token: link.token });
    expect(verified.status).toBe(200);
    expect(verified.body.user).toMatchObject({ id: user.id, emailVerified: true });
    expect(verified.headers["set-cookie"]).toBeUndefined();
    expect(Object.keys(verified.body)).toEqual(["user"]); // verifying signs nobody in
    expect((await api().get(ME).set(bearer(token))).body.user.emailVerified).toBe(true);

    const again = await api().post(VERIFY).send({ token: link.token });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ code: "INVALID_TOKEN", message: "This link is invalid or has expired" });
    expect(mailsTo(body.email)).toHaveLength(1);
  });

  it("answers 422 for a missing or non-string token and 400 for a string that is no live token", async () => {
    expect((await api().post(VERIFY).send({})).body).toMatchObject({ statusCode: 422, code: "MISSING_FIELDS" });
    expect((await api().post(VERIFY).send({ token: 42 })).body).toMatchObject({
      statusCode: 422,
      code: "INVALID_TYPE",
    });
    for (const token of ["nope", "A".repeat(43), "x".repeat(500)]) {
      expect((await api().post(VERIFY).send({ token })).body).toMatchObject({ statusCode: 400, code: "INVALID_TOKEN" });
    }
    expect(
      (
        await api()
          .post(RESET)
          .send({ token: "A".repeat(43), password: "a fine new passphrase" })
      ).status,
    ).toBe(400);
  });

  it("resend: a new link supersedes the previous one; verified already → 200 and nothing sent", async () => {
    const { body, token } = await register();
    const first = linkIn(await mailTo(body.email, /Confirm/), "/verify-email");
    const resent = await api().post(RESEND).set(bearer(token));
    expect(resent.status).toBe(202);
    expect(typeof resent.body.message).toBe("string");
    const second = linkIn(await mailTo(body.email, /Confirm/, 2), "/verify-email");
    expect(second.token).not.toBe(first.token);
    expect((await api().post(VERIFY).send({ token: first.token })).status).toBe(400);
    expect((await api().post(VERIFY).send({ token: second.token })).status).toBe(200);
    const done = await api().post(RESEND).set(bearer(token));
    expect(done.status).toBe(200);
    expect(done.body.user.emailVerified).toBe(true);
    expect((await api().post(RESEND)).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mailsTo(body.email)).toHaveLength(2);
  });

  it("forgot-password answers the same 202 for a known and an unknown address; only the known one gets a link", async () => {
    const { body } = await register();
    const unknown = uniqueEmail("nobody");
    const known = await api().post(FORGOT).send({ email: body.email.toUpperCase() });
    const other = await api().post(FORGOT).send({ email: unknown });
    for (const res of [known, other]) {
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ message: FORGOT_MESSAGE });
    }
    const names = (res: request.Response) =>
      Object.keys(res.headers)
        .filter((h) => !["date", "x-request-id"].includes(h))
        .sort();
    expect(names(known)).toEqual(names(other));
    expect(known.headers["content-length"]).toBe(other.headers["content-length"]);
    const mail = await mailTo(body.email, /Reset your password/i);
    expect(linkIn(mail, "/reset-password").url.origin).toBe(ORIGIN);
    expect(mail.text).toMatch(/30 minutes/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mailsTo(unknown)).toEqual([]);
    expect((await api().post(FORGOT).send({ email: "not an address" })).status).toBe(422);
    expect((await api().post(FORGOT).send({})).body.code).toBe("MISSING_FIELDS");
  });

  it("reset sets the password, ends every session, voids other links, verifies the address and mails a notice", async () => {
    const { body, token } = await register();
    const verifyLink = linkIn(await mailTo(body.email, /Confirm/), "/verify-email");
    const second = await api().post(LOGIN).send({ email: body.email, password: body.password });
    await api().post(FORGOT).send({ email: body.email });
    const { token: resetToken } = linkIn(await mailTo(body.email, /Reset/i), "/reset-password");

    // A weak password is a 422 on the field `password` and leaves the token usable.
    const weak = await api().post(RESET).send({ token: resetToken, password: "short" });
    expect(weak.status).toBe(422);
    expect(weak.body.details).toEqual([expect.objectContaining({ field: "password", code: "WEAK_PASSWORD" })]);

    const res = await api().post(RESET).send({ token: resetToken, password: "a brand new passphrase" });
    expect(res.status).toBe(204);
    expect(res.headers["set-cookie"]).toBeUndefined();
    for (const t of [token, second.body.token]) expect((await api().get(ME).set(bearer(t))).status).toBe(401);
    expect((await api().post(LOGIN).send({ email: body.email, password: body.password })).status).toBe(401);
    const fresh = await api().post(LOGIN).send({ email: body.email, password: "a brand new passphrase" });
    expect(fresh.status).toBe(200);
    expect(fresh.body.user.emailVerified).toBe(true);
    expect((await api().post(RESET).send({ token: resetToken, password: "another new passphrase" })).status).toBe(400);
    expect((await api().post(VERIFY).send({ token: verifyLink.token })).status).toBe(400);
    const notice = await mailTo(body.email, /password (was|has been) changed/i);
    expect(notice.text).not.toMatch(/reset-password\?token=/);
  });

  it("a new reset request supersedes the previous link; two concurrent resets with one token: one 204, one 400", async () => {
    const { body } = await register();
    await api().post(FORGOT).send({ email: body.email });
    const first = linkIn(await mailTo(body.email, /Reset/i), "/reset-password").token;
    await api().post(FORGOT).send({ email: body.email });
    const second = linkIn(await mailTo(body.email, /Reset/i, 2), "/reset-password").token;
    expect((await api().post(RESET).send({ token: first, password: "a brand new passphrase" })).status).toBe(400);
    const race = await Promise.all(
      [1, 2].map((i) =>
        api()
          .post(RESET)
          .send({ token: second, password: `racing passphrase ${i}` }),
      ),
    );
    expect(race.map((r) => r.status).sort()).toEqual([204, 400]);
  });

  it("an expired reset link is refused", async () => {
    const { body } = await register();
    await api().post(FORGOT).send({ email: body.email });
    const { token } = linkIn(await mailTo(body.email, /Reset/i), "/reset-password");
    await sql`update one_time_tokens set expires_at = now() - interval '1 second' where purpose = 'password_reset'`.execute(
      portico.database.kysely,
    );
    expect((await api().post(RESET).send({ token, password: "a brand new passphrase" })).status).toBe(400);
  });
});

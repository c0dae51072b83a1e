import type { ParsedMail } from "mailparser";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { newUserBody, TEST_ENGINES, uniqueEmail } from "./helpers.js";
import { linkIn, useSmtpServer, waitForMail } from "./support/mail.js";
import { usePortico } from "./use-portico.js";

const REGISTER = "/api/v1/auth/register";
const LOGIN = "/api/v1/auth/login";
const ME = "/api/v1/auth/me";
const CHANGE_PASSWORD = "/api/v1/auth/password/change";
const CHANGE_EMAIL = "/api/v1/auth/email/change";
const CONFIRM_EMAIL = "/api/v1/auth/email/confirm";
const VERIFY = "/api/v1/auth/email/verify";
const EVENTS = "/api/v1/auth/events";
const NEW_PASSWORD = "a completely new passphrase";

/** The one-time token of the link to `path` in a mail. */
const tokenIn = (mail: ParsedMail, path: string) => linkIn(mail, path).token;

describe.each(TEST_ENGINES)("account settings (SPEC §9) on $name", (engine) => {
  const smtp = useSmtpServer();
  const portico = usePortico({ engine, env: () => ({ SMTP_URL: smtp.url }) });
  const api = () => request(portico.app);
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  const mailTo = (email: string, subject: RegExp, n = 1) => waitForMail(smtp, email, subject, n);

  /** A user signed in twice: `token` (the caller) and `other` (another device). */
  async function signedInTwice() {
    const body = newUserBody();
    const reg = await api().post(REGISTER).set("User-Agent", "device-a").send(body);
    expect(reg.status).toBe(201);
    const other = await api()
      .post(LOGIN)
      .set("User-Agent", "device-b")
      .send({ email: body.email, password: body.password });
    return {
      body,
      token: reg.body.token as string,
      other: other.body.token as string,
      userId: reg.body.user.id as string,
    };
  }

  describe("POST /password/change", () => {
    it("changes the password, keeps the caller's session, ends the others and mails a notice", async () => {
      const { body, token, other } = await signedInTwice();
      const res = await api()
        .post(CHANGE_PASSWORD)
        .set(bearer(token))
        .send({ currentPassword: body.password, newPassword: NEW_PASSWORD });
      expect(res.status).toBe(204);
      expect((await api().get(ME).set(bearer(token))).status).toBe(200);
      expect((await api().get(ME).set(bearer(other))).status).toBe(401);
      expect((await api().post(LOGIN).send({ email: body.email, password: body.password })).status).toBe(401);
      expect((await api().post(LOGIN).send({ email: body.email, password: NEW_PASSWORD })).status).toBe(200);
      const notice = await mailTo(body.email, /password was changed/i);
      expect(notice.text).toContain("changed");
    });

    it("403 WRONG_PASSWORD for a wrong current password; 422 on newPassword first; 422 for missing fields", async () => {
      const { body, token } = await signedInTwice();
      const wrong = await api()
        .post(CHANGE_PASSWORD)
        .set(bearer(token))
        .send({ currentPassword: "nope nope", newPassword: NEW_PASSWORD });
      expect(wrong.status).toBe(403);
      expect(wrong.body).toMatchObject({ code: "WRONG_PASSWORD", message: "Current password is incorrect" });
      const weak = await api()
        .post(CHANGE_PASSWORD)
        .set(bearer(token))
        .send({ currentPassword: "nope nope", newPassword: "short" });
      expect(weak.status).toBe(422);
      expect(weak.body.details).toEqual([expect.objectContaining({ field: "newPassword", code: "WEAK_PASSWORD" })]);
      const missing = await api().post(CHANGE_PASSWORD).set(bearer(token)).send({ newPassword: NEW_PASSWORD });
      expect(missing.body).toMatchObject({ statusCode: 422, code: "MISSING_FIELDS" });
      expect(
        (await api().post(CHANGE_PASSWORD).send({ currentPassword: body.password, newPassword: NEW_PASSWORD })).status,
      ).toBe(401);
      // The same password as before is allowed.
      const same = await api()
        .post(CHANGE_PASSWORD)
        .set(bearer(token))
        .send({ currentPassword: body.password, newPassword: body.password });
      expect(same.status).toBe(204);
    });
  });

  describe("POST /email/change and /email/confirm", () => {
    it("sends a link to the new address and a notice to the old; changes only when the link is used", async () => {
      const { body, token } = await signedInTwice();
      const verifyToken = tokenIn(await mailTo(body.email, /Confirm your email/), "/verify-email");
      const newEmail = uniqueEmail("moved");
      const res = await api()
        .post(CHANGE_EMAIL)
        .set(bearer(token))
        .send({ newEmail: ` ${newEmail.toUpperCase()} `, password: body.password });
      expect(res.status).toBe(202);
      expect(typeof res.body.message).toBe("string");
      const link = tokenIn(await mailTo(newEmail, /new email/i), "/confirm-email");
      const notice = await mailTo(body.email, /change of your email/i);
      expect(notice.text).toContain(newEmail);
      expect((await api().get(ME).set(bearer(token))).body.user.email).toBe(body.email);

      const confirmed = await api().post(CONFIRM_EMAIL).send({ token: link });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body.user).toMatchObject({ email: newEmail, emailVerified: true });
      expect((await api().get(ME).set(bearer(token))).body.user.email).toBe(newEmail);
      expect((await api().post(LOGIN).send({ email: newEmail, password: body.password })).status).toBe(200);
      expect((await api().post(LOGIN).send({ email: body.email, password: body.password })).status).toBe(401);
      expect((await api().post(CONFIRM_EMAIL).send({ token: link })).status).toBe(400);
      // The verification link sent to the old address is void.
      expect((await api().post(VERIFY).send({ token: verifyToken })).status).toBe(400);
    });

    it("403 wrong password, 422 bad address on newEmail, 409 taken or unchanged, 400 bad token", async () => {
      const { body, token } = await signedInTwice();
      const taken = await signedInTwice();
      const send = (b: Record<string, unknown>) => api().post(CHANGE_EMAIL).set(bearer(token)).send(b);
      const wrong = await send({ newEmail: uniqueEmail(), password: "not it at all" });
      expect([wrong.status, wrong.body.code]).toEqual([403, "WRONG_PASSWORD"]);
      const bad = await send({ newEmail: "not-an-address", password: "not it at all" });
      expect(bad.status).toBe(422);
      expect(bad.body.details).toEqual([expect.objectContaining({ field: "newEmail", code: "INVALID_EMAIL" })]);
      expect((await send({ newEmail: taken.body.email, password: body.password })).body.code).toBe("EMAIL_TAKEN");
      expect((await send({ newEmail: body.email, password: body.password })).status).toBe(409);
      expect(
        (
          await api()
            .post(CONFIRM_EMAIL)
            .send({ token: "x".repeat(43) })
        ).body.code,
      ).toBe("INVALID_TOKEN");
      expect((await api().post(CONFIRM_EMAIL).send({})).status).toBe(422);
    });

    it("409 at confirmation when someone took the address meanwhile", async () => {
      const { body, token } = await signedInTwice();
      const newEmail = uniqueEmail("race");
      expect(
        (await api().post(CHANGE_EMAIL).set(bearer(token)).send({ newEmail, password: body.password })).status,
      ).toBe(202);
      const link = tokenIn(await mailTo(newEmail, /new email/i), "/confirm-email");
      expect(
        (
          await api()
            .post(REGISTER)
            .send(newUserBody({ email: newEmail }))
        ).status,
      ).toBe(201);
      const res = await api().post(CONFIRM_EMAIL).send({ token: link });
      expect([res.status, res.body.code]).toEqual([409, "EMAIL_TAKEN"]);
      expect((await api().get(ME).set(bearer(token))).body.user.email).toBe(body.email);
    });
  });

  describe("DELETE /me", () => {
    it("deletes the user and every row that belongs to it; the address can register again", async () => {
      const { body, token, userId } = await signedInTwice();
      await mailTo(body.email, /Confirm your email/);
      await api().post("/api/v1/auth/password/forgot").send({ email: body.email });
      expect((await api().delete(ME).set(bearer(token)).send({})).body).toMatchObject({
        statusCode: 422,
        code: "MISSING_FIELDS",
      });
      const wrong = await api().delete(ME).set(bearer(token)).send({ password: "not the password" });
      expect([wrong.status, wrong.body.code]).toEqual([403, "WRONG_PASSWORD"]);
      const db = portico.database.kysely;
      const rows = async () => ({
        users: (await db.selectFrom("users").select("id").where("id", "=", userId).execute()).length,
        sessions: (await db.selectFrom("sessions").select("id").where("user_id", "=", userId).execute()).length,
        tokens: (await db.selectFrom("one_time_tokens").select("id").where("user_id", "=", userId).execute()).length,
        events: (await db.selectFrom("security_events").select("id").where("user_id", "=", userId).execute()).length,
        mails: (await db.selectFrom("mail_outbox").select("id").where("user_id", "=", userId).execute()).length,
      });
      const before = await rows();
      expect(Object.values(before).every((n) => n > 0)).toBe(true);
      expect((await api().delete(ME).set(bearer(token)).send({ password: body.password })).status).toBe(204);
      expect(await rows()).toEqual({ users: 0, sessions: 0, tokens: 0, events: 0, mails: 0 });
      expect((await api().get(ME).set(bearer(token))).status).toBe(401);
      expect((await api().post(REGISTER).send(body)).status).toBe(201);
    });
  });

  describe("GET /events", () => {
    it("lists a scripted sequence of security events exactly, newest first, with address and user agent", async () => {
      const body = newUserBody();
      const reg = await api().post(REGISTER).set("User-Agent", "ua-register").send(body);
      await api().post(LOGIN).set("User-Agent", "ua-wrong").send({ email: body.email, password: "wrong password!" });
      const second = await api()
        .post(LOGIN)
        .set("User-Agent", "ua-login")
        .send({ email: body.email, password: body.password });
      await api().post("/api/v1/auth/logout").set(bearer(second.body.token)).set("User-Agent", "ua-logout");
      await api()
        .post(CHANGE_PASSWORD)
        .set(bearer(reg.body.token))
        .set("User-Agent", "ua-change")
        .send({ currentPassword: body.password, newPassword: NEW_PASSWORD });
      const res = await api().get(EVENTS).set(bearer(reg.body.token));
      expect(res.status).toBe(200);
      expect(res.body.events.map((e: { type: string; userAgent: string }) => [e.type, e.userAgent])).toEqual([
        ["password.changed", "ua-change"],
        ["session.revoked", "ua-logout"],
        ["login.succeeded", "ua-login"],
        ["login.failed", "ua-wrong"],
        ["user.registered", "ua-register"],
      ]);
      for (const event of res.body.events) {
        expect(Object.keys(event).sort()).toEqual(["createdAt", "ip", "type", "userAgent"]);
        expect(event.ip).toBe("127.0.0.1");
      }
      const times = res.body.events.map((e: { createdAt: string }) => Date.parse(e.createdAt));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      expect((await api().get(EVENTS)).status).toBe(401);
    });
  });
});

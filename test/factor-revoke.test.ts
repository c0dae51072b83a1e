import { randomUUID } from "node:crypto";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { createPasskeyRepository } from "../src/passkeys/passkeys.repository.js";
import { issueFactorRevokeLink } from "../src/recovery/factor-links.js";
import { issueToken } from "../src/recovery/one-time-tokens.js";
import { newUserBody, TEST_ENGINES } from "./helpers.js";
import { bearer, enableTotp, PASSKEY_OPTIONS, REVOKE_FACTOR } from "./support/factors.js";
import { linkIn, useSmtpServer, waitForMail } from "./support/mail.js";
import { softAuthenticator } from "./support/soft-authenticator.js";
import { usePortico } from "./use-portico.js";

/**
 * Issue 19, item 1 (SPEC §20): the notice mailed for a new factor carries a one-time "This wasn't
 * me" link (30 minutes) that removes that factor and ends every session of the user.
 */
const ORIGIN = "https://auth.example.test";

describe.each(TEST_ENGINES)('"This wasn\'t me" links over SMTP on $name', (engine) => {
  const smtp = useSmtpServer();
  const portico = usePortico({ engine, env: () => ({ SMTP_URL: smtp.url, PUBLIC_ORIGIN: ORIGIN }) });
  const api = () => request(portico.app);

  async function signedInTwice() {
    const body = newUserBody();
    const reg = await api().post("/api/v1/auth/register").send(body);
    expect(reg.status).toBe(201);
    return { body, token: reg.body.token as string, userId: reg.body.user.id as string };
  }

  const events = async (userId: string) =>
    (
      await portico.database.kysely
        .selectFrom("security_events")
        .select("type")
        .where("user_id", "=", userId)
        .orderBy("seq", "desc")
        .execute()
    ).map((e) => e.type);

  it("enable TOTP → the notice's link → TOTP and recovery codes gone, every session ended; the link works once", async () => {
    const { body, token, userId } = await signedInTwice();
    await enableTotp(api, token, body.password);
    const mail = await waitForMail(smtp, body.email, /Two-factor authentication is on/);
    expect(mail.text).toContain("This wasn't me");
    expect(mail.text).toContain("expires in 30 minutes");
    const link = linkIn(mail, "/remove-factor");
    expect(link.url.origin).toBe(ORIGIN);
    // The mailed link is a page: only the button's POST uses the token (SPEC §7's rule for links).
    const res = await api().post(REVOKE_FACTOR).send({ token: link.token });
    expect([res.status, res.body]).toEqual([200, { removed: "totp" }]);
    expect((await api().get("/api/v1/auth/me").set(bearer(token))).status).toBe(401);
    const db = portico.database.kysely;
    expect(await db.selectFrom("mfa_totp").select("user_id").where("user_id", "=", userId).execute()).toEqual([]);
    expect(await db.selectFrom("mfa_recovery_codes").select("id").where("user_id", "=", userId).execute()).toEqual([]);
    // Signing in takes the password alone again.
    const login = await api().post("/api/v1/auth/login").send({ email: body.email, password: body.password });
    expect(typeof login.body.token).toBe("string");
    expect((await events(userId)).slice(1, 3)).toEqual(["session.revoked", "mfa.disabled"]);
    const again = await api().post(REVOKE_FACTOR).send({ token: link.token });
    expect([again.status, again.body.code]).toEqual([400, "INVALID_TOKEN"]);
  });

  it("add a passkey → the notice's link → that passkey gone, every session ended", async () => {
    const { body, token, userId } = await signedInTwice();
    const authenticator = softAuthenticator(ORIGIN);
    const options = await api().post(PASSKEY_OPTIONS).set(bearer(token)).send({ password: body.password });
    expect(options.status).toBe(200);
    const added = await api()
      .post("/api/v1/auth/passkeys")
      .set(bearer(token))
      .send({ response: authenticator.register(options.body.options), name: "Not mine" });
    expect(added.status).toBe(201);
    const mail = await waitForMail(smtp, body.email, /A passkey was added/);
    expect(mail.text).toContain("This wasn't me");
    const link = linkIn(mail, "/remove-factor");
    const res = await api().post(REVOKE_FACTOR).send({ token: link.token });
    expect([res.status, res.body]).toEqual([200, { removed: "passkey" }]);
    expect(await createPasskeyRepository(portico.database.kysely).listPasskeys(userId)).toEqual([]);
    expect((await api().get("/api/v1/auth/me").set(bearer(token))).status).toBe(401);
  });

  it("a passkey's link removes that passkey only, and ends every session", async () => {
    const { body, token, userId } = await signedInTwice();
    const other = (await api().post("/api/v1/auth/login").send(body)).body.token as string;
    const passkeys = createPasskeyRepository(portico.database.kysely);
    const key = (name: string) =>
      passkeys.insertPasskey({
        userId,
        credentialId: randomUUID(),
        publicKey: "pQECAyYgASFYIA",
        counter: 0,
        transports: [],
        name,
      });
    const keep = await key("Mine");
    const added = await key("Theirs");
    const first = await issueFactorRevokeLink(portico.database.kysely, {
      userId,
      email: body.email,
      factor: { passkeyId: added.id },
      linkOrigin: ORIGIN,
      now: new Date(),
    });
    // A second passkey's link does not void the first one's.
    await issueFactorRevokeLink(portico.database.kysely, {
      userId,
      email: body.email,
      factor: { passkeyId: keep.id },
      linkOrigin: ORIGIN,
      now: new Date(),
    });
    const token1 = new URL(first.url).searchParams.get("token");
    const res = await api().post(REVOKE_FACTOR).send({ token: token1 });
    expect([res.status, res.body]).toEqual([200, { removed: "passkey" }]);
    expect((await passkeys.listPasskeys(userId)).map((p) => p.name)).toEqual(["Mine"]);
    for (const t of [token, other]) expect((await api().get("/api/v1/auth/me").set(bearer(t))).status).toBe(401);
    expect((await events(userId)).slice(0, 2)).toEqual(["session.revoked", "passkey.removed"]);
  });

  it("refuses unknown, malformed, expired and other-purpose tokens (400), a missing one (422)", async () => {
    const { body, userId } = await signedInTwice();
    const db = portico.database.kysely;
    const long = new Date(Date.now() - 31 * 60_000);
    const expired = await issueFactorRevokeLink(db, {
      userId,
      email: body.email,
      factor: "totp",
      linkOrigin: ORIGIN,
      now: long,
    });
    const reset = await issueToken(db, {
      userId,
      purpose: "password_reset",
      email: body.email,
      now: new Date(),
      ttlMs: 60_000,
    });
    for (const token of ["x".repeat(43), "short", new URL(expired.url).searchParams.get("token"), reset.token]) {
      const res = await api().post(REVOKE_FACTOR).send({ token });
      expect([res.status, res.body.code, res.body.message]).toEqual([
        400,
        "INVALID_TOKEN",
        "This link is invalid or has expired",
      ]);
    }
    expect((await api().post(REVOKE_FACTOR).send({})).status).toBe(422);
  });

  it("the link survives a password reset (the owner's other remedy)", async () => {
    const { body, token, userId } = await signedInTwice();
    await enableTotp(api, token, body.password);
    const link = linkIn(await waitForMail(smtp, body.email, /Two-factor authentication is on/), "/remove-factor");
    const reset = await issueToken(portico.database.kysely, {
      userId,
      purpose: "password_reset",
      email: body.email,
      now: new Date(),
      ttlMs: 60_000,
    });
    const password = "a brand new passphrase 7";
    expect((await api().post("/api/v1/auth/password/reset").send({ token: reset.token, password })).status).toBe(204);
    expect((await api().post(REVOKE_FACTOR).send({ token: link.token })).status).toBe(200);
    const login = await api().post("/api/v1/auth/login").send({ email: body.email, password });
    expect(typeof login.body.token).toBe("string");
  });
});

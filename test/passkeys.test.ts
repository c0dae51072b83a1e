import { randomUUID } from "node:crypto";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { createPasskeyRepository } from "../src/passkeys/passkeys.repository.js";
import { newUserBody, TEST_ENGINES } from "./helpers.js";
import { usePortico } from "./use-portico.js";

const PASSKEYS = "/api/v1/auth/passkeys";
const REGISTER_OPTIONS = "/api/v1/auth/passkeys/options";
const SIGN_IN_OPTIONS = "/api/v1/auth/passkey/options";
const SIGN_IN = "/api/v1/auth/passkey/login";
const ORIGIN = "https://auth.example.test";

/** A credential in the browser's JSON shape that no authenticator made. */
const fakeCredential = (id: string = randomUUID()) => ({
  id,
  rawId: id,
  type: "public-key",
  response: { clientDataJSON: "e30", authenticatorData: "AAAA", signature: "AAAA" },
  clientExtensionResults: {},
});

describe.each(TEST_ENGINES)("passkeys (SPEC §11) over HTTP on $name", (engine) => {
  const portico = usePortico({ engine, env: { PUBLIC_ORIGIN: ORIGIN } });
  const api = () => request(portico.app);
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  async function signedInUser() {
    const body = newUserBody();
    const res = await api().post("/api/v1/auth/register").send(body);
    expect(res.status).toBe(201);
    return { token: res.body.token as string, userId: res.body.user.id as string, password: body.password };
  }

  /** A stored passkey, as a verified registration would leave it (the browser test makes real ones). */
  function storePasskey(userId: string, name: string) {
    return createPasskeyRepository(portico.database.kysely).insertPasskey({
      userId,
      credentialId: randomUUID(),
      publicKey: "pQECAyYgASFYIA",
      counter: 0,
      transports: ["internal"],
      name,
    });
  }

  const mailKinds = async (userId: string) =>
    (
      await portico.database.kysely.selectFrom("mail_outbox").select("kind").where("user_id", "=", userId).execute()
    ).map((r) => r.kind);

  it("answers 401 UNAUTHORIZED on every Bearer endpoint without a live session", async () => {
    const calls = [
      api().post(REGISTER_OPTIONS),
      api().post(PASSKEYS).send({ response: fakeCredential() }),
      api().get(PASSKEYS),
      api().delete(`${PASSKEYS}/${randomUUID()}`),
      api().get(PASSKEYS).set(bearer("not-a-token")),
    ];
    for (const res of await Promise.all(calls)) {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe("UNAUTHORIZED");
      expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
    }
  });

  it("gives registration options for a discoverable passkey with user verification, for PUBLIC_ORIGIN's host", async () => {
    const { token, userId, password } = await signedInUser();
    await storePasskey(userId, "Old laptop");
    const res = await api().post(REGISTER_OPTIONS).set(bearer(token)).send({ password });
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    const { options } = res.body;
    expect(options.rp).toEqual({ id: "auth.example.test", name: "Portico" });
    expect(options.authenticatorSelection).toMatchObject({ residentKey: "required", userVerification: "required" });
    // The user handle is the uuid's 16 bytes, never the e-mail address.
    expect(Buffer.from(options.user.id, "base64url").toString("hex")).toBe(userId.replaceAll("-", ""));
    expect(options.excludeCredentials).toHaveLength(1);
    const stored = await portico.database.kysely
      .selectFrom("webauthn_challenges")
      .selectAll()
      .where("challenge", "=", options.challenge)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ user_id: userId, purpose: "register", used_at: null });
    const ttl = new Date(stored.expires_at).getTime() - new Date(stored.created_at).getTime();
    expect(ttl).toBeGreaterThan(299_000);
    expect(ttl).toBeLessThanOrEqual(300_000);
  });

  it("refuses a registration no authenticator made (400 PASSKEY_REJECTED), and a body without one (422)", async () => {
    const { token, userId, password } = await signedInUser();
    expect((await api().post(REGISTER_OPTIONS).set(bearer(token)).send({ password })).status).toBe(200);
    const forged = await api().post(PASSKEYS).set(bearer(token)).send({ response: fakeCredential(), name: "Mine" });
    expect(forged.status).toBe(400);
    expect(forged.body).toMatchObject({ code: "PASSKEY_REJECTED", message: "The passkey could not be added" });
    const missing = await api().post(PASSKEYS).set(bearer(token)).send({ name: "Mine" });
    expect(missing.status).toBe(422);
    expect(missing.body.details).toEqual([expect.objectContaining({ field: "response", code: "MISSING_FIELDS" })]);
    const long = await api()
      .post(PASSKEYS)
      .set(bearer(token))
      .send({ response: fakeCredential(), name: "x".repeat(65) });
    expect(long.status).toBe(422);
    expect(long.body.details).toEqual([expect.objectContaining({ field: "name", code: "NAME_TOO_LONG" })]);
    expect((await api().get(PASSKEYS).set(bearer(token))).body).toEqual({ passkeys: [] });
    expect(await mailKinds(userId)).not.toContain("passkey_added");
  });

  it("lists the caller's passkeys only, without key material", async () => {
    const a = await signedInUser();
    const b = await signedInUser();
    await storePasskey(a.userId, "Laptop");
    await storePasskey(a.userId, "Phone");
    await storePasskey(b.userId, "B's key");
    const res = await api().get(PASSKEYS).set(bearer(a.token));
    expect(res.status).toBe(200);
    expect(res.body.passkeys.map((p: { name: string }) => p.name)).toEqual(["Laptop", "Phone"]);
    for (const p of res.body.passkeys) {
      expect(Object.keys(p).sort()).toEqual(["createdAt", "id", "lastUsedAt", "name"]);
      expect(p.lastUsedAt).toBeNull();
    }
  });

  it("DELETE answers 404 for another user's passkey, an unknown id or no uuid, and 204 for the caller's own", async () => {
    const a = await signedInUser();
    const b = await signedInUser();
    const mine = await storePasskey(a.userId, "Laptop");
    for (const id of [mine.id, randomUUID(), "not-a-uuid"]) {
      const res = await api().delete(`${PASSKEYS}/${id}`).set(bearer(b.token));
      expect(res.status, id).toBe(404);
      expect(res.body.code).toBe("NOT_FOUND");
    }
    expect((await api().get(PASSKEYS).set(bearer(a.token))).body.passkeys).toHaveLength(1);
    const removed = await api().delete(`${PASSKEYS}/${mine.id}`).set(bearer(a.token));
    expect(removed.status).toBe(204);
    expect((await api().get(PASSKEYS).set(bearer(a.token))).body.passkeys).toEqual([]);
    expect((await api().delete(`${PASSKEYS}/${mine.id}`).set(bearer(a.token))).status).toBe(404);
    const events = await api().get("/api/v1/auth/events").set(bearer(a.token));
    expect(events.body.events.filter((e: { type: string }) => e.type === "passkey.removed")).toHaveLength(1);
    expect(await mailKinds(a.userId)).toContain("passkey_removed");
    expect(await mailKinds(b.userId)).not.toContain("passkey_removed");
  });

  it("gives usernameless sign-in options: a challenge id, no allowCredentials, user verification required", async () => {
    const res = await api().post(SIGN_IN_OPTIONS);
    expect(res.status).toBe(200);
    expect(res.body.challengeId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.options).toMatchObject({ rpId: "auth.example.test", userVerification: "required" });
    expect(res.body.options.allowCredentials).toBeUndefined();
  });

  it("answers 401 INVALID_PASSKEY for an unknown credential, and the challenge is then used up", async () => {
    const { userId } = await signedInUser();
    const known = await storePasskey(userId, "Laptop");
    const { challengeId } = (await api().post(SIGN_IN_OPTIONS)).body;
    for (const response of [fakeCredential(), fakeCredential(known.credential_id)]) {
      const res = await api().post(SIGN_IN).send({ challengeId, response });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: "INVALID_PASSKEY", message: "Passkey sign-in failed" });
    }
    const fresh = (await api().post(SIGN_IN_OPTIONS)).body.challengeId;
    const forged = await api()
      .post(SIGN_IN)
      .send({ challengeId: fresh, response: fakeCredential(known.credential_id) });
    expect(forged.status).toBe(401);
    // A failure with a known passkey counts against the account it named.
    const failed = await portico.database.kysely
      .selectFrom("security_events")
      .select("type")
      .where("user_id", "=", userId)
      .where("type", "=", "login.failed")
      .execute();
    expect(failed).toHaveLength(1);
    for (const id of [randomUUID(), "nope"]) {
      const res = await api().post(SIGN_IN).send({ challengeId: id, response: fakeCredential() });
      expect(res.status).toBe(401);
    }
  });

  it("answers 422 for a sign-in body without its fields", async () => {
    const res = await api().post(SIGN_IN).send({});
    expect(res.status).toBe(422);
    expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(["challengeId", "response"]);
  });

  it("deleting the account deletes its passkeys", async () => {
    const body = newUserBody();
    const reg = await api().post("/api/v1/auth/register").send(body);
    const key = await storePasskey(reg.body.user.id, "Laptop");
    const gone = await api().delete("/api/v1/auth/me").set(bearer(reg.body.token)).send({ password: body.password });
    expect(gone.status).toBe(204);
    expect(
      await createPasskeyRepository(portico.database.kysely).findByCredentialId(key.credential_id),
    ).toBeUndefined();
  });
});

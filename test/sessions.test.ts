import { describe, expect, it } from "vitest";
import { newUserBody, TEST_ENGINES } from "./helpers.js";
import {
  bearer,
  claimsOf,
  expectUnauthorized,
  LOGOUT,
  REGISTER,
  REVOKE_OTHERS,
  SESSIONS,
  sessionClient,
} from "./support/sessions.js";
import { usePortico } from "./use-portico.js";

describe.each(TEST_ENGINES)("sessions (SPEC §6) on $name", (engine) => {
  const portico = usePortico({ engine });
  const { api, me, userWithSessions } = sessionClient(portico);

  it("logout revokes the session: the same token is refused afterwards", async () => {
    const { tokens } = await userWithSessions(1);
    const [token] = tokens as [string];
    expect((await me(token)).status).toBe(200);
    const out = await api().post(LOGOUT).set(bearer(token));
    expect(out.status).toBe(204);
    expect(out.text).toBe("");
    expectUnauthorized(await me(token));
    expectUnauthorized(await api().post(LOGOUT).set(bearer(token)));
  });

  it("logout takes an empty body with or without Content-Type, and needs a token", async () => {
    const { tokens } = await userWithSessions(2);
    const [a, b] = tokens as [string, string];
    expect((await api().post(LOGOUT).set(bearer(a)).set("Content-Type", "application/json").send("")).status).toBe(204);
    expect((await api().post(LOGOUT).set(bearer(b)).send()).status).toBe(204);
    expectUnauthorized(await api().post(LOGOUT));
  });

  it("every token names its session: sid, and expiresAt equals exp", async () => {
    const { tokens } = await userWithSessions(1);
    const claims = claimsOf(tokens[0] as string);
    const list = await api()
      .get(SESSIONS)
      .set(bearer(tokens[0] as string));
    expect(list.status).toBe(200);
    expect(list.body.sessions).toHaveLength(1);
    const [session] = list.body.sessions;
    expect(session.id).toBe(claims.sid);
    expect(session.expiresAt).toBe(new Date((claims.exp as number) * 1000).toISOString());
    expect(Number(claims.exp) - Number(claims.iat)).toBe(7 * 86_400);
  });

  it("lists live sessions newest first, marks the caller's, and shows address and user agent", async () => {
    const { tokens } = await userWithSessions(3);
    const sids = tokens.map((t) => claimsOf(t).sid as string);
    const res = await api()
      .get(SESSIONS)
      .set(bearer(tokens[1] as string));
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body.sessions.map((s: { id: string }) => s.id)).toEqual([...sids].reverse());
    expect(res.body.sessions.map((s: { current: boolean }) => s.current)).toEqual([false, true, false]);
    for (const s of res.body.sessions) {
      expect(Object.keys(s).sort()).toEqual([
        "createdAt",
        "current",
        "expiresAt",
        "id",
        "ip",
        "lastSeenAt",
        "userAgent",
      ]);
      expect(s.lastSeenAt).toBe(s.createdAt);
      expect(s.ip).toBe("127.0.0.1");
      expect(s.userAgent).toBe("test-agent/1.0");
    }
  });

  it("records a missing user agent as null", async () => {
    const body = newUserBody();
    const res = await api().post(REGISTER).unset("User-Agent").send(body);
    const list = await api().get(SESSIONS).set(bearer(res.body.token)).unset("User-Agent");
    expect(list.body.sessions[0].userAgent).toBeNull();
  });

  it("DELETE /sessions/:id revokes one of the caller's sessions; the others stay", async () => {
    const { tokens } = await userWithSessions(3);
    const [a, b, c] = tokens as [string, string, string];
    const res = await api()
      .delete(`${SESSIONS}/${claimsOf(b).sid}`)
      .set(bearer(a));
    expect(res.status).toBe(204);
    expectUnauthorized(await me(b));
    expect((await me(a)).status).toBe(200);
    expect((await me(c)).status).toBe(200);
    const list = await api().get(SESSIONS).set(bearer(a));
    expect(list.body.sessions.map((s: { id: string }) => s.id)).toEqual([claimsOf(c).sid, claimsOf(a).sid]);
    // Revoked already: 404 now.
    const again = await api()
      .delete(`${SESSIONS}/${claimsOf(b).sid}`)
      .set(bearer(a));
    expect(again.status).toBe(404);
    expect(again.body.code).toBe("NOT_FOUND");
  });

  it("DELETE /sessions/:id on the caller's own session acts as logout", async () => {
    const { tokens } = await userWithSessions(1);
    const token = tokens[0] as string;
    expect(
      (
        await api()
          .delete(`${SESSIONS}/${claimsOf(token).sid}`)
          .set(bearer(token))
      ).status,
    ).toBe(204);
    expectUnauthorized(await me(token));
  });

  it("answers 404 for someone else's session, an unknown id and a non-uuid, and revokes nothing", async () => {
    const alice = await userWithSessions(1);
    const mallory = await userWithSessions(1);
    const aliceToken = alice.tokens[0] as string;
    const malloryToken = mallory.tokens[0] as string;
    for (const id of [claimsOf(aliceToken).sid, crypto.randomUUID(), "not-a-uuid", "1", "%00"]) {
      const res = await api().delete(`${SESSIONS}/${id}`).set(bearer(malloryToken));
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ statusCode: 404, code: "NOT_FOUND" });
    }
    expect((await me(aliceToken)).status).toBe(200);
    expect((await me(malloryToken)).status).toBe(200);
  });

  it("revoke-others ends every session but the caller's and says how many", async () => {
    const { tokens } = await userWithSessions(4);
    const [a, b, c, d] = tokens as [string, string, string, string];
    const res = await api().post(REVOKE_OTHERS).set(bearer(c));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ revoked: 3 });
    for (const t of [a, b, d]) expectUnauthorized(await me(t));
    expect((await me(c)).status).toBe(200);
    expect((await api().post(REVOKE_OTHERS).set(bearer(c)).send({})).body).toEqual({ revoked: 0 });
  });

  it("refuses every session endpoint without a live session", async () => {
    expectUnauthorized(await api().get(SESSIONS));
    expectUnauthorized(await api().post(REVOKE_OTHERS));
    expectUnauthorized(await api().delete(`${SESSIONS}/${crypto.randomUUID()}`));
    expectUnauthorized(await api().get(SESSIONS).set(bearer("not.a.token")));
  });
});

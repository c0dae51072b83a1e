import fc from "fast-check";
import jwt from "jsonwebtoken";
import { sql } from "kysely";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { newUserBody, TEST_ENGINES, TEST_JWT_SECRET } from "./helpers.js";
import { usePortico } from "./use-portico.js";

const REGISTER = "/api/v1/auth/register";
const LOGIN = "/api/v1/auth/login";
const ME = "/api/v1/auth/me";
const LOGOUT = "/api/v1/auth/logout";
const SESSIONS = "/api/v1/auth/sessions";
const REVOKE_OTHERS = "/api/v1/auth/sessions/revoke-others";

describe.each(TEST_ENGINES)("sessions (SPEC §6) on $name", (engine) => {
  const portico = usePortico({ engine });
  const api = () => request(portico.app);
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const me = (token: string) => api().get(ME).set(bearer(token));
  const claimsOf = (token: string) => jwt.verify(token, TEST_JWT_SECRET) as jwt.JwtPayload;

  /** A new user with `count` sessions (the first from registration); their tokens, oldest first. */
  async function userWithSessions(count: number, userAgent = "test-agent/1.0") {
    const body = newUserBody();
    const first = await api().post(REGISTER).set("User-Agent", userAgent).send(body);
    expect(first.status).toBe(201);
    const tokens: string[] = [first.body.token];
    for (let i = 1; i < count; i++) {
      const res = await api()
        .post(LOGIN)
        .set("User-Agent", userAgent)
        .send({ email: body.email, password: body.password });
      expect(res.status).toBe(200);
      tokens.push(res.body.token);
    }
    return { body, tokens, userId: first.body.user.id as string };
  }

  function expectUnauthorized(res: request.Response) {
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ statusCode: 401, code: "UNAUTHORIZED", message: "Authentication required" });
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
  }

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

  it("refuses a well-signed token without sid, with a future iat, or a wrong iss/aud", async () => {
    const { tokens, userId } = await userWithSessions(1);
    const claims = claimsOf(tokens[0] as string);
    const { iat, exp, sid, iss, aud } = claims;
    const sign = (changes: Record<string, unknown>) =>
      jwt.sign({ sub: userId, userId, role: "user", sid, iss, aud, iat, exp, ...changes }, TEST_JWT_SECRET, {
        algorithm: "HS256",
      });
    expect((await me(sign({}))).status).toBe(200); // the forgery helper itself makes good tokens
    expectUnauthorized(await me(sign({ sid: undefined })));
    expectUnauthorized(await me(sign({ iat: Math.floor(Date.now() / 1000) + 3600 })));
    expectUnauthorized(await me(sign({ iss: "https://evil.example" })));
    expectUnauthorized(await me(sign({ aud: "other" })));
    // A session id of another user's session: the sid must name a session of the token's sub.
    const other = await userWithSessions(1);
    expectUnauthorized(await me(sign({ sid: claimsOf(other.tokens[0] as string).sid })));
  });

  it("refuses a token whose session row has expired, or whose user is gone", async () => {
    const { tokens, userId } = await userWithSessions(2);
    const [a, b] = tokens as [string, string];
    await sql`update sessions set expires_at = now() - interval '1 second' where id = ${claimsOf(a).sid}`.execute(
      portico.database.kysely,
    );
    expectUnauthorized(await me(a));
    expect((await me(b)).status).toBe(200);
    await portico.database.kysely.deleteFrom("users").where("id", "=", userId).execute();
    expectUnauthorized(await me(b));
    const left = await portico.database.kysely
      .selectFrom("sessions")
      .select("id")
      .where("user_id", "=", userId)
      .execute();
    expect(left).toEqual([]);
  });

  it("moves lastSeenAt at most once per 5 minutes", async () => {
    const { tokens } = await userWithSessions(1);
    const token = tokens[0] as string;
    const sid = claimsOf(token).sid as string;
    const lastSeen = async () =>
      (
        await portico.database.kysely
          .selectFrom("sessions")
          .select("last_seen_at")
          .where("id", "=", sid)
          .executeTakeFirstOrThrow()
      ).last_seen_at;
    const created = await lastSeen();
    await me(token);
    expect(await lastSeen()).toEqual(created);
    const old = new Date(Date.now() - 6 * 60_000);
    await portico.database.kysely.updateTable("sessions").set({ last_seen_at: old }).where("id", "=", sid).execute();
    await me(token);
    const moved = await lastSeen();
    expect(moved.getTime()).toBeGreaterThan(old.getTime() + 5 * 60_000);
    await me(token);
    expect(await lastSeen()).toEqual(moved);
  });

  it("property: a token authenticates exactly when its session is live", async () => {
    const { body, tokens } = await userWithSessions(1);
    type Op =
      | { kind: "login" }
      | { kind: "logout" | "revokeOthers"; by: number }
      | { kind: "revokeOne"; by: number; target: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.constant({ kind: "login" as const }),
      fc.record({ kind: fc.constantFrom("logout" as const, "revokeOthers" as const), by: fc.nat(7) }),
      fc.record({ kind: fc.constant("revokeOne" as const), by: fc.nat(7), target: fc.nat(7) }),
    );
    const all = [...tokens];
    const live = new Set(all);
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 6 }), async (ops) => {
        for (const o of ops) {
          if (o.kind === "login") {
            const res = await api().post(LOGIN).send({ email: body.email, password: body.password });
            all.push(res.body.token);
            live.add(res.body.token);
            continue;
          }
          const by = all[o.by % all.length] as string;
          const isLive = live.has(by);
          if (o.kind === "logout") {
            expect((await api().post(LOGOUT).set(bearer(by))).status).toBe(isLive ? 204 : 401);
            live.delete(by);
          } else if (o.kind === "revokeOthers") {
            const res = await api().post(REVOKE_OTHERS).set(bearer(by));
            expect(res.status).toBe(isLive ? 200 : 401);
            if (isLive) {
              expect(res.body.revoked).toBe(live.size - 1);
              for (const t of [...live]) if (t !== by) live.delete(t);
            }
          } else if (o.kind === "revokeOne") {
            const target = all[o.target % all.length] as string;
            const res = await api()
              .delete(`${SESSIONS}/${claimsOf(target).sid}`)
              .set(bearer(by));
            expect(res.status).toBe(!isLive ? 401 : live.has(target) ? 204 : 404);
            if (isLive) live.delete(target);
          }
        }
        for (const t of all) expect((await me(t)).status).toBe(live.has(t) ? 200 : 401);
      }),
      { numRuns: 12 },
    );
  }, 60_000);
});

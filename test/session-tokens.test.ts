import fc from "fast-check";
import jwt from "jsonwebtoken";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { TEST_ENGINES, TEST_JWT_SECRET } from "./helpers.js";
import {
  bearer,
  claimsOf,
  expectUnauthorized,
  LOGIN,
  LOGOUT,
  REVOKE_OTHERS,
  SESSIONS,
  sessionClient,
} from "./support/sessions.js";
import { usePortico } from "./use-portico.js";

describe.each(TEST_ENGINES)("session tokens (SPEC §6) on $name", (engine) => {
  const portico = usePortico({ engine });
  const { api, me, userWithSessions } = sessionClient(portico);

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

import { sql } from "kysely";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { listEvents, pruneEvents, recordEvent } from "../src/events/events.js";
import { newUserBody, TEST_ENGINES } from "./helpers.js";
import { usePortico } from "./use-portico.js";

const LOGIN = "/api/v1/auth/login";
const EVENTS = "/api/v1/auth/events";

interface Entry {
  type: string;
  userAgent: string | null;
  count?: number;
}

/**
 * Issue 19, item 10: failed attempts (anyone who knows an address can make them) never push a
 * factor, e-mail or password event out of the activity list: consecutive failures are one entry
 * with a count, and only the other events count toward the list's 50.
 */
describe.each(TEST_ENGINES)("failed attempts in the activity list on $name", (engine) => {
  const portico = usePortico({ engine });
  const api = () => request(portico.app);

  async function registered() {
    const body = newUserBody();
    const res = await api().post("/api/v1/auth/register").send(body);
    expect(res.status).toBe(201);
    return { body, token: res.body.token as string, userId: res.body.user.id as string };
  }

  const fail = (email: string, userAgent: string) =>
    api().post(LOGIN).set("User-Agent", userAgent).send({ email, password: "not the password at all" }).expect(401);

  it("60 failed logins after a password change: the change stays listed, the failures are grouped", async () => {
    const { body, token } = await registered();
    const newPassword = "a freshly chosen passphrase";
    await api()
      .post("/api/v1/auth/password/change")
      .set("Authorization", `Bearer ${token}`)
      .set("User-Agent", "owner")
      .send({ currentPassword: body.password, newPassword })
      .expect(204);
    for (let i = 1; i <= 30; i++) await fail(body.email, `attacker-${i}`);
    await api().post(LOGIN).set("User-Agent", "owner-again").send({ email: body.email, password: newPassword });
    for (let i = 31; i <= 60; i++) await fail(body.email, `attacker-${i}`);

    const res = await api().get(EVENTS).set("Authorization", `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body.events.map((e: Entry) => [e.type, e.userAgent, e.count])).toEqual([
      ["login.failed", "attacker-60", 30],
      ["login.succeeded", "owner-again", undefined],
      ["login.failed", "attacker-30", 30],
      ["password.changed", "owner", undefined],
      ["user.registered", null, undefined],
    ]);
    // A single event carries no count: the shape of every other entry is as before.
    expect(Object.keys(res.body.events[1]).sort()).toEqual(["createdAt", "ip", "type", "userAgent"]);
  });

  it("lists the newest 50 other events whatever the failures between them, and groups each kind of failure", async () => {
    const { userId } = await registered();
    const db = portico.database.kysely;
    const client = (userAgent: string) => ({ ip: "127.0.0.1", userAgent });
    await recordEvent(db, userId, "passkey.added", client("oldest-kept"));
    for (let i = 1; i <= 49; i++) {
      await recordEvent(db, userId, "login.failed", client(`f${i}`));
      await recordEvent(db, userId, "mfa.failed", client(`m${i}`));
      await recordEvent(db, userId, "login.failed", client(`g${i}`));
      await recordEvent(db, userId, "login.succeeded", client(`s${i}`));
    }
    const events = await listEvents(db, userId);
    const others = events.filter((e) => !e.type.endsWith(".failed"));
    expect(others).toHaveLength(50);
    expect(others.at(-1)?.type).toBe("passkey.added");
    expect(events.at(-1)?.type).toBe("passkey.added"); // older than the 50th: user.registered and nothing more
    expect(events.slice(0, 3).map((e) => [e.type, e.userAgent, e.count])).toEqual([
      ["login.succeeded", "s49", undefined],
      ["login.failed", "g49", 2],
      ["mfa.failed", "m49", undefined],
    ]);
    expect(events).toHaveLength(50 + 49 * 2);
  });

  it("keeps every other event when failures pass the 1,000 kept per user", async () => {
    const { userId } = await registered();
    const db = portico.database.kysely;
    await recordEvent(db, userId, "email.changed", { ip: null, userAgent: null });
    await sql`insert into security_events (user_id, type)
      select ${userId}, 'login.failed' from generate_series(1, 1005)`.execute(db);
    expect(await pruneEvents(db, userId)).toBe(5);
    const kept = await db.selectFrom("security_events").select("type").where("user_id", "=", userId).execute();
    expect(kept.filter((e) => e.type === "login.failed")).toHaveLength(1000);
    expect(kept.map((e) => e.type)).toEqual(expect.arrayContaining(["user.registered", "email.changed"]));
    expect((await listEvents(db, userId)).map((e) => [e.type, e.count])).toEqual([
      ["login.failed", 1000],
      ["email.changed", undefined],
      ["user.registered", undefined],
    ]);
  });
});

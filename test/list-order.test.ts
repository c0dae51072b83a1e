import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { listEvents, recordEvent } from "../src/events/events.js";
import { createPasskeyRepository } from "../src/passkeys/passkeys.repository.js";
import { createSessionRepository } from "../src/sessions/sessions.repository.js";
import { newUserBody, TEST_ENGINES } from "./helpers.js";
import { usePortico } from "./use-portico.js";

/**
 * Lists come out in the order their rows were written, also when many are written within one
 * millisecond: PGlite's clock has that resolution, so created_at ties and only the insertion
 * order (seq) tells them apart. Each list is written faster than the clock moves.
 */
const COUNT = 12;
const labels = Array.from({ length: COUNT }, (_, i) => `10.0.0.${i + 1}`);

describe.each(TEST_ENGINES)("the order of lists written in a burst, on $name", (engine) => {
  const portico = usePortico({ engine });

  async function newUser(): Promise<string> {
    const res = await portico.api().post("/api/v1/auth/register").send(newUserBody());
    expect(res.status).toBe(201);
    return res.body.user.id as string;
  }

  it("security events: newest first", async () => {
    const userId = await newUser();
    for (const ip of labels)
      await recordEvent(portico.database.kysely, userId, "login.succeeded", { ip, userAgent: null });
    const events = await listEvents(portico.database.kysely, userId);
    expect(events).toHaveLength(COUNT + 1); // and the sign-up's own event, the oldest
    expect(events.slice(0, COUNT).map((e) => e.ip)).toEqual([...labels].reverse());
    expect(events.at(-1)?.type).toBe("user.registered");
  });

  it("passkeys: oldest first", async () => {
    const userId = await newUser();
    const passkeys = createPasskeyRepository(portico.database.kysely);
    for (const name of labels)
      await passkeys.insertPasskey({
        userId,
        credentialId: randomUUID(),
        publicKey: "pQECAyYgASFYIA",
        counter: 0,
        transports: [],
        name,
      });
    expect((await passkeys.listPasskeys(userId)).map((p) => p.name)).toEqual(labels);
  });

  it("live sessions: newest first", async () => {
    const userId = await newUser();
    const sessions = createSessionRepository(portico.database.kysely);
    const expiresAt = new Date(Date.now() + 3_600_000);
    for (const ip of labels)
      await sessions.createSession({ userId, method: "password", expiresAt, ip, userAgent: null });
    const listed = await sessions.listLiveSessions(userId);
    expect(listed).toHaveLength(COUNT + 1); // and the sign-up's own session, the oldest
    expect(listed.slice(0, COUNT).map((s) => s.ip)).toEqual([...labels].reverse());
  });
});

import { randomBytes, randomUUID } from "node:crypto";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { MAX_PASSKEYS } from "../src/passkeys/passkey.js";
import { createPasskeyRepository } from "../src/passkeys/passkeys.repository.js";
import { newUserBody, TEST_ENGINES } from "./helpers.js";
import { softAuthenticator } from "./support/soft-authenticator.js";
import { usePortico } from "./use-portico.js";

const ORIGIN = "https://auth.example.test";

/** SPEC §20: the cap of 20 passkeys per account holds when several are added at once. */
describe.each(TEST_ENGINES)("the passkey cap under a concurrent burst on $name", (engine) => {
  const portico = usePortico({ engine, env: { PUBLIC_ORIGIN: ORIGIN } });

  it("with 17 passkeys, 6 verified additions at once: exactly 3 are stored, 3 refused", async () => {
    const reg = await request(portico.app).post("/api/v1/auth/register").send(newUserBody());
    const userId = reg.body.user.id as string;
    const passkeys = createPasskeyRepository(portico.database.kysely);
    for (let i = 0; i < MAX_PASSKEYS - 3; i++) {
      await passkeys.insertPasskey({
        userId,
        credentialId: randomUUID(),
        publicKey: "pQECAyYgASFYIA",
        counter: 0,
        transports: ["internal"],
        name: `Key ${i}`,
      });
    }
    // One challenge per addition, as POST /passkeys/options keeps them (5 minutes, single use).
    const bodies = [];
    for (let i = 0; i < 6; i++) {
      const challenge = randomBytes(32).toString("base64url");
      await passkeys.createChallenge({ userId, purpose: "register", challenge, ttlMs: 300_000 });
      const response = softAuthenticator(ORIGIN).register({
        challenge,
        rp: { id: "auth.example.test" },
        user: { id: userId },
      });
      bodies.push({ response, name: `Burst ${i}` });
    }
    const burst = await Promise.all(
      bodies.map((body) =>
        request(portico.app).post("/api/v1/auth/passkeys").set("Authorization", `Bearer ${reg.body.token}`).send(body),
      ),
    );
    const statuses = burst.map((res) => `${res.status} ${res.body.code ?? ""}`.trim()).sort();
    expect(statuses).toEqual([
      "201",
      "201",
      "201",
      "400 PASSKEY_REJECTED",
      "400 PASSKEY_REJECTED",
      "400 PASSKEY_REJECTED",
    ]);
    expect(await passkeys.countPasskeys(userId)).toBe(MAX_PASSKEYS);
  });
});

import request from "supertest";
import { describe, expect, it } from "vitest";
import { newUserBody } from "../../test/helpers.js";
import { captureLogs } from "../../test/log-capture.js";
import { usePortico } from "../../test/use-portico.js";

/** Issue 13, item 7: a refused sign-in is its own log event, with no e-mail address in clear. */

const instances = usePortico({ shared: false });

describe("auth.failed log events", () => {
  it("logs each refused sign-in as auth.failed with a keyed hash of the e-mail, never the address", async () => {
    const logs = captureLogs("info");
    const portico = await instances.open({}, { logger: logs.logger });
    const body = newUserBody();
    const unknown = `nobody-${Date.now()}@example.com`;
    expect((await request(portico.app).post("/api/v1/auth/register").send(body)).status).toBe(201);
    const login = (email: string, password: string) =>
      request(portico.app).post("/api/v1/auth/login").send({ email, password });
    expect((await login(String(body.email), "wrong password 1")).status).toBe(401);
    expect((await login(String(body.email), "wrong password 2")).status).toBe(401);
    expect((await login(unknown, "wrong password 3")).status).toBe(401);
    expect((await login(String(body.email), String(body.password))).status).toBe(200);

    const failures = logs.records().filter((r) => r.event === "auth.failed");
    expect(failures).toHaveLength(3);
    for (const f of failures) {
      expect(f).toMatchObject({ level: 40, msg: "authentication failed", reason: "invalid_credentials" });
      expect(f.emailHash).toMatch(/^[\w-]{22}$/);
    }
    const [first, second, third] = failures.map((f) => f.emailHash);
    expect(first).toBe(second);
    expect(third).not.toBe(first);
    for (const line of logs.lines) {
      expect(line).not.toContain(String(body.email));
      expect(line).not.toContain(unknown);
    }
  });
});

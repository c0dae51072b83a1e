import { request as httpRequest } from "node:http";
import { join } from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpServer } from "../src/http/server.js";
import { devMailboxFor } from "../src/mail/dev-mailbox.routes.js";
import { listenOnLoopback, newUserBody, tempDir, testConfig } from "./helpers.js";
import { captureLogs } from "./log-capture.js";
import { usePortico } from "./use-portico.js";

/** Issue 19, item 12: the development mailbox lists live reset links, for this machine only. */

const WARNING = /development without SMTP_URL on a HOST other machines can reach/;
const warnings = (logs: ReturnType<typeof captureLogs>) => logs.records().filter((r) => WARNING.test(String(r.msg)));

describe("the development mailbox answers this machine only", () => {
  const logs = captureLogs("warn");
  const portico = usePortico({ env: { NODE_ENV: "development", HOST: "127.0.0.1" }, logger: logs.logger });
  let server: Awaited<ReturnType<typeof listenOnLoopback>>;
  let port: string;

  beforeAll(async () => {
    server = await listenOnLoopback(portico.app);
    port = new URL(server.url).port;
    // A mail with a live link in the mailbox.
    await portico.api().post("/api/v1/auth/register").send(newUserBody());
  });
  afterAll(() => server?.close());

  const get = (path: string, headers: Record<string, string>) => request(server.url).get(path).set(headers);

  it("serves a loopback peer that asks for localhost, 127.0.0.1 or [::1], with any port", async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, "LOCALHOST", "127.0.0.1"]) {
      const res = await get("/dev/mailbox.json", { Host: host });
      expect(res.status, host).toBe(200);
      expect(res.body.mails.length).toBeGreaterThan(0);
    }
    expect((await get("/dev/mailbox", { Host: `localhost:${port}` })).status).toBe(200);
  });

  it("answers 404 under any other Host (a rebound DNS name, a public name), page and JSON alike", async () => {
    const hosts = ["evil.example", `evil.example:${port}`, "localhost.evil.example", "127.0.0.1.nip.io", "127.0.0.2"];
    for (const host of hosts) {
      for (const path of ["/dev/mailbox", "/dev/mailbox.json"]) {
        const res = await get(path, { Host: host });
        expect(res.status, `${host} ${path}`).toBe(404);
        expect(res.text).not.toContain("reset-password");
        expect(res.text).not.toContain("verify-email?token=");
      }
    }
  });

  it("answers 404 to a request a proxy relayed, whatever it says of the client's address", async () => {
    for (const header of ["X-Forwarded-For", "Forwarded", "X-Real-IP", "X-Forwarded-Host"]) {
      const res = await get("/dev/mailbox.json", { Host: `localhost:${port}`, [header]: "127.0.0.1" });
      expect(res.status, header).toBe(404);
    }
  });

  it("answers 404 to a peer with no loopback address: a Unix socket, as a proxy on the host would use", async () => {
    const socketPath = join(tempDir("portico-mailbox-"), "portico.sock");
    const unixServer = createHttpServer(portico.app, testConfig().http).listen(socketPath);
    await new Promise((resolve) => unixServer.once("listening", resolve));
    try {
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const req = httpRequest({ socketPath, path: "/dev/mailbox.json", headers: { Host: "localhost" } }, (res) => {
          res.resume();
          resolve(res.statusCode);
        });
        req.on("error", reject).end();
      });
      expect(status).toBe(404);
    } finally {
      unixServer.closeAllConnections();
      await new Promise((resolve) => unixServer.close(resolve));
    }
  });

  it("starts without a warning on a loopback HOST", () => {
    expect(warnings(logs)).toEqual([]);
  });
});

describe("development without SMTP_URL on a non-loopback HOST", () => {
  const portico = usePortico();
  const settings = (host: string, smtpUrl?: string) => ({ env: "development", smtpUrl, host });

  it("warns at start-up, naming the HOST, and still mounts the loopback-only mailbox", () => {
    for (const host of ["0.0.0.0", "::", "192.0.2.10"]) {
      const logs = captureLogs("warn");
      expect(devMailboxFor(settings(host), portico.database, logs.logger), host).toBeDefined();
      expect(warnings(logs), host).toHaveLength(1);
      expect(warnings(logs)[0]).toMatchObject({ level: 40, host });
    }
  });

  it("stays quiet on localhost, 127.0.0.1 and ::1, and with SMTP_URL set (no mailbox at all)", () => {
    const logs = captureLogs("warn");
    for (const host of ["localhost", "127.0.0.1", "::1"])
      expect(devMailboxFor(settings(host), portico.database, logs.logger)).toBeDefined();
    expect(devMailboxFor(settings("0.0.0.0", "smtp://127.0.0.1:1"), portico.database, logs.logger)).toBeUndefined();
    expect(devMailboxFor({ ...settings("0.0.0.0"), env: "production" }, portico.database, logs.logger)).toBeUndefined();
    expect(warnings(logs)).toEqual([]);
  });
});

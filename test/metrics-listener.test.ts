import request from "supertest";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";
import { openPostgres } from "../src/db/postgres.js";
import { assemblePortico, type RunningPortico, startPortico } from "../src/portico.js";
import { silentLogger, testConfig } from "./helpers.js";
import { usePortico } from "./use-portico.js";

/** Issue 13, item 4: /metrics and /readyz's details only on the metrics listener. */

const opened: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const o of opened.reverse()) await o.close();
});

const instances = usePortico({ shared: false });

describe("the metrics listener (METRICS_PORT, METRICS_HOST)", () => {
  it("keeps /metrics and /readyz's details off the public app", async () => {
    const portico = await instances.open();
    expect((await request(portico.app).get("/metrics")).status).toBe(404);
    const ready = await request(portico.app).get("/readyz");
    expect([ready.status, ready.body]).toEqual([200, { status: "ready" }]);
    const detailed = await request(portico.opsApp).get("/readyz");
    expect(detailed.body).toEqual({ status: "ready", checks: { database: "up", rateLimit: "off" } });
    const metrics = await request(portico.opsApp).get("/metrics");
    expect(metrics.text).toMatch(/^portico_logins_total\{outcome="success"\} 0$/m);
  });

  it("answers the public /readyz 503 without saying what is down; the metrics listener says it", async () => {
    const database = openPostgres({ url: "postgres://postgres@127.0.0.1:1/none", poolMax: 1, timeoutMs: 500 });
    opened.push(database);
    const { app, opsApp, stop } = await assemblePortico(testConfig({ DB_TIMEOUT_MS: "500" }), silentLogger(), database);
    opened.push({ close: stop });
    const ready = await request(app).get("/readyz");
    expect(ready.status).toBe(503);
    expect(ready.body).not.toHaveProperty("checks");
    expect(ready.body).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    expect((await request(opsApp).get("/readyz")).body.checks).toEqual({ database: "down", rateLimit: "off" });
  });

  it("listens on METRICS_HOST:METRICS_PORT (0: a free port), apart from the public port", {
    timeout: 60_000,
  }, async () => {
    const running: RunningPortico = await startPortico(
      testConfig({ PORT: "0", HOST: "127.0.0.1", METRICS_PORT: "0", METRICS_HOST: "127.0.0.1" }),
      silentLogger(),
    );
    opened.push({ close: running.shutdown });
    expect(running.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(running.metricsUrl).not.toBe(running.url);
    const scraped = await fetch(`${running.metricsUrl}/metrics`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/^portico_bcrypt_queue_depth 0$/m);
    expect(((await (await fetch(`${running.metricsUrl}/readyz`)).json()) as { checks: unknown }).checks).toMatchObject({
      database: "up",
    });
    expect((await fetch(`${running.url}/metrics`)).status).toBe(404);
    expect(await (await fetch(`${running.url}/readyz`)).json()).toEqual({ status: "ready" });
  });

  it("has no metrics listener with METRICS_PORT=off", { timeout: 60_000 }, async () => {
    const running = await startPortico(testConfig({ PORT: "0", METRICS_PORT: "off" }), silentLogger());
    opened.push({ close: running.shutdown });
    expect(running.metricsServer).toBeUndefined();
    expect(running.metricsUrl).toBeUndefined();
  });

  it("reads METRICS_PORT and METRICS_HOST: loopback by default, off, or refused", () => {
    expect(testConfig().metrics).toEqual({ port: 0, host: "127.0.0.1" });
    expect(testConfig({ METRICS_PORT: "9500", METRICS_HOST: "10.0.0.5" }).metrics).toEqual({
      port: 9500,
      host: "10.0.0.5",
    });
    expect(testConfig({ METRICS_PORT: "off" }).metrics).toBeUndefined();
    expect(() => loadConfig({ METRICS_PORT: "nine" })).toThrow(ConfigError);
  });
});

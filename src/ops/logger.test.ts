import { once } from "node:events";
import { request as httpRequest, type Server } from "node:http";
import { Writable } from "node:stream";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger, requestLogger } from "./logger.js";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { lines, logger: createLogger({ level: "info", destination }) };
}

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

async function serve(app: express.Express): Promise<string> {
  server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  return `http://127.0.0.1:${port}`;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe("request logger", () => {
  it("writes one line per answered request, and a handler's own lines carry the same request", async () => {
    const { lines, logger } = capture();
    const app = express();
    app.use(requestLogger(logger));
    app.get("/ok", (req, res) => {
      req.log.info({ step: "inside" }, "handler line");
      res.json({ ok: true });
    });
    app.get("/missing", (_req, res) => {
      res.status(404).end();
    });
    const base = await serve(app);
    await (await fetch(`${base}/ok?token=secret-value`, { headers: { "x-request-id": "abc-1" } })).text();
    await (await fetch(`${base}/missing`)).text();
    await settle();
    const handler = lines.find((l) => l.msg === "handler line");
    expect(handler).toMatchObject({ step: "inside", req: { id: "abc-1", method: "GET" } });
    const done = lines.filter((l) => l.msg === "request completed");
    expect(done).toHaveLength(2);
    expect(done[0]).toMatchObject({
      level: 30,
      req: { id: "abc-1", url: "/ok?token=%5Bredacted%5D" },
      res: { statusCode: 200 },
    });
    expect(done[1]).toMatchObject({ level: 40, res: { statusCode: 404 } });
    expect(typeof done[1]?.responseTime).toBe("number");
    expect(JSON.stringify(lines)).not.toContain("secret-value");
  });

  it("says a request was aborted when the client left before the answer, once", async () => {
    const { lines, logger } = capture();
    const app = express();
    app.use(requestLogger(logger));
    app.get("/slow", (_req, res) => {
      setTimeout(() => {
        if (!res.destroyed) res.end("late");
      }, 300);
    });
    const base = await serve(app);
    const req = httpRequest(`${base}/slow`);
    req.on("error", () => {});
    req.end();
    setTimeout(() => req.destroy(), 50);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const requestLines = lines.filter((l) => l.res);
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]?.msg).toBe("request aborted");
  });
});

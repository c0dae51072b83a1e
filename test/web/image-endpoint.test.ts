import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebServer, type WebServer } from "./web-server.js";

let web: WebServer;
beforeAll(async () => {
  web = await startWebServer();
});
afterAll(() => web?.close());

describe("Astro's /_image endpoint", () => {
  it.each([
    ["/_image?href=/favicon.svg&f=svg", "application/json"],
    ["/_image?href=%2Ffavicon.svg", "text/html"],
    ["/_image", "text/html"],
    ["/_image/", "*/*"],
  ])("is not served: GET %s (Accept %s) answers 404", async (path, accept) => {
    const res = await fetch(`${web.url}${path}`, { headers: { accept } });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).not.toMatch(/image/);
    await res.arrayBuffer();
  });

  it("still serves the public files themselves", async () => {
    const res = await fetch(`${web.url}/favicon.svg`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
  });
});

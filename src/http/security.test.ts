import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import request from "supertest";
import { beforeAll, describe, expect, it } from "vitest";
import { usePortico } from "../../test/use-portico.js";
import { ConfigError, loadConfig } from "../config.js";
import type { Portico } from "../portico.js";
import { WEB_DIST_DIR } from "../web/mount.js";

const instances = usePortico({ shared: false });
const portico = (env: Record<string, string> = {}) => instances.open(env);

/** A Content-Security-Policy header as { directive: [values] }. */
function parseCsp(header: string | undefined): Record<string, string[]> {
  expect(header, "Content-Security-Policy header").toBeDefined();
  return Object.fromEntries(
    (header as string)
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name as string, values]),
  );
}

const STRICT_PAGE_POLICY = {
  "default-src": ["'self'"],
  "script-src": ["'self'"],
  "style-src": ["'self'"],
  "img-src": ["'self'", "data:"],
  "font-src": ["'self'"],
  "connect-src": ["'self'"],
  "form-action": ["'self'"],
  "frame-ancestors": ["'none'"],
  "base-uri": ["'none'"],
  "object-src": ["'none'"],
};

describe("security headers", () => {
  let app: Portico["app"];
  beforeAll(async () => {
    app = (await portico()).app;
  });

  it("sends helmet's headers and no X-Powered-By, on API answers and errors alike", async () => {
    for (const res of [
      await request(app).post("/api/v1/auth/login").send({}),
      await request(app).get("/api/v1/nothing-here"),
      await request(app).get("/healthz"),
    ]) {
      expect(res.headers["x-powered-by"]).toBeUndefined();
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      expect(res.headers["x-frame-options"]).toBe("DENY");
      expect(res.headers["referrer-policy"]).toBe("no-referrer");
      expect(res.headers["strict-transport-security"]).toMatch(/max-age=\d+/);
      expect(res.headers["cross-origin-opener-policy"]).toBe("same-origin");
    }
  });

  it("gives JSON API answers a policy that loads nothing", async () => {
    const res = await request(app).post("/api/v1/auth/register").send({});
    expect(parseCsp(res.headers["content-security-policy"])).toEqual({
      "default-src": ["'none'"],
      "frame-ancestors": ["'none'"],
      "base-uri": ["'none'"],
      "form-action": ["'none'"],
    });
  });

  it("gives pages (health, the API reference) the strict page policy: no inline script or style", async () => {
    for (const path of ["/healthz", "/api/v1/docs", "/"]) {
      const policy = parseCsp((await request(app).get(path)).headers["content-security-policy"]);
      expect(policy).toEqual(STRICT_PAGE_POLICY);
      expect(JSON.stringify(policy)).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    }
  });

  it("adds upgrade-insecure-requests in production only", async () => {
    const { app: production } = await portico({
      NODE_ENV: "production",
      BCRYPT_COST: "10",
      RATE_LIMIT: "on",
      PUBLIC_ORIGIN: "https://portico.example",
      SMTP_URL: "smtp://127.0.0.1:25", // required in production; this test sends no mail
    });
    const policy = parseCsp((await request(production).get("/healthz")).headers["content-security-policy"]);
    expect(policy["upgrade-insecure-requests"]).toEqual([]);
  });
});

describe("the API reference page under the page policy", () => {
  it("loads only same-origin files, with no inline script or style", async () => {
    const { app } = await portico();
    const html = (await request(app).get("/api/v1/docs")).text;
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/i);
    expect(html).not.toMatch(/<style|\sstyle=/i);
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(urls.length).toBeGreaterThanOrEqual(4);
    for (const url of urls) {
      expect(url).toMatch(/^\/api\/v1\//);
      const res = await request(app).get(url);
      expect(res.status, url).toBe(200);
    }
    const init = (await request(app).get("/api/v1/docs/init.js")).text;
    expect(init).toContain('"/api/v1/openapi.json"');
    expect(init).toContain("validatorUrl: null");
  });

  it("serves only the files it names from swagger-ui-dist", async () => {
    const { app } = await portico();
    for (const path of ["/api/v1/docs/swagger-initializer.js", "/api/v1/docs/index.html", "/api/v1/docs/constructor"]) {
      expect((await request(app).get(path)).status, path).toBe(404);
    }
  });
});

const builtWeb = existsSync(join(WEB_DIST_DIR, "server", "entry.mjs"));

describe.skipIf(!builtWeb)(
  `the web client's pages under the page policy${builtWeb ? "" : " (skipped: web/dist not built: npm run build:web)"}`,
  () => {
    it("has no inline script, inline style or style attribute in any page or built file", async () => {
      const { app } = await portico();
      for (const path of ["/", "/register", "/login"]) {
        const res = await request(app).get(path).set("Accept", "text/html");
        expect(res.status, path).toBe(200);
        expect(parseCsp(res.headers["content-security-policy"])).toEqual(STRICT_PAGE_POLICY);
        expect(res.text, path).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/i);
        expect(res.text, path).not.toMatch(/<style|\sstyle=/i);
        for (const [, url] of res.text.matchAll(/(?:src|href)="(\/[^"]*)"/g)) {
          if (!url || /^\/(register|login|dashboard|logout)?$/.test(url)) continue;
          expect((await request(app).get(url)).status, url).toBe(200);
        }
      }
      // Astro emits scripts and styles as files: none may be inlined into the server bundle's HTML.
      const pagesDir = join(WEB_DIST_DIR, "server", "pages");
      if (existsSync(pagesDir)) {
        for (const file of readdirSync(pagesDir, { recursive: true }).map(String)) {
          if (!file.endsWith(".mjs")) continue;
          expect(readFileSync(join(pagesDir, file), "utf8"), file).not.toMatch(/<script>|<style>/);
        }
      }
    });
  },
);

describe("CORS", () => {
  const origin = "https://app.example.com";

  it("is off by default: no Access-Control headers, whatever the Origin", async () => {
    const { app } = await portico();
    const res = await request(app).post("/api/v1/auth/login").set("Origin", origin).send({});
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
    const preflight = await request(app)
      .options("/api/v1/auth/login")
      .set("Origin", origin)
      .set("Access-Control-Request-Method", "POST");
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("allows exactly the listed origins, never with credentials or a wildcard", async () => {
    const { app } = await portico({ CORS_ORIGINS: `${origin}, https://admin.example.com` });
    const allowed = await request(app).post("/api/v1/auth/login").set("Origin", origin).send({});
    expect(allowed.headers["access-control-allow-origin"]).toBe(origin);
    expect(allowed.headers.vary).toMatch(/Origin/);
    expect(allowed.headers["access-control-allow-credentials"]).toBeUndefined();
    expect(allowed.headers["access-control-expose-headers"]).toMatch(/Retry-After/);

    const preflight = await request(app)
      .options("/api/v1/auth/me")
      .set("Origin", origin)
      .set("Access-Control-Request-Method", "GET")
      .set("Access-Control-Request-Headers", "authorization");
    expect(preflight.status).toBe(204);
    expect(preflight.headers["access-control-allow-origin"]).toBe(origin);
    expect(preflight.headers["access-control-allow-headers"]).toMatch(/Authorization/i);
    expect(preflight.headers["access-control-allow-credentials"]).toBeUndefined();

    const other = await request(app).post("/api/v1/auth/login").set("Origin", "https://evil.example").send({});
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
    // Pages are not part of the API: no CORS there.
    const page = await request(app).get("/healthz").set("Origin", origin);
    expect(page.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("refuses a wildcard or anything that is not an origin, at start-up", () => {
    for (const value of ["*", "https://app.example.com/path", "app.example.com", "https://a.example, *"]) {
      expect(() => loadConfig({ CORS_ORIGINS: value }), value).toThrow(ConfigError);
    }
    expect(loadConfig({ CORS_ORIGINS: "https://a.example, http://localhost:4321" }).corsOrigins).toEqual([
      "https://a.example",
      "http://localhost:4321",
    ]);
  });
});

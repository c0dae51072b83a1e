import { Agent, request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { uniqueEmail } from "../helpers.js";
import { cookieHeader, postForm, startWebServer, type WebServer } from "./web-server.js";

const PASSWORD = "correct horse battery staple";
const HTML = { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };

/** The width and height in a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe("what people and crawlers ask for (issue 15, item 6)", () => {
  let web: WebServer;

  beforeAll(async () => {
    web = await startWebServer();
  });
  afterAll(async () => {
    await web?.close();
  });

  const get = (path: string, headers: Record<string, string> = HTML) =>
    fetch(`${web.url}${path}`, { headers, redirect: "manual" });

  async function signedInCookie(): Promise<string> {
    const response = await postForm(web.url, "/register", {
      email: uniqueEmail("newcomer"),
      firstName: "Ada",
      lastName: "St. John",
      password: PASSWORD,
    });
    expect(response.status).toBe(303);
    return cookieHeader(response);
  }

  describe("icons, manifest and robots.txt", () => {
    it("answers /favicon.ico with an icon (16, 32 and 48 px)", async () => {
      const response = await get("/favicon.ico", {});
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^image\/(x-icon|vnd\.microsoft\.icon)/);
      const bytes = Buffer.from(await response.arrayBuffer());
      expect([...bytes.subarray(0, 4)]).toEqual([0, 0, 1, 0]);
      expect(bytes.readUInt16LE(4)).toBe(3);
    });

    it("answers /apple-touch-icon.png with a 180 px PNG", async () => {
      const response = await get("/apple-touch-icon.png", {});
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("image/png");
      expect(pngSize(Buffer.from(await response.arrayBuffer()))).toEqual({ width: 180, height: 180 });
    });

    it("answers /manifest.webmanifest, whose every icon is served at its stated size", async () => {
      const response = await get("/manifest.webmanifest", {});
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^application\/manifest\+json/);
      const manifest = (await response.json()) as {
        name: string;
        start_url: string;
        icons: { src: string; type: string; sizes: string }[];
      };
      expect(manifest).toMatchObject({ name: "Portico", start_url: "/" });
      for (const icon of manifest.icons) {
        const image = await get(icon.src, {});
        expect(image.status, icon.src).toBe(200);
        expect(image.headers.get("content-type"), icon.src).toMatch(new RegExp(`^${icon.type.replace("+", "\\+")}`));
        if (icon.type === "image/png") {
          const { width, height } = pngSize(Buffer.from(await image.arrayBuffer()));
          expect(`${width}x${height}`).toBe(icon.sizes);
        }
      }
    });

    it("links the icons and the manifest from every page's head", async () => {
      for (const path of ["/", "/login", "/register", "/404-nothing-here"]) {
        const html = await (await get(path)).text();
        expect(html, path).toContain('<link rel="icon" href="/favicon.ico" sizes="32x32">');
        expect(html, path).toContain('<link rel="apple-touch-icon" href="/apple-touch-icon.png">');
        expect(html, path).toContain('<link rel="manifest" href="/manifest.webmanifest">');
      }
    });

    it("keeps the account pages out of search in /robots.txt and allows the home page", async () => {
      const response = await get("/robots.txt", {});
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
      const lines = (await response.text()).split("\n").map((line) => line.trim());
      expect(lines).toContain("User-agent: *");
      expect(lines).toContain("Allow: /$");
      for (const path of ["/dashboard", "/account", "/reset-password", "/verify-email", "/confirm-email", "/dev/"]) {
        expect(lines).toContain(`Disallow: ${path}`);
      }
      expect(lines).not.toContain("Disallow: /");
    });
  });

  describe("HTML 404s for browsers", () => {
    it.each(["/api-foo", "/favicon.png", "/x/y/z", "/_astro/nothing.js", "/.env", "/wp-login.php"])(
      "answers a browser's GET %s with the HTML 404 page",
      async (path) => {
        const response = await get(path);
        expect(response.status).toBe(404);
        expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
        expect(await response.text()).toContain("Page not found");
      },
    );

    it.each(["/api-foo/", "/x/y/z/", "/favicon.png/"])(
      "sends %s without its slash, then the HTML 404",
      async (path) => {
        const redirect = await get(path);
        expect(redirect.status).toBe(301);
        expect(redirect.headers.get("location")).toBe(path.slice(0, -1));
        const response = await get(path.slice(0, -1));
        expect(response.status).toBe(404);
        expect(await response.text()).toContain("Page not found");
      },
    );

    it("keeps JSON 404s for clients that ask for JSON, and under /api", async () => {
      const json = await get("/x/y/z", { accept: "application/json" });
      expect(json.status).toBe(404);
      expect(await json.json()).toMatchObject({ code: "NOT_FOUND" });
      const api = await get("/api/v1/nothing");
      expect(api.status).toBe(404);
      expect(api.headers.get("content-type")).toMatch(/^application\/json/);
    });
  });

  describe("GET /logout", () => {
    it("answers a page with the Log out button (a form post), and logs nothing", async () => {
      const cookie = await signedInCookie();
      const warn = vi.spyOn(console, "warn");
      const error = vi.spyOn(console, "error");
      const log = vi.spyOn(console, "log");
      try {
        const response = await get("/logout", { ...HTML, cookie });
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
        const html = await response.text();
        expect(html).toMatch(
          /<form method="post" action="\/logout">\s*<button class="button" type="submit">Log out<\/button>/,
        );
        expect(warn).not.toHaveBeenCalled();
        expect(error).not.toHaveBeenCalled();
        expect(log).not.toHaveBeenCalled();
      } finally {
        vi.restoreAllMocks();
      }
      // A GET never signs anyone out: the session still works.
      expect((await get("/dashboard", { ...HTML, cookie })).status).toBe(200);
    });

    it("tells a signed-out visitor so, with a link to log in", async () => {
      const response = await get("/logout");
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain("You are not logged in");
      expect(html).toContain('<a href="/login">Log in</a>');
    });

    it("still signs out on POST: 303 to / and the cookie gone", async () => {
      const cookie = await signedInCookie();
      const response = await postForm(web.url, "/logout", {}, { cookie });
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/");
      const session = response.headers.getSetCookie().find((line) => line.startsWith("portico_session="));
      expect(session).toMatch(/Expires=Thu, 01 Jan 1970/);
      expect((await get("/dashboard", { ...HTML, cookie })).headers.get("location")).toBe("/login?next=/dashboard");
    });
  });

  describe("one URL per page", () => {
    it.each(["/login", "/register", "/dashboard", "/account", "/forgot-password", "/logout"])(
      "redirects %s/ to the path without its slash (301, the query kept)",
      async (path) => {
        for (const query of ["", "?token=abc&x=1"]) {
          const response = await get(`${path}/${query}`);
          expect(response.status).toBe(301);
          expect(response.headers.get("location")).toBe(`${path}${query}`);
        }
      },
    );

    it("redirects HEAD like GET, and a post with 308 (method and body kept)", async () => {
      const head = await fetch(`${web.url}/login/`, { method: "HEAD", redirect: "manual" });
      expect(head.status).toBe(301);
      expect(head.headers.get("location")).toBe("/login");
      const post = await postForm(web.url, "/login/", { email: "a@example.com", password: "x" });
      expect(post.status).toBe(308);
      expect(post.headers.get("location")).toBe("/login");
    });

    it("collapses repeated slashes, and never redirects to another site", async () => {
      expect((await get("/login//")).headers.get("location")).toBe("/login");
      expect((await get("/account//two-factor/")).headers.get("location")).toBe("/account/two-factor");
      for (const path of ["//evil.example/", "///evil.example//", "//evil.example//x/"]) {
        const response = await get(path);
        const location = response.headers.get("location");
        if (location !== null) expect(location, path).toMatch(/^\/(?![/\\])/);
      }
    });

    it("leaves / and the pages without a slash alone", async () => {
      expect((await get("/")).status).toBe(200);
      expect((await get("/login")).status).toBe(200);
    });
  });

  it("adds no listener per request to a keep-alive connection (no MaxListenersExceededWarning)", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    const send = (path: string, method: string, accept: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${web.url}${path}`, { agent, method, headers: { accept } }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("socket", (socket) => sockets.add(socket));
        req.on("error", reject);
        req.end();
      });
    try {
      for (let i = 0; i < 50; i++) {
        const kind = i % 3;
        const status = await send(
          `/unknown-${i}`,
          kind === 2 ? "POST" : "GET",
          kind === 0 ? HTML.accept : "application/json",
        );
        expect(status).toBe(404);
      }
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", onWarning);
      agent.destroy();
    }
    expect(sockets.size).toBe(1);
    expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
  });
});

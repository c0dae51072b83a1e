import type { Page } from "playwright-core";
import { expect } from "vitest";
import { linkIn, waitForMail } from "../../support/mail.js";
import { useChromiumPages, type ViewportName } from "../browser.js";
import { PASSWORD } from "./pages.js";
import { type Site, startSite, stopSite } from "./sites.js";

/** Straight to the API: the account exists, a verification mail is on its way. */
export async function apiRegister(site: Site, email: string): Promise<void> {
  const res = await fetch(`${site.web.url}/api/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: PASSWORD, firstName: "Ada", lastName: "Lovelace" }),
  });
  expect(res.status).toBe(201);
}

export async function apiForgot(site: Site, email: string): Promise<void> {
  const res = await fetch(`${site.web.url}/api/v1/auth/password/forgot`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email }),
  });
  expect(res.status).toBe(202);
}

/** The path of the link to `path` in the newest-but-`n` mail to `email` with that subject. */
export async function linkFromMail(site: Site, email: string, subject: RegExp, path: string, n = 1): Promise<string> {
  return linkIn(await waitForMail(site.smtp, email, subject, n), path).path;
}

/** A stand-in for a site started later: each use reads the started one's web server and mail. */
function later(started: () => Site | undefined): Site {
  const get = () => {
    const site = started();
    if (!site) throw new Error("the sites are not started yet (they start in beforeAll)");
    return site;
  };
  return {
    get web() {
      return get().web;
    },
    get smtp() {
      return get().smtp;
    },
  };
}

/**
 * Chromium and two sites for a describe block: `site`, and `required` with
 * EMAIL_VERIFICATION=required. newPage opens a fresh browser profile on a site (`site` unless
 * told), by default with JavaScript switched off: every flow must work without it. The
 * screenshots are taken with it on, like web-browser.test.ts's.
 */
export function useRecoverySites() {
  let sites: Site[] = [];
  const web = useChromiumPages({
    javaScriptEnabled: false,
    async start() {
      sites = await Promise.all([startSite(), startSite({ EMAIL_VERIFICATION: "required" })]);
      return { url: sites[0]?.web.url ?? "", close: () => Promise.all(sites.map(stopSite)) };
    },
  });
  const site = later(() => sites[0]);
  const required = later(() => sites[1]);
  function newPage(on: Site = site, viewport: ViewportName = "desktop", javaScriptEnabled = false): Promise<Page> {
    return web.newPage(viewport, javaScriptEnabled, on.web.url);
  }
  return { site, required, newPage };
}

import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { HAVE_CHROMIUM, SKIP_CHROMIUM_REASON, useChromiumPages } from "./browser.js";

// Runs in the page: the tests' tsconfig has no DOM library.
interface El {
  tagName: string;
  className: string;
  hidden: boolean;
  textContent: string | null;
  previousElementSibling: El | null;
}
declare const document: { querySelectorAll(selector: string): Iterable<El> };
declare function getComputedStyle(el: El): { marginTop: string };

interface Gap {
  text: string;
  marginTop: string;
}

/**
 * Each shown `.after-form` line whose previous element (scripts aside: they take no room) is
 * another `.after-form` line, with its top margin: the lines under a form sit close together.
 */
function gapsBetweenAfterFormLines(page: Page): Promise<Gap[]> {
  return page.evaluate(() => {
    const gaps: { text: string; marginTop: string }[] = [];
    for (const el of document.querySelectorAll(".after-form")) {
      let previous = el.previousElementSibling;
      while (previous?.tagName === "SCRIPT") previous = previous.previousElementSibling;
      if (el.hidden || !previous || previous.hidden || !/\bafter-form\b/.test(previous.className)) continue;
      gaps.push({ text: (el.textContent ?? "").trim(), marginTop: getComputedStyle(el).marginTop });
    }
    return gaps;
  });
}

describe.skipIf(!HAVE_CHROMIUM)(`page layout (${HAVE_CHROMIUM ? "Chromium" : SKIP_CHROMIUM_REASON})`, () => {
  const web = useChromiumPages({ javaScriptEnabled: true });

  // Astro 7 writes a component's module script right after its markup: on /login the passkey
  // button's script came between two `.after-form` lines, and `.after-form + .after-form` no
  // longer matched (24 px instead of 12 px above "Forgot your password?").
  for (const javaScriptEnabled of [true, false]) {
    it(`keeps the lines under the login form 12 px apart, a component's script between them or not (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async () => {
      const page = await web.newPage("desktop", javaScriptEnabled);
      await page.goto("/login");
      const gaps = await gapsBetweenAfterFormLines(page);
      expect(gaps.map((gap) => gap.text)).toEqual([
        ...(javaScriptEnabled ? ["Forgot your password?"] : []),
        "New to Portico? Sign up",
      ]);
      for (const gap of gaps) expect(gap.marginTop, gap.text).toBe("12px");
    });
  }
});

import type { Page } from "playwright-core";

/** An element's text as a screen reader reads it: visually hidden parts included, spaces collapsed. */
export async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).first().textContent()) ?? "").replace(/\s+/g, " ").trim();
}

/** Presses a button (named exactly, unless by a pattern) and waits for the page it loads. */
export async function press(page: Page, button: string | RegExp): Promise<void> {
  await Promise.all([
    page.waitForLoadState("load"),
    page.getByRole("button", { name: button, exact: typeof button === "string" }).click(),
  ]);
  await page.waitForLoadState("load");
}

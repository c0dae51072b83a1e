/**
 * A page rendered for a signed-in person is never shown again from the back-forward cache: Back
 * (or Forward) to it loads it afresh, so after a logout the server answers with /login instead
 * of the last person's account. Chromium also evicts such pages without JavaScript (see
 * lib/signed-out.ts); this covers the browsers that do not, and any page restored before the
 * eviction. Layout.astro marks those pages with `data-signed-in` on <html>.
 */
if (document.documentElement.hasAttribute("data-signed-in")) {
  addEventListener("pagehide", (event) => {
    // Going into the cache: keep no account data on screen for the moment a restore shows.
    if (event.persisted) document.body.hidden = true;
  });
  addEventListener("pageshow", (event) => {
    if (event.persisted) location.reload();
  });
}

import node from "@astrojs/node";
import { defineConfig, passthroughImageService } from "astro/config";

// Server-rendered pages, mounted in the Express process by src/web/mount.ts (middleware mode).
export default defineConfig({
  output: "server",
  adapter: node({ mode: "middleware" }),
  security: {
    // Form posts are checked by src/middleware.ts against the site's public origin, which the
    // mount passes in (PUBLIC_ORIGIN, or the request's origin as Express sees it with
    // TRUST_PROXY). Astro's own check compares with a URL rebuilt from the Host header, which it
    // only trusts for hosts listed in `allowedDomains` (unknowable at build time): without that
    // list it 403s every form post. One check, in one place, with the real origin.
    checkOrigin: false,
  },
  // Astro 7's default ("jsx") drops the whitespace around elements, and with it the spaces the
  // pages' text needs between a word and a link or <strong> on the next line; `true` is Astro 5's
  // lossless compression: the same HTML as before.
  compressHTML: true,
  devToolbar: { enabled: false },
  // The pages use no images; the adapter still adds an /_image endpoint, which then only passes
  // files through instead of resizing them on request.
  image: { service: passthroughImageService() },
  vite: {
    // Scripts and styles as files under /_astro/ (hashed, cached for a year), never inline:
    // pages keep working under a Content-Security-Policy without 'unsafe-inline'.
    build: { assetsInlineLimit: 0 },
  },
});

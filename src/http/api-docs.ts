import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Router } from "express";

const OPENAPI_PATH = "/api/v1/openapi.json";
const DOCS_PATH = "/api/v1/docs";

/** Swagger UI's files, from the npm package: no CDN, nothing fetched from elsewhere. */
const SWAGGER_DIR = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "swagger-ui.css",
  "swagger-ui-bundle.js": "swagger-ui-bundle.js",
  "favicon-32x32.png": "favicon-32x32.png",
};

// No inline script or style: the page runs under the strict page CSP (src/http/security.ts).
const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Portico API reference</title>
    <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
    <link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png">
  </head>
  <body>
    <noscript>The API reference needs JavaScript. The document itself is at <a href="${OPENAPI_PATH}">${OPENAPI_PATH}</a>.</noscript>
    <div id="swagger-ui"></div>
    <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
    <script src="${DOCS_PATH}/init.js"></script>
  </body>
</html>
`;

// validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io.
const INIT = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(OPENAPI_PATH)},
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
`;

/** GET /api/v1/openapi.json (OpenAPI 3.1) and GET /api/v1/docs (a human-readable reference). */
export function createApiDocsRouter(buildDocument: () => object): Router {
  // Built on the first request, not at start-up: converting every schema allocates a few MB
  // that an instance nobody asks for its reference would keep as resident memory.
  let document: string | undefined;
  const router = Router();
  router.get(OPENAPI_PATH, (_req, res) => {
    document ??= JSON.stringify(buildDocument());
    res.set("Cache-Control", "no-cache").type("application/json").send(document);
  });
  router.get(DOCS_PATH, (_req, res) => {
    res.set("Cache-Control", "no-cache").type("html").send(PAGE);
  });
  router.get(`${DOCS_PATH}/init.js`, (_req, res) => {
    res.set("Cache-Control", "no-cache").type("text/javascript").send(INIT);
  });
  router.get(`${DOCS_PATH}/:asset`, (req, res, next) => {
    const file = Object.hasOwn(ASSETS, req.params.asset) ? ASSETS[req.params.asset] : undefined;
    if (!file) return next();
    res.sendFile(join(SWAGGER_DIR, file), { maxAge: "1d" });
  });
  return router;
}

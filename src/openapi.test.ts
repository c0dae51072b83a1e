import { Ajv2020 } from "ajv/dist/2020.js";
import request from "supertest";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { newUserBody } from "../test/helpers.js";
import { usePortico } from "../test/use-portico.js";
import { loginBody, registerBody } from "./auth/auth.schemas.js";
import { authResponseSchema, errorBodySchema, meResponseSchema } from "./openapi.js";

/** SPEC §1's table, copied here on purpose: the document is checked against the contract. */
const SPEC_TABLE: [status: number, code: string, message: string | undefined][] = [
  [400, "MALFORMED_JSON", "Request body must be valid JSON"],
  [415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json"],
  [413, "PAYLOAD_TOO_LARGE", "Request body is too large"],
  [422, "MISSING_FIELDS", "Missing required fields"],
  [422, "INVALID_TYPE", undefined], // "<field> must be a string"
  [422, "INVALID_EMAIL", "Invalid email format"],
  [422, "WEAK_PASSWORD", "Password must be at least 8 characters"],
  [422, "PASSWORD_TOO_LONG", "Password must be at most 72 bytes"],
  [422, "PASSWORD_TOO_COMMON", "Password is too common"],
  [422, "INVALID_NAME", "First and last name must contain only letters"],
  [422, "NAME_TOO_LONG", "Name is too long"],
  [409, "EMAIL_TAKEN", "Email already registered"],
  [401, "INVALID_CREDENTIALS", "Invalid email or password"],
  [401, "UNAUTHORIZED", "Authentication required"],
  [429, "RATE_LIMITED", "Too many requests"],
  [503, "OVERLOADED", "Server is busy"],
  [503, "SERVICE_UNAVAILABLE", "Service temporarily unavailable"],
  [500, "INTERNAL_ERROR", "Internal server error"],
  [404, "NOT_FOUND", "Not found"],
  // SPEC §12's rows.
  [400, "INVALID_TOKEN", "This link is invalid or has expired"],
  [403, "WRONG_PASSWORD", "Current password is incorrect"],
  [403, "EMAIL_NOT_VERIFIED", "Email address not verified"],
  [401, "INVALID_MFA_CODE", "Invalid authentication code"],
];

// biome-ignore lint/suspicious/noExplicitAny: walks an arbitrary JSON document
type Json = Record<string, any>;
const DOC_ID = "urn:portico:openapi";
const pointer = (...parts: string[]) =>
  `${DOC_ID}#/${parts.map((p) => p.replaceAll("~", "~0").replaceAll("/", "~1")).join("/")}`;

describe("OpenAPI document", () => {
  const portico = usePortico();
  let doc: Json;
  let ajv: Ajv2020;

  beforeAll(async () => {
    const res = await request(portico.app).get("/api/v1/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    doc = res.body;
    // JSON Schema 2020-12 is OpenAPI 3.1's dialect. Formats are not checked (no ajv-formats).
    ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    ajv.addSchema({ ...doc, $id: DOC_ID });
  });

  function validate(ref: string, value: unknown): string[] {
    const check = ajv.getSchema(ref);
    if (!check) throw new Error(`no schema at ${ref}`);
    return check(value) ? [] : (check.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  }

  it("is OpenAPI 3.1 with every endpoint", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        "/api/v1/auth/login",
        "/api/v1/auth/me",
        "/api/v1/auth/register",
        "/api/v1/auth/logout",
        "/api/v1/auth/sessions",
        "/api/v1/auth/sessions/{id}",
        "/api/v1/auth/sessions/revoke-others",
        "/api/v1/auth/email/verify",
        "/api/v1/auth/email/verification",
        "/api/v1/auth/password/forgot",
        "/api/v1/auth/password/reset",
        "/api/v1/auth/password/change",
        "/api/v1/auth/email/change",
        "/api/v1/auth/email/confirm",
        "/api/v1/auth/email/change/cancel",
        "/api/v1/auth/events",
        "/api/v1/auth/mfa",
        "/api/v1/auth/mfa/totp/setup",
        "/api/v1/auth/mfa/totp/enable",
        "/api/v1/auth/mfa/totp/disable",
        "/api/v1/auth/mfa/verify",
        "/api/v1/auth/passkeys/options",
        "/api/v1/auth/passkeys",
        "/api/v1/auth/passkeys/{id}",
        "/api/v1/auth/passkey/options",
        "/api/v1/auth/passkey/login",
        "/api/v1/auth/factors/revoke",
        "/healthz",
        "/readyz",
      ].sort(),
    );
  });

  it("describes request bodies with the very zod schemas that validate them", () => {
    const fromZod = (schema: z.ZodType, id: string) =>
      (z.toJSONSchema(schema, { io: "input" }) as Json).$defs[id] as Json;
    expect(doc.components.schemas.RegisterBody.properties).toEqual(fromZod(registerBody, "RegisterBody").properties);
    expect(doc.components.schemas.LoginBody).toEqual(fromZod(loginBody, "LoginBody"));
  });

  it("lists every status and code of SPEC's table, with SPEC's message", () => {
    const found = new Map<string, { status: number; message: string }>();
    for (const item of Object.values(doc.paths) as Json[]) {
      for (const operation of Object.values(item) as Json[]) {
        for (const [status, response] of Object.entries(operation.responses as Json)) {
          const examples = (response.content?.["application/json"]?.examples ?? {}) as Json;
          for (const [code, example] of Object.entries(examples)) {
            found.set(code, { status: Number(status), message: example.value.message });
            expect(example.value).toMatchObject({ statusCode: Number(status), code });
            expect(
              validate(
                pointer(
                  "paths",
                  ...pathOf(doc, operation),
                  "responses",
                  status,
                  "content",
                  "application/json",
                  "schema",
                ),
                example.value,
              ),
            ).toEqual([]);
          }
        }
      }
    }
    for (const [status, code, message] of SPEC_TABLE) {
      // Every route may answer 404 for an unknown method: documented once, in the table.
      if (code === "NOT_FOUND") continue;
      expect(found.get(code)?.status, code).toBe(status);
      if (message) expect(found.get(code)?.message, code).toBe(message);
    }
    for (const [status, code, message] of SPEC_TABLE) {
      expect(doc.info.description).toContain(`| ${status} | \`${code}\` |${message ? ` ${message} |` : ""}`);
    }
    expect(doc.components.schemas.Error.properties.code.enum).toEqual(
      expect.arrayContaining(SPEC_TABLE.map((r) => r[1])),
    );
  });

  it("has no dangling $ref", () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(5);
    for (const ref of new Set(refs)) {
      const path = (JSON.parse(`{${ref}}`) as { $ref: string }).$ref;
      expect(ajv.getSchema(`${DOC_ID}${path}`), path).toBeDefined();
    }
  });

  it("accepts and refuses the same bodies as the validator, where JSON Schema can tell", () => {
    const body = newUserBody();
    const cases: [string, unknown][] = [
      ["first and last name", body],
      ["full name only", { email: body.email, password: body.password, name: "Ada Lovelace" }],
      ["first name only", { email: body.email, password: body.password, firstName: "Ada" }],
      ["no password", { email: body.email, name: "Ada" }],
      ["short password", { ...body, password: "Zq7!x" }],
      ["name too long", { ...body, firstName: "A".repeat(101) }],
      ["number as e-mail", { ...body, email: 42 }],
      ["unknown fields", { ...body, role: "admin", isAdmin: true }],
    ];
    for (const [label, value] of cases) {
      const byDocument = validate(pointer("components", "schemas", "RegisterBody"), value).length === 0;
      expect(byDocument, label).toBe(registerBody.safeParse(value).success);
    }
  });

  it("describes what the API really answers", async () => {
    const { app } = portico;
    const user = newUserBody();
    const registered = await request(app).post("/api/v1/auth/register").send(user);
    expect(registered.status).toBe(201);
    authResponseSchema.parse(registered.body);
    expect(validate(pointer("components", "schemas", "AuthResponse"), registered.body)).toEqual([]);
    const me = await request(app).get("/api/v1/auth/me").set("Authorization", `Bearer ${registered.body.token}`);
    meResponseSchema.parse(me.body);
    expect(validate(pointer("components", "schemas", "MeResponse"), me.body)).toEqual([]);

    const errors: [string, string, request.Test][] = [
      ["/api/v1/auth/register", "409", request(app).post("/api/v1/auth/register").send(user)],
      ["/api/v1/auth/register", "422", request(app).post("/api/v1/auth/register").send({ email: "x" })],
      ["/api/v1/auth/register", "400", request(app).post("/api/v1/auth/register").type("json").send("{")],
      ["/api/v1/auth/login", "415", request(app).post("/api/v1/auth/login").type("text").send("hello")],
      [
        "/api/v1/auth/login",
        "401",
        request(app)
          .post("/api/v1/auth/login")
          .send({ ...user, password: "wrong one" }),
      ],
      ["/api/v1/auth/me", "401", request(app).get("/api/v1/auth/me")],
    ];
    for (const [path, status, call] of errors) {
      const res = await call;
      expect(res.status, `${path} ${status}`).toBe(Number(status));
      errorBodySchema.parse(res.body);
      const method = path.endsWith("/me") ? "get" : "post";
      const schema = pointer("paths", path, method, "responses", status, "content", "application/json", "schema");
      expect(validate(schema, res.body), `${path} ${status}`).toEqual([]);
    }
  });
});

/** The [path, method] under which `operation` sits in the document. */
function pathOf(doc: Json, operation: Json): [string, string] {
  for (const [path, item] of Object.entries(doc.paths as Json)) {
    for (const [method, candidate] of Object.entries(item as Json)) if (candidate === operation) return [path, method];
  }
  throw new Error("operation not found");
}

import jwt from "jsonwebtoken";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { newUserBody, TEST_ENGINES, TEST_JWT_SECRET, uniqueEmail } from "./helpers.js";
import { usePortico } from "./use-portico.js";

const REGISTER = "/api/v1/auth/register";
const LOGIN = "/api/v1/auth/login";
const ME = "/api/v1/auth/me";

/** Every error has SPEC's one shape, and nothing that looks like a stack trace, SQL or a hash. */
function expectErrorShape(res: request.Response, status: number, code: string, message?: string) {
  expect(res.status).toBe(status);
  expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
  expect(res.body).toMatchObject({ statusCode: status, code });
  expect(typeof res.body.error).toBe("string");
  expect(typeof res.body.message).toBe("string");
  if (message) expect(res.body.message).toBe(message);
  const text = JSON.stringify(res.body);
  expect(text).not.toMatch(/\bat .+\.(ts|js):\d+|SELECT|INSERT|\$2[aby]\$/);
}

describe.each(TEST_ENGINES)("API on $name", (engine) => {
  const portico = usePortico({ engine });
  const api = () => request(portico.app);

  describe("POST /api/v1/auth/register", () => {
    it("answers 201 with a token and the user; role and isAdmin from a body change nothing", async () => {
      const body = newUserBody({
        email: `  Mixed.Case-${crypto.randomUUID()}@Example.COM `,
        role: "admin",
        isAdmin: true,
        id: "x",
      });
      const res = await api().post(REGISTER).send(body);
      expect(res.status).toBe(201);
      expect(res.headers["cache-control"]).toBe("no-store");
      expect(Object.keys(res.body).sort()).toEqual(["token", "user"]);
      expect(res.body.user).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email: (body.email as string).trim().toLowerCase(),
        name: "Ada Lovelace",
        firstName: "Ada",
        lastName: "Lovelace",
        role: "user",
        isAdmin: false,
        emailVerified: false,
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      const claims = jwt.verify(res.body.token, TEST_JWT_SECRET) as jwt.JwtPayload;
      expect(claims).toMatchObject({ sub: res.body.user.id, userId: res.body.user.id, role: "user" });
      expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(7 * 86_400);
    });

    it("accepts seed 002's { email, name, password } and seed 001's first_name/last_name", async () => {
      const a = await api()
        .post(REGISTER)
        .send({ email: uniqueEmail(), name: "Nguyễn Văn An", password: "a long enough pw" });
      expect([a.status, a.body.user?.name, a.body.user?.firstName]).toEqual([201, "Nguyễn Văn An", null]);
      const b = await api()
        .post(REGISTER)
        .send({ email: uniqueEmail(), first_name: "Zoë", last_name: "O’Brien", password: "a long enough pw" });
      expect([b.status, b.body.user?.name]).toEqual([201, "Zoë O’Brien"]);
    });

    it.each([
      ["MISSING_FIELDS", { password: "a long enough pw", name: "Ada" }, "Missing required fields"],
      ["INVALID_TYPE", { email: 42, password: "a long enough pw", name: "Ada" }, "email must be a string"],
      ["INVALID_EMAIL", { email: "ada@localhost", password: "a long enough pw", name: "Ada" }, "Invalid email format"],
      ["WEAK_PASSWORD", { email: "a@b.co", password: "short", name: "Ada" }, "Password must be at least 8 characters"],
      [
        "PASSWORD_TOO_LONG",
        { email: "a@b.co", password: "x".repeat(73), name: "Ada" },
        "Password must be at most 72 bytes",
      ],
      ["PASSWORD_TOO_COMMON", { email: "a@b.co", password: "password123", name: "Ada" }, "Password is too common"],
      [
        "INVALID_NAME",
        { email: "a@b.co", password: "a long enough pw", name: "Ada <b>" },
        "First and last name must contain only letters",
      ],
      ["NAME_TOO_LONG", { email: "a@b.co", password: "a long enough pw", name: "A".repeat(256) }, "Name is too long"],
    ])("answers 422 %s", async (code, body, message) => {
      const res = await api().post(REGISTER).send(body);
      expectErrorShape(res, 422, code, message);
      expect(res.body.error).toBe("Validation Error");
      expect(res.body.details[0]).toMatchObject({ code });
    });

    it("lists every field problem in details at once", async () => {
      const res = await api().post(REGISTER).send({ email: "nope", password: "short", firstName: "R2", lastName: "" });
      expectErrorShape(res, 422, "MISSING_FIELDS");
      expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual([
        "email",
        "firstName",
        "lastName",
        "password",
      ]);
    });

    it("answers 400 MALFORMED_JSON for a body that is not valid JSON", async () => {
      const res = await api().post(REGISTER).set("Content-Type", "application/json").send('{"email": "a@b.co",');
      expectErrorShape(res, 400, "MALFORMED_JSON", "Request body must be valid JSON");
    });

    it("answers 415 UNSUPPORTED_MEDIA_TYPE for a form or text body", async () => {
      const form = await api().post(REGISTER).type("form").send("email=a@b.co&password=xxxxxxxx");
      expectErrorShape(form, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
      const text = await api().post(REGISTER).set("Content-Type", "text/plain").send("{}");
      expectErrorShape(text, 415, "UNSUPPORTED_MEDIA_TYPE");
    });

    it("answers 413 PAYLOAD_TOO_LARGE over 16 KiB", async () => {
      const res = await api()
        .post(REGISTER)
        .send(newUserBody({ padding: "x".repeat(17 * 1024) }));
      expectErrorShape(res, 413, "PAYLOAD_TOO_LARGE", "Request body is too large");
    });

    it("answers 422 MISSING_FIELDS to an empty request", async () => {
      expectErrorShape(await api().post(REGISTER), 422, "MISSING_FIELDS");
    });

    it("answers 409 EMAIL_TAKEN when the e-mail differs only by case", async () => {
      const body = newUserBody();
      expect((await api().post(REGISTER).send(body)).status).toBe(201);
      const res = await api()
        .post(REGISTER)
        .send({ ...body, email: body.email.toUpperCase() });
      expectErrorShape(res, 409, "EMAIL_TAKEN", "Email already registered");
    });

    it("gives one 201 and 49 × 409 to 50 simultaneous registrations of one e-mail, and stores one user", async () => {
      const body = newUserBody();
      const statuses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          api()
            .post(REGISTER)
            .send({ ...body, email: i % 2 ? body.email.toUpperCase() : body.email })
            .then((r) => r.status),
        ),
      );
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(49);
      const rows = await portico.database.kysely
        .selectFrom("users")
        .select("id")
        .where("email", "=", body.email)
        .execute();
      expect(rows).toHaveLength(1);
    });
  });

  describe("POST /api/v1/auth/login", () => {
    it("answers 200 with a token and the user", async () => {
      const body = newUserBody();
      await api().post(REGISTER).send(body);
      const res = await api().post(LOGIN).send({ email: body.email.toUpperCase(), password: body.password });
      expect(res.status).toBe(200);
      expect(res.body.user.email).toBe(body.email);
      const me = await api().get(ME).set("Authorization", `Bearer ${res.body.token}`);
      expect(me.body.user.id).toBe(res.body.user.id);
    });

    it("answers the same 401 INVALID_CREDENTIALS for a wrong password and an unknown e-mail", async () => {
      const body = newUserBody();
      await api().post(REGISTER).send(body);
      const wrong = await api().post(LOGIN).send({ email: body.email, password: "wrong password" });
      const unknown = await api().post(LOGIN).send({ email: uniqueEmail(), password: body.password });
      expectErrorShape(wrong, 401, "INVALID_CREDENTIALS", "Invalid email or password");
      expect(unknown.status).toBe(401);
      expect(unknown.body).toEqual(wrong.body);
    });

    it("answers 422 MISSING_FIELDS without a password", async () => {
      expectErrorShape(await api().post(LOGIN).send({ email: "a@b.co" }), 422, "MISSING_FIELDS");
    });
  });

  describe("GET /api/v1/auth/me", () => {
    it("answers 200 with the user for a valid bearer token", async () => {
      const reg = await api().post(REGISTER).send(newUserBody());
      const res = await api().get(ME).set("Authorization", `Bearer ${reg.body.token}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ user: reg.body.user });
    });

    it.each([
      ["no header", undefined],
      ["a malformed header", "Token abc"],
      ["an empty bearer", "Bearer "],
      ["garbage", "Bearer not.a.jwt"],
      [
        "alg none",
        `Bearer ${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from('{"sub":"x"}').toString("base64url")}.`,
      ],
      [
        "a wrong key",
        `Bearer ${jwt.sign({ sub: crypto.randomUUID() }, "another-secret-another-secret-000", { expiresIn: 60 })}`,
      ],
      ["an expired token", `Bearer ${jwt.sign({ sub: crypto.randomUUID(), exp: 1 }, TEST_JWT_SECRET)}`],
      ["a token for nobody", `Bearer ${jwt.sign({ sub: crypto.randomUUID() }, TEST_JWT_SECRET, { expiresIn: 60 })}`],
    ])("answers 401 UNAUTHORIZED with WWW-Authenticate for %s", async (_label, header) => {
      const req = api().get(ME);
      const res = await (header ? req.set("Authorization", header) : req);
      expectErrorShape(res, 401, "UNAUTHORIZED", "Authentication required");
      expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
    });

    it("answers 401 for a tampered payload", async () => {
      const reg = await api().post(REGISTER).send(newUserBody());
      const [h, , s] = reg.body.token.split(".");
      const payload = Buffer.from(
        JSON.stringify({ sub: reg.body.user.id, role: "admin", exp: 9_999_999_999 }),
      ).toString("base64url");
      expectErrorShape(await api().get(ME).set("Authorization", `Bearer ${h}.${payload}.${s}`), 401, "UNAUTHORIZED");
    });

    it("answers 401 once the user is deleted", async () => {
      const reg = await api().post(REGISTER).send(newUserBody());
      await portico.database.kysely.deleteFrom("users").where("id", "=", reg.body.user.id).execute();
      expectErrorShape(await api().get(ME).set("Authorization", `Bearer ${reg.body.token}`), 401, "UNAUTHORIZED");
    });
  });

  describe("health and unknown routes", () => {
    it("answers /healthz and /readyz with 200", async () => {
      expect((await api().get("/healthz")).body).toEqual({ status: "ok" });
      const ready = await request(portico.opsApp).get("/readyz");
      expect(ready.status).toBe(200);
      expect(ready.body.checks.database).toBe("up");
    });

    it("answers 404 NOT_FOUND in the error shape for unknown API routes and methods", async () => {
      expectErrorShape(await api().get("/api/v1/nope"), 404, "NOT_FOUND", "Not found");
      expectErrorShape(await api().delete(REGISTER), 404, "NOT_FOUND");
    });
  });
});

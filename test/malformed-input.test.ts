import request from "supertest";
import { describe, expect, it } from "vitest";
import { newUserBody, TEST_ENGINES } from "./helpers.js";
import { usePortico } from "./use-portico.js";

/** Requests the outside review answered with 500: each gets a client error in the one shape. */
describe.each(TEST_ENGINES)("malformed input is a client error, never a 500, on $name", (engine) => {
  const portico = usePortico({ engine });
  const api = () => request(portico.app);

  const notFound = { error: "Not Found", message: "Not found", statusCode: 404, code: "NOT_FOUND" };

  it("answers 404 NOT_FOUND for a path parameter that is not valid percent-encoding, signed in or not", async () => {
    const { body } = await api().post("/api/v1/auth/register").send(newUserBody());
    const paths = ["/api/v1/auth/sessions/%E0%A4%A", "/api/v1/auth/passkeys/%ZZ", "/api/v1/auth/sessions/%"];
    for (const path of paths) {
      for (const auth of [{}, { Authorization: `Bearer ${body.token}` }]) {
        const res = await api().delete(path).set(auth);
        expect(res.status, path).toBe(404);
        expect(res.body).toEqual(notFound);
      }
    }
  });

  it("answers 422 INVALID_TYPE for a passkey credential id that is not base64url (a NUL among others)", async () => {
    const options = await api().post("/api/v1/auth/passkey/options");
    for (const id of ["a\u0000b", "\u0000", "not base64url!"]) {
      const response = { id, rawId: "AAAA", type: "public-key", response: {} };
      const res = await api()
        .post("/api/v1/auth/passkey/login")
        .send({ challengeId: options.body.challengeId, response });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({
        statusCode: 422,
        code: "INVALID_TYPE",
        message: "response.id must be base64url",
      });
      expect(res.body.details).toEqual([
        { field: "response.id", code: "INVALID_TYPE", message: "response.id must be base64url" },
      ]);
    }
  });

  it("refuses a NUL in a new passkey's rawId the same way", async () => {
    const { body } = await api().post("/api/v1/auth/register").send(newUserBody());
    const response = { id: "AAAA", rawId: "A\u0000", type: "public-key", response: {} };
    const res = await api()
      .post("/api/v1/auth/passkeys")
      .set("Authorization", `Bearer ${body.token}`)
      .send({ response });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: "INVALID_TYPE", message: "response.rawId must be base64url" });
  });
});

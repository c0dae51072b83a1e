import request from "supertest";
import { describe, expect, it } from "vitest";
import { newUserBody, TEST_ENGINES } from "./helpers.js";
import { usePortico } from "./use-portico.js";

describe.each(TEST_ENGINES)("display names over HTTP on $name", (engine) => {
  const portico = usePortico({ engine });

  it.each([
    ["a Cyrillic А in a Latin word", { firstName: "\u0410dmin" }],
    ["the combining grapheme joiner", { lastName: "Love\u034flace" }],
    ["a variation selector", { name: "Ada\ufe0f Lovelace", firstName: undefined, lastName: undefined }],
  ])("refuses a registration whose name has %s: 422 INVALID_NAME, no account", async (_label, names) => {
    const body = newUserBody(names);
    const res = await request(portico.app).post("/api/v1/auth/register").send(body);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: "INVALID_NAME", message: "First and last name must contain only letters" });
    const row = await portico.database.kysely
      .selectFrom("users")
      .select("id")
      .where("email", "=", body.email)
      .executeTakeFirst();
    expect(row).toBeUndefined();
  });

  it("accepts a name written in one script per word", async () => {
    const res = await request(portico.app)
      .post("/api/v1/auth/register")
      .send(newUserBody({ firstName: "Анна", lastName: "Smith" }));
    expect(res.status).toBe(201);
  });
});

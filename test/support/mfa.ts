import type { Express } from "express";
import type { Kysely } from "kysely";
import request from "supertest";
import { expect } from "vitest";
import type { Schema } from "../../src/db/schema.js";
import { totpCodeAt } from "../../src/mfa/totp.js";
import { newUserBody } from "../helpers.js";

/** A signed-up user with TOTP on: the body they signed up with, their session, secret and recovery codes. */
export async function userWithTotp(app: Express) {
  const body = newUserBody();
  const reg = await request(app).post("/api/v1/auth/register").send(body);
  expect(reg.status).toBe(201);
  const token = reg.body.token as string;
  const auth = { Authorization: `Bearer ${token}` };
  const setup = await request(app).post("/api/v1/auth/mfa/totp/setup").set(auth);
  expect(setup.status).toBe(200);
  const secret = setup.body.secret as string;
  // `password` too: binding a factor asks for it (SPEC §20); a body without the field ignores it.
  const enabled = await request(app)
    .post("/api/v1/auth/mfa/totp/enable")
    .set(auth)
    .send({ code: totpCodeAt(secret, Date.now()), password: body.password });
  expect(enabled.status).toBe(200);
  return {
    body,
    token,
    userId: reg.body.user.id as string,
    secret,
    recoveryCodes: enabled.body.recoveryCodes as string[],
  };
}

/** A sign-in ticket: the right password of a user with TOTP on. */
export async function mfaTicket(app: Express, body: { email: string; password: string }, headers = {}) {
  const res = await request(app).post("/api/v1/auth/login").set(headers).send(body);
  expect(res.status).toBe(200);
  expect(res.body.mfaRequired).toBe(true);
  return res.body.mfaToken as string;
}

/** Wrong second-factor codes recorded for a user: each is a code that was checked. */
export async function countMfaFailed(db: Kysely<Schema>, userId: string): Promise<number> {
  const row = await db
    .selectFrom("security_events")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("user_id", "=", userId)
    .where("type", "=", "mfa.failed")
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

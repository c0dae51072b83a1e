import jwt from "jsonwebtoken";
import request from "supertest";
import { expect } from "vitest";
import { newUserBody, TEST_JWT_SECRET } from "../helpers.js";
import type { PorticoFixture } from "../use-portico.js";

export const REGISTER = "/api/v1/auth/register";
export const LOGIN = "/api/v1/auth/login";
const ME = "/api/v1/auth/me";
export const LOGOUT = "/api/v1/auth/logout";
export const SESSIONS = "/api/v1/auth/sessions";
export const REVOKE_OTHERS = "/api/v1/auth/sessions/revoke-others";

export function expectUnauthorized(res: request.Response) {
  expect(res.status).toBe(401);
  expect(res.body).toMatchObject({ statusCode: 401, code: "UNAUTHORIZED", message: "Authentication required" });
  expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
export const claimsOf = (token: string) => jwt.verify(token, TEST_JWT_SECRET) as jwt.JwtPayload;

/** Requests as signed-in users of one Portico (the sessions tests' vocabulary). */
export function sessionClient(portico: PorticoFixture) {
  const api = () => request(portico.app);
  const me = (token: string) => api().get(ME).set(bearer(token));

  /** A new user with `count` sessions (the first from registration); their tokens, oldest first. */
  async function userWithSessions(count: number, userAgent = "test-agent/1.0") {
    const body = newUserBody();
    const first = await api().post(REGISTER).set("User-Agent", userAgent).send(body);
    expect(first.status).toBe(201);
    const tokens: string[] = [first.body.token];
    for (let i = 1; i < count; i++) {
      const res = await api()
        .post(LOGIN)
        .set("User-Agent", userAgent)
        .send({ email: body.email, password: body.password });
      expect(res.status).toBe(200);
      tokens.push(res.body.token);
    }
    return { body, tokens, userId: first.body.user.id as string };
  }

  return { api, me, userWithSessions };
}

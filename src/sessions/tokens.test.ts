import { createHmac, generateKeyPairSync } from "node:crypto";
import jwt from "jsonwebtoken";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors.js";
import type { User } from "../users/user.js";
import { createTokenSigner } from "./tokens.js";

const secret = "a-test-secret-that-is-at-least-32-bytes-long";
const WEEK = 7 * 86_400;
const signer = createTokenSigner({ secret, expiresInSeconds: WEEK, issuer: "portico" });
const sessionId = "9b2f3c1e-4d5a-4b6c-8d7e-0f1a2b3c4d5e";
const nowSeconds = () => Math.floor(Date.now() / 1000);
const session = (lifetime = WEEK, issuedAt = nowSeconds()) => ({
  id: sessionId,
  issuedAt,
  expiresAt: issuedAt + lifetime,
});
/** A token as ours would be, with some claims changed: signed with the right key. */
const forge = (claims: Record<string, unknown>) =>
  jwt.sign(
    {
      sub: user.id,
      userId: user.id,
      sid: sessionId,
      iss: "portico",
      aud: "portico",
      iat: nowSeconds(),
      exp: nowSeconds() + 60,
      ...claims,
    },
    secret,
    { algorithm: "HS256" },
  );
const user: User = {
  id: "4f0c4a5e-8f7e-4d9b-9a51-0e7f6a1d2c3b",
  email: "ada@example.com",
  name: "Ada Lovelace",
  firstName: "Ada",
  lastName: "Lovelace",
  role: "user",
  isAdmin: false,
  emailVerified: false,
  createdAt: new Date().toISOString(),
};

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

function expectUnauthorized(token: string) {
  let caught: unknown;
  try {
    signer.verifyToken(token);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(AppError);
  expect((caught as AppError).code).toBe("UNAUTHORIZED");
}

describe("tokens", () => {
  it("signs HS256 with SPEC's claims, valid 7 days", () => {
    const token = signer.signToken(user, session());
    const header = JSON.parse(Buffer.from(token.split(".")[0] as string, "base64url").toString());
    expect(header.alg).toBe("HS256");
    const claims = signer.verifyToken(token);
    expect(claims).toMatchObject({
      sub: user.id,
      userId: user.id,
      email: user.email,
      name: user.name,
      role: "user",
      sid: sessionId,
      iss: "portico",
      aud: "portico",
    });
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.exp - claims.iat).toBe(7 * 86_400);
  });

  it("refuses alg none", () => {
    const payload = b64({ sub: user.id, userId: user.id, exp: Math.floor(Date.now() / 1000) + 60 });
    expectUnauthorized(`${b64({ alg: "none", typ: "JWT" })}.${payload}.`);
  });

  it("refuses other HMAC algorithms signed with the right key", () => {
    expectUnauthorized(jwt.sign({ sub: user.id }, secret, { algorithm: "HS512", expiresIn: 60 }));
  });

  it("refuses RS256 tokens, including the public-key-as-HMAC-secret confusion", () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    expectUnauthorized(jwt.sign({ sub: user.id }, privateKey, { algorithm: "RS256", expiresIn: 60 }));
    const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const header = b64({ alg: "HS256", typ: "JWT" });
    const body = b64({ sub: user.id, exp: Math.floor(Date.now() / 1000) + 60 });
    const signature = createHmac("sha256", pem).update(`${header}.${body}`).digest("base64url");
    expectUnauthorized(`${header}.${body}.${signature}`);
  });

  it("refuses a tampered payload", () => {
    const [header, , signature] = signer.signToken(user, session()).split(".");
    const forged = b64({ sub: user.id, userId: user.id, role: "admin", exp: Math.floor(Date.now() / 1000) + 3600 });
    expectUnauthorized(`${header}.${forged}.${signature}`);
  });

  it("refuses a token signed with another key", () => {
    const other = createTokenSigner({ secret: `${secret}-other`, expiresInSeconds: 60, issuer: "portico" });
    expectUnauthorized(other.signToken(user, session(60)));
  });

  it("refuses an expired token", () => {
    expectUnauthorized(
      jwt.sign({ sub: user.id, exp: Math.floor(Date.now() / 1000) - 10 }, secret, { algorithm: "HS256" }),
    );
  });

  it("refuses a token without a subject, and garbage", () => {
    expectUnauthorized(jwt.sign({ email: user.email }, secret, { algorithm: "HS256", expiresIn: 60 }));
    expectUnauthorized("not.a.token");
    expectUnauthorized("");
  });

  it("accepts a token as ours would be (the forging helper is right)", () => {
    expect(signer.verifyToken(forge({})).sid).toBe(sessionId);
  });

  it("refuses a token without a session id, or with one that is not a uuid", () => {
    expectUnauthorized(forge({ sid: undefined }));
    expectUnauthorized(forge({ sid: "1" }));
  });

  it("refuses a wrong issuer or audience, and a token without them", () => {
    expectUnauthorized(forge({ iss: "someone-else" }));
    expectUnauthorized(forge({ aud: "another-api" }));
    expectUnauthorized(forge({ iss: undefined }));
    expectUnauthorized(forge({ aud: undefined }));
  });

  it("refuses an iat more than 60 s in the future, and accepts small clock skew", () => {
    expectUnauthorized(forge({ iat: nowSeconds() + 120, exp: nowSeconds() + 600 }));
    expect(signer.verifyToken(forge({ iat: nowSeconds() + 30 })).sid).toBe(sessionId);
  });

  it("refuses a token that lives longer than JWT_EXPIRES_IN", () => {
    expectUnauthorized(forge({ exp: nowSeconds() + WEEK + 3600 }));
    expectUnauthorized(signer.signToken(user, session(WEEK + 1)));
  });
});

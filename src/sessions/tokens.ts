import { createSecretKey, randomUUID } from "node:crypto";
import jwt from "jsonwebtoken";
import { AppError } from "../errors.js";
import type { User } from "../users/user.js";

interface TokenClaims {
  sub: string;
  userId: string;
  email: string;
  name: string;
  role: string;
  /** The session this token belongs to (src/sessions): the token is good only while it is live. */
  sid: string;
  jti: string;
  iss: string;
  aud: string;
  iat: number;
  exp: number;
}

/** What a token is signed for: its session, and the session's start and end (seconds since the epoch). */
interface TokenSession {
  id: string;
  issuedAt: number;
  expiresAt: number;
}

export interface TokenSigner {
  signToken(user: User, session: TokenSession): string;
  /**
   * Throws AppError UNAUTHORIZED for anything but an unexpired HS256 token signed with our key, for
   * our issuer and audience, naming a session, issued no later than now (60 s of skew) and living
   * no longer than the configured lifetime. Whether its session is live is the sessions' business.
   */
  verifyToken(token: string): TokenClaims;
}

export interface TokenSignerOptions {
  secret: string;
  /** JWT_EXPIRES_IN: no token may live longer. */
  expiresInSeconds: number;
  issuer: string;
  audience?: string;
  /** Seconds since the epoch (tests). */
  now?: () => number;
}

const CLOCK_SKEW_SECONDS = 60;
const TOKEN_AUDIENCE = "portico";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkClaims(claims: unknown, lifetime: number, now: number): TokenClaims {
  const c = claims as Partial<TokenClaims> | string;
  if (typeof c !== "object" || typeof c.sub !== "string" || typeof c.exp !== "number" || typeof c.iat !== "number") {
    throw new Error("token lacks sub, iat or exp");
  }
  if (typeof c.sid !== "string" || !UUID.test(c.sid)) throw new Error("token names no session");
  if (c.iat > now + CLOCK_SKEW_SECONDS) throw new Error("token issued in the future");
  if (c.exp - c.iat > lifetime) throw new Error("token lives longer than JWT_EXPIRES_IN");
  return c as TokenClaims;
}

/**
 * HS256 JWTs with jsonwebtoken. Its HMAC runs synchronously on the main thread (~20 µs), so
 * verifying never waits behind bcrypt jobs on libuv's thread pool, as WebCrypto-based jose does.
 */
export function createTokenSigner(options: TokenSignerOptions): TokenSigner {
  const { expiresInSeconds, issuer, audience = TOKEN_AUDIENCE } = options;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  // A KeyObject, made once: handed a string, jsonwebtoken tries to parse it as a PEM key on every
  // sign and verify (an exception each time, ~0.4 ms: 50× the HMAC itself; see docs/BENCHMARKS.md).
  const secret = createSecretKey(Buffer.from(options.secret, "utf8"));
  return {
    signToken(user, session) {
      const payload = {
        sub: user.id,
        userId: user.id,
        email: user.email,
        name: user.name,
        role: user.role,
        sid: session.id,
        jti: randomUUID(),
        iss: issuer,
        aud: audience,
        iat: session.issuedAt,
        exp: session.expiresAt,
      };
      return jwt.sign(payload, secret, { algorithm: "HS256" });
    },
    verifyToken(token) {
      try {
        const claims = jwt.verify(token, secret, {
          algorithms: ["HS256"],
          issuer,
          audience,
          clockTimestamp: now(),
        });
        return checkClaims(claims, expiresInSeconds, now());
      } catch (error) {
        throw new AppError("UNAUTHORIZED", { cause: error });
      }
    },
  };
}

import { createSecretKey } from "node:crypto";
import jwt from "jsonwebtoken";
import { AppError } from "../errors.js";
import type { User } from "./user.js";

export interface TokenClaims {
  sub: string;
  userId: string;
  email: string;
  name: string;
  role: string;
  iat: number;
  exp: number;
}

export interface TokenSigner {
  signToken(user: User): string;
  /** Throws AppError UNAUTHORIZED for anything but an unexpired HS256 token signed with our key. */
  verifyToken(token: string): TokenClaims;
  readonly expiresInSeconds: number;
}

/**
 * HS256 JWTs with jsonwebtoken. Its HMAC runs synchronously on the main thread (~20 µs), so
 * verifying never waits behind bcrypt jobs on libuv's thread pool, as WebCrypto-based jose does.
 */
export function createTokenSigner(options: { secret: string; expiresInSeconds: number }): TokenSigner {
  const { expiresInSeconds } = options;
  // A KeyObject, made once: handed a string, jsonwebtoken tries to parse it as a PEM key on every
  // sign and verify (an exception each time, ~0.4 ms: 50× the HMAC itself; see docs/BENCHMARKS.md).
  const secret = createSecretKey(Buffer.from(options.secret, "utf8"));
  return {
    expiresInSeconds,
    signToken(user) {
      return jwt.sign({ userId: user.id, email: user.email, name: user.name, role: user.role }, secret, {
        algorithm: "HS256",
        subject: user.id,
        expiresIn: expiresInSeconds,
      });
    },
    verifyToken(token) {
      try {
        const claims = jwt.verify(token, secret, { algorithms: ["HS256"] });
        if (typeof claims !== "object" || typeof claims.sub !== "string" || typeof claims.exp !== "number") {
          throw new Error("token lacks sub or exp");
        }
        return claims as TokenClaims;
      } catch (error) {
        throw new AppError("UNAUTHORIZED", "Authentication required", { cause: error });
      }
    },
  };
}

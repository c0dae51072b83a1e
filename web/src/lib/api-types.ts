/** What the API's answers carry, as the web client reads them. */

/** The API's public user (src/users/user.ts) as it arrives in JSON: the web client owns its own copy. */
export interface User {
  id: string;
  email: string;
  name: string;
  firstName: string | null;
  lastName: string | null;
  role: "user" | "admin";
  isAdmin: boolean;
  emailVerified: boolean;
  createdAt: string;
}

export interface Session {
  token: string;
  user: User;
}

/**
 * One entry of the caller's security log (SPEC §9): `count` when it stands for several failed
 * attempts in a row (then `createdAt`, `ip` and `userAgent` are the latest one's).
 */
export interface SecurityEvent {
  type: string;
  createdAt: string;
  ip: string | null;
  userAgent: string | null;
  count?: number;
}

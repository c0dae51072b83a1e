import type { Selectable } from "kysely";
import { z } from "zod";
import type { UsersTable } from "../db/schema.js";

/** A stored user row, snake_case, with the password hash. Never leaves the repository and service. */
export type UserRow = Selectable<UsersTable>;

export type Role = "user" | "admin";

/**
 * The public user: what the API returns, and the one source of its type and of its OpenAPI
 * schema. No password hash.
 */
export const userSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    role: z.enum(["user", "admin"]),
    isAdmin: z.boolean(),
    emailVerified: z.boolean().meta({ description: "The address was proven by a link sent to it (SPEC §7)" }),
    createdAt: z.iso.datetime(),
  })
  .strict();

export type User = z.output<typeof userSchema>;

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    firstName: row.first_name,
    lastName: row.last_name,
    role: row.role,
    isAdmin: row.role === "admin",
    emailVerified: row.email_verified_at !== null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

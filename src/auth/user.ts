import type { Selectable } from "kysely";
import type { UsersTable } from "../db/schema.js";

/** A stored user row, snake_case, with the password hash. Never leaves the repository and service. */
export type UserRow = Selectable<UsersTable>;

export type Role = "user" | "admin";

/** The public user: what the API returns. No password hash. */
export interface User {
  id: string;
  email: string;
  name: string;
  firstName: string | null;
  lastName: string | null;
  role: Role;
  isAdmin: boolean;
  createdAt: string;
}

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    firstName: row.first_name,
    lastName: row.last_name,
    role: row.role,
    isAdmin: row.role === "admin",
    createdAt: new Date(row.created_at).toISOString(),
  };
}

import type { ColumnType, Generated } from "kysely";

/** The `users` table as stored (snake_case). The public shape is `User` in src/auth/user.ts. */
export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  first_name: string | null;
  last_name: string | null;
  password_hash: string;
  role: ColumnType<"user" | "admin", "user" | "admin" | undefined, "user" | "admin">;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date | string>;
}

export interface Schema {
  users: UsersTable;
}

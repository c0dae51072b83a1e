import { type RawBuilder, sql } from "kysely";

/**
 * A row another feature writes with a new user, in the sign-up's single statement: an
 * `INSERT … SELECT … FROM new_user` that src/users/users.repository.ts puts in a `WITH` beside
 * the user's own INSERT. One statement is one round trip and its own transaction: the user,
 * their first event, the verification link and its mail, and the first session commit together
 * or not at all, and no other statement of the sign-up waits on the database (issue 14's profile
 * put most of a sign-up's event-loop time in those round trips).
 */
export type NewUserRow = RawBuilder<unknown>;

/** The sign-up statement's name for the user it inserts: companions take `id` from it. */
export const NEW_USER = sql.table("new_user");

import type { Database } from "../db/index.js";
import { createSessionRepository } from "../sessions/sessions.repository.js";
import type { Role, UserRow } from "../users/user.js";
import { createUserRepository } from "../users/users.repository.js";
import { type CliIo, consoleIo, EXIT, runIfMain, withDatabase } from "./run.js";

export const USAGE = `Usage: npm run user -- <command> <email>

  promote <email>          make the user an admin (role 'admin', isAdmin true)
  demote <email>           make the user a plain user again (role 'user')
  revoke-sessions <email>  sign the user out everywhere (every session ends at once)

A role change also ends the user's sessions: a token's role claim must not outlive the role.
Uses the same settings as the server (DATABASE_URL, or PGlite in DATA_DIR).
Exit codes: 0 done, 1 failed (unknown e-mail, database error), 2 usage.`;

const ROLE_BY_COMMAND: Record<string, Role> = { promote: "admin", demote: "user" };
const ROLE_NAME: Record<Role, string> = { admin: "an admin", user: "a plain user" };
const COMMANDS = new Set([...Object.keys(ROLE_BY_COMMAND), "revoke-sessions"]);

async function findUser(database: Database, email: string, io: CliIo): Promise<UserRow | undefined> {
  try {
    const user = await createUserRepository(database.kysely).findUserByEmail(email);
    if (!user) io.err(`user: no user with the e-mail ${email}`);
    return user;
  } catch (error) {
    // 42P01 undefined_table: a database nobody has migrated yet.
    if ((error as { code?: unknown }).code === "42P01") {
      io.err("user: the database has no users table yet: run `npm run migrate` (or start the server) first");
      return undefined;
    }
    throw error;
  }
}

/** The new role and the end of every session, in one transaction. */
async function changeRole(database: Database, user: UserRow, role: Role, io: CliIo): Promise<number> {
  if (user.role === role) {
    io.out(`${user.email} is already ${ROLE_NAME[role]}`);
    return EXIT.ok;
  }
  const revoked = await database.kysely.transaction().execute(async (trx) => {
    await createUserRepository(trx).setRole(user.email, role);
    return createSessionRepository(trx).revokeUserSessions(user.id, "role_change");
  });
  io.out(`${user.email} is now ${ROLE_NAME[role]} (${revoked} session${revoked === 1 ? "" : "s"} ended)`);
  return EXIT.ok;
}

async function revokeSessions(database: Database, user: UserRow, io: CliIo): Promise<number> {
  const revoked = await createSessionRepository(database.kysely).revokeUserSessions(user.id, "operator");
  io.out(`${user.email}: ${revoked} session${revoked === 1 ? "" : "s"} ended`);
  return EXIT.ok;
}

/** `npm run user -- promote|demote|revoke-sessions <email>`. */
export async function runUserCommand(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  io: CliIo = consoleIo,
): Promise<number> {
  const [command, rawEmail, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    io.out(USAGE);
    return EXIT.ok;
  }
  const known = command !== undefined && COMMANDS.has(command);
  const email = rawEmail?.trim().toLowerCase();
  if (!known || !email || rest.length > 0) {
    io.err(!known && command ? `user: unknown command "${command}"\n\n${USAGE}` : USAGE);
    return EXIT.usage;
  }
  return withDatabase("user", env, io, async (database) => {
    const user = await findUser(database, email, io);
    if (!user) return EXIT.failed;
    const role = ROLE_BY_COMMAND[command];
    return role ? changeRole(database, user, role, io) : revokeSessions(database, user, io);
  });
}

runIfMain(import.meta.url, (argv) => runUserCommand(argv));

import type { Role } from "../auth/user.js";
import { createUserRepository } from "../auth/users.repository.js";
import { type CliIo, consoleIo, EXIT, runIfMain, withDatabase } from "./run.js";

export const USAGE = `Usage: npm run user -- <command> <email>

  promote <email>   make the user an admin (role 'admin', isAdmin true)
  demote <email>    make the user a plain user again (role 'user')

Uses the same settings as the server (DATABASE_URL, or PGlite in DATA_DIR).
Exit codes: 0 done, 1 failed (unknown e-mail, database error), 2 usage.`;

const ROLE_BY_COMMAND: Record<string, Role> = { promote: "admin", demote: "user" };
const ROLE_NAME: Record<Role, string> = { admin: "an admin", user: "a plain user" };

/** `npm run user -- promote|demote <email>`: sets a user's role. */
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
  const role = command === undefined ? undefined : ROLE_BY_COMMAND[command];
  const email = rawEmail?.trim().toLowerCase();
  if (!role || !email || rest.length > 0) {
    io.err(!role && command ? `user: unknown command "${command}"\n\n${USAGE}` : USAGE);
    return EXIT.usage;
  }
  return withDatabase("user", env, io, async (database) => {
    const users = createUserRepository(database.db);
    let user: Awaited<ReturnType<typeof users.findUserByEmail>>;
    try {
      user = await users.findUserByEmail(email);
    } catch (error) {
      // 42P01 undefined_table: a database nobody has migrated yet.
      if ((error as { code?: unknown }).code === "42P01") {
        io.err("user: the database has no users table yet: run `npm run migrate` (or start the server) first");
        return EXIT.failed;
      }
      throw error;
    }
    if (!user) {
      io.err(`user: no user with the e-mail ${email}`);
      return EXIT.failed;
    }
    if (user.role === role) {
      io.out(`${user.email} is already ${ROLE_NAME[role]}`);
      return EXIT.ok;
    }
    const updated = await users.setRole(email, role);
    if (!updated) {
      io.err(`user: no user with the e-mail ${email}`);
      return EXIT.failed;
    }
    io.out(`${updated.email} is now ${ROLE_NAME[role]}`);
    return EXIT.ok;
  });
}

runIfMain(import.meta.url, (argv) => runUserCommand(argv));

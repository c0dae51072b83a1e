import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type express from "express";
import { createApp } from "./app.js";
import { createAuthService } from "./auth/auth.service.js";
import { resolveJwtSecret } from "./auth/jwt-secret.js";
import { createPasswordHasher, type PasswordHasher } from "./auth/passwords.js";
import { createTokenSigner } from "./auth/tokens.js";
import { createUserRepository } from "./auth/users.repository.js";
import type { Config } from "./config.js";
import { type Database, migrateToLatest, openDatabase } from "./db/index.js";
import type { Logger } from "./logger.js";
import { createOperations } from "./operations.js";
import { loadWebHandler, webOptions } from "./web/mount.js";

export interface Portico {
  app: express.Express;
  database: Database;
  passwords: PasswordHasher;
  /** Closes the database (and releases PGlite's data-directory lock). */
  close(): Promise<void>;
}

/**
 * Everything but the listening socket: database, migrations, services and the Express app.
 * Pass `database` to reuse one (tests); otherwise it is opened from the config.
 */
export async function createPortico(config: Config, logger: Logger, database?: Database): Promise<Portico> {
  const db =
    database ??
    (await openDatabase(config, {
      onPoolError: (error) => logger.warn({ err: error }, "database connection lost"),
      onLockCompromised: (error) => {
        logger.fatal({ err: error }, "lost the DATA_DIR lock: stopping to protect the data");
        process.exit(1);
      },
    }));
  const ops = createOperations(config, logger);
  try {
    const applied = await migrateToLatest(db.db);
    if (applied.length > 0) logger.info({ migrations: applied }, "migrations applied");
    const passwords = createPasswordHasher({
      cost: config.bcryptCost,
      concurrency: config.hashConcurrency,
      queueMax: config.hashQueueMax,
      onJobDone: ops.metrics.observeHash,
    });
    const tokens = createTokenSigner({
      secret: resolveJwtSecret(config),
      expiresInSeconds: config.jwtExpiresInSeconds,
    });
    const auth = ops.metrics.instrumentAuth(
      createAuthService({
        users: createUserRepository(db.db),
        passwords,
        tokens,
        onRehashError: (error) => logger.warn({ err: error }, "password re-hash failed"),
      }),
    );
    ops.watch({ passwords, database: db });
    const web = await loadWebHandler(webOptions(config), logger);
    const app = createApp({ config, database: db, auth, logger, web, ...ops.appHooks });
    const close = async () => {
      await ops.close();
      await db.close();
    };
    return { app, database: db, passwords, close };
  } catch (error) {
    await ops.close();
    if (!database) await db.close();
    throw error;
  }
}

export interface RunningPortico extends Portico {
  server: Server;
  url: string;
  /** Stops accepting, lets requests in flight finish (bounded), then closes the database. */
  shutdown(): Promise<void>;
}

/** Starts the service and listens on config.host:config.port. */
export async function startPortico(config: Config, logger: Logger): Promise<RunningPortico> {
  const portico = await createPortico(config, logger);
  const server = portico.app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  }).catch(async (error) => {
    await portico.close();
    throw error;
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  let stopping: Promise<void> | undefined;

  async function shutdown() {
    stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        logger.warn("shutdown timeout: closing connections still open");
        server.closeAllConnections();
      }, config.shutdownTimeoutMs);
      await closed;
      clearTimeout(timer);
      await portico.close();
    })();
    return stopping;
  }

  return { ...portico, server, url: `http://${host}:${port}`, shutdown };
}

import request from "supertest";
import { afterAll, beforeAll } from "vitest";
import type { Database } from "../src/db/index.js";
import { openPglite } from "../src/db/pglite.js";
import type { Logger } from "../src/ops/logger.js";
import { createPortico, type Portico } from "../src/portico.js";
import { silentLogger, type TestEngine, testConfig } from "./helpers.js";

type Env = Record<string, string>;

export interface UsePorticoOptions {
  /** Where each instance's empty database comes from (TEST_ENGINES); default PGlite in memory. */
  engine?: TestEngine;
  /**
   * The shared instance's settings (environment variables over testConfig's). A function is read
   * in beforeAll, after the hooks registered before this call ran (e.g. a test SMTP server's URL).
   */
  env?: Env | (() => Env);
  logger?: Logger;
  /** Start one shared instance before the tests (default). With false, only `open()` makes them. */
  shared?: boolean;
}

/** The shared instance's parts (read after beforeAll), a request helper, and more instances. */
export interface PorticoFixture extends Omit<Portico, "close"> {
  /** A supertest request against the shared instance's app. */
  api(): ReturnType<typeof request>;
  /** Another instance with its own settings, on a new database of the engine unless one is given. */
  open(env?: Env, options?: { logger?: Logger; database?: Database }): Promise<Portico>;
}

const inMemory: TestEngine = { name: "PGlite", open: () => openPglite({ dataDir: undefined }) };

/**
 * The whole service in-process for a test file or a describe block: each instance migrated on an
 * empty database, closed (with its database) after the block, last opened first.
 */
export function usePortico(options: UsePorticoOptions = {}): PorticoFixture {
  const engine = options.engine ?? inMemory;
  const opened: Portico[] = [];
  let shared: Portico | undefined;

  async function open(env: Env = {}, more: { logger?: Logger; database?: Database } = {}): Promise<Portico> {
    const database = more.database ?? (await engine.open());
    try {
      const portico = await createPortico(testConfig(env), more.logger ?? options.logger ?? silentLogger(), database);
      opened.push(portico);
      return portico;
    } catch (error) {
      await database.close();
      throw error;
    }
  }

  if (options.shared !== false) {
    beforeAll(async () => {
      shared = await open(typeof options.env === "function" ? options.env() : options.env);
    });
  }
  afterAll(async () => {
    for (const portico of opened.reverse()) await portico.close();
  });

  const current = (): Portico => {
    if (!shared) throw new Error("usePortico: the shared instance starts in beforeAll (or shared: false)");
    return shared;
  };
  return {
    get app() {
      return current().app;
    },
    get opsApp() {
      return current().opsApp;
    },
    get database() {
      return current().database;
    },
    get passwords() {
      return current().passwords;
    },
    get mail() {
      return current().mail;
    },
    api: () => request(current().app),
    open,
  };
}

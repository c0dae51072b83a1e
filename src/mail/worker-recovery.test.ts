import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createServerDatabase,
  SKIP_POSTGRES_REASON,
  silentLogger,
  TEST_DATABASE_URL,
  tempDir,
} from "../../test/helpers.js";
import { type Database, migrateToLatest } from "../db/index.js";
import { openPglite } from "../db/pglite.js";
import { openPostgres } from "../db/postgres.js";
import { claimDueMails, enqueueMail } from "./outbox.js";
import { startTestSmtpServer, type TestSmtpServer, testMail, until } from "./test-support.js";
import { createMailTransport } from "./transport.js";
import { createMailWorker } from "./worker.js";

/** An engine that can be closed and opened again on the same data, as a restarted process would. */
interface ReopenableEngine {
  name: string;
  setup(): Promise<{ open(): Promise<Database>; drop(): Promise<void> }>;
}

const ENGINES: ReopenableEngine[] = [
  {
    name: "PGlite in a data directory",
    async setup() {
      const dataDir = tempDir("portico-mail-");
      return { open: () => openPglite({ dataDir }), drop: async () => {} };
    },
  },
  ...(TEST_DATABASE_URL
    ? [
        {
          name: "PostgreSQL server",
          async setup() {
            const server = await createServerDatabase(TEST_DATABASE_URL as string);
            return {
              open: async () => openPostgres({ url: server.url, poolMax: 5, timeoutMs: 5000 }),
              drop: server.drop,
            };
          },
        },
      ]
    : []),
];

function startWorker(database: Database, smtpUrl: string, options: { leaseMs?: number; batchSize?: number } = {}) {
  const transport = createMailTransport({ smtpUrl, from: "Portico <no-reply@portico.test>", mode: "smtp" });
  const worker = createMailWorker({ database, transport, logger: silentLogger(), pollIntervalMs: 50, ...options });
  worker.start();
  return {
    async stop() {
      await worker.stop();
      await transport.close();
    },
  };
}

describe.each(ENGINES)("mail after a crash, on $name", (engine) => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startTestSmtpServer();
  });
  afterAll(() => smtp?.close());

  it("delivers, after a restart, the mails queued before it and the ones a dead worker had claimed", async () => {
    const data = await engine.setup();
    try {
      const first = await data.open();
      await migrateToLatest(first.kysely);
      const mails = [testMail(), testMail(), testMail()];
      for (const mail of mails) await enqueueMail(first.kysely, mail);
      // A worker that claimed one mail and died before sending it: its lease is 300 ms.
      const [claimed] = await claimDueMails(first.kysely, { limit: 1, leaseMs: 300 });
      await first.close();

      const second = await data.open();
      const { stop } = startWorker(second, smtp.url);
      try {
        await smtp.waitFor(3);
        expect(smtp.received.map((m) => m.text?.match(/token=[\w-]+/)?.[0]).sort()).toEqual(
          mails.map((m) => m.link.match(/token=[\w-]+/)?.[0]).sort(),
        );
        const rows = () => second.kysely.selectFrom("mail_outbox").select(["id", "status", "attempts"]).execute();
        await until("all marked sent", async () => (await rows()).every((r) => r.status === "sent"));
        expect((await rows()).find((r) => r.id === claimed?.id)?.attempts).toBe(2);
      } finally {
        await stop();
        await second.close();
      }
    } finally {
      await data.drop();
    }
  });
});

describe.skipIf(!TEST_DATABASE_URL)(
  `two workers on one PostgreSQL database${TEST_DATABASE_URL ? "" : ` (${SKIP_POSTGRES_REASON})`}`,
  () => {
    it("deliver 50 mails exactly once each", async () => {
      const server = await createServerDatabase(TEST_DATABASE_URL as string);
      const smtp = await startTestSmtpServer();
      const [a, b] = [0, 1].map(() => openPostgres({ url: server.url, poolMax: 5, timeoutMs: 5000 })) as [
        Database,
        Database,
      ];
      try {
        await migrateToLatest(a.kysely);
        const mails = Array.from({ length: 50 }, () => testMail());
        for (const mail of mails) await enqueueMail(a.kysely, mail);
        const workers = [startWorker(a, smtp.url, { batchSize: 3 }), startWorker(b, smtp.url, { batchSize: 3 })];
        const sent = async () =>
          (await a.kysely.selectFrom("mail_outbox").select("id").where("status", "=", "sent").execute()).length;
        try {
          await smtp.waitFor(50, 20_000);
          await until("all marked sent", async () => (await sent()) === 50);
          await new Promise((resolve) => setTimeout(resolve, 300));
        } finally {
          await Promise.all(workers.map((w) => w.stop()));
        }
        const tokens = smtp.received.map((m) => m.text?.match(/token=[\w-]+/)?.[0]);
        expect(tokens).toHaveLength(50);
        expect(new Set(tokens)).toEqual(new Set(mails.map((m) => m.link.match(/token=[\w-]+/)?.[0])));
        const rows = await a.kysely.selectFrom("mail_outbox").select(["status", "attempts"]).execute();
        expect(rows.filter((r) => r.status === "sent" && r.attempts === 1)).toHaveLength(50);
      } finally {
        await a.close();
        await b.close();
        await smtp.close();
        await server.drop();
      }
    });
  },
);

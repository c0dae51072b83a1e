import { randomBytes } from "node:crypto";
import { migrateToLatest } from "../../src/db/index.js";
import { openPostgres } from "../../src/db/postgres.js";
import { createMailTransport, createMailWorker, enqueueMail, verifyEmailMail } from "../../src/mail/index.js";
import { startTestSmtpServer } from "../../src/mail/test-support.js";
import { createLogger } from "../../src/ops/logger.js";
import { createFreshDatabase } from "./database.js";

/**
 * The outbox's delivery rate to a local SMTP sink (in this process, loopback): `mails` queued at
 * once, then delivered by one worker, and again by two workers on the same database (as two
 * instances would). Returns mails per second for each, and how many were delivered twice.
 */
export async function measureOutbox(baseUrl: string, mails: number) {
  const smtp = await startTestSmtpServer();
  const fresh = await createFreshDatabase(baseUrl);
  const database = openPostgres({ url: fresh.url, poolMax: 10, timeoutMs: 10_000 });
  const logger = createLogger({ level: "silent" });
  try {
    await migrateToLatest(database.kysely);
    const rate = async (workers: number) => {
      const before = smtp.received.length;
      for (let i = 0; i < mails; i++) {
        const link = `http://127.0.0.1/verify-email?token=${randomBytes(32).toString("base64url")}`;
        const mail = verifyEmailMail({ link, expiresInMinutes: 1440 });
        await enqueueMail(database.kysely, { kind: "verify_email", to: `m${i}@bench.example`, userId: null, ...mail });
      }
      const transports = Array.from({ length: workers }, () =>
        createMailTransport({ smtpUrl: smtp.url, from: "Portico <bench@localhost>", mode: "smtp" }),
      );
      const running = transports.map((transport) =>
        createMailWorker({ database, transport, logger, pollIntervalMs: 50, batchSize: 20 }),
      );
      const started = performance.now();
      for (const w of running) w.start();
      await smtp.waitFor(before + mails, 120_000);
      const seconds = (performance.now() - started) / 1000;
      for (const w of running) await w.stop();
      for (const t of transports) await t.close();
      return mails / seconds;
    };
    const one = await rate(1);
    const two = await rate(2);
    const ids = smtp.received.map((m) => m.messageId);
    return { mails, one, two, duplicates: ids.length - new Set(ids).size };
  } finally {
    await database.close();
    await fresh.drop();
    await smtp.close();
  }
}

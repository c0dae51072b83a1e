import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_ENGINES } from "../../test/helpers.js";
import { type Database, migrateToLatest } from "../db/index.js";
import { createLogger } from "../ops/logger.js";
import { enqueueMail, type MailRow } from "./outbox.js";
import { freePort, startTestSmtpServer, type TestSmtpServer, testMail, until } from "./test-support.js";
import { createMailTransport } from "./transport.js";
import { createMailWorker, type MailWorker } from "./worker.js";

describe.each(TEST_ENGINES)("mail worker on $name, with a real SMTP server", (engine) => {
  let database: Database;
  let smtp: TestSmtpServer;
  const row = async (to: string): Promise<MailRow | undefined> =>
    database.kysely.selectFrom("mail_outbox").selectAll().where("recipient", "=", to).executeTakeFirst();

  beforeAll(async () => {
    database = await engine.open();
    await migrateToLatest(database.kysely);
    smtp = await startTestSmtpServer();
  });
  afterAll(async () => {
    await smtp?.close();
    await database?.close();
  });

  /** A worker polling every 50 ms with short retries, its transport, and what it logged and counted. */
  function startWorker(smtpUrl: string, retryDelaysMs = [50, 50, 50]) {
    const logs: Record<string, unknown>[] = [];
    const counted: string[] = [];
    const logger = createLogger({
      level: "info",
      destination: { write: (line: string) => logs.push(JSON.parse(line)) },
    });
    const transport = createMailTransport({ smtpUrl, from: "Portico <no-reply@portico.test>", mode: "smtp" });
    const count = (what: string) => (kind: string) => counted.push(`${what}:${kind}`);
    const metrics = { queued: count("queued"), sent: count("sent"), retried: count("retried"), dead: count("dead") };
    const worker: MailWorker = createMailWorker({
      database,
      transport,
      logger,
      metrics,
      pollIntervalMs: 50,
      retryDelaysMs,
    });
    worker.start();
    return {
      worker,
      logs,
      counted,
      async stop() {
        await worker.stop();
        await transport.close();
      },
    };
  }

  it("hands a queued mail to SMTP at once: one copy, both parts, the link intact, then wipes the body", async () => {
    const { worker, counted, stop } = startWorker(smtp.url);
    try {
      const mail = testMail();
      const before = smtp.received.length;
      const started = Date.now();
      await enqueueMail(database.kysely, mail);
      worker.kick();
      const [received] = (await smtp.waitFor(before + 1, 5000)).slice(before);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(received?.to && "text" in received.to ? received.to.text : undefined).toBe(mail.to);
      expect(received?.subject).toBe("Confirm your email address — Portico");
      expect(received?.text).toContain(mail.link);
      expect(received?.html).toContain(`href="${mail.link}"`);
      expect(received?.messageId).toMatch(/@portico\.test>$/);
      await until("marked sent", async () => (await row(mail.to))?.status === "sent");
      expect(await row(mail.to)).toMatchObject({ attempts: 1, text_body: null, html_body: null, last_error: null });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(smtp.received.filter((m) => m.text?.includes(mail.link))).toHaveLength(1);
      expect(counted).toEqual(["queued:verify_email", "sent:verify_email"]);
    } finally {
      await stop();
    }
  });

  it("retries after 451 replies and delivers on the third attempt", async () => {
    smtp.refuseWith((attempt) => (attempt <= 2 ? 451 : undefined));
    const { worker, counted, logs, stop } = startWorker(smtp.url);
    try {
      const mail = testMail();
      await enqueueMail(database.kysely, mail);
      worker.kick();
      await until("delivered", async () => (await row(mail.to))?.status === "sent");
      expect((await row(mail.to))?.attempts).toBe(3);
      expect(smtp.received.filter((m) => m.text?.includes(mail.link))).toHaveLength(1);
      expect(counted.filter((c) => c.startsWith("retried"))).toHaveLength(2);
      expect(logs.filter((l) => l.msg === "mail not delivered, will retry").map((l) => l.code)).toEqual(["451", "451"]);
    } finally {
      smtp.refuseWith(() => undefined);
      await stop();
    }
  });

  it("gives a mail up at a 5xx reply, and logs it without the address or the link", async () => {
    smtp.refuseWith(() => 554);
    const { worker, counted, logs, stop } = startWorker(smtp.url);
    try {
      const mail = testMail();
      await enqueueMail(database.kysely, mail);
      worker.kick();
      await until("dead", async () => (await row(mail.to))?.status === "dead");
      const dead = await row(mail.to);
      expect(dead).toMatchObject({ attempts: 1 });
      expect(dead?.last_error).toMatch(/^SMTP 554/);
      expect(counted).toContain("dead:verify_email");
      const logged = logs.find((l) => l.msg === "mail dead: the server refused it");
      expect(logged).toMatchObject({ mailId: dead?.id, kind: "verify_email", code: "554", level: 50 });
      const all = JSON.stringify(logs);
      expect(all).not.toContain(mail.to);
      expect(all).not.toContain(mail.link.split("token=")[1]);
    } finally {
      smtp.refuseWith(() => undefined);
      await stop();
    }
  });

  it("gives a mail up when its retries run out", async () => {
    smtp.refuseWith(() => 421);
    const { worker, logs, stop } = startWorker(smtp.url, [20, 20]);
    try {
      const mail = testMail();
      await enqueueMail(database.kysely, mail);
      worker.kick();
      await until("dead", async () => (await row(mail.to))?.status === "dead");
      expect((await row(mail.to))?.attempts).toBe(3);
      expect(logs.some((l) => l.msg === "mail dead: retries exhausted")).toBe(true);
    } finally {
      smtp.refuseWith(() => undefined);
      await stop();
    }
  });

  it("keeps retrying while SMTP is down, and delivers once it is back", async () => {
    const port = await freePort();
    const { worker, stop } = startWorker(`smtp://127.0.0.1:${port}`, [100, 100, 100, 100, 100, 100, 100, 100]);
    let revived: TestSmtpServer | undefined;
    try {
      const mail = testMail();
      await enqueueMail(database.kysely, mail);
      worker.kick();
      await until("two failed attempts", async () => ((await row(mail.to))?.attempts ?? 0) >= 2);
      expect((await row(mail.to))?.status).toBe("pending");
      expect((await row(mail.to))?.last_error).toMatch(/could not reach the SMTP server/);
      revived = await startTestSmtpServer(port);
      await revived.waitFor(1);
      expect(revived.received[0]?.text).toContain(mail.link);
      await until("marked sent", async () => (await row(mail.to))?.status === "sent");
    } finally {
      await stop();
      await revived?.close();
    }
  });

  it("never sends a mail queued in a transaction that rolled back", async () => {
    const { worker, stop } = startWorker(smtp.url);
    try {
      const [dropped, kept] = [testMail(), testMail()];
      await database.kysely
        .transaction()
        .execute(async (trx) => {
          await enqueueMail(trx, dropped);
          worker.kick();
          throw new Error("the change failed");
        })
        .catch(() => {});
      await enqueueMail(database.kysely, kept);
      await worker.drain();
      await until("kept mail sent", async () => (await row(kept.to))?.status === "sent");
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(smtp.received.some((m) => m.text?.includes(kept.link))).toBe(true);
      expect(smtp.received.some((m) => m.text?.includes(dropped.link))).toBe(false);
      expect(await row(dropped.to)).toBeUndefined();
    } finally {
      await stop();
    }
  });
});

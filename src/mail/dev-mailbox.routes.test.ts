import express from "express";
import { Registry } from "prom-client";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger, TEST_ENGINES } from "../../test/helpers.js";
import { type Database, migrateToLatest } from "../db/index.js";
import { createDevMailboxRouter, type MailboxEntry } from "./dev-mailbox.routes.js";
import { createMailMetrics } from "./mail.metrics.js";
import { enqueueMail } from "./outbox.js";
import { testMail } from "./test-support.js";
import { createMailTransport } from "./transport.js";
import { createMailWorker } from "./worker.js";

describe.each(TEST_ENGINES)("development mailbox on $name", (engine) => {
  let database: Database;
  let app: express.Express;
  let metrics: ReturnType<typeof createMailMetrics>;
  const registry = new Registry();

  beforeAll(async () => {
    database = await engine.open();
    await migrateToLatest(database.kysely);
    app = express().use(createDevMailboxRouter(database));
    metrics = createMailMetrics(registry, database);
  });
  afterAll(() => database?.close());

  async function deliverToMailbox() {
    const transport = createMailTransport({
      smtpUrl: undefined,
      from: "Portico <no-reply@localhost>",
      mode: "mailbox",
    });
    await createMailWorker({ database, transport, logger: silentLogger(), metrics }).drain();
  }

  it("lists the mails newest first with their links, bodies kept after delivery", async () => {
    const [older, newer] = [testMail(), testMail({ kind: "password_reset" })];
    await enqueueMail(database.kysely, older);
    await enqueueMail(database.kysely, newer);
    await deliverToMailbox();

    const res = await request(app).get("/dev/mailbox.json").expect(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    const mails = res.body.mails as MailboxEntry[];
    expect(mails.slice(0, 2).map((m) => m.to)).toEqual([newer.to, older.to]);
    expect(mails[0]).toMatchObject({
      kind: "password_reset",
      subject: newer.subject,
      status: "sent",
      text: newer.text,
    });
    expect(mails[0]?.links).toEqual([newer.link]);
    expect(mails[0]?.html).toContain(newer.link);
    expect(new Date(mails[0]?.createdAt as string).getTime()).toBeGreaterThan(Date.now() - 60_000);

    const page = await request(app).get("/dev/mailbox").expect(200).expect("content-type", /html/);
    expect(page.text.indexOf(newer.to)).toBeLessThan(page.text.indexOf(older.to));
    expect(page.text).toContain(`<a href="${newer.link}">${newer.link}</a>`);
    expect(page.text).toContain(`<pre>Hello,`);
  });

  it("escapes everything on the page and uses no inline style or script (the CSP forbids them)", async () => {
    const mail = testMail({ subject: "<script>alert(1)</script>", to: `"<b>x</b>"@example.com` });
    await enqueueMail(database.kysely, { ...mail, text: `${mail.text}\n<img src=x onerror=alert(1)>` });
    const page = await request(app).get("/dev/mailbox").expect(200);
    expect(page.text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page.text).toContain("&quot;&lt;b&gt;x&lt;/b&gt;&quot;@example.com");
    expect(page.text).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(page.text).not.toMatch(/<script|<img|<style|style=/i);
  });

  it("counts the mails and reports the outbox on the metrics registry", async () => {
    await enqueueMail(database.kysely, testMail());
    const before = await registry.getSingleMetricAsString("portico_mail_outbox_depth");
    expect(before).toMatch(/portico_mail_outbox_depth [1-9]/);
    await deliverToMailbox();
    const text = await registry.metrics();
    expect(text).toMatch(/portico_mail_outbox_depth 0/);
    expect(text).toMatch(/portico_mail_outbox_oldest_pending_seconds 0/);
    expect(text).toMatch(/portico_mails_sent_total\{kind="verify_email"\} [1-9]/);
    expect(text).toMatch(/portico_mails_queued_total\{kind="verify_email"\} [1-9]/);
    expect(text).toMatch(/portico_mails_dead_total\{kind="mfa_enabled"\} 0/);
  });
});

import { type Response, Router } from "express";
import type { Database } from "../db/index.js";
import { isLocalRequest, isLoopbackHost } from "../http/loopback.js";
import type { Logger } from "../ops/logger.js";
import { escapeHtml } from "./layout.js";
import { listMailbox, type MailRow } from "./outbox.js";

/** A mail as the development mailbox shows it. */
export interface MailboxEntry {
  id: string;
  kind: string;
  to: string;
  subject: string;
  status: MailRow["status"];
  text: string | null;
  html: string | null;
  /** Every http(s) URL in the text part, in order. */
  links: string[];
  createdAt: string;
}

const URL_PATTERN = /https?:\/\/[^\s<>"']+/g;

function findLinks(text: string | null): string[] {
  return text ? [...text.matchAll(URL_PATTERN)].map((m) => m[0]) : [];
}

function toEntry(row: MailRow): MailboxEntry {
  return {
    id: row.id,
    kind: row.kind,
    to: row.recipient,
    subject: row.subject,
    status: row.status,
    text: row.text_body,
    html: row.html_body,
    links: findLinks(row.text_body),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** The text part, escaped, with each URL made a link. */
function linkify(text: string): string {
  let html = "";
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = escapeHtml(match[0]);
    html += `${escapeHtml(text.slice(last, match.index))}<a href="${url}">${url}</a>`;
    last = match.index + match[0].length;
  }
  return html + escapeHtml(text.slice(last));
}

function renderEntry(mail: MailboxEntry): string {
  const body = mail.text === null ? "<p><em>Body removed after delivery.</em></p>" : `<pre>${linkify(mail.text)}</pre>`;
  return [
    "<article>",
    `<h2>${escapeHtml(mail.subject)}</h2>`,
    "<dl>",
    `<dt>To</dt><dd>${escapeHtml(mail.to)}</dd>`,
    `<dt>Queued</dt><dd><time datetime="${mail.createdAt}">${mail.createdAt}</time></dd>`,
    `<dt>Kind</dt><dd>${escapeHtml(mail.kind)} (${mail.status})</dd>`,
    "</dl>",
    body,
    "</article>",
  ].join("\n");
}

/** Plain semantic HTML: pages get a CSP with no inline style or script. */
function renderPage(mails: MailboxEntry[]): string {
  const list = mails.length === 0 ? ["<p>No mail yet.</p>"] : mails.map(renderEntry);
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Development mailbox — Portico</title></head>',
    "<body>",
    "<main>",
    "<h1>Development mailbox</h1>",
    "<p>The latest 50 mails, newest first. In development, with no SMTP_URL, mail comes here instead of to an inbox.</p>",
    ...list,
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function noStore(res: Response): Response {
  // The bodies hold live links: never cached, never passed on as a referrer.
  return res.set({ "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" });
}

/**
 * GET /dev/mailbox (a page) and GET /dev/mailbox.json, the latest 50 mails newest first. Mount
 * only with NODE_ENV=development and no SMTP_URL, with the worker on the `mailbox` transport.
 * Only for this machine (src/http/loopback.ts): any other request goes on to the next handler,
 * and gets the 404 of an address that does not exist.
 */
export function createDevMailboxRouter(database: Database): Router {
  const router = Router();
  router.use("/dev", (req, _res, next) => next(isLocalRequest(req) ? undefined : "router"));
  router.get("/dev/mailbox", async (_req, res) => {
    const mails = (await listMailbox(database.kysely)).map(toEntry);
    noStore(res).type("html").send(renderPage(mails));
  });
  router.get("/dev/mailbox.json", async (_req, res) => {
    const mails = (await listMailbox(database.kysely)).map(toEntry);
    noStore(res).json({ mails });
  });
  return router;
}

/**
 * The development mailbox when NODE_ENV=development has no SMTP_URL; undefined otherwise. On a
 * HOST other peers reach, it warns at start-up rather than refusing: HOST=0.0.0.0 is how a
 * container publishes its port, and the mailbox still answers this machine only.
 */
export function devMailboxFor(
  settings: { env: string; smtpUrl: string | undefined; host: string },
  database: Database,
  logger: Logger,
): Router | undefined {
  if (settings.env !== "development" || settings.smtpUrl) return undefined;
  if (!isLoopbackHost(settings.host)) {
    logger.warn(
      { host: settings.host },
      "development without SMTP_URL on a HOST other machines can reach: mail (with live reset links) goes to /dev/mailbox, which answers loopback requests only; set SMTP_URL to deliver mail, and never expose a development instance",
    );
  }
  return createDevMailboxRouter(database);
}

import { Counter, Gauge, type Registry } from "prom-client";
import type { Database } from "../db/index.js";
import { MAIL_KINDS, readOutboxStats } from "./outbox.js";

/** What the worker reports; `createMailMetrics` gives one, tests may pass their own. */
export interface MailWorkerMetrics {
  /**
   * A mail seen by a worker for the first time (its first claim). Counted there rather than at
   * enqueue, so a mail whose transaction rolled back is never counted, and each committed mail is
   * counted once whichever instance takes it.
   */
  queued(kind: string): void;
  sent(kind: string): void;
  /** A failed attempt that will be tried again. */
  retried(kind: string): void;
  dead(kind: string): void;
}

/**
 * The mail metrics of SPEC §10 on the given registry: counters by kind, and the outbox's depth
 * and oldest pending age, read from the database at scrape time (so every instance reports the
 * shared outbox; an unreachable database leaves the last reading).
 */
export function createMailMetrics(registry: Registry, database: Database): MailWorkerMetrics {
  const registers = [registry];
  const counter = (name: string, help: string) => {
    const made = new Counter({ name, help, labelNames: ["kind"], registers });
    for (const kind of MAIL_KINDS) made.inc({ kind }, 0);
    return made;
  };
  const queued = counter("portico_mails_queued_total", "Mails queued, by kind (counted when a worker first takes one)");
  const sent = counter(
    "portico_mails_sent_total",
    "Mails handed over to the SMTP server (or the dev mailbox), by kind",
  );
  const retried = counter("portico_mails_retried_total", "Failed mail attempts that will be tried again, by kind");
  const dead = counter("portico_mails_dead_total", "Mails given up (a 5xx reply or retries exhausted), by kind");

  let reading: Promise<{ depth: number; oldestPendingSeconds: number } | undefined> | undefined;
  /** One query per scrape for both gauges. */
  const read = () => {
    reading ??= readOutboxStats(database.kysely)
      .catch(() => undefined)
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
  new Gauge({
    name: "portico_mail_outbox_depth",
    help: "Mails waiting in the outbox (pending)",
    registers,
    async collect() {
      const stats = await read();
      if (stats) this.set(stats.depth);
    },
  });
  new Gauge({
    name: "portico_mail_outbox_oldest_pending_seconds",
    help: "Age of the oldest pending mail, in seconds (0 when none)",
    registers,
    async collect() {
      const stats = await read();
      if (stats) this.set(stats.oldestPendingSeconds);
    },
  });

  const label = (kind: string) => ({ kind: (MAIL_KINDS as readonly string[]).includes(kind) ? kind : "other" });
  return {
    queued: (kind) => queued.inc(label(kind)),
    sent: (kind) => sent.inc(label(kind)),
    retried: (kind) => retried.inc(label(kind)),
    dead: (kind) => dead.inc(label(kind)),
  };
}

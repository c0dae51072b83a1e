// Test support for the *.test.ts files of src/mail: a real SMTP server in-process, and fixtures.
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import type { Kysely } from "kysely";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import type { Schema } from "../db/schema.js";
import type { OutgoingMail } from "./outbox.js";
import { verifyEmailMail } from "./templates.js";

/** A user row to hang mails on (the users table comes from migration 0001). */
export async function insertUser(db: Kysely<Schema>): Promise<string> {
  const row = await db
    .insertInto("users")
    .values({ email: `mail-${randomUUID()}@example.com`, name: "Ada Lovelace", password_hash: "$2b$04$x" })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A verification mail with a unique link (its token tells mails apart). */
export function testMail(overrides: Partial<OutgoingMail> = {}): OutgoingMail & { link: string } {
  const link = `https://auth.example.com/verify-email?token=${randomUUID()}`;
  const rendered = verifyEmailMail({ link, expiresInMinutes: 1440 });
  return { kind: "verify_email", to: `ada-${randomUUID()}@example.com`, userId: null, ...rendered, link, ...overrides };
}

export interface TestSmtpServer {
  readonly url: string;
  readonly port: number;
  /** Every mail the server accepted, parsed, in order. */
  readonly received: ParsedMail[];
  /** The reply code to give the n-th DATA from now on (1-based); undefined accepts the mail. */
  refuseWith(reply: (attempt: number) => number | undefined): void;
  /** Resolves once `count` mails have been accepted. */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

/** Polls until `check` holds. */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A port nothing listens on (an SMTP server that is down), free to listen on later. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Listens on 127.0.0.1 (port 0: a free one); the port. */
async function listen(server: SMTPServer, port: number): Promise<number> {
  const listening = server.listen(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    listening.once("listening", resolve);
    listening.once("error", reject);
  });
  const address = listening.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

export async function startTestSmtpServer(port = 0): Promise<TestSmtpServer> {
  const received: ParsedMail[] = [];
  let reply: (attempt: number) => number | undefined = () => undefined;
  let attempts = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    closeTimeout: 100,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        attempts += 1;
        const code = reply(attempts);
        if (code !== undefined) {
          callback(
            Object.assign(new Error(code >= 500 ? "Rejected for good" : "Try again later"), { responseCode: code }),
          );
          return;
        }
        simpleParser(Buffer.concat(chunks))
          .then((mail) => received.push(mail))
          .then(() => callback(), callback);
      });
    },
  });
  const listeningPort = await listen(server, port);
  return {
    url: `smtp://127.0.0.1:${listeningPort}`,
    port: listeningPort,
    received,
    refuseWith(next) {
      reply = next;
      attempts = 0;
    },
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`${received.length} of ${count} mails arrived`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

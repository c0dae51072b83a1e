import { createRequire } from "node:module";
import type { MailRow } from "./outbox.js";

export type MailTransportMode = "smtp" | "mailbox";

/** Hands a mail over: to an SMTP server, or to nothing (the development mailbox is the row). */
export interface MailTransport {
  readonly mode: MailTransportMode;
  /** Resolves once the server accepted the mail; rejects with a MailDeliveryError. */
  send(row: MailRow): Promise<void>;
  close(): Promise<void>;
}

/**
 * Why a send failed, with no secret in it. `permanent`: retrying cannot help (an SMTP 5xx
 * reply), the mail is dead; otherwise (4xx, connection errors) it is retried.
 */
export class MailDeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    /** For logs: the SMTP reply code or the error code, never the reply text. */
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "MailDeliveryError";
  }
}

const TIMEOUT_MS = 10_000;

/**
 * SPEC §13: a 5xx reply is final, a 4xx reply or a connection error is retried. Failed logins
 * (535) are the exception: they say the server's settings are wrong, not the mail, and the mail
 * goes out once someone fixes SMTP_URL within the retry window.
 */
export function classifySendError(error: unknown): MailDeliveryError {
  const { responseCode, code, response } = (error ?? {}) as {
    responseCode?: unknown;
    code?: unknown;
    response?: unknown;
  };
  const errorCode = typeof code === "string" ? code : "UNKNOWN";
  if (typeof responseCode === "number") {
    const permanent = responseCode >= 500 && errorCode !== "EAUTH" && errorCode !== "ENOAUTH";
    // The reply text is the server's own words (it may quote the recipient): kept in the row, not logged.
    const reply = typeof response === "string" ? response.replace(/\s+/g, " ").slice(0, 200) : "";
    return new MailDeliveryError(`SMTP ${responseCode} ${errorCode}: ${reply}`.trim(), permanent, `${responseCode}`, {
      cause: error,
    });
  }
  return new MailDeliveryError(`${errorCode}: could not reach the SMTP server`, false, errorCode, { cause: error });
}

/** `Portico <no-reply@example.com>` → `example.com`, for Message-IDs. */
function senderDomain(from: string): string {
  return /@([^\s>]+)/.exec(from)?.[1] ?? "portico.invalid";
}

function createSmtpTransport(smtpUrl: string, from: string): MailTransport {
  // Loaded only when mail goes over SMTP (the development mailbox needs no client).
  const nodemailer = createRequire(import.meta.url)("nodemailer") as typeof import("nodemailer");
  const transporter = nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
    // The outbox retries, with backoff; the pool requeuing too would only stretch a send.
    maxRequeues: 1,
  });
  const domain = senderDomain(from);
  return {
    mode: "smtp",
    async send(row) {
      if (row.text_body === null || row.html_body === null)
        throw new MailDeliveryError("the mail has no body", true, "NO_BODY");
      try {
        await transporter.sendMail({
          from,
          to: row.recipient,
          subject: row.subject,
          text: row.text_body,
          html: row.html_body,
          // The row's id: if a crash makes a mail go out twice, receivers can tell.
          messageId: `<${row.id}@${domain}>`,
          headers: { "Auto-Submitted": "auto-generated" },
        });
      } catch (error) {
        throw classifySendError(error);
      }
    },
    async close() {
      transporter.close();
    },
  };
}

/**
 * `smtp` needs an smtp:// or smtps:// URL (pooled connections, 10 s timeouts). `mailbox`
 * delivers to nothing: the row, kept with its body, is the development mailbox.
 */
export function createMailTransport(options: {
  smtpUrl: string | undefined;
  from: string;
  mode: MailTransportMode;
}): MailTransport {
  if (options.mode === "mailbox") return { mode: "mailbox", send: async () => {}, close: async () => {} };
  if (!options.smtpUrl || !/^smtps?:\/\//i.test(options.smtpUrl))
    throw new Error("The smtp mail transport needs SMTP_URL (smtp:// or smtps://)");
  return createSmtpTransport(options.smtpUrl, options.from);
}

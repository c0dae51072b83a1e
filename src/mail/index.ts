export { createDevMailboxRouter, type MailboxEntry } from "./dev-mailbox.routes.js";
export { escapeHtml, formatLifetime, type RenderedMail } from "./layout.js";
export { createMailMetrics, type MailWorkerMetrics } from "./mail.metrics.js";
export {
  claimDueMails,
  enqueueMail,
  listMailbox,
  MAIL_KINDS,
  type MailKind,
  type MailRow,
  markMailDead,
  markMailSent,
  type OutboxStats,
  type OutgoingMail,
  readOutboxStats,
  scheduleMailRetry,
} from "./outbox.js";
export * from "./templates.js";
export {
  classifySendError,
  createMailTransport,
  MailDeliveryError,
  type MailTransport,
  type MailTransportMode,
} from "./transport.js";
export {
  createMailWorker,
  DEFAULT_LEASE_MS,
  DEFAULT_RETRY_DELAYS_MS,
  type MailWorker,
  type MailWorkerOptions,
} from "./worker.js";

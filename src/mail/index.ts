export { devMailboxFor } from "./dev-mailbox.routes.js";
export { createMailMetrics } from "./mail.metrics.js";
export { enqueueMail, mailForNewUser } from "./outbox.js";
export * from "./templates.js";
export { createMailTransport } from "./transport.js";
export { createMailWorker, type MailWorker } from "./worker.js";

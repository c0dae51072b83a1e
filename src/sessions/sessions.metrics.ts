import { Counter, type Registry } from "prom-client";
import type { SessionEvents } from "./sessions.service.js";

/** Sessions created by method, revoked by reason, on the service's registry. */
export function createSessionMetrics(registry: Registry): SessionEvents {
  const sessionsCreated = new Counter({
    name: "portico_sessions_created_total",
    help: "Sessions created, by how the user signed in",
    labelNames: ["method"],
    registers: [registry],
  });
  const sessionsRevoked = new Counter({
    name: "portico_sessions_revoked_total",
    help: "Sessions revoked, by reason",
    labelNames: ["reason"],
    registers: [registry],
  });
  sessionsCreated.inc({ method: "password" }, 0);
  sessionsRevoked.inc({ reason: "logout" }, 0);
  return {
    created: (method) => sessionsCreated.inc({ method }),
    revoked: (reason, count) => {
      if (count > 0) sessionsRevoked.inc({ reason }, count);
    },
  };
}

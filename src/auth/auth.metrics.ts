import { Counter, type Registry } from "prom-client";
import { toAppError } from "../http/error-handler.js";
import type { LimitName } from "../http/rate-limit.js";
import type { AuthService } from "./auth.service.js";

/** Sign-up and sign-in outcomes on the service's registry (SPEC §5's metrics). */
export interface AuthMetrics {
  /** The same service, counting registrations and logins by outcome. */
  instrument(auth: AuthService): AuthService;
  /**
   * For the limiter factory's `onLimited`: a refusal by one of auth's own limits
   * (src/auth/auth.limits.ts) comes before the service, so `instrument` cannot count it.
   */
  countLimited(name: LimitName): void;
}

/** Every usual outcome is at 0 from the start, so a dashboard's rate has a series to read. */
function outcomeCounter(registry: Registry, name: string, what: string, outcomes: string[]): Counter<"outcome"> {
  const counter = new Counter({
    name,
    help: `${what} by outcome: success, rate_limited, or the error code in lower case`,
    labelNames: ["outcome"],
    registers: [registry],
  });
  for (const outcome of ["success", "rate_limited", "overloaded", "service_unavailable", "internal_error", ...outcomes])
    counter.inc({ outcome }, 0);
  return counter;
}

/** `work`'s outcome counted: success, or its error's code in lower case. */
async function counted<T>(counter: Counter<"outcome">, work: () => Promise<T>): Promise<T> {
  try {
    const result = await work();
    counter.inc({ outcome: "success" });
    return result;
  } catch (error) {
    counter.inc({ outcome: toAppError(error).code.toLowerCase() });
    throw error;
  }
}

export function createAuthMetrics(registry: Registry): AuthMetrics {
  const registrations = outcomeCounter(registry, "portico_registrations_total", "Registrations", ["email_taken"]);
  const logins = outcomeCounter(registry, "portico_logins_total", "Logins", ["invalid_credentials"]);
  return {
    instrument: (auth) => ({
      ...auth,
      registerUser: (input, client) => counted(registrations, () => auth.registerUser(input, client)),
      loginUser: (input, client) => counted(logins, () => auth.loginUser(input, client)),
    }),
    countLimited(name) {
      if (name === "register") registrations.inc({ outcome: "rate_limited" });
      else if (name.startsWith("login_")) logins.inc({ outcome: "rate_limited" });
    },
  };
}

import { validationError } from "../errors.js";
import { toFieldErrors } from "../http/validate.js";
import { registerBody } from "./auth.schemas.js";

/** A register body that passes every rule. */
export const valid = {
  email: "ada@example.com",
  password: "correct horse battery",
  firstName: "Ada",
  lastName: "Lovelace",
};

/** Parses a register body and returns the top-level error code, or "OK". */
export function codeOf(body: unknown): string {
  const result = registerBody.safeParse(body, { reportInput: true });
  return result.success ? "OK" : validationError(toFieldErrors(result.error.issues)).code;
}

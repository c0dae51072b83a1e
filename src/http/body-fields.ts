import { z } from "zod";

/**
 * The building blocks of every JSON request body: a named object, required strings. Features
 * compose their bodies from these (and the user's fields, src/users/user-fields.ts); the same zod
 * schemas validate requests (validate.ts) and describe them in the OpenAPI document.
 */

/** null and blank strings count as absent, so `""` is "missing", not "invalid". */
export const blankAsAbsent = (value: unknown) =>
  value === null || (typeof value === "string" && value.trim() === "") ? undefined : value;

/** A string named after its field: "x is required" when absent, "x must be a string" otherwise. */
export function text(field: string) {
  return z.string({
    error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a string`),
  });
}

/** A JSON-object body with a name in the OpenAPI document; anything else is one 422. */
export const bodySchema = <T extends z.core.$ZodLooseShape>(shape: T, id: string) =>
  z.object(shape, { error: "Request body must be a JSON object" }).meta({ id });

/** A required string field: blank counts as missing (MISSING_FIELDS), another type is INVALID_TYPE. */
export const stringField = (field: string) => z.preprocess(blankAsAbsent, text(field));

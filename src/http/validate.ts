import type { RequestHandler, Response } from "express";
import type { z } from "zod";
import { type FieldError, type ValidationCode, validationError } from "../errors.js";

/** Turns zod's issues into SPEC's field errors: one per field, the first problem found. */
export function toFieldErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  const byField = new Map<string, FieldError>();
  for (const issue of issues) {
    const field = issue.path.map(String).join(".") || "body";
    if (byField.has(field)) continue;
    const custom = issue.code === "custom" ? (issue.params?.code as ValidationCode | undefined) : undefined;
    const code: ValidationCode =
      custom ?? (issue.code === "invalid_type" && issue.input === undefined ? "MISSING_FIELDS" : "INVALID_TYPE");
    byField.set(field, { field, code, message: issue.message });
  }
  return [...byField.values()];
}

/**
 * Validation middleware: parses `req.body` with a schema and keeps the result for the handler
 * (read it with `validBody`). A body with problems never reaches the handler: it becomes one
 * AppError listing every problem.
 */
export function validateBody(schema: z.ZodType): RequestHandler {
  return (req, res, next) => {
    // reportInput: the issue keeps its input, which tells "missing" from "wrong type". Issues are
    // turned into field errors here and never sent as they are, so inputs never leave the server.
    const result = schema.safeParse(req.body ?? {}, { reportInput: true });
    if (!result.success) throw validationError(toFieldErrors(result.error.issues));
    res.locals.validatedBody = result.data;
    next();
  };
}

/** The body that `validateBody(schema)` accepted for this request. */
export function validBody<S extends z.ZodType>(res: Response, _schema: S): z.output<S> {
  return res.locals.validatedBody as z.output<S>;
}

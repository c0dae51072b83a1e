import type { Request, RequestHandler, Response } from "express";
import type { z } from "zod";
import { type FieldError, type ValidationCode, validationError } from "../errors.js";
import { jsonBody } from "./json-body.js";

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

/** Parses a body with `schema`; a body with problems is one AppError listing every problem. */
function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  // reportInput: the issue keeps its input, which tells "missing" from "wrong type". Issues are
  // turned into field errors here and never sent as they are, so inputs never leave the server.
  const result = schema.safeParse(body ?? {}, { reportInput: true });
  if (!result.success) throw validationError(toFieldErrors(result.error.issues));
  return result.data;
}

/** A handler that receives the body its route's schema accepted. */
export type BodyHandler<T> = (req: Request, res: Response, body: T) => unknown;

/**
 * A route with a JSON body: reads it (jsonBody), validates it with `schema`, and calls `handler`
 * with the parsed, typed body. A body with problems never reaches the handler. `checks` run
 * between validation and the handler (limits keyed on a field of the body); they can read the
 * body with `parsedBody(res)`.
 *
 *   router.post("/register", ...withBody(registerBody, async (req, res, body) => { … }));
 */
export function withBody<S extends z.ZodType>(schema: S, handler: BodyHandler<z.output<S>>): RequestHandler[];
export function withBody<S extends z.ZodType>(
  schema: S,
  checks: RequestHandler[],
  handler: BodyHandler<z.output<S>>,
): RequestHandler[];
export function withBody<S extends z.ZodType>(
  schema: S,
  ...args: [BodyHandler<z.output<S>>] | [RequestHandler[], BodyHandler<z.output<S>>]
): RequestHandler[] {
  const [checks, handler] = args.length === 1 ? [[], args[0]] : args;
  const validate: RequestHandler = (req, res, next) => {
    res.locals.validatedBody = parseBody(schema, req.body);
    next();
  };
  const handle: RequestHandler = (req, res) => handler(req, res, res.locals.validatedBody as z.output<S>);
  return [...jsonBody, validate, ...checks, handle];
}

/** The body a `withBody` route accepted, for its `checks` (the handler gets it as an argument). */
export function parsedBody(res: Response): unknown {
  return res.locals.validatedBody;
}

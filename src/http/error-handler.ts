import { STATUS_CODES } from "node:http";
import type { ErrorRequestHandler, RequestHandler, Response } from "express";
import { isDatabaseUnavailable } from "../db/index.js";
import { AppError, type ErrorCode } from "../errors.js";

/** The only place that knows HTTP statuses. */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  MALFORMED_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  MISSING_FIELDS: 422,
  INVALID_TYPE: 422,
  INVALID_EMAIL: 422,
  WEAK_PASSWORD: 422,
  PASSWORD_TOO_LONG: 422,
  PASSWORD_TOO_COMMON: 422,
  INVALID_NAME: 422,
  NAME_TOO_LONG: 422,
  EMAIL_TAKEN: 409,
  INVALID_CREDENTIALS: 401,
  UNAUTHORIZED: 401,
  INVALID_TOKEN: 400,
  WRONG_PASSWORD: 403,
  EMAIL_NOT_VERIFIED: 403,
  INVALID_MFA_CODE: 401,
  INVALID_PASSKEY: 401,
  PASSKEY_REJECTED: 400,
  MFA_ALREADY_ENABLED: 409,
  FORBIDDEN: 403,
  REAUTHENTICATION_REQUIRED: 403,
  RATE_LIMITED: 429,
  OVERLOADED: 503,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
  NOT_FOUND: 404,
};

const BODY_PARSER_CODES: Record<string, ErrorCode> = {
  "entity.parse.failed": "MALFORMED_JSON",
  "entity.too.large": "PAYLOAD_TOO_LARGE",
  "charset.unsupported": "UNSUPPORTED_MEDIA_TYPE",
  "encoding.unsupported": "UNSUPPORTED_MEDIA_TYPE",
  "request.aborted": "MALFORMED_JSON",
  "request.size.invalid": "MALFORMED_JSON",
};

/**
 * Express's router percent-decodes path parameters before any handler runs, and throws a URIError
 * (marked 400) for one that is not valid percent-encoding (`/sessions/%ZZ`): such an address names
 * nothing that could exist, so it is the unknown address's 404, whatever the route.
 */
const isUndecodablePath = (error: unknown) =>
  error instanceof URIError && (error as { status?: unknown }).status === 400;

/** Whatever was thrown, as an AppError; anything unknown becomes a bare INTERNAL_ERROR. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isUndecodablePath(error)) return new AppError("NOT_FOUND", { cause: error });
  const type = (error as { type?: unknown })?.type;
  const parserCode = typeof type === "string" ? BODY_PARSER_CODES[type] : undefined;
  if (parserCode) return new AppError(parserCode, { cause: error });
  if (isDatabaseUnavailable(error)) {
    return new AppError("SERVICE_UNAVAILABLE", { cause: error });
  }
  return new AppError("INTERNAL_ERROR", { cause: error });
}

/** Writes SPEC's one error shape. */
export function sendError(res: Response, error: AppError, extra: Record<string, unknown> = {}): void {
  const statusCode = STATUS_BY_CODE[error.code];
  if (error.retryAfterSeconds !== undefined) res.set("Retry-After", String(error.retryAfterSeconds));
  if (error.code === "UNAUTHORIZED") res.set("WWW-Authenticate", 'Bearer realm="portico"');
  res.status(statusCode).json({
    error: statusCode === 422 ? "Validation Error" : (STATUS_CODES[statusCode] ?? "Error"),
    message: error.message,
    statusCode,
    code: error.code,
    ...(error.details && { details: error.details }),
    ...extra,
  });
}

export const notFound: RequestHandler = () => {
  throw new AppError("NOT_FOUND");
};

/** The central error handler: logs what the client must not see, answers in the one shape. */
export const handleError: ErrorRequestHandler = (error, req, res, next) => {
  if (res.headersSent) return next(error);
  const appError = toAppError(error);
  if (appError.code === "INTERNAL_ERROR") req.log?.error({ err: error }, "unhandled error");
  else if (appError.code === "SERVICE_UNAVAILABLE") req.log?.warn({ err: appError.cause }, "database unavailable");
  sendError(res, appError);
};

/**
 * Every failure the API can report, as a stable machine-readable code.
 * The order of VALIDATION_CODES is SPEC §1's table order: when a body has several problems,
 * the first one in this order becomes the top-level `code` and `message`.
 */
export const VALIDATION_CODES = [
  "MISSING_FIELDS",
  "INVALID_TYPE",
  "INVALID_EMAIL",
  "WEAK_PASSWORD",
  "PASSWORD_TOO_LONG",
  "PASSWORD_TOO_COMMON",
  "INVALID_NAME",
  "NAME_TOO_LONG",
] as const;

export type ValidationCode = (typeof VALIDATION_CODES)[number];

export type ErrorCode =
  | "MALFORMED_JSON"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "PAYLOAD_TOO_LARGE"
  | ValidationCode
  | "EMAIL_TAKEN"
  | "INVALID_CREDENTIALS"
  | "UNAUTHORIZED"
  | "INVALID_TOKEN"
  | "WRONG_PASSWORD"
  | "EMAIL_NOT_VERIFIED"
  | "INVALID_MFA_CODE"
  | "INVALID_PASSKEY"
  | "PASSKEY_REJECTED"
  | "MFA_ALREADY_ENABLED"
  | "FORBIDDEN"
  | "REAUTHENTICATION_REQUIRED"
  | "RATE_LIMITED"
  | "OVERLOADED"
  | "SERVICE_UNAVAILABLE"
  | "INTERNAL_ERROR"
  | "NOT_FOUND";

/** The top-level message for each code (SPEC §1's table). */
export const MESSAGES: Record<ErrorCode, string> = {
  MALFORMED_JSON: "Request body must be valid JSON",
  UNSUPPORTED_MEDIA_TYPE: "Content-Type must be application/json",
  PAYLOAD_TOO_LARGE: "Request body is too large",
  MISSING_FIELDS: "Missing required fields",
  INVALID_TYPE: "A field has the wrong type",
  INVALID_EMAIL: "Invalid email format",
  WEAK_PASSWORD: "Password must be at least 8 characters",
  PASSWORD_TOO_LONG: "Password must be at most 72 bytes",
  PASSWORD_TOO_COMMON: "Password is too common",
  INVALID_NAME: "First and last name must contain only letters",
  NAME_TOO_LONG: "Name is too long",
  EMAIL_TAKEN: "Email already registered",
  INVALID_CREDENTIALS: "Invalid email or password",
  UNAUTHORIZED: "Authentication required",
  INVALID_TOKEN: "This link is invalid or has expired",
  WRONG_PASSWORD: "Current password is incorrect",
  EMAIL_NOT_VERIFIED: "Email address not verified",
  INVALID_MFA_CODE: "Invalid authentication code",
  INVALID_PASSKEY: "Passkey sign-in failed",
  PASSKEY_REJECTED: "The passkey could not be added",
  MFA_ALREADY_ENABLED: "Two-factor authentication is already on",
  FORBIDDEN: "Forbidden",
  REAUTHENTICATION_REQUIRED: "Log in again to continue",
  RATE_LIMITED: "Too many requests",
  OVERLOADED: "Server is busy",
  SERVICE_UNAVAILABLE: "Service temporarily unavailable",
  INTERNAL_ERROR: "Internal server error",
  NOT_FOUND: "Not found",
};

export interface FieldError {
  field: string;
  code: ValidationCode;
  message: string;
}

export interface AppErrorOptions extends ErrorOptions {
  /** Overrides the code's default message (MESSAGES). */
  message?: string;
  details?: FieldError[];
  /** Seconds a client should wait before retrying; defaults to RETRY_AFTER_SECONDS[code]. */
  retryAfterSeconds?: number;
}

/** Retry-After for codes that always carry one, unless the thrower knows better (a limit's window). */
const RETRY_AFTER_SECONDS: Partial<Record<ErrorCode, number>> = {
  OVERLOADED: 1,
  SERVICE_UNAVAILABLE: 5,
  RATE_LIMITED: 60,
};

/**
 * What went wrong, said by the layer that knows it. It carries no HTTP status: the error handler
 * (src/http/error-handler.ts) is the only place that maps codes to statuses. `cause` is logged,
 * never sent.
 */
export class AppError extends Error {
  override readonly name = "AppError";
  readonly details: FieldError[] | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: ErrorCode,
    options: AppErrorOptions = {},
  ) {
    const { message = MESSAGES[code], details, retryAfterSeconds = RETRY_AFTER_SECONDS[code], ...rest } = options;
    super(message, rest);
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * One error for a body with field problems: every problem in `details`, the first in SPEC's
 * table order at the top. A wrong type names its field ("email must be a string").
 */
export function validationError(problems: FieldError[]): AppError {
  const rank = (code: ValidationCode) => VALIDATION_CODES.indexOf(code);
  const details = [...problems].sort((a, b) => rank(a.code) - rank(b.code));
  const first = details[0];
  if (!first) throw new Error("validationError needs at least one problem");
  const message = first.code === "INVALID_TYPE" ? first.message : MESSAGES[first.code];
  return new AppError(first.code, { message, details });
}

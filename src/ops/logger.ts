import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestHandler } from "express";
import pino, { type Logger } from "pino";

export type { Logger } from "pino";

/** Whatever a log call is handed, these never reach the output. */
const REDACT = [
  "password",
  "*.password",
  "passwordHash",
  "*.passwordHash",
  "password_hash",
  "*.password_hash",
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "cookie",
  "*.cookie",
  "req.headers.authorization",
  "req.headers.cookie",
  'res.headers["set-cookie"]',
  "jwtSecret",
  "*.jwtSecret",
];

/** Keys whose values never reach a log line, at any depth of an error. */
const SECRET_KEY =
  /^(body|rawBody|password|newPassword|passwordHash|password_hash|token|accessToken|refreshToken|authorization|cookie|set-cookie|secret|jwtSecret)$/i;

/**
 * Plain objects and arrays, copied with secret-looking keys censored at any depth (pino's `redact`
 * only knows fixed paths). Anything else (errors, requests, buffers) is left to its serializer.
 */
function scrub(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object" || depth > 6) return value;
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  if (value instanceof Error) return serializeError(value, depth + 1);
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value))
    out[key] = SECRET_KEY.test(key) ? "[redacted]" : scrub(item, depth + 1);
  return out;
}

/**
 * pino's error serializer, then scrubbed: errors carry what they were handed. body-parser's parse
 * error keeps the raw body in `body`, and V8's JSON.parse message quotes the start of it (the
 * password, as likely as not), so that message and its stack are dropped too.
 */
export function serializeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return scrub(error, depth);
  const serialized = scrub({ ...pino.stdSerializers.err(error) }, depth) as Record<string, unknown>;
  // pino's `type` is the class name: body-parser's own `type` is read from the error itself.
  if ((error as { type?: unknown } | undefined)?.type === "entity.parse.failed") {
    serialized.message = "[redacted: malformed JSON body]";
    delete serialized.stack;
  }
  return serialized;
}

/** A URL with the values of secret-looking query parameters replaced. */
export function scrubUrl(url: string): string {
  const query = url.indexOf("?");
  if (query === -1) return url;
  const params = new URLSearchParams(url.slice(query + 1));
  for (const key of new Set(params.keys())) {
    if (/pass|token|secret|code|key|auth|session/i.test(key)) params.set(key, "[redacted]");
  }
  return `${url.slice(0, query)}?${params.toString()}`;
}

export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: "portico" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT, censor: "[redacted]" },
      serializers: { err: serializeError },
      formatters: { log: (object) => scrub(object) as Record<string, unknown> },
    },
    options.destination,
  );
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

declare module "node:http" {
  interface IncomingMessage {
    /** This request's logger: its lines carry the request (id, method, url, ip). */
    log: Logger;
  }
}

/** X-Request-Id when it looks like one, made up otherwise; echoed back either way. */
function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers["x-request-id"];
  const id = typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader("X-Request-Id", id);
  return id;
}

/**
 * One JSON line per request, once it is answered (or the client went away): request id,
 * method, URL with secret-looking query values scrubbed, client address, status, milliseconds.
 * Headers are not logged: they carry cookies and tokens. `req.log` (for a handler's own lines)
 * is made on first use: most requests never need a child logger, and making one per request
 * was the largest cost of logging (issue 14's profile).
 */
export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const id = requestId(req, res);
    const fields = () => ({ id, method: req.method, url: scrubUrl(req.originalUrl), ip: req.ip });
    let child: Logger | undefined;
    Object.defineProperty(req, "log", {
      configurable: true,
      get: () => {
        child ??= logger.child({ req: fields() });
        return child;
      },
    });
    const done = () => {
      res.off("finish", done);
      res.off("close", done);
      const status = res.statusCode;
      const level = status >= 500 ? "error" : status >= 400 ? "warn" : "info";
      const line = {
        req: fields(),
        res: { statusCode: status },
        responseTime: Math.round(performance.now() - started),
      };
      logger[level](line, res.writableFinished ? "request completed" : "request aborted");
    };
    res.on("finish", done);
    res.on("close", done);
    next();
  };
}

import express, { type Request, type RequestHandler } from "express";
import { AppError } from "../errors.js";

const BODY_LIMIT_BYTES = 16 * 1024;

function hasBody(req: Request): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

const parseJson = express.json({ limit: BODY_LIMIT_BYTES, strict: true, type: () => true });

/**
 * JSON bodies only: another Content-Type is 415, bad JSON 400, more than 16 KiB 413 (the error
 * handler maps body-parser's errors). A request with no body at all is treated as `{}`, so it
 * gets the usual "missing fields" answer.
 */
export const jsonBody: RequestHandler[] = [
  (req, _res, next) => {
    if (!hasBody(req)) {
      req.body = {};
      return next();
    }
    if (!req.is(["application/json", "application/*+json"])) throw new AppError("UNSUPPORTED_MEDIA_TYPE");
    next();
  },
  parseJson,
];

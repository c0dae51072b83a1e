import type { Request } from "express";
import { AppError } from "../errors.js";

/** The token of an `Authorization: Bearer <token>` header; UNAUTHORIZED when there is none. */
export function bearerToken(req: Request): string {
  const match = /^Bearer[ ]+([A-Za-z0-9._~+/-]+=*)[ ]*$/i.exec(req.headers.authorization ?? "");
  if (!match?.[1]) throw new AppError("UNAUTHORIZED");
  return match[1];
}

import type { Request } from "express";

/** Where a request came from, as the API sees it (TRUST_PROXY decides `req.ip`). */
export interface ClientInfo {
  /** IPv4 without the `::ffff:` prefix of a mapped address. */
  ip: string | null;
  userAgent: string | null;
}

const MAX_USER_AGENT = 512;

export function clientInfo(req: Request): ClientInfo {
  const ip = req.ip ? req.ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "") : null;
  const userAgent = req.get("user-agent")?.slice(0, MAX_USER_AGENT) || null;
  return { ip, userAgent };
}

import type request from "supertest";
import { expect } from "vitest";

/** `count` requests one after the other (the counters are the point: no parallel races). */
export async function sendInOrder(count: number, make: () => request.Test): Promise<request.Response[]> {
  const responses: request.Response[] = [];
  for (let i = 0; i < count; i++) responses.push(await make());
  return responses;
}

/** A 429 in the one error shape, with a Retry-After within the window. */
export function expectRateLimited(res: request.Response, windowSeconds: number) {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({
    error: "Too Many Requests",
    message: "Too many requests",
    statusCode: 429,
    code: "RATE_LIMITED",
  });
  const retryAfter = Number(res.headers["retry-after"]);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
}

import request from "supertest";
import { describe, expect, it } from "vitest";
import { newUserBody, TEST_ENGINES, uniqueEmail } from "./helpers.js";
import { useSmtpServer } from "./support/mail.js";
import { usePortico } from "./use-portico.js";

const REGISTER = "/api/v1/auth/register";
const FORGOT = "/api/v1/auth/password/forgot";

/**
 * Runs in vitest's "alone" group (vitest.config.ts): it compares two medians of wall-clock time,
 * which other files' bcrypt and PGlite work on the same cores would only blur.
 */
describe.each(TEST_ENGINES)("forgot-password timing on $name", (engine) => {
  const smtp = useSmtpServer();
  const portico = usePortico({ engine, env: () => ({ SMTP_URL: smtp.url }) });

  it("takes the same time for a known and an unknown address (median of 50 each, interleaved)", async () => {
    const known: string[] = [];
    for (let i = 0; i < 5; i++) {
      const body = newUserBody();
      await request(portico.app).post(REGISTER).send(body);
      known.push(body.email);
    }
    const times = { known: [] as number[], unknown: [] as number[] };
    for (let i = 0; i < 50; i++) {
      for (const kind of i % 2 === 0 ? (["known", "unknown"] as const) : (["unknown", "known"] as const)) {
        const email = kind === "known" ? (known[i % known.length] as string) : uniqueEmail("nobody");
        const started = performance.now();
        const res = await request(portico.app).post(FORGOT).send({ email });
        times[kind].push(performance.now() - started);
        expect(res.status).toBe(202);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    const [k, u] = [median(times.known), median(times.unknown)];
    console.info(`forgot-password on ${engine.name}: median known ${k.toFixed(1)} ms, unknown ${u.toFixed(1)} ms`);
    // Both paths sit on the same floor (FORGOT_FLOOR_MS, 120 ms); the work itself is a few ms.
    expect(Math.min(k, u)).toBeGreaterThanOrEqual(115);
    expect(Math.abs(k - u)).toBeLessThan(10);
  }, 60_000);
});

/**
 * Settings that work, and that tests and benchmarks use, but that are unsafe in production.
 * config.ts reports each as one line of its ConfigError when NODE_ENV=production.
 */

const PRODUCTION_MAX_BCRYPT_COST = 15;
const PRODUCTION_MAX_EXPIRES_SECONDS = 30 * 86_400;
const SECRET_MIN_DISTINCT = 8;

/** Settings that work but are unsafe in production: [setting, why], one line each. */
export function productionRisks(env: {
  JWT_SECRET?: string | undefined;
  BCRYPT_COST: number;
  JWT_EXPIRES_IN: number;
  TRUST_PROXY: string;
  PUBLIC_ORIGIN?: string | undefined;
}): [string, string][] {
  const risks: [string, string][] = [];
  if (env.JWT_SECRET && new Set(env.JWT_SECRET).size < SECRET_MIN_DISTINCT)
    risks.push([
      "JWT_SECRET",
      `must have at least ${SECRET_MIN_DISTINCT} different characters when NODE_ENV=production (use a random one: openssl rand -base64 48)`,
    ]);
  if (env.BCRYPT_COST > PRODUCTION_MAX_BCRYPT_COST)
    risks.push([
      "BCRYPT_COST",
      `must be at most ${PRODUCTION_MAX_BCRYPT_COST} when NODE_ENV=production (each step doubles the time of every sign-up and sign-in)`,
    ]);
  if (env.JWT_EXPIRES_IN > PRODUCTION_MAX_EXPIRES_SECONDS)
    risks.push(["JWT_EXPIRES_IN", "must be at most 30d when NODE_ENV=production"]);
  if (env.TRUST_PROXY.trim().toLowerCase() === "true")
    risks.push([
      "TRUST_PROXY",
      "cannot be true when NODE_ENV=production: any client could pick its address with X-Forwarded-For; give your load balancers' addresses or a hop count",
    ]);
  if (!env.PUBLIC_ORIGIN)
    risks.push([
      "PUBLIC_ORIGIN",
      "is required when NODE_ENV=production: the CSRF check on form posts compares with it (without it the Host header decides)",
    ]);
  else if (!env.PUBLIC_ORIGIN.toLowerCase().startsWith("https://"))
    // Reset and sign-in links go out in mail, and the production cookie is Secure: localhost too,
    // since a production instance behind plain HTTP is one misrouted request from the network.
    risks.push([
      "PUBLIC_ORIGIN",
      "must be https:// when NODE_ENV=production: the links in mail (password reset, e-mail confirmation) would travel in clear",
    ]);
  return risks;
}

import type { AstroCookies } from "astro";

/**
 * What /account shows in words: devices, security events, times, and the notices after a 303
 * (SPEC §12). The query of /account?done=… holds only one of the keys below, never personal data.
 */

/** The notice for each `?done=` key. */
export const DONE_NOTICES = {
  password: "Your password has been changed. Your other sessions have been logged out.",
  session: "That session has been logged out.",
  others: "All your other sessions have been logged out.",
  "totp-on": "Two-factor authentication is on.",
  "totp-off": "Two-factor authentication is off.",
  // "email" is told with the new address, which travels in a cookie (see setPendingEmail).
} as const;
export type DoneKey = keyof typeof DONE_NOTICES | "email";

export function isDoneKey(value: string | null): value is DoneKey {
  return value === "email" || (value !== null && Object.hasOwn(DONE_NOTICES, value));
}

/** Holds the address a change link was sent to, for the notice after the 303; read once. */
const PENDING_EMAIL_COOKIE = "portico_email_sent";
const ACCOUNT_PATH = "/account";

export function setPendingEmail(cookies: AstroCookies, email: string, secure: boolean): void {
  cookies.set(PENDING_EMAIL_COOKIE, email, {
    httpOnly: true,
    sameSite: "lax",
    secure,
    path: ACCOUNT_PATH,
    maxAge: 300,
  });
}

/** The address of the last change request, once: the cookie is cleared as it is read. */
export function takePendingEmail(cookies: AstroCookies, secure: boolean): string | undefined {
  const value = cookies.get(PENDING_EMAIL_COOKIE)?.value;
  if (value === undefined) return undefined;
  cookies.delete(PENDING_EMAIL_COOKIE, { httpOnly: true, sameSite: "lax", secure, path: ACCOUNT_PATH });
  return value || undefined;
}

/** Security events (SPEC §9, §13) in plain words. */
const EVENT_WORDS: Record<string, string> = {
  "user.registered": "Account created",
  "login.succeeded": "Logged in",
  "login.failed": "Failed log-in attempt (wrong password)",
  "session.revoked": "Logged out of a session",
  "password.changed": "Password changed",
  "password.reset": "Password reset with an email link",
  "account.reclaimed":
    "Email address confirmed by a password reset: passkeys and two-factor set up before were removed",
  "email.verified": "Email address confirmed",
  "email.changed": "Email address changed",
  "mfa.enabled": "Two-factor authentication turned on",
  "mfa.disabled": "Two-factor authentication turned off",
  "mfa.failed": "Wrong authentication code entered",
  "passkey.added": "Passkey added",
  "passkey.removed": "Passkey removed",
};

export function describeEvent(type: string): string {
  return EVENT_WORDS[type] ?? type;
}

/** Times as the dashboard shows them: in words, in UTC (the server does not know the reader's zone). */
const WHEN = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

export function formatWhen(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${WHEN.format(date)} UTC`;
}

const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\//, "Edge"],
  [/\bOPR\/|\bOpera\b/, "Opera"],
  [/\bSamsungBrowser\//, "Samsung Internet"],
  [/\bFirefox\/|\bFxiOS\//, "Firefox"],
  [/\bChrom(?:e|ium)\/|\bCriOS\//, "Chrome"],
  [/\bVersion\/[\d.]+.*\bSafari\//, "Safari"],
  [/^curl\//, "curl"],
  [/^Wget\//, "Wget"],
  [/^node\b|\bundici\b|^node-fetch/i, "Node.js"],
  [/\bHeadlessChrome\//, "Chrome"],
];

const SYSTEMS: [RegExp, string][] = [
  [/\biPhone\b/, "iPhone"],
  [/\biPad\b/, "iPad"],
  [/\bAndroid\b/, "Android"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bWindows\b/, "Windows"],
  [/\bMac OS X\b|\bMacintosh\b/, "macOS"],
  [/\bLinux\b/, "Linux"],
];

/**
 * A user agent as a person names their device: "Firefox on Linux", "Safari on iPhone". Anything
 * not recognised is shown shortened as it is (at most 60 characters); none: "Unknown device".
 */
export function describeDevice(userAgent: string | null): string {
  const ua = (userAgent ?? "").trim();
  if (!ua) return "Unknown device";
  const browser = BROWSERS.find(([pattern]) => pattern.test(ua))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(ua))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  if (browser) return browser;
  if (system) return `A browser on ${system}`;
  return ua.length > 60 ? `${ua.slice(0, 59)}…` : ua;
}

/** A TOTP secret (base32) in groups of four, as authenticator apps show them, for typing in. */
export function groupSecret(secret: string): string {
  return (secret.match(/.{1,4}/g) ?? []).join(" ");
}

/** A session id as the API makes them (a uuid); anything else is no session of ours. */
export function sessionId(value: string): string | undefined {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value) ? value : undefined;
}

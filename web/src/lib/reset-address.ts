import type { AstroCookies } from "astro";

/**
 * The address typed into /forgot-password, kept in this browser for /reset-password's hidden
 * `username` field (issue 15, item 7): password managers then save the new password to the right
 * account. The API tells a page nothing about a reset link before it is used, so this is all there
 * is. The cookie is set whatever the answer (the page says the same whether or not an account
 * exists), holds only what the person typed themselves, is sent only to /reset-password, and lives
 * as long as a reset link can (SPEC §8: at most an hour).
 */
const RESET_ADDRESS_COOKIE = "portico_reset_for";
const PATH = "/reset-password";
const LIFETIME_SECONDS = 60 * 60;
/** The API's limit for an address (SPEC §1): a longer value is none of ours. */
const MAX_LENGTH = 254;

const options = (secure: boolean) => ({ httpOnly: true, sameSite: "lax" as const, secure, path: PATH });

export function rememberResetAddress(cookies: AstroCookies, email: string, secure: boolean): void {
  const address = email.trim().toLowerCase();
  if (!address || address.length > MAX_LENGTH) return;
  cookies.set(RESET_ADDRESS_COOKIE, address, { ...options(secure), maxAge: LIFETIME_SECONDS });
}

export function resetAddress(cookies: AstroCookies): string | undefined {
  const value = cookies.get(RESET_ADDRESS_COOKIE)?.value?.trim();
  return value && value.length <= MAX_LENGTH && value.includes("@") ? value : undefined;
}

export function forgetResetAddress(cookies: AstroCookies, secure: boolean): void {
  cookies.delete(RESET_ADDRESS_COOKIE, options(secure));
}

import { dictionary } from "@zxcvbn-ts/language-common";
import type { UserRow } from "./user.js";

/**
 * What a new password must not be, beyond its length (NIST SP 800-63B-4 §3.1.1.2): on the list of
 * common passwords, guessable from its shape, or made of words of its context. Every function
 * takes the password after NFKC normalisation and returns why it is refused, or undefined.
 * Login never applies these: a password that was accepted once is always accepted.
 */

/** The service's own name: the first word an attacker tries (a context-specific word). */
const SERVICE_NAME = "portico";

/** Parts of a name or e-mail shorter than this are too common to refuse in a password. */
const CONTEXT_MIN_CHARS = 4;

/**
 * Characters that show nothing: white space, controls, format characters (zero-width space,
 * joiners, BOM, soft hyphen), default-ignorable ones (Hangul fillers U+115F, U+1160, U+3164,
 * U+FFA0) and the blank Braille pattern U+2800.
 */
export const BLANK_CHARACTERS = /[\p{White_Space}\p{Cc}\p{Cf}\p{Zs}\p{Default_Ignorable_Code_Point}\u2800]/gu;

const COMMON_PASSWORDS: ReadonlySet<string> = new Set(dictionary["passwords-common"]);

/** True when a password (any case) is on the list of ~49,000 common passwords. */
export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(password.toLowerCase());
}

/** The characters that show, lower-cased: what a shoulder-surfer or a guesser works with. */
const visible = (s: string) => s.replace(BLANK_CHARACTERS, "").toLowerCase();

/** Every code point one more (or one less) than the one before: abcdefgh, 12345678, 87654321. */
function isPlainSequence(chars: string[]): boolean {
  const points = chars.map((c) => c.codePointAt(0) ?? 0);
  const step = (points[1] ?? 0) - (points[0] ?? 0);
  return Math.abs(step) === 1 && points.every((p, i) => i === 0 || p - (points[i - 1] ?? 0) === step);
}

/** Why a password's shape alone makes it guessable (or unsafe to hash: NUL), or undefined. */
export function passwordPatternProblem(password: string): string | undefined {
  // bcrypt reads its input as a C string: everything after a NUL would be ignored.
  if (password.includes("\u0000")) return "Password must not contain the NUL character";
  const chars = [...visible(password)];
  if (chars.length === 0) return "Password must contain visible characters, not only spaces or invisible ones";
  if (new Set(chars).size === 1) return "Password must not be one character repeated";
  if (isPlainSequence(chars)) return "Password must not be a plain sequence such as abcdefgh or 12345678";
  return undefined;
}

export interface PasswordContext {
  /** The e-mail address as given (only a string is used). */
  email?: unknown;
  /** Full name, first and last name as given (only strings are used). */
  names?: unknown[];
}

/** A stored user's context, for a new password chosen later (change, reset). */
export function storedUserContext(user: Pick<UserRow, "email" | "name" | "first_name" | "last_name">): PasswordContext {
  return { email: user.email, names: [user.name, user.first_name, user.last_name] };
}

const longEnough = (word: string) => [...word].length >= CONTEXT_MIN_CHARS;

/** Why a password is made of its own context (service name, e-mail, person's name), or undefined. */
export function passwordContextProblem(password: string, context: PasswordContext): string | undefined {
  const shown = visible(password);
  if (shown.includes(SERVICE_NAME)) return "Password must not contain the name of this service";
  if (typeof context.email === "string") {
    const at = context.email.lastIndexOf("@");
    const local = visible(context.email.slice(0, at === -1 ? undefined : at));
    if (longEnough(local) && shown.includes(local)) return "Password must not contain your email address";
  }
  const nameParts = (context.names ?? [])
    .filter((name): name is string => typeof name === "string")
    .flatMap((name) =>
      name
        .normalize("NFKC")
        .toLowerCase()
        .split(/[\s.'’-]+/u),
    )
    .filter(longEnough);
  if (nameParts.some((part) => shown.includes(part))) return "Password must not contain your name";
  return undefined;
}

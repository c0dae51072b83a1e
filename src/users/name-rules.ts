import { BLANK_CHARACTERS } from "./password-rules.js";

/**
 * Names beyond their character classes (SPEC §1): a name must show a letter (punctuation alone,
 * "." or "-'", is no name, although periods, hyphens and apostrophes are allowed in every name
 * field), and may not stack combining marks ("Zalgo" text that spills over the lines around it in
 * every page and mail).
 */

/** Three allows every script's real names (Vietnamese, Thai, Devanagari); more is decoration. */
const MAX_MARKS_PER_LETTER = 3;
const STACKED_MARKS = new RegExp(`\\p{M}{${MAX_MARKS_PER_LETTER + 1},}`, "u");

/**
 * A letter that renders: the Hangul fillers U+3164, U+115F, U+1160, U+FFA0 are letters (Lo) that
 * show nothing, so a name made only of them would look empty.
 */
function hasVisibleLetter(name: string): boolean {
  return /\p{L}/u.test(name.replace(BLANK_CHARACTERS, ""));
}

/**
 * True for a name that shows a letter and has at most 3 combining marks on any letter, counted
 * decomposed (NFD): a precomposed "á" is a letter and a mark too.
 */
export function isAcceptableName(name: string): boolean {
  return hasVisibleLetter(name) && !STACKED_MARKS.test(name.normalize("NFD"));
}

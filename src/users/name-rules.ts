import { BLANK_CHARACTERS } from "./password-rules.js";
import { isSingleScript } from "./scripts.js";

/**
 * Names beyond their character classes (SPEC §1): a name must show a letter (punctuation alone,
 * "." or "-'", is no name, although periods, hyphens and apostrophes are allowed in every name
 * field), may not stack combining marks ("Zalgo" text that spills over the lines around it in
 * every page and mail), may hold nothing invisible, and writes each word in one script.
 */

/** Three allows every script's real names (Vietnamese, Thai, Devanagari); more is decoration. */
const MAX_MARKS_PER_LETTER = 3;
const STACKED_MARKS = new RegExp(`\\p{M}{${MAX_MARKS_PER_LETTER + 1},}`, "u");

/**
 * Characters that render as nothing yet make two names differ: the combining grapheme joiner
 * (U+034F), variation selectors (U+FE00–FE0F, U+E0100–E01EF), the Hangul fillers. They are
 * marks or letters, so the name pattern lets them through.
 */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;

/**
 * A letter that renders: the Hangul fillers U+3164, U+115F, U+1160, U+FFA0 are letters (Lo) that
 * show nothing, so a name made only of them would look empty.
 */
function hasVisibleLetter(name: string): boolean {
  return /\p{L}/u.test(name.replace(BLANK_CHARACTERS, ""));
}

/**
 * True for a name that shows a letter, holds no invisible character, has at most 3 combining
 * marks on any letter, counted decomposed (NFD: a precomposed "á" is a letter and a mark too), and
 * writes each word (between spaces) in one script: "Аdmin" with a Cyrillic А is refused, as
 * UTS #39 advises against look-alikes, while "Анна Smith" (a script per word) is a name.
 */
export function isAcceptableName(name: string): boolean {
  return (
    hasVisibleLetter(name) &&
    !INVISIBLE.test(name) &&
    !STACKED_MARKS.test(name.normalize("NFD")) &&
    name.split(" ").every(isSingleScript)
  );
}

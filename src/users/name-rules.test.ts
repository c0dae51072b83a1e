import { describe, expect, it } from "vitest";
import { isAcceptableName } from "./name-rules.js";
import { isSingleScript } from "./scripts.js";

describe("name rules: invisible characters", () => {
  it.each([
    ["the combining grapheme joiner (U+034F)", "Ad\u034fa"],
    ["a variation selector (U+FE0F)", "Ada\ufe0f"],
    ["a variation selector (U+FE00)", "A\ufe00da"],
    ["an ideographic variation selector (U+E0100)", "李\u{e0100}小龍"],
    ["the last ideographic variation selector (U+E01EF)", "Ada\u{e01ef}"],
    ["a Hangul filler beside letters (U+3164)", "김\u3164민준"],
  ])("refuses a name with %s", (_label, name) => {
    expect(isAcceptableName(name)).toBe(false);
  });
});

describe("name rules: one script per word (UTS #39)", () => {
  it.each([
    ["a Cyrillic А in a Latin word", "\u0410dmin"],
    ["a Greek alpha in a Latin word", "\u0391da Lovelace"],
    ["a Cyrillic о inside a Latin word", "L\u043evelace"],
    ["a Latin a in a Cyrillic word", "Анн\u0061"],
    ["a Cherokee letter in a Latin word", "D\u13a7"],
    ["Hangul and Hiragana in one word", "김さ"],
    ["one mixed word among clean ones", "Ada L\u043evelace Byron"],
  ])("refuses %s", (_label, name) => {
    expect(isAcceptableName(name)).toBe(false);
  });

  it.each([
    ["Latin with accents", "Zoë Nguyễn"],
    ["Latin decomposed (combining marks go with any script)", "Zoë".normalize("NFD")],
    ["a Hawaiian ʻokina (a Common letter)", "Hawaiʻi"],
    ["all Cyrillic", "Анна Пушкина"],
    ["all Greek", "Ελένη"],
    ["a script per word", "Анна Smith"],
    ["Han with Hiragana (Japanese)", "ゆき子"],
    ["Han with Katakana and the prolonged sound mark", "マリー子"],
    ["Han (Chinese)", "李小龍"],
    ["Hangul", "김민준"],
    ["Devanagari", "अनुष्का शर्मा"],
    ["Thai", "สมชาย ใจดี"],
    ["Arabic", "محمد"],
    ["fullwidth Latin", "Ａｄａ"],
    ["a hyphen and an apostrophe", "Mary-Jane O’Brien"],
  ])("accepts %s", (_label, name) => {
    expect(isAcceptableName(name)).toBe(true);
  });

  it("treats every character of Common and Inherited script as going with any script", () => {
    expect(isSingleScript("-'.’")).toBe(true);
    expect(isSingleScript("")).toBe(true);
  });
});

/**
 * Which scripts a name's words are written in (UTS #39 §5.1, "mixed-script detection"): each
 * character's Script_Extensions, Common and Inherited characters (punctuation, most combining
 * marks) going with any script, and the augmented sets that let Japanese, Chinese and Korean write
 * Han beside their own scripts.
 */

/** Unicode 17's scripts but Common and Inherited, as Script_Extensions values. */
const SCRIPT_NAMES = (
  "Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum Bassa_Vah Batak Bengali Beria_Erfe " +
  "Bhaiksuki Bopomofo Brahmi Braille Buginese Buhid Canadian_Aboriginal Carian Caucasian_Albanian Chakma Cham " +
  "Cherokee Chorasmian Coptic Cuneiform Cypriot Cypro_Minoan Cyrillic Deseret Devanagari Dives_Akuru Dogra " +
  "Duployan Egyptian_Hieroglyphs Elbasan Elymaic Ethiopic Garay Georgian Glagolitic Gothic Grantha Greek " +
  "Gujarati Gunjala_Gondi Gurmukhi Gurung_Khema Han Hangul Hanifi_Rohingya Hanunoo Hatran Hebrew Hiragana " +
  "Imperial_Aramaic Inscriptional_Pahlavi Inscriptional_Parthian Javanese Kaithi Kannada Katakana Kawi Kayah_Li " +
  "Kharoshthi Khitan_Small_Script Khmer Khojki Khudawadi Kirat_Rai Lao Latin Lepcha Limbu Linear_A Linear_B " +
  "Lisu Lycian Lydian Mahajani Makasar Malayalam Mandaic Manichaean Marchen Masaram_Gondi Medefaidrin " +
  "Meetei_Mayek Mende_Kikakui Meroitic_Cursive Meroitic_Hieroglyphs Miao Modi Mongolian Mro Multani Myanmar " +
  "Nabataean Nag_Mundari Nandinagari New_Tai_Lue Newa Nko Nushu Nyiakeng_Puachue_Hmong Ogham Ol_Chiki Ol_Onal " +
  "Old_Hungarian Old_Italic Old_North_Arabian Old_Permic Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic " +
  "Old_Uyghur Oriya Osage Osmanya Pahawh_Hmong Palmyrene Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi Rejang " +
  "Runic Samaritan Saurashtra Sharada Shavian Siddham Sidetic SignWriting Sinhala Sogdian Sora_Sompeng Soyombo " +
  "Sundanese Sunuwar Syloti_Nagri Syriac Tagalog Tagbanwa Tai_Le Tai_Tham Tai_Viet Tai_Yo Takri Tamil Tangsa " +
  "Tangut Telugu Thaana Thai Tibetan Tifinagh Tirhuta Todhri Tolong_Siki Toto Tulu_Tigalari Ugaritic Vai " +
  "Vithkuqi Wancho Warang_Citi Yezidi Yi Zanabazar_Square"
).split(" ");

/** A script this Node's Unicode does not know yet is left out: its letters count as "unlisted". */
function scriptPattern(name: string): [string, RegExp] | undefined {
  try {
    return [name, new RegExp(`^\\p{scx=${name}}$`, "u")];
  } catch {
    return undefined;
  }
}

const SCRIPTS = SCRIPT_NAMES.map(scriptPattern).filter((entry) => entry !== undefined);
const ANY_SCRIPT = /^[\p{scx=Zyyy}\p{scx=Zinh}]$/u;
/** A letter of a script missing from the list: one set of its own, mixing with no listed script. */
const UNLISTED = "Unlisted";

/** UTS #39's augmented script sets: Han goes with Japanese (Jpan), Chinese (Hanb) and Korean (Kore). */
const AUGMENTED: Record<string, string[]> = {
  Han: ["Jpan", "Hanb", "Kore"],
  Hiragana: ["Jpan"],
  Katakana: ["Jpan"],
  Bopomofo: ["Hanb"],
  Hangul: ["Kore"],
};

/** The scripts a character may be written in; undefined for Common and Inherited (any script). */
function scriptsOf(char: string): Set<string> | undefined {
  if (ANY_SCRIPT.test(char)) return undefined;
  const scripts = SCRIPTS.filter(([, pattern]) => pattern.test(char)).map(([name]) => name);
  if (scripts.length === 0) return new Set([UNLISTED]);
  return new Set(scripts.flatMap((name) => [name, ...(AUGMENTED[name] ?? [])]));
}

/**
 * True when one script (or augmented set) covers every character of `word`: "Ada", "Анна",
 * "山田さくら" are; "Аda" (a Cyrillic А before Latin letters) is not.
 */
export function isSingleScript(word: string): boolean {
  let common: Set<string> | undefined;
  for (const char of word) {
    const scripts = scriptsOf(char);
    if (!scripts) continue;
    common = common ? new Set([...common].filter((name) => scripts.has(name))) : scripts;
    if (common.size === 0) return false;
  }
  return true;
}

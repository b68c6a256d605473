/**
 * English spell checking with nspell over the Hunspell en_US dictionary of dictionary-en.
 *
 * Building the dictionary takes ~0.2 s and ~20 MB, so it is built once per process, on the
 * first English text (not at import). Every distinct word's answer is cached, so a 1 MB text
 * asks the dictionary only once per distinct word.
 *
 * What is checked, and why: spelling is a signal of OCR errors and careless text, so the
 * checker skips tokens a dictionary cannot judge rather than flag them — numbers and words
 * with digits, URLs and e-mail addresses, tokens over 40 characters, ALL-CAPS acronyms, words
 * under 3 letters, and
 * capitalised words that do not start a sentence (mostly names). British spellings
 * (colour, realise, centre, travelled) and accented loan words (café) are accepted when
 * their American or unaccented form is in the dictionary.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import nspell from "nspell";

export type SpellingResult = {
  /** Words the dictionary was asked about (after the skips above). */
  checked: number;
  /** Misspelled occurrences (a word repeated three times counts three). */
  misspelled: number;
  /** Every misspelled occurrence in text order, with its offset in the text. */
  errors: { word: string; offset: number; length: number }[];
};

export type SpellChecker = {
  /** Whether the dictionary (or a British/unaccented variant) knows `word`. */
  correct(word: string): boolean;
  check(text: string): SpellingResult;
};

const require = createRequire(import.meta.url);

/**
 * Whitespace-separated tokens; one holding an e-mail address or a URL, or longer than
 * MAX_TOKEN (base64, hashes, identifiers: not prose; ocr_garbage reports them), is skipped whole.
 */
const TOKEN_RE = /\S+/g;
/** Words: letters and digits joined by apostrophes; hyphens split words. */
const WORD_RE = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;
const MIN_LETTERS = 3;
const MAX_TOKEN = 40;
/** Prefixes written with a hyphen (pre-war, non-profit) that the dictionary lacks as words. */
const HYPHEN_PREFIXES = new Set(
  "anti bi co counter de ex extra hyper inter intra macro micro mid mini multi neo non over post pre pro pseudo quasi re self semi sub super trans ultra un under".split(" "),
);
/** Cached answers kept per process; beyond this the cache starts over (bounded memory). */
const CACHE_LIMIT = 200_000;

let checker: SpellChecker | null = null;
let buildMs = 0;

/** The process-wide English checker, built on first use. */
export function englishSpellChecker(): SpellChecker {
  if (checker) return checker;
  const started = performance.now();
  // dictionary-en's module only reads these two files (with top-level await, which a
  // synchronous caller cannot use); reading them here keeps assessment synchronous.
  const dir = dirname(require.resolve("dictionary-en"));
  const spell = nspell({ aff: readFileSync(join(dir, "index.aff")), dic: readFileSync(join(dir, "index.dic")) });
  checker = createSpellChecker((word) => spell.correct(word));
  buildMs = performance.now() - started;
  return checker;
}

/** How long building the English dictionary took in this process (0 before the first use). */
export function spellCheckerBuildMs(): number {
  return buildMs;
}

/** British → American endings tried when a word is unknown (colour → color, realise → realize). */
const BRITISH: [RegExp, string][] = [
  [/our(s|ed|ing|ite|ites|able|er|ers)?$/, "or$1"],
  [/is(e|es|ed|ing|ation|ations|er|ers)$/, "iz$1"],
  [/ys(e|es|ed|ing)$/, "yz$1"],
  [/tre(s)?$/, "ter$1"],
  [/([aeiou])([lp])\2(ed|ing|er|ers)$/, "$1$2$3"],
  [/ogue(s)?$/, "og$1"],
  [/ence(s)?$/, "ense$1"],
  [/ement(s)?$/, "ment$1"],
  [/^grey/, "gray"],
];

/**
 * A checker over any `known(word)` predicate; exported for tests and other dictionaries.
 * The predicate is asked at most once per distinct word form.
 */
export function createSpellChecker(known: (word: string) => boolean): SpellChecker {
  const cache = new Map<string, boolean>();

  const lookup = (word: string): boolean => {
    if (known(word)) return true;
    const lower = word.toLowerCase();
    const plain = lower.normalize("NFD").replace(/\p{M}+/gu, "");
    if (plain !== lower && known(plain)) return true;
    for (const [re, to] of BRITISH) {
      if (re.test(plain) && known(plain.replace(re, to))) return true;
    }
    return false;
  };

  const correct = (raw: string): boolean => {
    const word = raw.includes("’") ? raw.replace(/’/g, "'") : raw;
    let hit = cache.get(word);
    if (hit === undefined) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      hit = lookup(word);
      cache.set(word, hit);
    }
    return hit;
  };

  const check = (text: string): SpellingResult => {
    // Capitalised words seen mid-sentence are this text's proper nouns; a capitalised word
    // that starts a sentence waits until the end, and is skipped if it is one of them
    // ("Podger said …" after "… asked Podger").
    const properNouns = new Set<string>();
    const sentenceStarts: { word: string; offset: number }[] = [];
    let checked = 0;
    const errors: SpellingResult["errors"] = [];
    for (const { word, offset } of wordsOutsideAddresses(text)) {
      if (!isCheckable(word)) continue;
      if (text[offset + word.length] === "-" && HYPHEN_PREFIXES.has(word.toLowerCase())) continue;
      if (isCapitalised(word)) {
        if (startsSentence(text, offset)) sentenceStarts.push({ word, offset });
        else properNouns.add(withoutPossessive(word));
        continue;
      }
      checked++;
      if (!correct(word)) errors.push({ word, offset, length: word.length });
    }
    let late = false;
    for (const { word, offset } of sentenceStarts) {
      if (properNouns.has(withoutPossessive(word))) continue;
      checked++;
      if (!correct(word)) {
        errors.push({ word, offset, length: word.length });
        late = true;
      }
    }
    if (late) errors.sort((a, b) => a.offset - b.offset);
    return { checked, misspelled: errors.length, errors };
  };

  return { correct, check };
}

/**
 * The words of `text` with their offsets, except those in skipped tokens (see TOKEN_RE). Two regexes walk the text side by side, each reading every character once: the word
 * regex runs over the whole text (not per token, which would copy every token), and the next
 * word found is kept until the token walk reaches it. Linear even for a megabyte-long token.
 */
function* wordsOutsideAddresses(text: string): Generator<{ word: string; offset: number }> {
  const tokens = new RegExp(TOKEN_RE);
  const words = new RegExp(WORD_RE);
  let next: RegExpExecArray | null | undefined;
  for (let token = tokens.exec(text); token; token = tokens.exec(text)) {
    const start = token.index;
    const end = start + token[0].length;
    const t = token[0];
    if (t.length > MAX_TOKEN || t.includes("@") || t.includes("://") || /(?:^|[^\p{L}\p{N}])www\./iu.test(t)) continue;
    if (next === undefined || (next && next.index < start)) {
      words.lastIndex = start;
      next = words.exec(text);
    }
    while (next && next.index < end) {
      yield { word: next[0], offset: next.index };
      next = words.exec(text);
    }
    if (next === null) return;
  }
}

function withoutPossessive(word: string): string {
  return word.replace(/['’]s$/, "");
}

/**
 * At least 3 characters, no digits, not ALL-CAPS (acronyms, headings in capitals), no
 * capital after a lowercase letter (iPhone, McDonald). ASCII words, nearly all of them, take
 * a character loop; this runs for every word of the text.
 */
function isCheckable(word: string): boolean {
  if (word.length < MIN_LETTERS) return false;
  let lower = false;
  let afterLower = false;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c > 127) return isCheckableUnicode(word);
    if (c >= 48 && c <= 57) return false;
    if (c >= 65 && c <= 90) {
      if (afterLower) return false;
    } else if (c >= 97 && c <= 122) {
      lower = afterLower = true;
      continue;
    }
    afterLower = false;
  }
  return lower;
}

function isCheckableUnicode(word: string): boolean {
  if (/\p{N}/u.test(word)) return false;
  if (word === word.toUpperCase()) return false;
  return !/\p{Ll}\p{Lu}/u.test(word);
}

function isCapitalised(word: string): boolean {
  const c = word.charCodeAt(0);
  if (c < 128) return c >= 65 && c <= 90;
  const first = String.fromCodePoint(word.codePointAt(0)!);
  return first !== first.toLowerCase();
}

/**
 * Whether `offset` starts a sentence: only whitespace, quotes or brackets between it and the
 * start of the text, a line break, or sentence punctuation.
 */
function startsSentence(text: string, offset: number): boolean {
  for (let i = offset - 1; i >= 0; i--) {
    const c = text[i]!;
    if (c === "\n") return true;
    if (c === " " || c === "\t" || c === "\r" || `"'“‘([«`.includes(c)) continue;
    return ".!?:…•–—-".includes(c);
  }
  return true;
}

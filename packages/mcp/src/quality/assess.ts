import {
  collapseWhitespace, detectLanguage, findPersonalData, hasWords, maskValue, readability, round, splitSentences, words as wordList,
  type LanguageGuess, type PiiKind, type Readability,
} from "../text";
import type { IssueCode } from "./codes";
import { DEFAULT_PROFILE, type QualityProfile } from "./profile";
import { findMisspellings, type SpellingFindings } from "./spelling";

export type QualitySeverity = "info" | "warning" | "error";
export type QualityGrade = "poor" | "fair" | "good" | "excellent";
export type IssueLocation = { page: number; offset: number; length: number; excerpt: string };
export type QualityIssue = { code: IssueCode | (string & {}); severity: QualitySeverity; message: string; location: IssueLocation | null };
export type FailedRule = { rule: string; message: string };
export type PageScore = { page: number; score: number; grade: QualityGrade; words: number };

export type QualityOutput = {
  score: number;
  grade: QualityGrade;
  passed: boolean;
  metrics: {
    words: number;
    sentences: number;
    characters: number;
    pages: number;
    emptyPages: number;
    language: LanguageGuess;
    readability: Readability;
    garbledRatio: number;
    ocrGarbageRatio: number;
    /** Misspelled / checked words (English text only; null otherwise or when nothing was checkable). */
    spellingErrorRate: number | null;
    duplicateParagraphs: number;
    personalData: Record<PiiKind, number>;
    truncated: boolean;
    /** Share of title/author/created present, for PDF and DOCX; null for types without metadata. */
    metadataCompleteness: number | null;
    simhash: string | null;
    nearDuplicateOf: { documentId: string; distance: number } | null;
    pageScores: PageScore[];
    pageScore: { mean: number; worst: number; worstPage: number };
  };
  issues: QualityIssue[];
  profile: { name: string; version: number };
  failedRules: FailedRule[];
};

export type QualityInput = {
  text: string;
  pages: string[];
  mimeType?: string;
  metadata?: { title?: string; author?: string; created?: string };
  truncated?: boolean;
  documentId?: string;
  /** Detected once when the host stored the text; detected here when absent. */
  language?: LanguageGuess;
};

/** The parts of an assessment timed separately (see AssessOptions.timings). */
export type MetricFamily =
  | "tokens" | "letters" | "language" | "readability" | "garbled" | "ocr" | "pages" | "duplicates"
  | "personalData" | "spelling" | "truncationMetadata" | "pageScores" | "profile";

export type AssessOptions = {
  profile?: QualityProfile;
  simhash?: string | null;
  nearDuplicate?: { documentId: string; distance: number } | null;
  /**
   * When given, the milliseconds spent in each metric family are added to it (summed over
   * calls), so a benchmark can show which metrics are slow. Off by default: no clock reads.
   */
  timings?: Partial<Record<MetricFamily, number>>;
};

/**
 * Score weights (start at 100, clamp to 0–100, round); every code is listed in codes.ts:
 *   empty_document          no words at all                     → score 0 (error)
 *   near_empty_document     fewer than 20 words                  −40 (warning)
 *   short_document          fewer than 100 words                 −10 (info)
 *   garbled_encoding        garbled chars / all chars = r        −min(50, 1000·r)
 *   ocr_garbage             garbage tokens / tokens = r          −min(40, 400·r)
 *   empty_page              share of empty pages = e             −min(30, 30·e)
 *   low_letter_ratio        letters < 50 % of non-space chars    −15
 *   low_readability         Flesch reading ease < 0 / < 30       −15 / −5
 *   language_undetermined   ≥ 20 words but no language detected  −5
 *   duplicate_paragraph     each repeated paragraph              −5 (at most −20)
 *   spelling_error          misspelled / checked words = r       −min(20, 200·(r − 3 %)) above 3 %, ≥ 50 words checked
 *   extraction_truncated    extraction hit a limit               −10
 *   possibly_truncated      ends mid-sentence                    −3
 *   pii_*, metadata_incomplete, near_duplicate_document, near_empty_page: reported, 0
 * Page score: 0 for a page without words, else 100 − garbled − OCR garbage (same formulas).
 * Grade: < 50 poor, < 80 fair, < 90 good, else excellent.
 * Passed: no rule of the profile fails (default profile: score ≥ 50 and no error issue).
 */
export const QUALITY_WEIGHTS = {
  nearEmpty: 40,
  short: 10,
  garbledPerUnit: 1000,
  garbledMax: 50,
  ocrPerUnit: 400,
  ocrMax: 40,
  emptyPagesMax: 30,
  lowLetterRatio: 15,
  veryLowReadability: 15,
  lowReadability: 5,
  languageUndetermined: 5,
  duplicateParagraph: 5,
  duplicateParagraphMax: 20,
  spellingFreeRate: 0.03,
  spellingPerUnit: 200,
  spellingMax: 20,
  extractionTruncated: 10,
  possiblyTruncated: 3,
} as const;

/**
 * Bumped whenever assessQuality reports something different for the same input. Hosts that
 * cache reports put it in the cache key, so a report from an older assessor is not served.
 * 2: the first located-issue version; 3: spelling (spellingErrorRate, spelling_error) and
 * blank lines with carriage returns.
 */
export const QUALITY_ALGORITHM_VERSION = 3;

export const NEAR_EMPTY_WORDS = 20;
export const SHORT_WORDS = 100;
/** Unrelated texts differ in ~32 of 64 bits (sd ≈ 4); ≤ 10 is more than 5 sd away from chance. */
export const NEAR_DUPLICATE_MAX_DISTANCE = 10;
const MAX_ISSUES_PER_CODE = 20;
const EXCERPT_RADIUS = 30;
const DUPLICATE_MIN_WORDS = 8;
/**
 * Spelling: clean edited English (the 500 Brown corpus texts) has a median rate of 0.5 %,
 * 90th percentile 1.6 %, and 7 of 500 texts (technical or dialect) at ≥ 5 %. Issues are
 * warnings from 5 % on, when enough words were checked for the rate to mean something.
 */
const SPELLING_WARNING_RATE = 0.05;
const SPELLING_MIN_CHECKED = 50;

/**
 * Garbled text: U+FFFD replacement chars, private-use code points, C0/C1 control chars
 * (other than tab/newline/CR/FF), pdf.js "(cid:123)" placeholders and UTF-8-read-as-Latin-1
 * mojibake such as "Ã©", "â€™", "Â ".
 */
const GARBLED_RE =
  /\uFFFD|[\uE000-\uF8FF]|[\u{F0000}-\u{10FFFF}]|[\u0000-\u0008\u000B\u000E-\u001F\u007F-\u009F]|\(cid:\d+\)|Ã[\u0080-\u00BF]|â€[\u0080-\u00BF\u2018-\u201E\u2020-\u2022\u2026\u2030\u2039\u203A\u0152\u0153\u0160\u0161\u0178\u017D\u017E\u0192\u02C6\u02DC\u2122]|Â[\u00A0-\u00BF]/gu;

const PII_LABEL: Record<PiiKind, string> = { email: "E-mail address", phone: "Phone number", card: "Payment card number", iban: "IBAN" };

export function gradeOf(score: number): QualityGrade {
  return score < 50 ? "poor" : score < 80 ? "fair" : score < 90 ? "good" : "excellent";
}

function excerpt(page: string, offset: number, length: number): string {
  return page.slice(Math.max(0, offset - EXCERPT_RADIUS), Math.min(page.length, offset + length + EXCERPT_RADIUS));
}

function at(pages: string[], page: number, offset: number, length: number): IssueLocation {
  return { page: page + 1, offset, length, excerpt: excerpt(pages[page]!, offset, length) };
}

function garbledIn(s: string): { chars: number; count: number } {
  let chars = 0;
  let count = 0;
  for (const m of s.matchAll(GARBLED_RE)) {
    chars += m[0].length;
    count++;
  }
  return { chars, count };
}

const SPACE_RE = /\s/;
const LETTER_RE = /\p{L}/u;

/**
 * Non-whitespace UTF-16 units and letters (code points) of a text, in one loop: what
 * `text.replace(/\s+/g, "").length` and `text.match(/\p{L}/gu).length` give, without
 * copying the text or building an array of every letter (~0.2 s per MB).
 */
function letterCounts(text: string): { nonSpace: number; letters: number } {
  let nonSpace = 0;
  let letters = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      if (c === 32 || (c >= 9 && c <= 13)) continue;
      nonSpace++;
      if ((c | 32) >= 97 && (c | 32) <= 122) letters++;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (cp > 0xffff) {
      i++;
      nonSpace += 2;
    } else if (SPACE_RE.test(ch)) {
      continue;
    } else {
      nonSpace++;
    }
    if (LETTER_RE.test(ch)) letters++;
  }
  return { nonSpace, letters };
}

/**
 * Paragraphs of a page: text between blank lines (a line break, optional spaces, tabs or
 * carriage returns, a line break), each from its first non-space character, trailing space trimmed. A scan for
 * the separators; a lazy regex over the whole page cost ~0.2 s per MB.
 */
function paragraphs(page: string): { offset: number; text: string }[] {
  const out: { offset: number; text: string }[] = [];
  const separator = /\n[ \t\r]*\n/g; // \r: inline text may keep Windows line ends
  const nonSpace = /\S/g;
  for (;;) {
    // The next paragraph starts at the next non-space character (blank runs are skipped whole).
    const first = nonSpace.exec(page);
    if (!first) return out;
    separator.lastIndex = first.index;
    const sep = separator.exec(page);
    const end = sep ? sep.index : page.length;
    out.push({ offset: first.index, text: page.slice(first.index, end).trimEnd() });
    if (!sep) return out;
    nonSpace.lastIndex = end + sep[0].length;
  }
}

/** Whitespace-separated tokens that look like OCR noise, with their offsets. */
export function ocrGarbageTokens(s: string): { tokens: number; garbage: { offset: number; length: number }[] } {
  let tokens = 0;
  const garbage: { offset: number; length: number }[] = [];
  for (const m of s.matchAll(/\S+/g)) {
    tokens++;
    const t = m[0];
    const verdict = plainWordVerdict(t) ?? isGarbageToken(t);
    if (verdict) garbage.push({ offset: m.index!, length: t.length });
  }
  return { tokens, garbage };
}

/**
 * OCR noise: > 30 characters, < 50 % letters/digits (≥ 4 characters), or one letter 4+ times
 * in a row; after trimming quotes, brackets and trailing punctuation; URLs and e-mails never.
 */
function isGarbageToken(t: string): boolean {
  if (/^(?:https?:\/\/|www\.)/i.test(t) || t.includes("@")) return false;
  const core = t.replace(/^[("'“‘[]+|[)"'”’\].,;:!?]+$/g, "");
  if (!core) return false;
  const alnum = (core.match(/[\p{L}\p{N}]/gu) ?? []).length;
  const chars = [...core].length;
  return chars > 30 || (chars >= 4 && alnum / chars < 0.5) || /(\p{L})\1{3,}/u.test(core);
}

/**
 * The same verdict for the common token — ASCII letters and digits, at most one trailing
 * punctuation mark — without regexes or allocation; undefined for anything else. Most words
 * of a text take this path (it made the OCR check ~3× faster on 1 MB).
 */
function plainWordVerdict(t: string): boolean | undefined {
  let end = t.length;
  const last = t.charCodeAt(end - 1);
  if (last === 46 || last === 44 || last === 59 || last === 58 || last === 33 || last === 63) end--; // . , ; : ! ?
  if (end === 0 || end > 30) return undefined;
  let run = 0;
  let repeated = false;
  let prev = -1;
  for (let i = 0; i < end; i++) {
    const c = t.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!letter && !(c >= 48 && c <= 57)) return undefined;
    run = letter && c === prev ? run + 1 : 1;
    if (run >= 4) repeated = true;
    prev = c;
  }
  return repeated;
}

export function assessQuality(doc: QualityInput, options: AssessOptions = {}): QualityOutput {
  return withNearDuplicate(measureQuality(doc, options), options.nearDuplicate ?? null, options);
}

/** An assessment still waiting for its near-duplicate verdict (see measureQuality). */
export type MeasuredQuality = Omit<QualityOutput, "profile" | "failedRules"> & { text: string };

function timer(timings: AssessOptions["timings"]) {
  return <T>(family: MetricFamily, fn: () => T): T => {
    if (!timings) return fn();
    const started = performance.now();
    try {
      return fn();
    } finally {
      timings[family] = (timings[family] ?? 0) + performance.now() - started;
    }
  };
}

/**
 * Everything of an assessment but the near-duplicate verdict and the profile's rules (which may
 * look at it): the costly part, which needs no store. A host runs it while it looks the
 * verdict up, then calls withNearDuplicate.
 */
export function measureQuality(doc: QualityInput, options: Omit<AssessOptions, "nearDuplicate" | "profile"> = {}): MeasuredQuality {
  const time = timer(options.timings);
  const text = doc.text ?? "";
  const pages = doc.pages.length ? doc.pages : [text];
  // Where locations point: the pages, unless all are empty while the text is not.
  const sources = pages.some((p) => p.length > 0) ? pages : [text];
  const { allWords, sentences } = time("tokens", () => ({ allWords: wordList(text), sentences: splitSentences(text).length }));
  const nWords = allWords.length;
  const language = time("language", () => doc.language ?? detectLanguage(text));
  const read = time("readability", () => readability(allWords, sentences));
  const issues: QualityIssue[] = [];
  let score = 100;
  const push = (issue: QualityIssue) => issues.push(issue);

  // Garbling.
  const garbled = time("garbled", () => garbledIn(text));
  const garbledRatio = text.length ? garbled.chars / text.length : 0;

  // OCR garbage, per source page.
  const ocrPerPage = time("ocr", () => sources.map(ocrGarbageTokens));
  const ocrTokens = ocrPerPage.reduce((n, p) => n + p.tokens, 0);
  const ocrGarbage = ocrPerPage.reduce((n, p) => n + p.garbage.length, 0);
  const ocrGarbageRatio = ocrTokens ? ocrGarbage / ocrTokens : 0;

  // Empty pages (only meaningful for multi-page documents).
  const pageWords = time("pages", () => (pages.length === 1 && pages[0] === text ? [nWords] : pages.map((p) => wordList(p).length)));
  const emptyPageNumbers = pages.length > 1 ? pageWords.flatMap((n, i) => (n === 0 ? [i + 1] : [])) : [];

  // Spelling, for English text only (the dictionary is English).
  const spelling: SpellingFindings | null = language.code === "eng" ? time("spelling", () => findMisspellings(sources)) : null;

  if (nWords === 0) {
    push({
      code: "empty_document",
      severity: "error",
      message: text.trim()
        ? "The document contains no readable words (only symbols or whitespace)."
        : "The document contains no text; it may be a scanned image without a text layer.",
      location: null,
    });
    score = 0;
  } else {
    if (nWords < NEAR_EMPTY_WORDS) {
      push({ code: "near_empty_document", severity: "warning", message: `The document has only ${nWords} word${nWords === 1 ? "" : "s"}.`, location: null });
      score -= QUALITY_WEIGHTS.nearEmpty;
    } else if (nWords < SHORT_WORDS) {
      push({ code: "short_document", severity: "info", message: `The document is short (${nWords} words).`, location: null });
      score -= QUALITY_WEIGHTS.short;
    }

    const { nonSpace, letters } = time("letters", () => letterCounts(text));
    if (nonSpace >= 50 && letters / nonSpace < 0.5) {
      push({
        code: "low_letter_ratio",
        severity: "warning",
        message: `Only ${Math.round((100 * letters) / nonSpace)} % of the visible characters are letters; the text may be tables, codes or extraction noise.`,
        location: null,
      });
      score -= QUALITY_WEIGHTS.lowLetterRatio;
    }

    const englishLike = language.code === "eng" || language.code === "und";
    if (englishLike && nWords >= SHORT_WORDS) {
      if (read.fleschReadingEase < 0) {
        push({ code: "low_readability", severity: "warning", message: `The text is very hard to read (Flesch reading ease ${read.fleschReadingEase}); sentences may be missing punctuation.`, location: null });
        score -= QUALITY_WEIGHTS.veryLowReadability;
      } else if (read.fleschReadingEase < 30) {
        push({ code: "low_readability", severity: "info", message: `The text is hard to read (Flesch reading ease ${read.fleschReadingEase}).`, location: null });
        score -= QUALITY_WEIGHTS.lowReadability;
      }
    }

    if (language.code === "und" && nWords >= NEAR_EMPTY_WORDS) {
      push({ code: "language_undetermined", severity: "info", message: "The language of the document could not be determined.", location: null });
      score -= QUALITY_WEIGHTS.languageUndetermined;
    } else if (language.code === "und") {
      push({ code: "language_undetermined", severity: "info", message: "The document is too short to determine its language.", location: null });
    }
  }

  if (spelling?.words.length) {
    const rate = spelling.rate ?? 0;
    const enough = spelling.checked >= SPELLING_MIN_CHECKED;
    const severity: QualitySeverity = enough && rate >= SPELLING_WARNING_RATE ? "warning" : "info";
    for (const w of spelling.words.slice(0, MAX_ISSUES_PER_CODE)) {
      push({
        code: "spelling_error",
        severity,
        message: `"${w.word}" is not in the English dictionary${w.count > 1 ? ` (${w.count} times)` : ""}.`,
        location: at(sources, w.pageIndex, w.offset, w.length),
      });
    }
    const more = spelling.words.length - MAX_ISSUES_PER_CODE;
    if (more > 0) {
      push({ code: "spelling_error", severity, message: `${more} more misspelled word${more === 1 ? "" : "s"} (${spelling.misspelled} misspellings in ${spelling.checked} checked words).`, location: null });
    }
    if (enough) score -= Math.min(QUALITY_WEIGHTS.spellingMax, QUALITY_WEIGHTS.spellingPerUnit * Math.max(0, rate - QUALITY_WEIGHTS.spellingFreeRate));
  }

  if (garbled.count > 0) {
    const severity: QualitySeverity = garbledRatio >= 0.05 ? "error" : garbledRatio >= 0.005 ? "warning" : "info";
    const pct = (garbledRatio * 100).toFixed(garbledRatio < 0.001 ? 3 : 1);
    push({
      code: "garbled_encoding",
      severity,
      message: `${garbled.count} garbled character sequence${garbled.count === 1 ? "" : "s"} (${pct} % of the text), such as replacement characters, private-use glyphs or mojibake; the first is located.`,
      location: locateFirst(sources, GARBLED_RE),
    });
    score -= Math.min(QUALITY_WEIGHTS.garbledMax, QUALITY_WEIGHTS.garbledPerUnit * garbledRatio);
  }

  if (ocrGarbage > 0 && (ocrGarbage >= 3 || ocrGarbageRatio >= 0.02)) {
    const severity: QualitySeverity = ocrGarbageRatio >= 0.2 ? "error" : ocrGarbageRatio >= 0.02 ? "warning" : "info";
    const pageIndex = ocrPerPage.findIndex((p) => p.garbage.length > 0);
    const first = ocrPerPage[pageIndex]!.garbage[0]!;
    push({
      code: "ocr_garbage",
      severity,
      message: `${ocrGarbage} token${ocrGarbage === 1 ? "" : "s"} look like OCR noise (${(ocrGarbageRatio * 100).toFixed(1)} % of tokens); the first is located.`,
      location: at(sources, pageIndex, first.offset, first.length),
    });
    score -= Math.min(QUALITY_WEIGHTS.ocrMax, QUALITY_WEIGHTS.ocrPerUnit * ocrGarbageRatio);
  }

  if (emptyPageNumbers.length > 0 && nWords > 0) {
    score -= Math.min(QUALITY_WEIGHTS.emptyPagesMax, (QUALITY_WEIGHTS.emptyPagesMax * emptyPageNumbers.length) / pages.length);
    for (const page of emptyPageNumbers.slice(0, MAX_ISSUES_PER_CODE)) {
      push({ code: "empty_page", severity: "warning", message: `Page ${page} has no text.`, location: { page, offset: 0, length: 0, excerpt: "" } });
    }
    if (emptyPageNumbers.length > MAX_ISSUES_PER_CODE) {
      push({ code: "empty_page", severity: "warning", message: `${emptyPageNumbers.length - MAX_ISSUES_PER_CODE} more pages have no text.`, location: null });
    }
  }
  if (pages.length > 1 && nWords / pages.length >= 50) {
    let n = 0;
    pageWords.forEach((w, i) => {
      if (w > 0 && w < 10 && n++ < MAX_ISSUES_PER_CODE) {
        push({ code: "near_empty_page", severity: "info", message: `Page ${i + 1} has only ${w} word${w === 1 ? "" : "s"}.`, location: { page: i + 1, offset: 0, length: pages[i]!.length, excerpt: pages[i]!.slice(0, 2 * EXCERPT_RADIUS) } });
      }
    });
  }

  // Duplicated paragraphs (≥ 8 words), across the whole document.
  const seen = new Map<string, number>();
  let duplicateParagraphs = 0;
  time("duplicates", () => sources.forEach((page, pi) => {
    for (const { offset, text: para } of paragraphs(page)) {
      if (!hasWords(para, DUPLICATE_MIN_WORDS)) continue;
      const key = collapseWhitespace(para.toLowerCase());
      const firstPage = seen.get(key);
      if (firstPage === undefined) {
        seen.set(key, pi + 1);
        continue;
      }
      duplicateParagraphs++;
      if (duplicateParagraphs <= MAX_ISSUES_PER_CODE) {
        push({
          code: "duplicate_paragraph",
          severity: "warning",
          message: `This paragraph repeats one on page ${firstPage}.`,
          location: at(sources, pi, offset, para.length),
        });
      }
    }
  }));
  if (duplicateParagraphs) score -= Math.min(QUALITY_WEIGHTS.duplicateParagraphMax, QUALITY_WEIGHTS.duplicateParagraph * duplicateParagraphs);

  // Personal data.
  const personalData: Record<PiiKind, number> = { email: 0, phone: 0, card: 0, iban: 0 };
  time("personalData", () => sources.forEach((page, pi) => {
    for (const hit of findPersonalData(page)) {
      if (personalData[hit.kind]++ >= MAX_ISSUES_PER_CODE) continue;
      push({
        code: `pii_${hit.kind}`,
        severity: "warning",
        message: `${PII_LABEL[hit.kind]} found (${maskValue(hit.value)}).`,
        location: at(sources, pi, hit.offset, hit.length),
      });
    }
  }));

  // Truncation and metadata.
  const truncated = doc.truncated === true;
  let metadataCompleteness: number | null = null;
  time("truncationMetadata", () => {
    if (truncated) {
      push({ code: "extraction_truncated", severity: "warning", message: "Text extraction stopped at a size, page or time limit; the end of the document was not assessed.", location: null });
      score -= QUALITY_WEIGHTS.extractionTruncated;
    } else if (nWords >= SHORT_WORDS) {
      const lastIndex = sources.map((p) => p.trim().length > 0).lastIndexOf(true);
      const last = lastIndex >= 0 ? sources[lastIndex]!.trimEnd() : "";
      // Anchored at the end, but a regex still scans from the start: look at the tail only.
      const tailStart = Math.max(0, last.length - 200);
      const tail = last.slice(tailStart);
      if (tail && /[\p{L}\p{N},;:\-–]$/u.test(tail)) {
        const lastWord = tail.match(/\S+$/)!;
        push({
          code: "possibly_truncated",
          severity: "info",
          message: "The text ends mid-sentence; the document may be cut off.",
          location: at(sources, lastIndex, tailStart + lastWord.index!, lastWord[0].length),
        });
        score -= QUALITY_WEIGHTS.possiblyTruncated;
      }
    }

    // Metadata completeness (types that carry metadata).
    if (doc.mimeType === "application/pdf" || doc.mimeType?.includes("wordprocessingml")) {
      const md = doc.metadata ?? {};
      const missing = (["title", "author", "created"] as const).filter((k) => !md[k]?.trim());
      metadataCompleteness = round((3 - missing.length) / 3, 3);
      if (missing.length) {
        push({ code: "metadata_incomplete", severity: "info", message: `The document metadata lacks: ${missing.join(", ")}.`, location: null });
      }
    }
  });

  // Per-page scores.
  const pageScores: PageScore[] = time("pageScores", () => pages.map((p, i) => {
    const w = pageWords[i]!;
    let s = 0;
    if (w > 0) {
      const g = pages.length === 1 && p === text ? garbled : garbledIn(p);
      const o = sources === pages ? ocrPerPage[i]! : ocrGarbageTokens(p);
      s = 100 - Math.min(QUALITY_WEIGHTS.garbledMax, (QUALITY_WEIGHTS.garbledPerUnit * g.chars) / Math.max(1, p.length)) -
        Math.min(QUALITY_WEIGHTS.ocrMax, (QUALITY_WEIGHTS.ocrPerUnit * o.garbage.length) / Math.max(1, o.tokens));
    }
    const rounded = Math.max(0, Math.min(100, Math.round(s)));
    return { page: i + 1, score: rounded, grade: gradeOf(rounded), words: w };
  }));
  const worst = pageScores.reduce((a, b) => (b.score < a.score ? b : a), pageScores[0]!);
  const mean = round(pageScores.reduce((n, p) => n + p.score, 0) / pageScores.length, 1);

  score = Math.max(0, Math.min(100, Math.round(score)));
  const grade = gradeOf(score);
  const metrics: QualityOutput["metrics"] = {
    words: nWords,
    sentences,
    characters: text.length,
    pages: pages.length,
    emptyPages: emptyPageNumbers.length,
    language,
    readability: read,
    garbledRatio: round(garbledRatio, 5),
    ocrGarbageRatio: round(ocrGarbageRatio, 5),
    spellingErrorRate: spelling?.rate == null ? null : round(spelling.rate, 5),
    duplicateParagraphs,
    personalData,
    truncated,
    metadataCompleteness,
    simhash: options.simhash ?? null,
    nearDuplicateOf: null,
    pageScores,
    pageScore: { mean, worst: worst.score, worstPage: worst.page },
  };
  return { score, grade, passed: true, metrics, issues, text };
}

/** Finishes a measured assessment: the near-duplicate issue (if any), then the profile's rules. */
export function withNearDuplicate(
  measured: MeasuredQuality,
  nearDuplicate: { documentId: string; distance: number } | null,
  options: Pick<AssessOptions, "profile" | "timings"> = {},
): QualityOutput {
  const { text, score, grade } = measured;
  const issues = [...measured.issues];
  if (nearDuplicate) {
    const { documentId, distance } = nearDuplicate;
    issues.push({
      code: "near_duplicate_document",
      severity: "warning",
      message: distance === 0 ? `The text is the same as earlier document ${documentId}.` : `The text nearly duplicates earlier document ${documentId} (simhash distance ${distance} of 64 bits).`,
      location: null,
    });
  }
  const metrics = { ...measured.metrics, nearDuplicateOf: nearDuplicate };
  const profile = options.profile ?? DEFAULT_PROFILE;
  const failedRules = timer(options.timings)("profile", () => evaluateProfile(profile, { text, score, metrics, issues }));
  return { score, grade, passed: failedRules.length === 0, metrics, issues, profile: { name: profile.name, version: profile.version }, failedRules };
}

/**
 * Checks a profile's rules; each failing rule is returned and also raised as an error
 * issue (codes in codes.ts), located where that makes sense (personal data, via its issues).
 */
export function evaluateProfile(
  profile: QualityProfile,
  r: { text: string; score: number; metrics: QualityOutput["metrics"]; issues: QualityIssue[] },
): FailedRule[] {
  const rules = profile.rules;
  const failed: FailedRule[] = [];
  const raised: QualityIssue[] = [];
  const fail = (rule: string, code: IssueCode, message: string) => {
    failed.push({ rule, message });
    raised.push({ code, severity: "error", message, location: null });
  };
  if (rules.minScore !== undefined && r.score < rules.minScore) {
    failed.push({ rule: "minScore", message: `Score ${r.score} is below the minimum ${rules.minScore}.` });
  }
  if (rules.failOnError && r.issues.some((i) => i.severity === "error")) {
    const codes = [...new Set(r.issues.filter((i) => i.severity === "error").map((i) => i.code))];
    failed.push({ rule: "failOnError", message: `Error-severity issues found: ${codes.join(", ")}.` });
  }
  if (rules.minWords !== undefined && r.metrics.words < rules.minWords) {
    fail("minWords", "too_few_words", `The document has ${r.metrics.words} words; the profile "${profile.name}" requires at least ${rules.minWords}.`);
  }
  if (rules.allowedLanguages && !rules.allowedLanguages.includes(r.metrics.language.code)) {
    fail("allowedLanguages", "language_not_allowed", `The language is ${r.metrics.language.code}; the profile "${profile.name}" allows ${rules.allowedLanguages.join(", ")}.`);
  }
  if (rules.maxGarbledRatio !== undefined && r.metrics.garbledRatio > rules.maxGarbledRatio) {
    fail("maxGarbledRatio", "garbled_ratio_exceeded", `The garbled ratio ${r.metrics.garbledRatio} exceeds the profile's maximum ${rules.maxGarbledRatio}.`);
  }
  if (rules.maxSpellingErrorRate !== undefined && r.metrics.spellingErrorRate !== null && r.metrics.spellingErrorRate > rules.maxSpellingErrorRate) {
    fail("maxSpellingErrorRate", "spelling_error_rate_exceeded", `The spelling error rate ${r.metrics.spellingErrorRate} exceeds the profile's maximum ${rules.maxSpellingErrorRate}.`);
  }
  if (rules.personalDataAllowed === false) {
    const kinds = Object.entries(r.metrics.personalData).filter(([, n]) => n > 0);
    if (kinds.length) {
      fail("personalDataAllowed", "personal_data_not_allowed", `Personal data found (${kinds.map(([k, n]) => `${n} ${k}`).join(", ")}) but the profile "${profile.name}" forbids it.`);
    }
  }
  if (rules.requiredPhrases?.length) {
    const haystack = collapseWhitespace(r.text.toLowerCase());
    const missing = rules.requiredPhrases.filter((p) => !haystack.includes(collapseWhitespace(p.toLowerCase())));
    if (missing.length) fail("requiredPhrases", "missing_required_phrase", `Required phrase${missing.length === 1 ? "" : "s"} missing: ${missing.map((p) => JSON.stringify(p)).join(", ")}.`);
  }
  if (rules.pageRange) {
    const { min, max } = rules.pageRange;
    if ((min !== undefined && r.metrics.pages < min) || (max !== undefined && r.metrics.pages > max)) {
      fail("pageRange", "page_count_out_of_range", `The document has ${r.metrics.pages} pages; the profile allows ${min ?? 0}–${max ?? "any"}.`);
    }
  }
  r.issues.push(...raised);
  return failed;
}

/** First match of `re`, located by page (1-based) and offset within that page. */
function locateFirst(sources: string[], re: RegExp): IssueLocation | null {
  for (let i = 0; i < sources.length; i++) {
    const page = sources[i]!;
    const m = new RegExp(re.source, re.flags.replace("g", "")).exec(page);
    if (m) return at(sources, i, m.index, m[0].length);
  }
  return null;
}

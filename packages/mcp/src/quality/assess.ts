import { countSyllables, detectLanguage, round, splitSentences, words as wordList, type LanguageGuess } from "../text";

export type QualitySeverity = "info" | "warning" | "error";
export type QualityGrade = "poor" | "fair" | "good" | "excellent";
export type IssueLocation = { page: number; offset: number; length: number; excerpt: string };
export type QualityIssue = { code: string; severity: QualitySeverity; message: string; location: IssueLocation | null };

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
    readability: { fleschReadingEase: number; fleschKincaidGrade: number };
    garbledRatio: number;
  };
  issues: QualityIssue[];
};

export type QualityInput = { text: string; pages: string[]; mimeType?: string };

/**
 * Score weights (start at 100, clamp to 0–100, round):
 *   empty_document          no words at all                     → score 0 (error)
 *   near_empty_document     fewer than 20 words                  −40 (warning)
 *   short_document          fewer than 100 words                 −10 (info)
 *   garbled_encoding        garbled chars / all chars = r        −min(50, 1000·r)
 *                           (info < 0.5 %, warning < 5 %, error ≥ 5 %)
 *   empty_page              share of empty pages = e             −min(30, 30·e) (warning per page)
 *   low_letter_ratio        letters < 50 % of non-space chars    −15 (warning)
 *   low_readability         Flesch reading ease < 0 / < 30       −15 / −5 (warning / info)
 *                           (only English or undetermined text, ≥ 100 words)
 *   language_undetermined   ≥ 20 words but no language detected  −5 (info)
 * Grade: < 50 poor, < 80 fair, < 90 good, else excellent.
 * Passed: score ≥ 50 and no error-severity issue.
 */
export const QUALITY_WEIGHTS = {
  nearEmpty: 40,
  short: 10,
  garbledPerUnit: 1000,
  garbledMax: 50,
  emptyPagesMax: 30,
  lowLetterRatio: 15,
  veryLowReadability: 15,
  lowReadability: 5,
  languageUndetermined: 5,
} as const;

export const NEAR_EMPTY_WORDS = 20;
export const SHORT_WORDS = 100;
const MAX_EMPTY_PAGE_ISSUES = 20;
const EXCERPT_RADIUS = 30;

/**
 * Garbled text: U+FFFD replacement chars, private-use code points, C0/C1 control chars
 * (other than tab/newline/CR/FF), pdf.js "(cid:123)" placeholders and UTF-8-read-as-Latin-1
 * mojibake such as "Ã©", "â€™", "Â ".
 */
const GARBLED_RE =
  /\uFFFD|[\uE000-\uF8FF]|[\u{F0000}-\u{10FFFF}]|[\u0000-\u0008\u000B\u000E-\u001F\u007F-\u009F]|\(cid:\d+\)|Ã[\u0080-\u00BF]|â€[\u0080-\u00BF\u2018-\u201E\u2020-\u2022\u2026\u2030\u2039\u203A\u0152\u0153\u0160\u0161\u0178\u017D\u017E\u0192\u02C6\u02DC\u2122]|Â[\u00A0-\u00BF]/gu;

export function assessQuality(doc: QualityInput): QualityOutput {
  const text = doc.text ?? "";
  const pages = doc.pages.length ? doc.pages : [text];
  const allWords = wordList(text);
  const nWords = allWords.length;
  const sentences = splitSentences(text).length;
  const language = detectLanguage(text);
  const issues: QualityIssue[] = [];
  let score = 100;

  // Readability (Flesch); sentences default to 1 so a text without full stops still scores.
  let syllables = 0;
  for (const w of allWords) syllables += countSyllables(w);
  const wps = nWords / Math.max(1, sentences);
  const spw = syllables / Math.max(1, nWords);
  const fleschReadingEase = nWords ? round(206.835 - 1.015 * wps - 84.6 * spw, 1) : 0;
  const fleschKincaidGrade = nWords ? round(0.39 * wps + 11.8 * spw - 15.59, 1) : 0;

  // Garbling.
  let garbledChars = 0;
  let garbledCount = 0;
  GARBLED_RE.lastIndex = 0;
  for (const m of text.matchAll(GARBLED_RE)) {
    garbledChars += m[0].length;
    garbledCount++;
  }
  const garbledRatio = text.length ? garbledChars / text.length : 0;

  // Empty pages (only meaningful for multi-page documents).
  const emptyPageNumbers = pages.length > 1 ? pages.flatMap((p, i) => (wordList(p).length === 0 ? [i + 1] : [])) : [];

  if (nWords === 0) {
    issues.push({
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
      issues.push({
        code: "near_empty_document",
        severity: "warning",
        message: `The document has only ${nWords} word${nWords === 1 ? "" : "s"}.`,
        location: null,
      });
      score -= QUALITY_WEIGHTS.nearEmpty;
    } else if (nWords < SHORT_WORDS) {
      issues.push({ code: "short_document", severity: "info", message: `The document is short (${nWords} words).`, location: null });
      score -= QUALITY_WEIGHTS.short;
    }

    const nonSpace = text.replace(/\s+/g, "").length;
    const letters = (text.match(/\p{L}/gu) ?? []).length;
    if (nonSpace >= 50 && letters / nonSpace < 0.5) {
      issues.push({
        code: "low_letter_ratio",
        severity: "warning",
        message: `Only ${Math.round((100 * letters) / nonSpace)} % of the visible characters are letters; the text may be tables, codes or extraction noise.`,
        location: null,
      });
      score -= QUALITY_WEIGHTS.lowLetterRatio;
    }

    const englishLike = language.code === "eng" || language.code === "und";
    if (englishLike && nWords >= SHORT_WORDS) {
      if (fleschReadingEase < 0) {
        issues.push({
          code: "low_readability",
          severity: "warning",
          message: `The text is very hard to read (Flesch reading ease ${fleschReadingEase}); sentences may be missing punctuation.`,
          location: null,
        });
        score -= QUALITY_WEIGHTS.veryLowReadability;
      } else if (fleschReadingEase < 30) {
        issues.push({
          code: "low_readability",
          severity: "info",
          message: `The text is hard to read (Flesch reading ease ${fleschReadingEase}).`,
          location: null,
        });
        score -= QUALITY_WEIGHTS.lowReadability;
      }
    }

    if (language.code === "und" && nWords >= NEAR_EMPTY_WORDS) {
      issues.push({
        code: "language_undetermined",
        severity: "info",
        message: "The language of the document could not be determined.",
        location: null,
      });
      score -= QUALITY_WEIGHTS.languageUndetermined;
    } else if (language.code === "und") {
      issues.push({
        code: "language_undetermined",
        severity: "info",
        message: "The document is too short to determine its language.",
        location: null,
      });
    }
  }

  if (garbledCount > 0) {
    const severity: QualitySeverity = garbledRatio >= 0.05 ? "error" : garbledRatio >= 0.005 ? "warning" : "info";
    const pct = (garbledRatio * 100).toFixed(garbledRatio < 0.001 ? 3 : 1);
    issues.push({
      code: "garbled_encoding",
      severity,
      message: `${garbledCount} garbled character sequence${garbledCount === 1 ? "" : "s"} (${pct} % of the text), such as replacement characters, private-use glyphs or mojibake; the first is located.`,
      location: locateFirst(pages, text, GARBLED_RE),
    });
    score -= Math.min(QUALITY_WEIGHTS.garbledMax, QUALITY_WEIGHTS.garbledPerUnit * garbledRatio);
  }

  if (emptyPageNumbers.length > 0 && nWords > 0) {
    score -= Math.min(QUALITY_WEIGHTS.emptyPagesMax, (QUALITY_WEIGHTS.emptyPagesMax * emptyPageNumbers.length) / pages.length);
    for (const page of emptyPageNumbers.slice(0, MAX_EMPTY_PAGE_ISSUES)) {
      issues.push({
        code: "empty_page",
        severity: "warning",
        message: `Page ${page} has no text.`,
        location: { page, offset: 0, length: 0, excerpt: "" },
      });
    }
    if (emptyPageNumbers.length > MAX_EMPTY_PAGE_ISSUES) {
      issues.push({
        code: "empty_page",
        severity: "warning",
        message: `${emptyPageNumbers.length - MAX_EMPTY_PAGE_ISSUES} more pages have no text.`,
        location: null,
      });
    }
  }

  score = Math.max(0, Math.min(100, Math.round(score)));
  const grade: QualityGrade = score < 50 ? "poor" : score < 80 ? "fair" : score < 90 ? "good" : "excellent";
  const passed = score >= 50 && !issues.some((i) => i.severity === "error");
  return {
    score,
    grade,
    passed,
    metrics: {
      words: nWords,
      sentences,
      characters: text.length,
      pages: pages.length,
      emptyPages: emptyPageNumbers.length,
      language,
      readability: { fleschReadingEase, fleschKincaidGrade },
      garbledRatio: round(garbledRatio, 5),
    },
    issues,
  };
}

/** First match of `re`, located by page (1-based) and offset within that page. */
function locateFirst(pages: string[], text: string, re: RegExp): IssueLocation | null {
  const sources = pages.some((p) => p.length > 0) ? pages : [text];
  for (let i = 0; i < sources.length; i++) {
    const page = sources[i]!;
    const r = new RegExp(re.source, re.flags.replace("g", ""));
    const m = r.exec(page);
    if (m) {
      const start = Math.max(0, m.index - EXCERPT_RADIUS);
      const end = Math.min(page.length, m.index + m[0].length + EXCERPT_RADIUS);
      return { page: i + 1, offset: m.index, length: m[0].length, excerpt: page.slice(start, end) };
    }
  }
  return null;
}

import { collapseWhitespace } from "./tokens";
import { trigramRanker } from "./trigram-scores";

/** ISO 639-3 codes franc may answer with; restricting the candidates keeps short texts stable. */
export const LANGUAGE_CANDIDATES = [
  "eng", "spa", "fra", "deu", "ita", "por", "nld", "rus", "pol", "tur",
  "swe", "dan", "nob", "fin", "ces", "ron", "hun", "ell", "ukr", "cmn",
  "jpn", "kor", "arb", "hin", "ind", "vie",
] as const;

export type LanguageGuess = { code: string; confidence: number };

const MIN_LENGTH = 20;
/** Longest sample franc sees; trigram statistics converge long before this. */
const MAX_SAMPLE = 4000;
const rankLanguages = trigramRanker(LANGUAGE_CANDIDATES, MIN_LENGTH);

/**
 * Detects the main language of a text as franc does (its trigram profiles and ranking).
 * Returns `{ code: "und", confidence: 0 }` for text shorter than ~20 letters or when
 * nothing matches. Confidence grows with the gap between the best and the second-best
 * candidate and with the amount of text (franc itself only gives relative scores).
 */
export function detectLanguage(text: string): LanguageGuess {
  // Collapsing whitespace never lengthens text, so a prefix of 2 × MAX_SAMPLE characters is
  // enough unless it is mostly whitespace; a 1 MB text is then not copied whole.
  let sample = collapseWhitespace(text.slice(0, 2 * MAX_SAMPLE)).trim();
  if (sample.length < MAX_SAMPLE && text.length > 2 * MAX_SAMPLE) sample = collapseWhitespace(text).trim();
  sample = sample.slice(0, MAX_SAMPLE);
  if (sample.length < MIN_LENGTH) return { code: "und", confidence: 0 };
  const ranked = rankLanguages(sample);
  const best = ranked[0];
  if (!best || best[0] === "und") return { code: "und", confidence: 0 };
  const second = ranked[1]?.[1] ?? 0;
  const gap = Math.max(0, 1 - second);
  const lengthFactor = Math.min(1, sample.length / 200);
  const confidence = clamp01((0.5 + gap * 3.5) * (0.4 + 0.6 * lengthFactor));
  return { code: best[0], confidence: round(confidence, 3) };
}

function clamp01(x: number): number {
  return Math.max(0, Math.min(1, x));
}

export function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

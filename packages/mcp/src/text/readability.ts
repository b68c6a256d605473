import { countSyllables } from "./tokens";
import { round } from "./language";

export type Readability = {
  fleschReadingEase: number;
  fleschKincaidGrade: number;
  gunningFog: number;
  smog: number;
};

/**
 * Classic English readability formulas from word, sentence and syllable counts.
 * Sentences default to 1 so a text without full stops still scores. "Complex" words
 * (Gunning fog) and polysyllables (SMOG) both have ≥ 3 syllables. SMOG is defined for
 * ≥ 30 sentences; on shorter text it is the same formula scaled to 30 sentences.
 */
export function readability(wordList: readonly string[], sentenceCount: number): Readability {
  const nWords = wordList.length;
  if (nWords === 0) return { fleschReadingEase: 0, fleschKincaidGrade: 0, gunningFog: 0, smog: 0 };
  const sentences = Math.max(1, sentenceCount);
  let syllables = 0;
  let poly = 0;
  // Words repeat (a 1 MB text has ~10 % distinct words): count each distinct word's syllables once.
  const memo = new Map<string, number>();
  for (const w of wordList) {
    let s = memo.get(w);
    if (s === undefined) {
      s = countSyllables(w);
      memo.set(w, s);
    }
    syllables += s;
    if (s >= 3) poly++;
  }
  const wps = nWords / sentences;
  const spw = syllables / nWords;
  return {
    fleschReadingEase: round(206.835 - 1.015 * wps - 84.6 * spw, 1),
    fleschKincaidGrade: round(0.39 * wps + 11.8 * spw - 15.59, 1),
    gunningFog: round(0.4 * (wps + (100 * poly) / nWords), 1),
    smog: round(1.043 * Math.sqrt((poly * 30) / sentences) + 3.1291, 1),
  };
}

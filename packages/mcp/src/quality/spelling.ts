import { englishSpellChecker } from "../text";

/** A misspelled word: how often it occurs and where it first does (page index is 0-based). */
export type Misspelling = { word: string; count: number; pageIndex: number; offset: number; length: number };

export type SpellingFindings = {
  checked: number;
  misspelled: number;
  /** misspelled / checked, or null when no word could be checked. */
  rate: number | null;
  /** Distinct misspelled words (case-sensitive), in order of first appearance. */
  words: Misspelling[];
};

/**
 * Spell-checks English pages with the process-wide dictionary (built on the first call).
 * Words are grouped so a document that repeats one unknown name or term reports it once.
 */
export function findMisspellings(pages: string[]): SpellingFindings {
  const checker = englishSpellChecker();
  let checked = 0;
  let misspelled = 0;
  const byWord = new Map<string, Misspelling>();
  pages.forEach((page, pageIndex) => {
    const r = checker.check(page);
    checked += r.checked;
    misspelled += r.misspelled;
    for (const e of r.errors) {
      const seen = byWord.get(e.word);
      if (seen) seen.count++;
      else byWord.set(e.word, { word: e.word, count: 1, pageIndex, offset: e.offset, length: e.length });
    }
  });
  return { checked, misspelled, rate: checked ? misspelled / checked : null, words: [...byWord.values()] };
}

export { detectLanguage, LANGUAGE_CANDIDATES, round, type LanguageGuess } from "./language";
export { words, countWords, hasWords, collapseWhitespace, splitSentences, countSentences, countSyllables, topKeywords, STOPWORDS } from "./tokens";
export { readability, type Readability } from "./readability";
export { simhash64, hammingDistance, halvesDistance, simhashHalves, SIMHASH_SHINGLE } from "./simhash";
export { findPersonalData, luhnValid, ibanValid, maskValue, type PiiKind, type PiiMatch } from "./pii";
export { englishSpellChecker, createSpellChecker, spellCheckerBuildMs, type SpellChecker, type SpellingResult } from "./spelling";

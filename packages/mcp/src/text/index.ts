export { detectLanguage, LANGUAGE_CANDIDATES, round, type LanguageGuess } from "./language";
export { words, countWords, splitSentences, countSentences, countSyllables, topKeywords, STOPWORDS } from "./tokens";

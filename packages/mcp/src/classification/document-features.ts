import { countSentences, countWords, detectLanguage, topKeywords, type LanguageGuess } from "../text";

export type DocumentFeatures = {
  language: LanguageGuess;
  words: number;
  sentences: number;
  pages: number;
  characters: number;
  topKeywords: { term: string; count: number }[];
};

/** Cheap descriptive features returned alongside a classification. */
export function extractFeatures(doc: { text: string; pages: string[] }): DocumentFeatures {
  return {
    language: detectLanguage(doc.text),
    words: countWords(doc.text),
    sentences: countSentences(doc.text),
    pages: Math.max(doc.pages.length, doc.text ? 1 : 0),
    characters: doc.text.length,
    topKeywords: topKeywords(doc.text, 10),
  };
}

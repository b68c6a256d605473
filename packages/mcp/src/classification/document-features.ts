import type { DocumentMetadata, DocumentStructure, ExtractionCut, OcrReport } from "../extraction/types";
import type { ExtractedFeatures } from "../schemas";
import { findEntities } from "./entities";
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
export function extractFeatures(doc: { text: string; pages: string[]; language?: LanguageGuess }): DocumentFeatures {
  return {
    // Detected once when the host stored the text; inline text is detected here.
    language: doc.language ?? detectLanguage(doc.text),
    words: countWords(doc.text),
    sentences: countSentences(doc.text),
    pages: Math.max(doc.pages.length, doc.text ? 1 : 0),
    characters: doc.text.length,
    topKeywords: topKeywords(doc.text, 10),
  };
}

/** The document as a host hands it over (inline text has only text and pages). */
export type FeatureSource = {
  text: string;
  pages: string[];
  mimeType?: string;
  metadata?: DocumentMetadata;
  structure?: DocumentStructure | null;
  truncated?: boolean;
  cuts?: ExtractionCut[];
  ocr?: OcrReport;
  language?: LanguageGuess;
};

/** Everything extract_features returns: features, structure, entities, metadata, extraction report. */
export function extractDocumentFeatures(doc: FeatureSource): ExtractedFeatures {
  return {
    ...extractFeatures(doc),
    mimeType: doc.mimeType ?? null,
    metadata: doc.metadata ?? {},
    structure: doc.structure ?? null,
    entities: findEntities(doc.text),
    extraction: { truncated: doc.truncated ?? false, cuts: doc.cuts ?? [], ocr: doc.ocr ?? null },
  };
}

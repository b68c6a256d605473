export {
  SUPPORTED_TYPES,
  SUPPORTED_MIME_TYPES,
  DEFAULT_LIMITS,
  UnreadableDocumentError,
  isSupportedMimeType,
  type SupportedMimeType,
  type ExtractedDocument,
  type ExtractionLimits,
  type ExtractionCut,
  type OcrReport,
  type DocumentStructure,
  type DocumentMetadata,
} from "./types";
export { sniffType, type SniffResult } from "./sniff";
export { inspectDocument } from "./inspect";
export { extractText, decodeText, type ExtractOptions } from "./extract";
export { OcrEngine, sharedOcrEngine, englishDataPath, type GrayImage } from "./ocr";
export { toStoredExtraction, fromStoredExtraction, type StoredExtraction } from "./stored";
export { readZipDirectory, readZipEntry, inflatedSizeWithin, type ZipEntry } from "./zip";

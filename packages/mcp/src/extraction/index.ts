export {
  SUPPORTED_TYPES,
  SUPPORTED_MIME_TYPES,
  DEFAULT_LIMITS,
  UnreadableDocumentError,
  isSupportedMimeType,
  type SupportedMimeType,
  type ExtractedDocument,
  type ExtractionLimits,
} from "./types";
export { sniffType, type SniffResult } from "./sniff";
export { inspectDocument } from "./inspect";
export { extractText, decodeText } from "./extract";
export { readZipDirectory, readZipEntry, inflatedSizeWithin, type ZipEntry } from "./zip";

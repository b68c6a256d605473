import type { ClassifierModel } from "./classification/model";
import type { LabelRule } from "./classification/rules";
import type { ExtractedDocument } from "./extraction/types";

/** Extracted text of a stored document, as the host hands it to a server. */
export type DocumentText = ExtractedDocument & { documentId?: string };

/** Host-provided (e.g. DB-backed) access to documents. May throw UnreadableDocumentError. */
export type DocumentSource = { getText(documentId: string): Promise<DocumentText> };

/** `rules` (optional) decide before the model; see classification/rules.ts. */
export type ActiveModel = { id: string; version: number; taxonomy: string; model: ClassifierModel; rules?: LabelRule[] };

/** Host-provided access to trained models. Throws an Error with a clear message if none. */
export type ModelSource = { getActiveModel(taxonomy?: string): Promise<ActiveModel> };

export const SERVICE_INFO = {
  classification: { name: "classification", version: "0.2.0", tools: ["classify_document", "extract_features", "list_taxonomies", "get_model", "train_model"] },
  quality: { name: "quality", version: "0.2.0", tools: ["assess_quality", "validate_document", "list_profiles"] },
} as const;

/** Host-provided catalogue of taxonomies and models (Postgres in Docgate, absent standalone). */
export type TaxonomyCatalog = {
  listTaxonomies(): Promise<import("./schemas").TaxonomySummary[]>;
  getModel(id: string): Promise<import("./schemas").ModelSummary | null>;
  /** Starts training in the background; resolves with the new model's id. */
  trainModel(taxonomy: string): Promise<{ modelId: string }>;
};

/** Host-provided validation profiles and document signatures for the quality server (see quality/profile.ts). */
export type { ProfileSource, SignatureStore, QualityProfile } from "./quality/profile";

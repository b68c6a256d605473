import { z } from "zod";

/** Largest inline text a tool accepts (characters); bigger documents go by documentId. */
export const MAX_INLINE_TEXT = 5_000_000;

const documentId = z.string().min(1).max(200).describe("Id of a stored document; the host resolves it to extracted text.");
const inlineText = z.string().max(MAX_INLINE_TEXT).describe("Plain text to process instead of a stored document.");

const exactlyOne = (v: { documentId?: string | undefined; text?: string | undefined }) =>
  (v.documentId === undefined) !== (v.text === undefined);
const exactlyOneMessage = { message: "Provide exactly one of documentId or text." };

export const ClassifyInput = z
  .object({
    documentId: documentId.optional(),
    text: inlineText.optional(),
    taxonomy: z.string().min(1).max(100).optional().describe("Taxonomy whose active model to use; the host's default when omitted."),
  })
  .strict()
  .refine(exactlyOne, exactlyOneMessage);
export type ClassifyInput = z.infer<typeof ClassifyInput>;

export const AssessQualityInput = z
  .object({ documentId: documentId.optional(), text: inlineText.optional() })
  .strict()
  .refine(exactlyOne, exactlyOneMessage);
export type AssessQualityInput = z.infer<typeof AssessQualityInput>;

export const LanguageSchema = z.object({
  code: z.string().describe('ISO 639-3 code, "und" when undetermined'),
  confidence: z.number().min(0).max(1),
});

export const DocumentFeaturesSchema = z.object({
  language: LanguageSchema,
  words: z.number().int().nonnegative(),
  sentences: z.number().int().nonnegative(),
  pages: z.number().int().nonnegative(),
  characters: z.number().int().nonnegative(),
  topKeywords: z.array(z.object({ term: z.string(), count: z.number().int().positive() })),
});

const SpanSchema = z.object({
  text: z.string(),
  offset: z.number().int().nonnegative().describe("UTF-16 offset in the extracted text"),
  length: z.number().int().nonnegative(),
});

export const DocumentStructureSchema = z.object({
  headings: z.array(z.object({ level: z.number().int().min(1).max(6), text: z.string() })),
  tables: z.array(z.object({ rows: z.number().int().nonnegative(), columns: z.number().int().nonnegative() })),
  lists: z.array(z.object({ ordered: z.boolean(), items: z.number().int().nonnegative() })),
});

export const ExtractionCutSchema = z.object({
  limit: z.enum(["pages", "characters", "time", "ocr_pages", "ocr_time", "attachments", "structure"]),
  message: z.string(),
});

export const OcrReportSchema = z.object({
  engine: z.literal("tesseract.js"),
  pages: z.array(z.number().int().positive()).describe("Pages whose text came from OCR"),
  meanConfidence: z.number().nullable(),
  skipped: z.array(z.object({ page: z.number().int().positive(), reason: z.string() })),
  ms: z.number().nonnegative(),
});

/** extract_features: the descriptive features plus structure, entities, metadata and what extraction cut. */
export const ExtractedFeaturesSchema = DocumentFeaturesSchema.extend({
  mimeType: z.string().nullable().describe("Detected type of the stored document; null for inline text"),
  metadata: z.object({ title: z.string().optional(), author: z.string().optional(), created: z.string().optional() }),
  structure: DocumentStructureSchema.nullable().describe("Null when the format shows no structure (plain text, PDF, inline text)"),
  entities: z.object({
    dates: z.array(SpanSchema.extend({ iso: z.string().nullable().describe("YYYY-MM-DD when unambiguous") })),
    amounts: z.array(SpanSchema.extend({ value: z.number().nullable(), currency: z.string().nullable() })),
    emails: z.array(SpanSchema),
    urls: z.array(SpanSchema),
    capped: z.boolean().describe("A kind had more than 100 matches; only the first 100 are listed"),
  }),
  extraction: z.object({
    truncated: z.boolean(),
    cuts: z.array(ExtractionCutSchema),
    ocr: OcrReportSchema.nullable(),
  }),
});
export type ExtractedFeatures = z.infer<typeof ExtractedFeaturesSchema>;

export const ClassificationOutput = z.object({
  label: z.string().nullable().describe("Predicted label, null when the text is too short to classify"),
  confidence: z.number().min(0).max(1),
  scores: z.array(z.object({ label: z.string(), score: z.number().min(0).max(1) })).describe("All labels, best first; sums to about 1"),
  taxonomy: z.string(),
  model: z.object({ id: z.string(), version: z.number().int() }),
  features: DocumentFeaturesSchema,
  explanation: z.array(z.object({ term: z.string(), weight: z.number() })).describe("Terms that pushed most toward the label"),
  reason: z.string().optional(),
  decidedBy: z.enum(["rule", "model"]).describe("A label rule decided before the model, or the model did"),
  rule: z
    .object({
      id: z.string().optional(),
      label: z.string(),
      match: z.enum(["any", "all", "phrase", "regex"]),
      pattern: z.string(),
      caseInsensitive: z.boolean(),
      matched: z.string().describe("The text the rule matched"),
    })
    .nullable()
    .describe("The rule that decided, null when the model did"),
  warnings: z.array(z.string()).optional().describe("Rules that could not be applied (e.g. a regex that took too long)"),
});
export type ClassificationOutput = z.infer<typeof ClassificationOutput>;

export const LabelRuleSchema = z
  .object({
    match: z.enum(["any", "all", "phrase", "regex"]).describe("any / all of the words, the exact phrase, or a regular expression"),
    pattern: z.string().min(1).max(500),
    caseInsensitive: z.boolean().default(true),
  })
  .strict();

export const SetLabelRulesInput = z
  .object({ rules: z.array(LabelRuleSchema).max(200).describe("The label's rules in order; an empty list removes them") })
  .strict();

export const StoredLabelRuleSchema = z.object({
  id: z.string(),
  label: z.string(),
  match: z.enum(["any", "all", "phrase", "regex"]),
  pattern: z.string(),
  caseInsensitive: z.boolean(),
});

export const LabelRulesSchema = z.object({
  rulesVersion: z.number().int().describe("Bumped on every change; part of the classification cache key"),
  rules: z.array(StoredLabelRuleSchema).describe("In evaluation order: the first rule that matches decides"),
});

export const QualityIssueSchema = z.object({
  code: z.string(),
  severity: z.enum(["info", "warning", "error"]),
  message: z.string(),
  location: z
    .object({
      page: z.number().int().positive(),
      offset: z.number().int().nonnegative(),
      length: z.number().int().nonnegative(),
      excerpt: z.string(),
    })
    .nullable(),
});

export const QualityOutputSchema = z.object({
  score: z.number().min(0).max(100),
  grade: z.enum(["poor", "fair", "good", "excellent"]),
  passed: z.boolean(),
  metrics: z.object({
    words: z.number().int().nonnegative(),
    sentences: z.number().int().nonnegative(),
    characters: z.number().int().nonnegative(),
    pages: z.number().int().nonnegative(),
    emptyPages: z.number().int().nonnegative(),
    language: LanguageSchema,
    readability: z.object({ fleschReadingEase: z.number(), fleschKincaidGrade: z.number() }),
    garbledRatio: z.number().min(0).max(1),
  }),
  issues: z.array(QualityIssueSchema),
});

export const ExtractFeaturesInput = z
  .object({ documentId: documentId.optional(), text: inlineText.optional() })
  .strict()
  .refine(exactlyOne, exactlyOneMessage);

const ModelMetricsSchema = z.object({
  accuracy: z.number(),
  macroF1: z.number(),
  perLabel: z.record(z.string(), z.object({ precision: z.number(), recall: z.number(), f1: z.number(), support: z.number() })),
  confusion: z.object({ labels: z.array(z.string()), matrix: z.array(z.array(z.number())) }),
  trainSize: z.number(),
  testSize: z.number(),
  trainMs: z.number(),
});

export const ModelSummarySchema = z.object({
  id: z.string(),
  taxonomy: z.string(),
  version: z.number().int(),
  status: z.enum(["training", "ready", "active", "failed", "archived"]),
  algorithm: z.string(),
  metrics: ModelMetricsSchema.nullable(),
  activation: z.object({ activated: z.boolean(), reason: z.string() }).nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  activatedAt: z.string().nullable(),
});
export type ModelSummary = z.infer<typeof ModelSummarySchema>;

export const TaxonomySummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  labels: z.array(z.string()),
  isDefault: z.boolean(),
  examples: z.number().int(),
  activeModel: z.object({ id: z.string(), version: z.number().int(), accuracy: z.number().nullable() }).nullable(),
});
export type TaxonomySummary = z.infer<typeof TaxonomySummarySchema>;

// ── Quality: profiles, located issues, near duplicates (issue 4) ──────────────────────────
import { ProfileRulesSchema } from "./quality/profile";
export { ProfileRulesSchema };

const profileName = z.string().trim().min(1).max(100).describe("Validation profile name; the default profile when omitted.");

/** assess_quality as the quality server declares it: the original input plus an optional profile. */
export const AssessQualityProfileInput = z
  .object({ documentId: documentId.optional(), text: inlineText.optional(), profile: profileName.optional() })
  .strict()
  .refine(exactlyOne, exactlyOneMessage);
export type AssessQualityProfileInput = z.infer<typeof AssessQualityProfileInput>;

export const ValidateDocumentInput = AssessQualityProfileInput;
export type ValidateDocumentInput = AssessQualityProfileInput;

const ReadabilitySchema = z.object({
  fleschReadingEase: z.number(),
  fleschKincaidGrade: z.number(),
  gunningFog: z.number(),
  smog: z.number(),
});

export const QualityReportSchema = QualityOutputSchema.extend({
  metrics: QualityOutputSchema.shape.metrics.extend({
    readability: ReadabilitySchema,
    ocrGarbageRatio: z.number().min(0).max(1),
    spellingErrorRate: z.number().min(0).max(1).nullable(),
    duplicateParagraphs: z.number().int().nonnegative(),
    personalData: z.object({ email: z.number().int(), phone: z.number().int(), card: z.number().int(), iban: z.number().int() }),
    truncated: z.boolean(),
    metadataCompleteness: z.number().min(0).max(1).nullable(),
    simhash: z.string().nullable(),
    nearDuplicateOf: z.object({ documentId: z.string(), distance: z.number().int() }).nullable(),
    pageScores: z.array(z.object({ page: z.number().int().positive(), score: z.number(), grade: z.enum(["poor", "fair", "good", "excellent"]), words: z.number().int() })),
    pageScore: z.object({ mean: z.number(), worst: z.number(), worstPage: z.number().int() }),
  }),
  profile: z.object({ name: z.string(), version: z.number().int() }),
  failedRules: z.array(z.object({ rule: z.string(), message: z.string() })),
});
export type QualityReport = z.infer<typeof QualityReportSchema>;

export const ValidationResultSchema = z.object({
  passed: z.boolean(),
  profile: z.object({ name: z.string(), version: z.number().int() }),
  failedRules: z.array(z.object({ rule: z.string(), message: z.string() })),
  score: z.number(),
  grade: z.enum(["poor", "fair", "good", "excellent"]),
  issues: z.array(QualityIssueSchema),
});

export const ProfileSummarySchema = z.object({
  name: z.string(),
  version: z.number().int(),
  description: z.string().nullable(),
  isDefault: z.boolean(),
  rules: ProfileRulesSchema,
});
export type ProfileSummary = z.infer<typeof ProfileSummarySchema>;

export const ListProfilesOutput = z.object({ profiles: z.array(ProfileSummarySchema) });

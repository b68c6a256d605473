import { z } from "zod";

/** Rules of a validation profile. All optional; an absent rule is not checked. */
export const ProfileRulesSchema = z
  .object({
    minWords: z.number().int().nonnegative().optional().describe("Fail with fewer words than this."),
    allowedLanguages: z
      .array(z.string().regex(/^[a-z]{3}$/, "ISO 639-3 code, e.g. eng"))
      .min(1)
      .max(50)
      .optional()
      .describe("Fail unless the detected language (ISO 639-3, `und` when undetermined) is one of these."),
    maxGarbledRatio: z.number().min(0).max(1).optional().describe("Fail when garbled characters / all characters exceeds this (0–1)."),
    maxSpellingErrorRate: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe("Fail when misspelled / checked words exceeds this (0–1). Checked for English text only; other languages pass. Clean prose is typically under 0.02."),
    personalDataAllowed: z.boolean().optional().describe("false: fail when any e-mail, phone, card number or IBAN is found."),
    requiredPhrases: z
      .array(z.string().trim().min(1).max(200))
      .max(50)
      .optional()
      .describe("Fail unless every phrase occurs (case- and whitespace-insensitive)."),
    pageRange: z
      .object({ min: z.number().int().nonnegative().optional(), max: z.number().int().positive().optional() })
      .strict()
      .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, { message: "pageRange.min must be ≤ pageRange.max." })
      .optional()
      .describe("Fail outside this page count (inclusive)."),
    minScore: z.number().min(0).max(100).optional().describe("Fail below this score (0–100)."),
    failOnError: z.boolean().optional().describe("Fail when any error-severity metric issue is found."),
  })
  .strict();
export type ProfileRules = z.infer<typeof ProfileRulesSchema>;

export type QualityProfile = { name: string; version: number; description?: string | null; isDefault?: boolean; rules: ProfileRules };

/** Built-in default: the historic rule (score ≥ 50 and no error issue). Used when the host has none. */
export const DEFAULT_PROFILE: QualityProfile = {
  name: "default",
  version: 1,
  description: "Score at least 50 and no error-severity issue.",
  isDefault: true,
  rules: { minScore: 50, failOnError: true },
};

/** Host-provided profiles (Postgres in Docgate, a file or the built-in default standalone). */
export type ProfileSource = {
  /** The named profile, or the default when `name` is omitted; null when there is no such profile. */
  getProfile(name?: string): Promise<QualityProfile | null>;
  listProfiles(): Promise<QualityProfile[]>;
};

export const builtinProfileSource: ProfileSource = {
  async getProfile(name) {
    return name === undefined || name === DEFAULT_PROFILE.name ? DEFAULT_PROFILE : null;
  },
  async listProfiles() {
    return [DEFAULT_PROFILE];
  },
};

/** Host-provided store of document signatures for near-duplicate detection. */
export type SignatureStore = {
  /**
   * Records the simhash of a stored document and returns the closest earlier document within
   * `maxDistance` bits, other than `documentId` (one call: it runs on every quality task).
   */
  saveAndFindNear(documentId: string, simhash: string, maxDistance: number): Promise<{ documentId: string; distance: number } | null>;
};

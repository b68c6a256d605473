import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { AssessQualityProfileInput, ListProfilesOutput, QualityReportSchema, ValidateDocumentInput, ValidationResultSchema } from "../schemas";
import { simhash64 } from "../text";
import { resolveDocument, toolHandler } from "../tool-result";
import { SERVICE_INFO, type DocumentSource } from "../types";
import { measureQuality, withNearDuplicate, NEAR_DUPLICATE_MAX_DISTANCE } from "./assess";
import { builtinProfileSource, type ProfileSource, type SignatureStore } from "./profile";

export type QualityServerDeps = {
  documents: DocumentSource;
  /** Validation profiles; the built-in default only when omitted. */
  profiles?: ProfileSource;
  /** Simhash signatures of stored documents; no near-duplicate check when omitted. */
  signatures?: SignatureStore;
};

export function createQualityServer(deps: QualityServerDeps): McpServer {
  const info = SERVICE_INFO.quality;
  const profiles = deps.profiles ?? builtinProfileSource;
  const server = new McpServer({ name: `docgate-${info.name}`, version: info.version });

  const run = async (input: { documentId?: string | undefined; text?: string | undefined; profile?: string | undefined }) => {
    // Measuring needs no profile: the text is measured while the profile is read (a host may
    // hand it over later than the text, see TaskHandler.startRead in the orchestrator).
    const loadingProfile = profiles.getProfile(input.profile);
    loadingProfile.catch(() => {}); // awaited below, after a document error if there is one
    const doc = await resolveDocument(input, deps.documents);
    const simhash = simhash64(doc.text);
    // The look-up runs while the text is measured (it needs only the signature). Its failure is
    // reported where it is awaited, unless another one comes first.
    const near = simhash && input.documentId !== undefined && deps.signatures
      ? deps.signatures.saveAndFindNear(input.documentId, simhash, NEAR_DUPLICATE_MAX_DISTANCE)
      : null;
    near?.catch(() => {});
    const measured = measureQuality(doc, { simhash });
    const profile = await loadingProfile;
    if (!profile) throw new Error(`There is no quality profile ${JSON.stringify(input.profile ?? "default")}.`);
    return withNearDuplicate(measured, near ? await near : null, { profile });
  };

  server.registerTool(
    "assess_quality",
    {
      title: "Assess document quality",
      description:
        "Scores the extracted text of a document (by stored documentId or inline text) from 0 to 100, per document and per page, and lists located issues " +
        "(garbled encoding, OCR garbage, empty pages, duplicated paragraphs, personal data, truncation, near-duplicates, …). " +
        "`passed` and `failedRules` follow the named validation profile (the default one when omitted).",
      inputSchema: AssessQualityProfileInput,
      outputSchema: QualityReportSchema,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    toolHandler((input) => run(input)),
  );

  server.registerTool(
    "validate_document",
    {
      title: "Validate a document against a profile",
      description: "Checks a document (documentId or inline text) against a named validation profile and says whether it passed and which rules failed.",
      inputSchema: ValidateDocumentInput,
      outputSchema: ValidationResultSchema,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    toolHandler(async (input) => {
      const r = await run(input);
      return { passed: r.passed, profile: r.profile, failedRules: r.failedRules, score: r.score, grade: r.grade, issues: r.issues };
    }),
  );

  server.registerTool(
    "list_profiles",
    {
      title: "List validation profiles",
      description: "Lists the validation profiles with their rules and versions; the default one is marked.",
      inputSchema: z.object({}).strict(),
      outputSchema: ListProfilesOutput,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    toolHandler(async () => {
      const list = await profiles.listProfiles();
      return { profiles: list.map((p) => ({ name: p.name, version: p.version, description: p.description ?? null, isDefault: p.isDefault ?? false, rules: p.rules })) };
    }),
  );
  return server;
}

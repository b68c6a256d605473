import type { Db } from "@docgate/db";
import { createClassificationServer, createQualityServer, type DocumentSource } from "@docgate/mcp";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  createOrchestratorContext, createWorkerRedis, getModel, listTaxonomies, requestTraining,
  type OrchestratorContext, type TaskPayload,
} from "@docgate/orchestrator";
import type { TaxonomyCatalog } from "@docgate/mcp";
import { workerEnv } from "./env";
import { createModelSource } from "./models";
import { createProfileSource, createSignatureStore } from "./quality-stores";

/** A built-in service as its worker hosts it: the MCP server and what makes its answers differ. */
export type BuiltinService = {
  server: McpServer;
  version: string;
  /** Everything besides the document bytes that changes the tool's answer. */
  cacheVariant(payload: TaskPayload): Promise<string>;
  /** Arguments for the tool this payload calls. */
  toolArguments(payload: TaskPayload): Record<string, unknown>;
};

export const BUILTIN_SERVICE_NAMES = ["classification", "quality"] as const;
export type BuiltinServiceName = (typeof BUILTIN_SERVICE_NAMES)[number];

export function isBuiltinService(name: string): name is BuiltinServiceName {
  return (BUILTIN_SERVICE_NAMES as readonly string[]).includes(name);
}

export function createBuiltinService(name: BuiltinServiceName, db: Db, documents: DocumentSource): BuiltinService {
  switch (name) {
    case "classification": {
      const models = createModelSource(db);
      return {
        server: createClassificationServer({ documents, models, catalog: createCatalog(db) }),
        version: "0.2.0",
        // A new active model makes old entries unused: its id is part of the key.
        cacheVariant: async (p) => `${p.options.taxonomy ?? "default"}:${await models.activeModelId(p.options.taxonomy)}`,
        toolArguments: (p) => ({ documentId: p.documentId, ...(p.options.taxonomy ? { taxonomy: p.options.taxonomy } : {}) }),
      };
    }
    case "quality": {
      const profiles = createProfileSource(db);
      return {
        server: createQualityServer({ documents, profiles, signatures: createSignatureStore(db) }),
        version: "0.2.0",
        // A changed profile has a new version: cached results of the old one are not reused.
        // An unknown profile is not cached under any key the tool could answer (it fails the task).
        cacheVariant: async (p) => {
          const profile = await profiles.getProfile(p.options.profile);
          return `v2:${profile ? `${profile.name}@${profile.version}` : `missing:${p.options.profile ?? ""}`}`;
        },
        // assess_quality and validate_document take the document and the profile; list_profiles nothing.
        toolArguments: (p) =>
          p.tool === "list_profiles" ? {} : { documentId: p.documentId, ...(p.options.profile ? { profile: p.options.profile } : {}) },
      };
    }
  }
}

/** Taxonomies and models for the classification server's catalogue tools, from Postgres. */
function createCatalog(db: Db): TaxonomyCatalog {
  let ctx: OrchestratorContext | undefined;
  return {
    listTaxonomies: () => listTaxonomies(db),
    getModel: (id) => getModel(db, id),
    async trainModel(taxonomy) {
      const env = workerEnv();
      ctx ??= createOrchestratorContext({ db, redis: createWorkerRedis(env.redisUrl), prefix: env.prefix });
      const { modelId } = await requestTraining(ctx, taxonomy, { actor: { type: "system", id: "mcp:classification" } });
      return { modelId };
    },
  };
}

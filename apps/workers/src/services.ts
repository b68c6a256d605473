import type { Db, Prisma, SqlFragment } from "@docgate/db";
import {
  QUALITY_ALGORITHM_VERSION, ToolCallError, connectInMemory, englishSpellChecker, createClassificationServer, createQualityServer, type DocumentSource,
} from "@docgate/mcp";
import { UnreadableDocumentError } from "@docgate/mcp/extraction";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  PermanentTaskError, createOrchestratorContext, createWorkerRedis, getModel, listTaxonomies, qualityProfileSql, requestTraining, toCatalog,
  type OrchestratorContext, type ServiceSettings, type TaskHandler, type TaskPayload, type ToolCallResult,
} from "@docgate/orchestrator";
import type { SignatureStore, TaxonomyCatalog } from "@docgate/mcp";
import type { Redis } from "ioredis";
import { workerEnv } from "./env";
import { createExternalBackend } from "./external-service";
import type { TaskDocumentSource } from "./documents";
import { createModelSource } from "./models";
import { createProfileSource, createSignatureStore, NEAR_DUPLICATE_WINDOW } from "./quality-stores";
import { SignatureWindow } from "./signature-window";

/** What a worker process serves a service with: built-in (in-process MCP) or external (MCP over HTTP). */
export type ServiceBackend = {
  version: string;
  /** The tools catalog to register; null keeps the stored one (external services list theirs at registration). */
  tools: Prisma.InputJsonValue | null;
  /** Document tasks. */
  handler: TaskHandler;
  /** Direct `<service>.<tool>` calls from the MCP gateway: the raw result. */
  callTool(tool: string, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolCallResult>;
  /** The Service row changed (settings reload). */
  sync?(settings: ServiceSettings): void;
  close(): Promise<void>;
};

export async function createServiceBackend(deps: { db: Db; redis: Redis; prefix: string; documents: TaskDocumentSource; name: string; kind: string }): Promise<ServiceBackend> {
  if (deps.kind === "external") return createExternalBackend(deps);
  if (!isBuiltinService(deps.name)) throw new Error(`Unknown built-in service "${deps.name}".`);
  const signatures = deps.name === "quality"
    ? createSignatureStore(deps.db, new SignatureWindow(deps.db, deps.redis, `${deps.prefix}:quality:signatures`, NEAR_DUPLICATE_WINDOW))
    : undefined;
  const builtin = createBuiltinService(deps.name, deps.db, deps.documents, signatures);
  const mcp = await connectInMemory(builtin.server);
  const tools = await mcp.listTools();
  return {
    version: builtin.version,
    // The catalog the MCP gateway lists as `<service>.<tool>`: everything tools/list said, annotations included.
    tools: toCatalog(tools),
    handler: {
      cacheKey: async (p) => `${p.service}:${p.tool}:${p.sha256}:${await builtin.cacheVariant(p)}`,
      // The document's stored text comes with the task's payload or its start statement; what makes the cache
      // key (the quality profile, the active model) is read meanwhile. Errors surface where the
      // same reads are awaited: they are shared within the task (memoInTask).
      readsDocument: true,
      startRead: (p) => builtin.startRead?.read(p) ?? null,
      prefetch: (p, reads) => {
        deps.documents.provideRow(p.documentId, reads.document);
        builtin.startRead?.provide(p, reads.startRead);
        void builtin.cacheVariant(p).catch(() => {});
      },
      async call(p) {
        try {
          return await mcp.callTool(p.tool, builtin.toolArguments(p));
        } catch (error) {
          if (error instanceof ToolCallError) throw new PermanentTaskError("tool_error", error.message);
          if (error instanceof UnreadableDocumentError) throw new PermanentTaskError("unreadable_document", error.message);
          throw error;
        }
      },
    },
    callTool: async (tool, args, signal) => (await mcp.client.callTool({ name: tool, arguments: args }, undefined, { signal })) as ToolCallResult,
    close: () => mcp.close(),
  };
}

/** A built-in service as its worker hosts it: the MCP server and what makes its answers differ. */
export type BuiltinService = {
  server: McpServer;
  version: string;
  /** Everything besides the document bytes that changes the tool's answer. */
  cacheVariant(payload: TaskPayload): Promise<string>;
  /** Arguments for the tool this payload calls. */
  toolArguments(payload: TaskPayload): Record<string, unknown>;
  /** A read its tasks need, made by the task's start statement (TaskHandler.startRead), and where its value goes. */
  startRead?: { read(payload: TaskPayload): SqlFragment | null; provide(payload: TaskPayload, value: Promise<unknown>): void };
};

export const BUILTIN_SERVICE_NAMES = ["classification", "quality"] as const;
export type BuiltinServiceName = (typeof BUILTIN_SERVICE_NAMES)[number];

export function isBuiltinService(name: string): name is BuiltinServiceName {
  return (BUILTIN_SERVICE_NAMES as readonly string[]).includes(name);
}

/** `signatures`: where quality's near-duplicate look-ups go (none: no near-duplicate issues). */
export function createBuiltinService(name: BuiltinServiceName, db: Db, documents: DocumentSource, signatures?: SignatureStore): BuiltinService {
  switch (name) {
    case "classification": {
      const models = createModelSource(db);
      return {
        server: createClassificationServer({ documents, models, catalog: createCatalog(db) }),
        version: "0.2.0",
        // A new active model or changed label rules make old entries unused: both are part of the key.
        cacheVariant: async (p) => `${p.options.taxonomy ?? "default"}:${await models.cacheVariant(p.options.taxonomy)}`,
        toolArguments: (p) => ({ documentId: p.documentId, ...(p.options.taxonomy ? { taxonomy: p.options.taxonomy } : {}) }),
      };
    }
    case "quality": {
      // Built now (a few hundred ms) so the first English document does not wait for it.
      englishSpellChecker();
      const profiles = createProfileSource(db);
      return {
        server: createQualityServer({ documents, profiles, ...(signatures ? { signatures } : {}) }),
        version: "0.2.0",
        // A changed profile has a new version: cached results of the old one are not reused.
        // An unknown profile is not cached under any key the tool could answer (it fails the task).
        cacheVariant: async (p) => {
          const profile = await profiles.getProfile(p.options.profile);
          // The assessor's version too: a new metric (spelling in v3) must not be answered from old entries.
          return `v${QUALITY_ALGORITHM_VERSION}:${profile ? `${profile.name}@${profile.version}` : `missing:${p.options.profile ?? ""}`}`;
        },
        // assess_quality and validate_document take the document and the profile; list_profiles nothing.
        toolArguments: (p) =>
          p.tool === "list_profiles" ? {} : { documentId: p.documentId, ...(p.options.profile ? { profile: p.options.profile } : {}) },
        // The profile comes with the task's start statement: no statement of its own.
        startRead: {
          read: (p) => (p.tool === "list_profiles" ? null : qualityProfileSql(p.options.profile)),
          provide: (p, value) => profiles.provide(p.options.profile, value),
        },
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

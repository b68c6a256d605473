import type { Db, Prisma, SqlFragment } from "@docgate/db";
import {
  QUALITY_ALGORITHM_VERSION, ToolCallError, connectInMemory, englishSpellChecker, createClassificationServer, createQualityServer, simhash64,
  type DocumentSource,
} from "@docgate/mcp";
import { UnreadableDocumentError } from "@docgate/mcp/extraction";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  DependencyUnavailableError, PermanentTaskError, createOrchestratorContext, isDependencyUnavailable, createWorkerRedis, getModel, listTaxonomies, qualityTaskRead, requestTraining, toCatalog,
  type OrchestratorContext, type ServiceSettings, type TaskHandler, type TaskPayload, type ToolCallResult,
} from "@docgate/orchestrator";
import type { TaxonomyCatalog } from "@docgate/mcp";
import type { Redis } from "ioredis";
import { workerEnv } from "./env";
import { createExternalBackend } from "./external-service";
import type { TaskDocumentSource } from "./documents";
import { createModelSource } from "./models";
import { createProfileSource, createSignatureStore, NEAR_DUPLICATE_WINDOW, type TaskSignatureStore } from "./quality-stores";
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
  // What a task's start statement does for the service (startWith), until its value is handed over (prefetch).
  const startsByPayload = new WeakMap<TaskPayload, TaskStart>();
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
      // An in-process tool: cheap, and acts on nothing outside the worker.
      startWithResult: true,
      startWith: (p) => {
        const start = builtin.startWith?.(p) ?? null;
        if (start) startsByPayload.set(p, start);
        return start;
      },
      prefetch: (p, reads) => {
        deps.documents.provideRow(p.documentId, reads.document);
        startsByPayload.get(p)?.provide(reads.startRead);
        void builtin.cacheVariant(p).catch(() => {});
      },
      async call(p) {
        try {
          return await mcp.callTool(p.tool, builtin.toolArguments(p));
        } catch (error) {
          if (error instanceof ToolCallError) {
            // The tool's own reads (the document, the model, the profile) found our Postgres
            // unreachable: only the message crosses MCP, so it decides. Not the document's fault.
            if (isDependencyUnavailable({ message: error.message })) throw new DependencyUnavailableError(error.message);
            throw new PermanentTaskError("tool_error", error.message);
          }
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
  /** What its tasks' start statement does for it (TaskHandler.startWith), and where the read's value goes. */
  startWith?(payload: TaskPayload): TaskStart | null;
};

/** A read and a write for a task's start statement; `provide` takes the read's value (undefined when the task did not start). */
type TaskStart = { read: SqlFragment | null; write: SqlFragment | null; provide(read: Promise<unknown>): void };

export const BUILTIN_SERVICE_NAMES = ["classification", "quality"] as const;
export type BuiltinServiceName = (typeof BUILTIN_SERVICE_NAMES)[number];

export function isBuiltinService(name: string): name is BuiltinServiceName {
  return (BUILTIN_SERVICE_NAMES as readonly string[]).includes(name);
}

/** `signatures`: where quality's near-duplicate look-ups go (none: no near-duplicate issues). */
export function createBuiltinService(name: BuiltinServiceName, db: Db, documents: DocumentSource, signatures?: TaskSignatureStore): BuiltinService {
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
        // The profile comes with the task's start statement, and so does the near-duplicate
        // look-up's save and exact match when the text came with the payload: no statements of
        // their own. When the intake made that read (and saved the signature), the payload holds
        // it, and nothing is left for a start statement (null: the start is written with the result).
        startWith: (p) => {
          if (p.tool === "list_profiles") return null;
          // Both tools that read a document look for its near-duplicates (quality server's run()).
          const text = p.documentText?.text;
          const store = text === undefined ? undefined : signatures;
          const simhash = store && text !== undefined ? simhash64(text) : null;
          const provide = (read: Promise<unknown>) => {
            const value = read.then((v) => v as { profile: unknown; signature: unknown } | undefined);
            profiles.provide(p.options.profile, value.then((v) => v?.profile));
            if (store && simhash) store.provide(p.documentId, simhash, value.then((v) => v?.signature));
          };
          if (p.intakeRead !== undefined) {
            provide(Promise.resolve(p.intakeRead));
            return null;
          }
          const signature = store && simhash ? store.startWith(p.documentId, simhash) : null;
          return { read: qualityTaskRead(p.options.profile, signature?.read ?? null), write: signature?.write ?? null, provide };
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

import type { Db } from "@docgate/db";
import { createClassificationServer, createQualityServer, type DocumentSource } from "@docgate/mcp";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { TaskPayload } from "@docgate/orchestrator";
import { createModelSource } from "./models";

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
        server: createClassificationServer({ documents, models }),
        version: "0.1.0",
        // A new active model makes old entries unused: its id is part of the key.
        cacheVariant: async (p) => `${p.options.taxonomy ?? "default"}:${await models.activeModelId(p.options.taxonomy)}`,
        toolArguments: (p) => ({ documentId: p.documentId, ...(p.options.taxonomy ? { taxonomy: p.options.taxonomy } : {}) }),
      };
    }
    case "quality":
      return {
        server: createQualityServer({ documents }),
        version: "0.1.0",
        cacheVariant: async () => "v1",
        toolArguments: (p) => ({ documentId: p.documentId }),
      };
  }
}

/**
 * Runs one Docgate MCP server over stdio, with file-backed stores.
 *   npx tsx packages/mcp/scripts/serve-stdio.ts quality --docs ./docs
 *   npx tsx packages/mcp/scripts/serve-stdio.ts classification --docs ./docs --model spam=./spam.dgcm
 * Train a model file first with: npx tsx packages/mcp/scripts/eval-corpora.ts spam --out .
 */
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  createClassificationServer,
  createFileDocumentSource,
  createFileModelSource,
  createQualityServer,
} from "../src";

const [service, ...rest] = process.argv.slice(2);
const opts: { docs: string; models: Record<string, string> } = { docs: process.cwd(), models: {} };
for (let i = 0; i < rest.length; i += 2) {
  const [flag, value] = [rest[i], rest[i + 1]];
  if (flag === "--docs" && value) opts.docs = value;
  else if (flag === "--model" && value?.includes("=")) {
    const [taxonomy, path] = value.split("=", 2) as [string, string];
    opts.models[taxonomy] = path;
  } else {
    console.error(`Unknown or incomplete option ${flag ?? ""}`);
    process.exit(2);
  }
}
const documents = createFileDocumentSource(opts.docs);
const server =
  service === "classification"
    ? createClassificationServer({ documents, models: createFileModelSource(opts.models) })
    : service === "quality"
      ? createQualityServer({ documents })
      : undefined;
if (!server) {
  console.error("Usage: serve-stdio.ts classification|quality [--docs DIR] [--model TAXONOMY=FILE]");
  process.exit(2);
}
await server.connect(new StdioServerTransport());

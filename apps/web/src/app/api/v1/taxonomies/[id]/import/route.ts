import { addExamples } from "@docgate/orchestrator";
import { serverContext } from "~/server/context";
import { ApiError, handle } from "~/server/errors";
import { MAX_IMPORT_BYTES, parseJsonl, parseZip } from "~/server/example-import";
import { readBodyBytes } from "~/server/json-body";
import { authenticate, requireRole } from "~/server/principal";
import { auditFrom } from "~/server/request-meta";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Bulk import (operator): `application/x-ndjson` (JSONL of {text, label}) or
 * `application/zip` (folders named by label). All or nothing, like POST …/examples.
 */
export const POST = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const principal = await authenticate(request, { maxBodyBytes: MAX_IMPORT_BYTES });
  requireRole(principal, "operator");
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (!["application/x-ndjson", "application/jsonl", "application/zip"].includes(type)) {
    throw new ApiError(415, "unsupported_media_type", "Send JSONL (application/x-ndjson) or a ZIP of label folders (application/zip).");
  }
  const bytes = await readBodyBytes(request, MAX_IMPORT_BYTES, tooLarge);
  if (bytes.length === 0) throw new ApiError(400, "no_examples", "The request has no body.");
  const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b;
  if (type === "application/zip" && !isZip) throw new ApiError(400, "invalid_zip", "The body says ZIP but is not one.");
  if (type !== "application/zip" && isZip) throw new ApiError(400, "invalid_jsonl", "The body says JSONL but is a ZIP archive.");
  const examples = type === "application/zip" ? await parseZip(bytes) : parseJsonl(bytes);
  const result = await addExamples(serverContext().db, (await params).id, examples, { ...auditFrom(request, principal), source: "import" });
  return Response.json(result, { status: 201 });
});

const tooLarge = () => new ApiError(413, "import_too_large", `The import exceeds ${MAX_IMPORT_BYTES / 1048576} MiB.`);

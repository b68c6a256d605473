import { addExamples } from "@docgate/orchestrator";
import { serverContext } from "~/server/context";
import { handle } from "~/server/errors";
import { readJson } from "~/server/json-body";
import { AddExamplesSchema } from "~/server/model-schemas";
import { authenticate, requireRole } from "~/server/principal";
import { auditFrom } from "~/server/request-meta";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const principal = await authenticate(request);
  requireRole(principal, "operator");
  const { examples } = await readJson(request, AddExamplesSchema);
  const result = await addExamples(serverContext().db, (await params).id, examples, auditFrom(request, principal));
  return Response.json(result, { status: 201 });
});

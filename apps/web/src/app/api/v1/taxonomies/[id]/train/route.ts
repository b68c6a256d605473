import { requestTraining } from "@docgate/orchestrator";
import { serverContext } from "~/server/context";
import { handle } from "~/server/errors";
import { authenticate, requireRole } from "~/server/principal";
import { auditFrom } from "~/server/request-meta";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Starts training in the background: 202 with the new version's id to poll. */
export const POST = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const principal = await authenticate(request);
  requireRole(principal, "operator");
  const result = await requestTraining(serverContext().orchestrator, (await params).id, auditFrom(request, principal));
  return Response.json(result, { status: 202, headers: { Location: `/api/v1/models/${result.modelId}` } });
});

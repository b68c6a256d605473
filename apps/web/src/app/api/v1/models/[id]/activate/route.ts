import { activateModel } from "@docgate/orchestrator";
import { serverContext } from "~/server/context";
import { handle } from "~/server/errors";
import { authenticate, requireRole } from "~/server/principal";
import { auditFrom } from "~/server/request-meta";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Activates a version (also how to roll back: activate the earlier one). Admins only. */
export const POST = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const principal = await authenticate(request);
  requireRole(principal, "admin");
  return Response.json(await activateModel(serverContext().db, (await params).id, auditFrom(request, principal)));
});

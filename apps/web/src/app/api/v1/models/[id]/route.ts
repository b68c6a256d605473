import { getModel } from "@docgate/orchestrator";
import { serverContext } from "~/server/context";
import { ApiError, handle } from "~/server/errors";
import { authenticate } from "~/server/principal";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  await authenticate(request);
  const model = await getModel(serverContext().db, (await params).id);
  if (!model) throw new ApiError(404, "model_not_found", "There is no model with this id.");
  return Response.json(model);
});

import { createTaxonomy, listTaxonomies } from "@docgate/orchestrator";
import { serverContext } from "~/server/context";
import { handle } from "~/server/errors";
import { readJson } from "~/server/json-body";
import { CreateTaxonomySchema } from "~/server/model-schemas";
import { authenticate, requireRole } from "~/server/principal";
import { auditFrom } from "~/server/request-meta";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = handle(async (request: Request) => {
  await authenticate(request);
  return Response.json(await listTaxonomies(serverContext().db));
});

export const POST = handle(async (request: Request) => {
  const principal = await authenticate(request);
  requireRole(principal, "operator");
  const input = await readJson(request, CreateTaxonomySchema);
  const { db } = serverContext();
  const taxonomy = await createTaxonomy(db, input, auditFrom(request, principal));
  const summary = (await listTaxonomies(db)).find((t) => t.id === taxonomy.id);
  return Response.json(summary, { status: 201, headers: { Location: `/api/v1/taxonomies/${taxonomy.id}` } });
});

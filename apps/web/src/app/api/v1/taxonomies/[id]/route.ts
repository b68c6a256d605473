import { findTaxonomy, listLabelRules, listModels, listTaxonomies } from "@docgate/orchestrator";
import { serverContext } from "~/server/context";
import { handle } from "~/server/errors";
import { authenticate } from "~/server/principal";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** A taxonomy (by id or name) with every model version, newest first, and its label rules. */
export const GET = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  await authenticate(request);
  const { db } = serverContext();
  const taxonomy = await findTaxonomy(db, (await params).id);
  const summary = (await listTaxonomies(db)).find((t) => t.id === taxonomy.id);
  const { rulesVersion, rules } = await listLabelRules(db, taxonomy.id);
  return Response.json({ ...summary, models: await listModels(db, taxonomy.id), rulesVersion, rules });
});

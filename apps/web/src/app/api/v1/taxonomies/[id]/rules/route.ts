import { listLabelRules } from "@docgate/orchestrator";
import { apiRoute } from "~/server/access/route";
import { serverContext } from "~/server/context";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Every label rule of a taxonomy, in evaluation order. */
export const GET = apiRoute<{ id: string }>("viewer", async (_ctx, { id }) => Response.json(await listLabelRules(serverContext().db, id)));

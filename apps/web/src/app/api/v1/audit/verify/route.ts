import { verifyAuditChain } from "@docgate/db";
import { serverContext } from "~/server/context";
import { apiRoute } from "~/server/access/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Re-computes the hash chain: `{ok, checked, firstBrokenId}`. */
export const GET = apiRoute("admin", async () => Response.json(await verifyAuditChain(serverContext().db)));

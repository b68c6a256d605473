import { listServices } from "@docgate/orchestrator";
import { serverContext } from "~/server/context";
import { apiRoute } from "~/server/access/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Every service with its health, capacity settings, live instances and tools catalog. */
export const GET = apiRoute("admin", async () => Response.json(await listServices(serverContext().db)));

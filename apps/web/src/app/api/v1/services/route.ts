import { ExternalServiceInputSchema, listServices, registerExternalService } from "@docgate/orchestrator";
import { serverContext } from "~/server/context";
import { apiRoute } from "~/server/access/route";
import { readJson } from "~/server/json-body";
import { invalidateCatalog } from "~/server/mcp/catalog";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Every service with its health, capacity settings, live instances and tools catalog. */
export const GET = apiRoute("admin", async () => Response.json(await listServices(serverContext().db)));

/**
 * Registers an external MCP server (Streamable HTTP) on an allowlisted host: Docgate lists
 * its tools now and refuses a server it cannot reach. 201 with the service.
 */
export const POST = apiRoute("admin", async ({ request, change }) => {
  const body = await readJson(request, ExternalServiceInputSchema, 16 * 1024);
  const { db, orchestrator } = serverContext();
  const row = await registerExternalService({ db, redis: orchestrator.redis, prefix: orchestrator.prefix }, body, change);
  invalidateCatalog();
  const service = (await listServices(db)).find((s) => s.name === row.name);
  return Response.json(service, { status: 201, headers: { Location: `/api/v1/services/${row.name}` } });
});

import { listServices, removeExternalService, ServicePatchSchema, updateServiceSettings } from "@docgate/orchestrator";
import { serverContext } from "~/server/context";
import { ApiError } from "~/server/errors";
import { apiRoute } from "~/server/access/route";
import { readJson } from "~/server/json-body";
import { invalidateCatalog } from "~/server/mcp/catalog";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Params = { name: string };

async function serviceView(name: string) {
  const service = (await listServices(serverContext().db)).find((s) => s.name === name);
  if (!service) throw new ApiError(404, "service_not_found", `There is no service named "${name}".`);
  return service;
}

export const GET = apiRoute<Params>("admin", async (_ctx, { name }) => Response.json(await serviceView(name)));

/** Changes capacity live: stored, audited, and applied by every host within seconds. */
export const PATCH = apiRoute<Params>("admin", async ({ request, change }, { name }) => {
  const patch = await readJson(request, ServicePatchSchema, 16 * 1024);
  const { db, orchestrator } = serverContext();
  await updateServiceSettings({ db, redis: orchestrator.redis, prefix: orchestrator.prefix }, { name, patch }, change);
  return Response.json(await serviceView(name));
});

/** Removes an external service (409 while it has unfinished tasks; built-ins are disabled instead). */
export const DELETE = apiRoute<Params>("admin", async ({ change }, { name }) => {
  const { db, orchestrator } = serverContext();
  await removeExternalService({ db, redis: orchestrator.redis, prefix: orchestrator.prefix }, name, change);
  invalidateCatalog();
  return new Response(null, { status: 204 });
});

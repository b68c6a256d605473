import { issueApiKey, listApiKeys } from "@docgate/db";
import { serverContext } from "~/server/context";
import { ApiKeyCreateSchema } from "~/server/api-schemas";
import { apiRoute } from "~/server/access/route";
import { readJson } from "~/server/json-body";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute("admin", async () => Response.json({ items: await listApiKeys(serverContext().db) }));

export const POST = apiRoute("admin", async ({ request, principal, change }) => {
  const input = await readJson(request, ApiKeyCreateSchema, 64 * 1024);
  const issued = await issueApiKey(serverContext().db, { ...input, createdById: principal.kind === "user" ? principal.id : null }, change);
  return Response.json(issued, { status: 201, headers: { Location: `/api/v1/api-keys/${issued.id}` } });
});

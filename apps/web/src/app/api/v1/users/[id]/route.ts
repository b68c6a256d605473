import { getUser, updateUser } from "@docgate/db";
import { serverContext } from "~/server/context";
import { UserPatchSchema } from "~/server/api-schemas";
import { apiRoute } from "~/server/access/route";
import { readJson } from "~/server/json-body";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Params = { id: string };

export const GET = apiRoute<Params>("admin", async (_ctx, { id }) => Response.json(await getUser(serverContext().db, id)));

/** Role and/or disabled. The last active admin can be neither demoted nor disabled (409). */
export const PATCH = apiRoute<Params>("admin", async ({ request, change }, { id }) => {
  const input = await readJson(request, UserPatchSchema, 16 * 1024);
  return Response.json(await updateUser(serverContext().db, { id, ...input }, change));
});

import { getProfile, updateProfile, UpdateProfileInput } from "@docgate/orchestrator";
import { apiRoute } from "~/server/access/route";
import { serverContext } from "~/server/context";
import { readJson } from "~/server/json-body";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Params = { id: string };

/** One profile by id or name. */
export const GET = apiRoute<Params>("viewer", async (_ctx, { id }) => Response.json(await getProfile(serverContext().db, id)));

/** Changes a profile (admin) and bumps its version; audited as `profile.update`. */
export const PATCH = apiRoute<Params>("admin", async ({ request, change }, { id }) => {
  const input = await readJson(request, UpdateProfileInput, 64 * 1024);
  return Response.json(await updateProfile(serverContext().db, id, input, change));
});

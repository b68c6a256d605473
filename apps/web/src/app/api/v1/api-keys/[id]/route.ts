import { apiKeyView, revokeApiKey } from "@docgate/db";
import { serverContext } from "~/server/context";
import { ApiError } from "~/server/errors";
import { apiRoute } from "~/server/access/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Params = { id: string };

export const GET = apiRoute<Params>("admin", async (_ctx, { id }) => {
  const key = await serverContext().db.apiKey.findUnique({ where: { id } });
  if (!key) throw new ApiError(404, "api_key_not_found", "There is no API key with this id.");
  return Response.json(apiKeyView(key));
});

/** Revokes the key: it stops working within seconds on every web copy. */
export const DELETE = apiRoute<Params>("admin", async ({ change }, { id }) =>
  Response.json(await revokeApiKey(serverContext().db, { id }, change)));

import { rollApiKey } from "@docgate/db";
import { serverContext } from "~/server/context";
import { ApiKeyRollSchema } from "~/server/api-schemas";
import { apiRoute, readOptionalJson } from "~/server/access/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** A new secret for the key; the old one keeps working for the grace period. */
export const POST = apiRoute<{ id: string }>("admin", async ({ request, change }, { id }) => {
  const input = await readOptionalJson(request, ApiKeyRollSchema);
  const rolled = await rollApiKey(serverContext().db, { id, graceSeconds: input.gracePeriodSeconds, rotateSigningSecret: input.rotateSigningSecret }, change);
  return Response.json(rolled);
});

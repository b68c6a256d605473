import { createProfile, CreateProfileInput, listProfiles } from "@docgate/orchestrator";
import { apiRoute } from "~/server/access/route";
import { serverContext } from "~/server/context";
import { readJson } from "~/server/json-body";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Every quality validation profile, the default first. */
export const GET = apiRoute("viewer", async () => Response.json(await listProfiles(serverContext().db)));

/** Creates a profile (admin); audited as `profile.create`. */
export const POST = apiRoute("admin", async ({ request, change }) => {
  const input = await readJson(request, CreateProfileInput, 64 * 1024);
  const profile = await createProfile(serverContext().db, input, change);
  return Response.json(profile, { status: 201, headers: { Location: `/api/v1/profiles/${profile.id}` } });
});

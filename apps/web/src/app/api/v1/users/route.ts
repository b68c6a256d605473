import { createUser, listUsers } from "@docgate/db";
import { serverContext } from "~/server/context";
import { UserCreateSchema } from "~/server/api-schemas";
import { apiRoute } from "~/server/access/route";
import { readJson } from "~/server/json-body";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute("admin", async () => Response.json({ items: await listUsers(serverContext().db) }));

export const POST = apiRoute("admin", async ({ request, change }) => {
  const input = await readJson(request, UserCreateSchema, 16 * 1024);
  const user = await createUser(serverContext().db, input, change);
  return Response.json(user, { status: 201, headers: { Location: `/api/v1/users/${user.id}` } });
});

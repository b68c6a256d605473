import { endUserSessions } from "@docgate/db";
import { serverContext } from "~/server/context";
import { apiRoute } from "~/server/access/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** "Log out everywhere": ends every session of the user. */
export const DELETE = apiRoute<{ id: string }>("admin", async ({ change }, { id }) =>
  Response.json(await endUserSessions(serverContext().db, { id }, change)));

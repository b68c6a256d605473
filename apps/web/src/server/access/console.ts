import { headers } from "next/headers";
import type { Role } from "@docgate/db";
import { auth } from "../auth";

/** The signed-in console user's role (the console layout has already required a session). */
export async function consoleRole(): Promise<Role> {
  const session = await auth().api.getSession({ headers: await headers() });
  return ((session?.user as { role?: Role } | undefined)?.role) ?? "viewer";
}

import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "~/server/trpc/root";
import { createTrpcContext } from "~/server/trpc/init";
import { errorResponse, handle } from "~/server/errors";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * CSRF defence in depth for the console's session-cookie API: besides SameSite=Lax cookies,
 * a mutation sent from another origin is refused before it runs.
 */
function crossOrigin(req: Request): boolean {
  const origin = req.headers.get("origin");
  if (!origin || req.method === "GET") return false;
  try {
    return new URL(origin).host !== req.headers.get("host");
  } catch {
    return true;
  }
}

const handler = handle(async (req: Request) => {
  if (crossOrigin(req)) return errorResponse(403, "cross_origin", "Requests from another site are not accepted.");
  return fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: () => createTrpcContext({ request: req }) });
});

export { handler as GET, handler as POST };

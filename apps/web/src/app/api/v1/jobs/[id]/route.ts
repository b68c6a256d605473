import { serveDirectly } from "~/server/direct-routes";
import { handle } from "~/server/errors";
import { readJob } from "~/server/jobs";
import { authenticate, principalHeaders } from "~/server/principal";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const principal = await authenticate(request);
  return Response.json(await readJob((await params).id, principal), { headers: principalHeaders(principal) });
});

// Polled by clients after an asynchronous 202: the web server calls it without Next.js's request pipeline (server.mjs).
serveDirectly("GET", "/api/v1/jobs/:id", GET);

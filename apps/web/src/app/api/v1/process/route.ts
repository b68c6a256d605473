import { serveDirectly } from "~/server/direct-routes";
import { handle } from "~/server/errors";
import { authenticate } from "~/server/principal";
import { processRequest } from "~/server/process";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = handle(async (request: Request) => {
  const principal = await authenticate(request);
  const { job, finished, headers } = await processRequest(request, principal);
  const location = `/api/v1/jobs/${job.id}`;
  return Response.json(job, { status: finished ? 200 : 202, headers: finished ? headers : { ...headers, Location: location } });
});

// The hottest route: the web server calls it without Next.js's request pipeline (server.mjs).
serveDirectly("POST", "/api/v1/process", POST);

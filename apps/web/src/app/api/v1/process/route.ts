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

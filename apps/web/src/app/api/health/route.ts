import { checkHealth } from "~/server/health";
import { handle } from "~/server/errors";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** 200 while Postgres and Redis answer (services may be degraded); 503 when one is down. */
export const GET = handle(async () => {
  const health = await checkHealth();
  const down = health.status === "down";
  return Response.json(health, { status: down ? 503 : 200, headers: down ? { "Retry-After": "5" } : {} });
});

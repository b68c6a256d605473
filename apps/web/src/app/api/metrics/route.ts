import { collectMetrics } from "@docgate/orchestrator";
import { serverContext } from "~/server/context";
import { apiRoute } from "~/server/access/route";
import { observability } from "~/server/observe";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Prometheus text format; scrape it with an admin API key (`authorization: Bearer dg_…`).
 * Platform-wide families (any web copy answers the same) and this copy's process metrics.
 */
export const GET = apiRoute("admin", async () => {
  const platform = await collectMetrics(serverContext().orchestrator);
  const process = await observability().process.metrics();
  return new Response(`${platform}${process}`, { headers: { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" } });
});

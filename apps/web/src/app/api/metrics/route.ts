import { collectMetrics } from "@docgate/orchestrator";
import { serverContext } from "~/server/context";
import { apiRoute } from "~/server/access/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Prometheus text format; scrape it with an admin API key (`authorization: Bearer dg_…`). */
export const GET = apiRoute("admin", async () =>
  new Response(await collectMetrics(serverContext().orchestrator), {
    headers: { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" },
  }));

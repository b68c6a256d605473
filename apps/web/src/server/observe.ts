import {
  MetricCounters, createLogger, createProcessMetrics, currentTraceparent, inSpan, requestIdFrom, runWithRequestContext, startTracing, type Logger,
} from "@docgate/orchestrator";
import { serverContext } from "./context";
import { env } from "./env";

type Observability = { logger: Logger; counters: MetricCounters | null; process: { metrics(): Promise<string> } };
const holder = globalThis as unknown as { __docgateObservability?: Observability };

/** The web process's logger and shared counters (created on first use). */
export function observability(): Observability {
  if (!holder.__docgateObservability) {
    startTracing("docgate-web");
    let counters: MetricCounters | null = null;
    try {
      counters = new MetricCounters(serverContext().orchestrator.redis, env().DOCGATE_REDIS_PREFIX);
    } catch {
      counters = null; // metrics are best effort
    }
    holder.__docgateObservability = { logger: createLogger("web"), counters, process: createProcessMetrics("docgate_web_") };
  }
  return holder.__docgateObservability;
}

/** The /api/v1 resources and the fixed words of their sub-routes; anything else in a path is an id. */
const RESOURCES = new Set(["process", "jobs", "documents", "taxonomies", "models", "profiles", "services", "api-keys", "users", "audit"]);
const ROUTE_WORDS = new Set(["events", "content", "examples", "import", "train", "activate", "labels", "rules", "roll", "sessions", "verify"]);
const STATIC_ROUTES = new Set(["/api/health", "/api/metrics", "/api/mcp", "/api/openapi.json"]);

/**
 * The route a path belongs to, with ids and names folded (`/api/v1/jobs/:id/events`), so
 * metric labels stay a small, fixed set whatever clients send (they are counted before
 * authentication).
 */
export function routeLabel(pathname: string): string {
  const parts = pathname.split("/").filter(Boolean);
  if (parts[0] !== "api") return "other";
  if (parts[1] === "trpc" || parts[1] === "auth") return `/api/${parts[1]}`;
  if (parts[1] === "v1") {
    if (!parts[2] || !RESOURCES.has(parts[2])) return "/api/v1/other";
    return `/${["api", "v1", parts[2], ...parts.slice(3, 8).map((p) => (ROUTE_WORDS.has(p) ? p : ":id"))].join("/")}`;
  }
  const path = `/${parts.slice(0, 2).join("/")}`;
  return STATIC_ROUTES.has(path) ? path : "/api/other";
}

/**
 * Every API request: a request id (the caller's `X-Request-Id` or a new one) carried into the
 * jobs it creates and echoed on the response, a span when tracing is on, a JSON log line, and
 * the shared request counters and duration histogram by route and status.
 */
export async function observeRequest(request: Request, run: () => Promise<Response>): Promise<Response> {
  const { logger, counters } = observability();
  const started = performance.now();
  const requestId = requestIdFrom(request.headers.get("x-request-id"));
  const method = request.method;
  const route = routeLabel(new URL(request.url).pathname);
  const response = await inSpan(`${method} ${route}`, { "http.request.method": method, "http.route": route, "docgate.request_id": requestId }, async (span) => {
    const result = await runWithRequestContext({ requestId, traceparent: currentTraceparent() }, run);
    span.setAttribute("http.response.status_code", result.status);
    return result;
  }, request.headers.get("traceparent") ?? undefined);
  const seconds = (performance.now() - started) / 1000;
  const status = String(response.status);
  try {
    response.headers.set("X-Request-Id", requestId);
  } catch {
    // an immutable Response (passed through from fetch): the id is still in the log
  }
  counters?.inc("http_requests", { method, route, status });
  counters?.observe("http_request_duration_seconds", { method, route }, seconds);
  if (response.status === 429) counters?.inc("rate_limit_refusals", { route });
  const line = { requestId, method, route, status: response.status, durationMs: Math.round(seconds * 1000) };
  if (response.status >= 500) logger.error(line, "request failed");
  else logger.info(line, "request");
  return response;
}

/**
 * Route handlers the web server (apps/web/server.mjs) may call without Next.js's request
 * pipeline. A route registers itself when Next first loads its module; from then on the server
 * calls the same function with the same standard Request, and for a pattern with `:name`
 * segments the decoded params as Next passes them. Only for hot routes whose handlers need
 * nothing from Next's request scope (no `next/headers`, no `after`) and answer with a bounded
 * body.
 */
export type DirectHandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

const holder = globalThis as unknown as { __docgateDirectRoutes?: Map<string, DirectHandler> };

export function serveDirectly<Params extends Record<string, string>>(
  method: "POST" | "GET",
  pattern: string,
  handler: (request: Request, context: { params: Promise<Params> }) => Promise<Response>,
): void {
  (holder.__docgateDirectRoutes ??= new Map()).set(`${method} ${pattern}`, handler as DirectHandler);
}

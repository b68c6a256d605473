// The HTTP server of the web process (see server.mjs): Next.js serves every request, except
// routes registered for direct service (src/server/direct-routes.ts), which are called with the
// standard Request Next would have built, without Next's request pipeline.
import { readFileSync } from "node:fs";
import http from "node:http";
import { isIPv6 } from "node:net";
import path from "node:path";

/**
 * @param {{ nextHandler: (req: http.IncomingMessage, res: http.ServerResponse) => unknown,
 *           routes: Map<string, (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>>,
 *           configHeaders: (pathname: string) => [string, string][],
 *           port: number, hostname: string | undefined }} options
 */
export function createWebServer({ nextHandler, routes, configHeaders, port, hostname }) {
  return http.createServer((req, res) => {
    const query = req.url.indexOf("?");
    const pathname = query === -1 ? req.url : req.url.slice(0, query);
    const route = findRoute(routes, req.method, pathname);
    if (!route) return void nextHandler(req, res);
    serveDirectly({ ...route, pathname, req, res, configHeaders, port, hostname }).catch((error) => {
      // Route handlers answer their own errors (errors.ts); this is the adapter failing.
      console.error("direct route failed", error);
      if (res.headersSent) return void res.destroy();
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "internal_error", message: "Something went wrong on our side. The error was logged." } }));
    });
  });
}

/**
 * The route registered for this method and path: an exact one, else a pattern whose `:name`
 * segments take the path's (decoded, as Next decodes them; a path that does not decode is Next's).
 */
function findRoute(routes, method, pathname) {
  const exact = routes.get(`${method} ${pathname}`);
  if (exact) return { handler: exact, params: {} };
  const segments = pathname.split("/");
  for (const [key, handler] of routes) {
    const [keyMethod, pattern] = key.split(" ");
    if (keyMethod !== method || !pattern.includes("/:")) continue;
    const parts = pattern.split("/");
    if (parts.length !== segments.length) continue;
    const params = {};
    const matches = parts.every((part, i) => {
      if (!part.startsWith(":")) return part === segments[i];
      if (!segments[i]) return false;
      try {
        params[part.slice(1)] = decodeURIComponent(segments[i]);
        return true;
      } catch {
        return false;
      }
    });
    if (matches) return { handler, params };
  }
  return null;
}

async function serveDirectly({ handler, params, pathname, req, res, configHeaders, port, hostname }) {
  // As Next builds them (base-server.js, next-server.js): headers from Node's parsed ones (one
  // Authorization, cookies joined), x-forwarded-* filled in where no proxy set them (with no
  // proxy in front, the peer is the client), and the URL from the address this server was
  // started on, never from the Host header a client chose.
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    for (const item of Array.isArray(value) ? value : [value]) if (item !== undefined) headers.append(key, item);
  }
  const host = hostname ? formatHostname(hostname) : "localhost";
  if (!headers.has("x-forwarded-host")) headers.set("x-forwarded-host", req.headers.host ?? host);
  if (!headers.has("x-forwarded-port")) headers.set("x-forwarded-port", String(port));
  if (!headers.has("x-forwarded-proto")) headers.set("x-forwarded-proto", "http");
  if (!headers.has("x-forwarded-for") && req.socket.remoteAddress) headers.set("x-forwarded-for", req.socket.remoteAddress);
  const protocol = headers.get("x-forwarded-proto").includes("https") ? "https" : "http";
  // A client that hangs up aborts request.signal, as in Next (a waiting request stops waiting).
  const hangUp = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) hangUp.abort();
  });
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const request = new Request(`${protocol}://${host}:${port}${req.url}`, {
    method: req.method,
    headers,
    // The request stream itself, pulled only as the route reads it: a body the route never reads
    // (a refusal before the upload) is then drained by Node, and the connection stays usable.
    body: hasBody ? req : undefined,
    duplex: "half",
    signal: hangUp.signal,
  });
  const response = await handler(request, { params: Promise.resolve(params) });
  // Direct routes answer with bounded JSON, so the body is read whole.
  const body = Buffer.from(await response.arrayBuffer());
  res.statusCode = response.status;
  for (const [key, value] of configHeaders(pathname)) res.setHeader(key, value);
  for (const [key, value] of response.headers) if (key !== "set-cookie") res.setHeader(key, value);
  const cookies = response.headers.getSetCookie();
  if (cookies.length) res.setHeader("set-cookie", cookies);
  res.setHeader("content-length", body.byteLength);
  res.end(body);
}

const formatHostname = (hostname) => (isIPv6(hostname) ? `[${hostname}]` : hostname);

/**
 * next.config's headers() as the build compiled them (`.next/routes-manifest.json`), for the
 * paths served directly.
 * @param {string} appDir
 * @returns {(pathname: string) => [string, string][]}
 */
export function headersFromBuild(appDir) {
  const rules = JSON.parse(readFileSync(path.join(appDir, ".next/routes-manifest.json"), "utf8")).headers ?? [];
  if (rules.some((rule) => rule.has || rule.missing)) {
    throw new Error("direct-server.mjs applies only unconditional headers() rules: teach it `has`/`missing` first.");
  }
  const compiled = rules.map((rule) => ({ regex: new RegExp(rule.regex), headers: rule.headers.map((h) => [h.key, h.value]) }));
  return (pathname) => compiled.filter((rule) => rule.regex.test(pathname)).flatMap((rule) => rule.headers);
}

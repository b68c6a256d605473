import type http from "node:http";

export function createWebServer(options: {
  nextHandler: (req: http.IncomingMessage, res: http.ServerResponse) => unknown;
  /** "METHOD /path", or a pattern with `:name` segments ("GET /api/v1/jobs/:id"). */
  routes: Map<string, (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>>;
  configHeaders: (pathname: string) => [string, string][];
  port: number;
  /** The address the server listens on, as `-H` gave it; undefined: every address. */
  hostname: string | undefined;
}): http.Server;

export function headersFromBuild(appDir: string): (pathname: string) => [string, string][];

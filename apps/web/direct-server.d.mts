import type http from "node:http";

export function createWebServer(options: {
  nextHandler: (req: http.IncomingMessage, res: http.ServerResponse) => unknown;
  routes: Map<string, (request: Request) => Promise<Response>>;
  configHeaders: (pathname: string) => [string, string][];
  port: number;
  /** The address the server listens on, as `-H` gave it; undefined: every address. */
  hostname: string | undefined;
}): http.Server;

export function headersFromBuild(appDir: string): (pathname: string) => [string, string][];

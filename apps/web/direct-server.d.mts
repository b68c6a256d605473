import type http from "node:http";

export function createWebServer(options: {
  nextHandler: (req: http.IncomingMessage, res: http.ServerResponse) => unknown;
  routes: Map<string, (request: Request) => Promise<Response>>;
  configHeaders: (pathname: string) => [string, string][];
  port: number;
  hostname: string;
}): http.Server;

export function headersFromBuild(appDir: string): (pathname: string) => [string, string][];

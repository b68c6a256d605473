// The web process (`npm start` and the test stacks run it instead of `next start`): Next.js
// serves every request, except the hot API routes that registered themselves for direct service
// (src/server/direct-routes.ts). Those are the same route handlers, from the same build and
// module instances, called without Next's request pipeline, which costs about a millisecond of
// CPU per request (README, "How a request flows").
//   node server.mjs [-p PORT] [-H HOSTNAME]   (as `next start`: PORT works too; without -H it
//   listens on every address, IPv4 and IPv6)
import path from "node:path";
import { parseArgs } from "node:util";
import next from "next";
import { createWebServer, headersFromBuild } from "./direct-server.mjs";

const { values: args } = parseArgs({ options: { port: { type: "string", short: "p" }, hostname: { type: "string", short: "H" } } });
const port = Number(args.port ?? process.env.PORT ?? 3000);
const hostname = args.hostname;
const dir = path.dirname(new URL(import.meta.url).pathname);
process.env.NODE_ENV ??= "production";

const app = next({ dev: false, dir, hostname, port });
const nextHandler = app.getRequestHandler();
await app.prepare();

// Filled by route modules as Next loads them (globalThis is the one place both sides reach): a
// route's first request goes through Next, which loads its module; later ones come straight here.
const routes = (globalThis.__docgateDirectRoutes ??= new Map());
const server = createWebServer({ nextHandler, routes, configHeaders: headersFromBuild(dir), port, hostname });
server.listen(port, hostname, () => console.log(`▲ Docgate web ready on http://${hostname ?? "localhost"}:${port}`));

// As `next start` does: stop accepting, let in-flight requests finish (src/server/stopping.ts
// makes waiting requests answer at once), then exit with the signal's code.
const SHUTDOWN_GRACE_MS = 5_000;
let closing = false;
for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]]) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    server.close(() => void app.close().catch(console.error).finally(() => process.exit(code)));
    server.closeIdleConnections();
    // A connection still open after the grace (an MCP client's notification stream, say) would
    // hold the exit until a supervisor's SIGKILL cut everything else off too.
    setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
  });
}

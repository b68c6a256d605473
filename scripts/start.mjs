// `npm start`: install what is missing, check Postgres and Redis, generate the Prisma client,
// migrate, seed, build, then run web and workers together until Ctrl-C.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { bin, ensureInstalled, root, run, startChild, stopChild, waitForHttp } from "./lib.mjs";

const port = process.env.PORT || "3000";
const step = (text) => console.log(`› ${text}`);

ensureInstalled();
step("Checking Postgres and Redis…");
run(bin("tsx"), ["scripts/preflight.ts"]);
step("Generating the Prisma client…");
run("npm", ["run", "-s", "db:generate"]);
step("Applying migrations…");
run("npm", ["run", "-s", "db:migrate"]);
step("Seeding…");
run("npm", ["run", "-s", "db:seed"]);
step("Building the web app…");
run(bin("turbo"), ["run", "build", "--output-logs=errors-only"]);

// Sessions must survive restarts: keep a generated secret unless one is configured.
const secretFile = path.join(root, ".docgate/auth-secret");
if (!process.env.BETTER_AUTH_SECRET && !existsSync(secretFile)) {
  mkdirSync(path.dirname(secretFile), { recursive: true });
  writeFileSync(secretFile, randomBytes(32).toString("base64url"), { mode: 0o600 });
}
const env = { BETTER_AUTH_SECRET: process.env.BETTER_AUTH_SECRET || readFileSync(secretFile, "utf8").trim(), PORT: port, NODE_ENV: "production" };

const web = startChild("web", process.execPath, ["server.mjs", "-p", port], { cwd: path.join(root, "apps/web"), env });
const workers = startChild("workers", process.execPath, ["--import", "tsx", "apps/workers/src/main.ts"], { env });

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  console.log("\n› Stopping web and workers…");
  await Promise.all([stopChild(web), stopChild(workers)]);
  console.log("› Stopped.");
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
for (const [name, child] of [["web", web], ["workers", workers]]) {
  child.on("exit", (code, signal) => {
    if (stopping) return;
    console.error(`✗ ${name} exited unexpectedly (${signal ?? code}).`);
    void stop(1);
  });
}

try {
  await waitForHttp(`http://127.0.0.1:${port}/api/health`, { timeoutMs: 120_000, ok: (r) => r.status === 200 });
  const email = process.env.DOCGATE_ADMIN_EMAIL || "admin@docgate.local";
  console.log(`
  Docgate is running at http://localhost:${port}
  Console: sign in as ${email} (password from DOCGATE_ADMIN_PASSWORD, or the one printed at first start)
  API docs: http://localhost:${port}/docs · health: http://localhost:${port}/api/health
  Press Ctrl-C to stop.
`);
} catch (error) {
  console.error(`✗ ${error.message}`);
  await stop(1);
}

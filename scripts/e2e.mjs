// Browser end-to-end run: a fresh database and Redis prefix, the built web app and the workers
// on a free port, then Playwright in Chromium against them. Everything is torn down after.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { bin, root, run, startChild, stopChild, waitForHttp } from "./lib.mjs";

function findChromium() {
  for (const candidate of [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"]) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  return null; // Playwright's own browser, if one was installed
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const chromium = findChromium();
if (!chromium && !process.env.PLAYWRIGHT_BROWSERS_PATH) {
  console.log("(no Chromium at $CHROMIUM_PATH or /usr/bin/chromium: trying Playwright's own browser; install one with `apt-get install -y chromium`)");
}

const id = randomBytes(4).toString("hex");
const dbName = `docgate_e2e_${id}`;
const base = new URL(process.env.DOCGATE_TEST_PG_URL || "postgresql://postgres@127.0.0.1:5432/postgres");
base.pathname = `/${dbName}`;
const port = await freePort();
const adminPassword = `e2e-${randomBytes(8).toString("hex")}`;
const env = {
  DATABASE_URL: base.toString(),
  DOCGATE_REDIS_PREFIX: `dge2e-${id}`,
  PORT: String(port),
  DOCGATE_ADMIN_EMAIL: "admin@e2e.local",
  DOCGATE_ADMIN_PASSWORD: adminPassword,
  BETTER_AUTH_SECRET: randomBytes(24).toString("hex"),
  NODE_ENV: "production",
  // Share the trained default models with the integration tests: CI trains them once per run.
  DOCGATE_CACHE_DIR: process.env.DOCGATE_CACHE_DIR || path.join(os.tmpdir(), "docgate-test-cache"),
};

run(bin("tsx"), ["scripts/e2e-db.ts", "create", env.DATABASE_URL]);
run("npm", ["run", "-s", "db:seed"], { env });
run(bin("turbo"), ["run", "build", "--output-logs=errors-only"]);

const verbose = !!process.env.DOCGATE_E2E_VERBOSE;
const web = startChild("web", bin("next"), ["start", "-p", String(port), "-H", "127.0.0.1"], { cwd: path.join(root, "apps/web"), env, quiet: !verbose });
const workers = startChild("workers", process.execPath, ["--import", "tsx", "apps/workers/src/main.ts"], { env, quiet: !verbose });

let passed = false;
try {
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHttp(`${baseUrl}/api/health`, {
    timeoutMs: 180_000,
    ok: (r) => r.status === 200,
  });
  // Wait until both built-in services have a live instance, so the browser test measures the product, not boot time.
  const deadline = Date.now() + 240_000;
  for (;;) {
    const health = await (await fetch(`${baseUrl}/api/health`)).json();
    if (health.services?.filter((s) => s.status === "up").length >= 2) break;
    if (Date.now() > deadline) throw new Error("workers did not register in time");
    await new Promise((r) => setTimeout(r, 250));
  }
  passed = run(bin("playwright"), ["test", "-c", "apps/web/e2e/playwright.config.ts"], {
    allowFailure: true,
    env: { ...env, E2E_BASE_URL: baseUrl, E2E_ADMIN_EMAIL: env.DOCGATE_ADMIN_EMAIL, E2E_ADMIN_PASSWORD: adminPassword, ...(chromium ? { CHROMIUM_PATH: chromium } : {}) },
  });
} catch (error) {
  console.error(`✗ ${error.message}`);
} finally {
  await Promise.all([stopChild(web), stopChild(workers)]);
  run(bin("tsx"), ["scripts/e2e-db.ts", "drop", dbName], { allowFailure: true });
}
process.exit(passed ? 0 : 1);

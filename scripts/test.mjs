// `npm test`: every suite. Unit and integration tests (vitest, real Postgres and Redis, each
// file on its own database and Redis prefix), then the browser end-to-end tests.
import { bin, ensureInstalled, run } from "./lib.mjs";

const step = (text) => console.log(`\n› ${text}`);
ensureInstalled();
run(bin("tsx"), ["scripts/preflight.ts"]);
step("Generating the Prisma client…");
run("npm", ["run", "-s", "db:generate"]);
step("Type-checking every package…");
run(bin("turbo"), ["run", "typecheck", "--output-logs=errors-only"]);
run(bin("tsc"), ["-p", "bench"]);
step("Unit and integration tests…");
run(bin("vitest"), ["run"]);
// ~2.5 min on 2 cores: kill -9 + Redis wipe under 2,000 documents, a web restart during sync
// waits, Postgres (a private server) stopped for 10 s. Passed 5 runs in a row before it came back here.
step("Faults survived…");
run(bin("tsx"), ["scripts/faults.ts"]);
step("Browser end-to-end tests…");
run(process.execPath, ["scripts/e2e.mjs"]);
console.log("\n✓ All suites passed.");

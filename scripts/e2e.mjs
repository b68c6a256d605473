// Browser end-to-end run: Playwright in Chromium against a whole Docgate booted for it
// (scripts/stack.mjs). Everything is torn down after.
import { existsSync } from "node:fs";
import { bin, run } from "./lib.mjs";
import { startStack } from "./stack.mjs";

function findChromium() {
  for (const candidate of [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"]) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  return null; // Playwright's own browser, if one was installed
}

const chromium = findChromium();
if (!chromium) {
  console.log("(no Chromium at $CHROMIUM_PATH or /usr/bin/chromium: trying Playwright's own browser; install one with `apt-get install -y chromium`)");
}

let stack;
let passed = false;
try {
  stack = await startStack({
    name: "e2e",
    verbose: !!process.env.DOCGATE_E2E_VERBOSE,
    // services.spec.ts starts an external MCP server on a loopback port and registers it.
    extraEnv: { DOCGATE_EXTERNAL_HOSTS: "127.0.0.1" },
  });
  passed = run(bin("playwright"), ["test", "-c", "apps/web/e2e/playwright.config.ts"], {
    allowFailure: true,
    env: {
      ...stack.env,
      E2E_BASE_URL: stack.baseUrl,
      E2E_ADMIN_EMAIL: stack.env.DOCGATE_ADMIN_EMAIL,
      E2E_ADMIN_PASSWORD: stack.env.DOCGATE_ADMIN_PASSWORD,
      E2E_API_KEY: stack.env.DOCGATE_BOOTSTRAP_API_KEY,
      ...(chromium ? { CHROMIUM_PATH: chromium } : {}),
    },
  });
} catch (error) {
  console.error(`✗ ${error.message}`);
} finally {
  await stack?.stop();
}
process.exit(passed ? 0 : 1);

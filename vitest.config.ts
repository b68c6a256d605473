import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "~": fileURLToPath(new URL("./apps/web/src", import.meta.url)) } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "apps/web/e2e/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ["./scripts/vitest-global-setup.ts"],
  },
});

// `prisma generate` never runs the schema engine, but the CLI insists on finding one. Point it
// at a stub so it works offline; on a machine with internet this is a no-op difference.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const stubDir = path.join(os.tmpdir(), "docgate-prisma");
const stub = path.join(stubDir, "schema-engine-stub");
if (!existsSync(stub)) {
  mkdirSync(stubDir, { recursive: true });
  writeFileSync(stub, "#!/bin/sh\necho 'schema engine not available: use npm run db:migrate' >&2\nexit 1\n");
  chmodSync(stub, 0o755);
}
const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= stub;
const result = spawnSync(path.join(root, "node_modules/.bin/prisma"), ["generate"], { cwd: root, env, stdio: "inherit" });
process.exit(result.status ?? 1);

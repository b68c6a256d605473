// Faults survived (`npm run test:faults`): under a document load, kill -9 a worker process and
// wipe every Redis key of this Docgate; every accepted job must still complete exactly once.
// Reports accepted, completed, lost and duplicated, and exits non-zero unless lost = duplicated = 0.
import { execSync } from "node:child_process";
import { Redis } from "ioredis";
import { createApiKey, createDb } from "@docgate/db";
import { makeDoc } from "../bench/corpus";
import { startStack } from "./stack.mjs";

const TOTAL = Number(process.env.DOCGATE_FAULT_DOCS ?? 400);
const CONCURRENCY = 16;
const BOUNDARY = "----docgate-faults";

const stack = await startStack({ name: "faults" });
const db = createDb(stack.env.DATABASE_URL, { max: 2 });
const redis = new Redis(process.env.REDIS_URL || "redis://127.0.0.1:6379");
let exitCode = 1;
try {
  const { row, secret } = await createApiKey(db, { name: "faults", role: "operator", rateLimitPerMinute: 100_000_000 });
  await db.apiKey.update({ where: { id: row.id }, data: { maxConcurrentJobs: 1_000_000 } });
  const accepted = new Set<string>();
  let refused = 0;
  let sent = 0;
  const faults: string[] = [];

  const submit = async (i: number) => {
    const doc = makeDoc("text1k", `fault-${i}`);
    const body = Buffer.concat([
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="document"; filename="${doc.filename}"\r\nContent-Type: text/plain\r\n\r\n`),
      Buffer.from(doc.bytes),
      Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
    ]);
    const response = await fetch(`${stack.baseUrl}/api/v1/process?wait=0`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
      body,
    }).catch(() => null);
    if (response && (response.status === 200 || response.status === 202)) accepted.add(((await response.json()) as { id: string }).id);
    else refused++;
  };

  const injectFaults = async () => {
    // 1. kill -9 the classification worker process mid-load (the supervisor restarts it;
    //    BullMQ's stalled-job recovery hands its tasks to the new one).
    while (sent < TOTAL * 0.3) await new Promise((r) => setTimeout(r, 50));
    const children = execSync(`ps -o pid=,args= --ppid ${stack.workers.pid}`).toString().trim().split("\n");
    const victim = children.find((line) => line.includes("worker-process") && line.includes("classification"));
    if (victim) {
      const pid = Number(victim.trim().split(/\s+/)[0]);
      process.kill(pid, "SIGKILL");
      faults.push(`kill -9 classification worker ${pid} after ${sent} documents`);
    }
    // 2. Redis loses everything of this Docgate (FLUSHALL, limited to our key prefix so other
    //    users of the same Redis are untouched): the reconciler rebuilds from Postgres.
    while (sent < TOTAL * 0.6) await new Promise((r) => setTimeout(r, 50));
    let cursor = "0";
    let deleted = 0;
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${stack.env.DOCGATE_REDIS_PREFIX}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== "0");
    faults.push(`deleted all ${deleted} Redis keys of this Docgate after ${sent} documents`);
  };

  const started = Date.now();
  const injector = injectFaults();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (sent < TOTAL) await submit(sent++);
  }));
  await injector;

  const deadline = Date.now() + 8 * 60_000;
  let completed = 0;
  for (;;) {
    completed = await db.job.count({ where: { id: { in: [...accepted] }, status: { in: ["succeeded", "partial", "failed", "cancelled"] } } });
    if (completed === accepted.size || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const succeeded = await db.job.count({ where: { id: { in: [...accepted] }, status: "succeeded" } });
  const perDocument = await db.job.groupBy({ by: ["filename"], where: { filename: { startsWith: "fault-" } }, _count: { _all: true } });
  const duplicated = perDocument.filter((g) => g._count._all > 1).length;
  const unfinishedTasks = await db.jobTask.count({ where: { jobId: { in: [...accepted] }, status: { in: ["queued", "running"] } } });
  const lost = accepted.size - completed;
  console.log([
    "",
    `faults: ${faults.join("; ")}`,
    `accepted ${accepted.size}, refused ${refused}, completed ${completed} (${succeeded} succeeded), lost ${lost}, duplicated ${duplicated}, unfinished tasks ${unfinishedTasks}, in ${Math.round((Date.now() - started) / 1000)} s`,
  ].join("\n"));
  exitCode = lost === 0 && duplicated === 0 && unfinishedTasks === 0 && accepted.size > 0 ? 0 : 1;
  console.log(exitCode === 0 ? "✓ every accepted job completed exactly once" : "✗ jobs were lost or duplicated");
} finally {
  redis.disconnect();
  await db.$disconnect();
  await stack.stop();
}
process.exit(exitCode);

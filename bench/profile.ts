// Profiling run: boots a Docgate whose processes count their SQL statements
// (DOCGATE_COUNT_QUERIES), sends N distinct 1 KB documents asynchronously, waits until every
// job is final and prints documents/s and the statement counts per process.
//   npx tsx bench/profile.ts [N=300] [concurrency=32]
import { createApiKey, createDb } from "@docgate/db";
import { makeDoc } from "./corpus";
import { startStack } from "../scripts/stack.mjs";

const N = Number(process.argv[2] ?? 300);
const CONCURRENCY = Number(process.argv[3] ?? 32);
const BOUNDARY = "----docgate-profile";

const stack = await startStack({ name: "profile", verbose: true, extraEnv: { DOCGATE_COUNT_QUERIES: "1" } });
const db = createDb(stack.env.DATABASE_URL, { max: 2 });
try {
  const { row, secret } = await createApiKey(db, { name: "profile", role: "operator", rateLimitPerMinute: 100_000_000 });
  await db.apiKey.update({ where: { id: row.id }, data: { maxConcurrentJobs: 1_000_000 } });
  let sent = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (sent < N) {
      const doc = makeDoc("text1k", `profile-${sent++}`);
      const body = Buffer.concat([
        Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="document"; filename="${doc.filename}"\r\nContent-Type: text/plain\r\n\r\n`),
        Buffer.from(doc.bytes),
        Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
      ]);
      const response = await fetch(`${stack.baseUrl}/api/v1/process?wait=0`, {
        method: "POST",
        headers: { authorization: `Bearer ${secret}`, "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
        body,
      });
      if (response.status !== 202 && response.status !== 200) console.log(`HTTP ${response.status}: ${await response.text()}`);
      else await response.arrayBuffer();
    }
  }));
  const intake = (performance.now() - t0) / 1000;
  for (;;) {
    const open = await db.job.count({ where: { finishedAt: null } });
    if (open === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const done = (performance.now() - t0) / 1000;
  console.log(`\n[profile] ${N} documents: intake ${(N / intake).toFixed(1)} req/s, all final after ${done.toFixed(1)} s = ${(N / done).toFixed(1)} documents/s`);
  await new Promise((r) => setTimeout(r, 11_000)); // one more round of the processes' statement counts
} finally {
  await db.$disconnect();
  await stack.stop();
}
process.exit(0);

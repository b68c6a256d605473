// Profiling run: boots a Docgate whose processes count their SQL statements
// (DOCGATE_COUNT_QUERIES), sends N distinct 1 KB documents asynchronously, waits until every
// job is final and prints documents/s and the statement counts per process.
//   npx tsx bench/profile.ts [N=300] [concurrency=32]
import { execSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createApiKey, createDb } from "@docgate/db";
import { MIXED_KINDS, makeDoc } from "./corpus";
import { startStack } from "../scripts/stack.mjs";

const N = Number(process.argv[2] ?? 300);
const CONCURRENCY = Number(process.argv[3] ?? 32);
const BOUNDARY = "----docgate-profile";
// BENCH_WAIT=30: synchronous requests (the answer waits for the job), to see where a request's time goes.
const WAIT_SECONDS = Number(process.env.BENCH_WAIT ?? 0);
// BENCH_KINDS=mixed: the benchmark's mixed corpus (1 KB, 10 KB, HTML, DOCX, 10-page PDF) in turn.
const KINDS = process.env.BENCH_KINDS === "mixed" ? MIXED_KINDS : (["text1k"] as const);
const timings: { jobId: string; sentAt: number; answeredAt: number }[] = [];

/** CPU seconds used so far by a process and its descendants, by command (robust to other load on the machine). */
function cpuByProcess(pid: number, into = new Map<string, number>()): Map<string, number> {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const seconds = (Number(fields[11]) + Number(fields[12])) / 100;
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    const name = args.some((a) => a.includes("worker-process")) ? `worker ${args.at(-1)}` : args.some((a) => a.includes("next")) ? "web" : args.some((a) => a.includes("workers/src/main")) ? "supervisor (aggregate, reconcile)" : args.slice(0, 2).join(" ");
    into.set(name, (into.get(name) ?? 0) + seconds);
    const children = execSync(`ps -o pid= --ppid ${pid} || true`).toString().split(/\s+/).filter(Boolean).map(Number);
    for (const child of children) cpuByProcess(child, into);
  } catch {
    // the process ended
  }
  return into;
}

/** CPU seconds of every process of a program on the machine (Postgres backends, redis-server): shared servers, so others' work counts too. */
function cpuOfProgram(name: string): number {
  const out = execSync(`ps -C ${name} -o pid= || true`).toString().split(/\s+/).filter(Boolean);
  let seconds = 0;
  for (const pid of out) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      seconds += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // ended
    }
  }
  return seconds;
}

/** Calls per Redis command since the server started (INFO commandstats; Lua scripts' inner calls included). */
function redisCommandCounts(): Map<string, number> {
  const info = execSync(`redis-cli -u ${JSON.stringify(process.env.REDIS_URL ?? "redis://127.0.0.1:6379")} INFO commandstats`).toString();
  return new Map([...info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((m) => [m[1]!, Number(m[2])]));
}

/** Median of each step of a request, from the client's clock and the rows' timestamps (same machine). */
async function printLatencyBreakdown() {
  const rows = await db.$queryRaw<{ id: string; created: Date; firstStart: Date; lastFinish: Date; finished: Date }[]>`
    SELECT j."id", j."createdAt" AS "created", min(t."startedAt") AS "firstStart", max(t."finishedAt") AS "lastFinish", j."finishedAt" AS "finished"
    FROM "Job" j JOIN "JobTask" t ON t."jobId" = j."id" WHERE j."id" = ANY(${timings.map((t) => t.jobId)}::text[]) GROUP BY j."id"`;
  const byId = new Map(rows.map((r) => [r.id, r]));
  const steps: Record<string, number[]> = { "request → job row": [], "job row → first task start": [], "first start → last task end": [], "last task end → job closed": [], "job closed → answer": [], "whole request": [] };
  for (const t of timings) {
    const r = byId.get(t.jobId);
    if (!r) continue;
    steps["request → job row"]!.push(r.created.getTime() - t.sentAt);
    steps["job row → first task start"]!.push(r.firstStart.getTime() - r.created.getTime());
    steps["first start → last task end"]!.push(r.lastFinish.getTime() - r.firstStart.getTime());
    steps["last task end → job closed"]!.push(r.finished.getTime() - r.lastFinish.getTime());
    steps["job closed → answer"]!.push(t.answeredAt - r.finished.getTime());
    steps["whole request"]!.push(t.answeredAt - t.sentAt);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  // Timestamps are whole milliseconds: the mean shows what the median rounds away.
  const mean = (xs: number[]) => (xs.length ? (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1) : "NaN");
  const tasks = await db.$queryRaw<{ service: string; queued: number; ran: number; inside: number }[]>`
    SELECT t."service", extract(epoch FROM t."startedAt" - j."createdAt") * 1000 AS "queued",
           extract(epoch FROM t."finishedAt" - t."startedAt") * 1000 AS "ran", t."durationMs" AS "inside"
    FROM "JobTask" t JOIN "Job" j ON j."id" = t."jobId" WHERE j."id" = ANY(${timings.map((t) => t.jobId)}::text[])`;
  for (const service of new Set(tasks.map((t) => t.service))) {
    const mine = tasks.filter((t) => t.service === service);
    steps[`${service}: job row → task start`] = mine.map((t) => Number(t.queued));
    steps[`${service}: task start → result written`] = mine.map((t) => Number(t.ran));
    steps[`${service}: cache + tool call (durationMs)`] = mine.map((t) => Number(t.inside));
  }
  console.log(`\n[profile] median (mean) per step, ms; "answer" is only meaningful with BENCH_WAIT:\n${Object.entries(steps).map(([k, xs]) => `  ${k}: ${median(xs)} (${mean(xs)})`).join("\n")}`);
}

const stack = await startStack({ name: "profile", verbose: true, extraEnv: {
  ...(process.env.BENCH_SIGNAL ? {} : { DOCGATE_COUNT_QUERIES: "1" }),
  // e.g. BENCH_NODE_OPTIONS="--require /path/to/hook.cjs": a preloaded profiler started and stopped by SIGUSR2 (see BENCH_SIGNAL)
  ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
} });
const db = createDb(stack.env.DATABASE_URL, { max: 2 });
try {
  const { row, secret } = await createApiKey(db, { name: "profile", role: "operator", rateLimitPerMinute: 100_000_000 });
  await db.apiKey.update({ where: { id: row.id }, data: { maxConcurrentJobs: 1_000_000 } });
  // BENCH_WORKER_CONCURRENCY=8: both services' concurrency for this run (applied live, as an admin would).
  if (process.env.BENCH_WORKER_CONCURRENCY) {
    for (const name of ["classification", "quality"]) {
      const response = await fetch(`${stack.baseUrl}/api/v1/services/${name}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${stack.env.DOCGATE_BOOTSTRAP_API_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ concurrency: Number(process.env.BENCH_WORKER_CONCURRENCY) }),
      });
      if (!response.ok) throw new Error(`PATCH ${name}: ${response.status}`);
    }
    await new Promise((r) => setTimeout(r, 4_000)); // the workers re-read their settings every 3 s at most
  }
  let sent = 0;
  const cpuBefore = new Map([...cpuByProcess(stack.web.pid!), ...cpuByProcess(stack.workers.pid!)]);
  const signalAll = () => {
    if (!process.env.BENCH_SIGNAL) return;
    const pids = execSync(`ps -o pid= --ppid ${stack.workers.pid} || true; ps -o pid= --ppid ${stack.web.pid} || true`).toString().split(/\s+/).filter(Boolean).map(Number);
    for (const pid of [stack.web.pid!, stack.workers.pid!, ...pids]) {
      try {
        process.kill(pid, process.env.BENCH_SIGNAL as NodeJS.Signals);
      } catch {
        // gone
      }
    }
  };
  const redisBefore = redisCommandCounts();
  const serversBefore = { postgres: cpuOfProgram("postgres"), redis: cpuOfProgram("redis-server") };
  signalAll();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (sent < N) {
      const doc = makeDoc(KINDS[sent % KINDS.length]!, `profile-${sent++}`);
      const body = Buffer.concat([
        Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="document"; filename="${doc.filename}"\r\nContent-Type: ${doc.mimeType}\r\n\r\n`),
        Buffer.from(doc.bytes),
        Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
      ]);
      const sentAt = Date.now();
      const response = await fetch(`${stack.baseUrl}/api/v1/process?wait=${WAIT_SECONDS}`, {
        method: "POST",
        headers: { authorization: `Bearer ${secret}`, "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
        body,
      });
      if (response.status !== 202 && response.status !== 200) console.log(`HTTP ${response.status}: ${await response.text()}`);
      else {
        const answer = (await response.json()) as { id: string };
        timings.push({ jobId: answer.id, sentAt, answeredAt: Date.now() });
      }
    }
  }));
  const intake = (performance.now() - t0) / 1000;
  for (;;) {
    const open = await db.job.count({ where: { finishedAt: null } });
    if (open === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const done = (performance.now() - t0) / 1000;
  signalAll();
  const cpuAfter = new Map([...cpuByProcess(stack.web.pid!), ...cpuByProcess(stack.workers.pid!)]);
  const cpuLines = [...cpuAfter].map(([name, s]) => `  ${name}: ${(((s - (cpuBefore.get(name) ?? 0)) * 1000) / N).toFixed(2)} ms CPU per document`);
  // Postgres backends that ended during the run take their CPU with them: a lower bound.
  for (const server of ["postgres", "redis"] as const) {
    const seconds = cpuOfProgram(server === "redis" ? "redis-server" : "postgres") - serversBefore[server];
    cpuLines.push(`  ${server} server (whole machine, lower bound): ${((seconds * 1000) / N).toFixed(2)} ms CPU per document`);
  }
  const total = [...cpuAfter].reduce((sum, [name, s]) => sum + s - (cpuBefore.get(name) ?? 0), 0);
  console.log(`\n[profile] CPU per document (ours, not Postgres/Redis): ${((total * 1000) / N).toFixed(2)} ms\n${cpuLines.join("\n")}`);
  await printLatencyBreakdown();
  const redisAfter = redisCommandCounts();
  const redisPerDoc = [...redisAfter].map(([cmd, n]) => [cmd, (n - (redisBefore.get(cmd) ?? 0)) / N] as const).filter(([, n]) => n >= 0.05).sort((a, b) => b[1] - a[1]);
  console.log(`\n[profile] Redis commands per document (whole server): ${redisPerDoc.reduce((s, [, n]) => s + n, 0).toFixed(1)} — ${redisPerDoc.map(([c, n]) => `${c} ${n.toFixed(1)}`).join(", ")}`);
  console.log(`\n[profile] ${N} documents: intake ${(N / intake).toFixed(1)} req/s, all final after ${done.toFixed(1)} s = ${(N / done).toFixed(1)} documents/s`);
  await new Promise((r) => setTimeout(r, 11_000)); // one more round of the processes' statement counts
} finally {
  await db.$disconnect();
  await stack.stop();
}
process.exit(0);

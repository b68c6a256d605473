// Faults survived (`npm run test:faults`). One Docgate of its own, on a private Postgres server
// (so stopping the database touches nobody else), goes through, in turn:
//   1. kill -9 of a worker process and the loss of every Redis key of this Docgate, under load;
//   2. a web restart (SIGTERM, new process on the same port) while clients wait synchronously,
//      then a web crash (kill -9) while they wait: they send again with their Idempotency-Key;
//   3. Postgres stopped for 10 s under load: 503 with Retry-After, no process exits, all recovers.
// Each reports accepted, completed, lost and duplicated; the run fails unless lost = duplicated = 0.
//   DOCGATE_FAULT_DOCS=2000 npm run test:faults        (documents in the kill/wipe load; 600 at most in the Postgres one)
import { execSync } from "node:child_process";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { createApiKey, createDb } from "@docgate/db";
import { serviceQueueName, taskJobId } from "@docgate/orchestrator";
import { makeDoc } from "../bench/corpus";
import { startPrivatePostgres } from "./private-postgres";
import { deleteRedisPrefix } from "./redis-prefix.mjs";
import { startStack } from "./stack.mjs";

const TOTAL = Number(process.env.DOCGATE_FAULT_DOCS ?? 2000);
const CONCURRENCY = 16;
const POSTGRES_DOWN_MS = 10_000;
const BOUNDARY = "----docgate-faults";
const FINAL = ["succeeded", "partial", "failed", "cancelled"];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Report = { fault: string; accepted: number; completed: number; succeeded: number; lost: number; duplicated: number; notes: string[]; seconds: number };

const pg = await startPrivatePostgres();
const stack = await startStack({ name: "faults", adminUrl: pg.url, verbose: Boolean(process.env.DOCGATE_FAULTS_VERBOSE) });
const db = createDb(stack.env.DATABASE_URL, { max: 2 });
const redisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const adminKey = stack.env.DOCGATE_BOOTSTRAP_API_KEY;
const reports: Report[] = [];
let exitCode = 1;

function body(filename: string): Buffer {
  const doc = makeDoc("text1k", filename.replace(/\.txt$/, ""));
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="document"; filename="${filename}"\r\nContent-Type: text/plain\r\n\r\n`),
    Buffer.from(doc.bytes),
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

async function post(key: string, filename: string, wait: number, idempotencyKey?: string) {
  const response = await fetch(`${stack.baseUrl}/api/v1/process?wait=${wait}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${key}`, "content-type": `multipart/form-data; boundary=${BOUNDARY}`,
      ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}),
    },
    body: new Uint8Array(body(filename)),
  });
  const json = (await response.json().catch(() => null)) as { id?: string } | null;
  return {
    status: response.status, id: json?.id, retryAfter: response.headers.get("retry-after"), location: response.headers.get("location"),
    replayed: response.headers.get("idempotent-replayed") === "true",
  };
}

/** Waits until every job is final (or the deadline passes); counts what happened to them. */
async function settle(fault: string, ids: Set<string>, tag: string, started: number, notes: string[]): Promise<Report> {
  const deadline = Date.now() + 3 * 60_000;
  let completed = 0;
  for (;;) {
    completed = await db.job.count({ where: { id: { in: [...ids] }, status: { in: FINAL as never } } });
    if (completed === ids.size || Date.now() > deadline) break;
    await sleep(500);
  }
  const succeeded = await db.job.count({ where: { id: { in: [...ids] }, status: "succeeded" } });
  // Every document was sent once (a retry after a refusal carries the same name): more than one job is a duplicate.
  const perDocument = await db.job.groupBy({ by: ["filename"], where: { filename: { startsWith: `${tag}-` } }, _count: { _all: true } });
  const duplicated = perDocument.filter((g) => g._count._all > 1).length;
  const unfinishedTasks = await db.jobTask.count({ where: { jobId: { in: [...ids] }, status: { in: ["queued", "running"] } } });
  if (unfinishedTasks) notes.push(`${unfinishedTasks} task(s) unfinished`);
  if (completed < ids.size) notes.push(...(await describeStuck(ids)));
  const report = { fault, accepted: ids.size, completed, succeeded, lost: ids.size - completed + unfinishedTasks, duplicated, notes, seconds: Math.round((Date.now() - started) / 1000) };
  reports.push(report);
  console.log(`\n[${fault}] ${notes.join("; ")}\n[${fault}] accepted ${report.accepted}, completed ${completed} (${succeeded} succeeded), lost ${report.lost}, duplicated ${duplicated}, in ${report.seconds} s`);
  return report;
}

/** What Postgres and Redis say about jobs that never finished (to find the hole). */
async function describeStuck(ids: Set<string>): Promise<string[]> {
  const stuck = await db.job.findMany({ where: { id: { in: [...ids] }, status: { notIn: FINAL as never } }, include: { tasks: true }, take: 5 });
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const queue = (name: string) => new Queue(name, { connection, prefix: stack.env.DOCGATE_REDIS_PREFIX });
  const lines: string[] = [];
  for (const job of stuck) {
    const tasks = await Promise.all(job.tasks.map(async (t) => `${t.service}=${t.status}/attempts ${t.attempts}/queue ${await queue(serviceQueueName(t.service)).getJobState(taskJobId(t.id))}`));
    lines.push(`stuck job ${job.id} (${job.status}, created ${job.createdAt.toISOString()}, enqueued ${job.enqueuedAt?.toISOString() ?? "never"}): ${tasks.join(", ")}`);
  }
  connection.disconnect();
  return lines;
}

/** The worker processes the supervisor runs now (pid and service). */
function workerProcesses(): { pid: number; service: string }[] {
  return execSync(`ps -o pid=,args= --ppid ${stack.workers.pid} || true`).toString().trim().split("\n").filter((l) => l.includes("worker-process"))
    .map((line) => ({ pid: Number(line.trim().split(/\s+/)[0]), service: line.trim().split(/\s+/).at(-1)! }));
}
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function patchService(name: string, patch: Record<string, unknown>) {
  const response = await fetch(`${stack.baseUrl}/api/v1/services/${name}`, {
    method: "PATCH", headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" }, body: JSON.stringify(patch),
  });
  if (!response.ok) throw new Error(`PATCH /api/v1/services/${name} → ${response.status} ${await response.text()}`);
}

// 1. kill -9 a worker and wipe Redis under load.
async function killAndWipe(key: string) {
  const tag = "kill";
  const accepted = new Set<string>();
  const notes: string[] = [];
  let sent = 0;
  let refused = 0;
  const started = Date.now();
  const injector = (async () => {
    // The supervisor restarts the worker; BullMQ's stalled-job recovery hands its tasks on.
    while (sent < TOTAL * 0.3) await sleep(50);
    const victim = workerProcesses().find((w) => w.service === "classification");
    if (victim) {
      process.kill(victim.pid, "SIGKILL");
      notes.push(`kill -9 classification worker ${victim.pid} after ${sent} documents`);
    }
    // Redis loses everything of this Docgate, while writes go on: the reconciler rebuilds from Postgres.
    while (sent < TOTAL * 0.6) await sleep(50);
    notes.push(`deleted all ${await deleteRedisPrefix(redisUrl, stack.env.DOCGATE_REDIS_PREFIX)} Redis keys of this Docgate after ${sent} documents`);
  })();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (sent < TOTAL) {
      const filename = `${tag}-${sent++}.txt`;
      const r = await post(key, filename, 0).catch(() => null);
      if (r?.id && (r.status === 200 || r.status === 202)) accepted.add(r.id);
      else refused++;
    }
  }));
  await injector;
  if (refused) notes.push(`${refused} request(s) refused`);
  await settle("kill -9 worker + Redis wiped", accepted, tag, started, notes);
}

/** Once every client's job exists (or 30 s passed): how many of them are still unfinished. */
async function clientsWaiting(tag: string, clients: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  while ((await db.job.count({ where: { filename: { startsWith: `${tag}-` } } })) < clients && Date.now() < deadline) await sleep(100);
  return db.job.count({ where: { filename: { startsWith: `${tag}-` }, finishedAt: null } });
}

// 2. Restart the web process while clients wait synchronously.
async function restartWeb(key: string) {
  const tag = "restart";
  const notes: string[] = [];
  const started = Date.now();
  const clients = 8;
  // Classification is paused, so the jobs stay unfinished and their clients keep waiting.
  await patchService("classification", { paused: true });
  const answers = Array.from({ length: clients }, (_, i) => post(key, `${tag}-${i}.txt`, 120).catch((error: Error) => ({ status: 0, id: undefined, retryAfter: null, location: null, error })));
  const waiting = await clientsWaiting(tag, clients);
  const oldPid = stack.web.pid;
  await stack.restartWeb();
  notes.push(`web ${oldPid} restarted as ${stack.web.pid} while ${waiting} of ${clients} clients waited`);
  if (waiting === 0) notes.push("no client was still waiting at the restart: inconclusive");
  const results = await Promise.all(answers);
  await patchService("classification", { paused: false });
  const accepted = new Set<string>();
  for (const r of results) {
    if (r.id && (r.status === 200 || r.status === 202)) accepted.add(r.id);
  }
  const statuses = results.map((r) => r.status).join(", ");
  notes.push(`answers: ${statuses}`);
  // As a client would: fetch each job from the new process until it is final.
  const end = Date.now() + 120_000;
  for (const id of accepted) {
    while (Date.now() < end) {
      const job = (await (await fetch(`${stack.baseUrl}/api/v1/jobs/${id}`, { headers: { authorization: `Bearer ${key}` } })).json()) as { status?: string };
      if (job.status && FINAL.includes(job.status)) break;
      await sleep(250);
    }
  }
  const report = await settle("web restarted during sync waits", accepted, tag, started, notes);
  // A client that got no job id has lost its job, whatever happened to it inside.
  report.lost += clients - accepted.size;
  if (waiting === 0) report.lost = Math.max(report.lost, 1);
}

// 2b. The web process crashes (kill -9) while clients wait synchronously. Their connections
// break without an answer; each sends the same request again with its Idempotency-Key, as a
// careful client does, and gets the job its first request made (not a second one).
async function crashWeb(key: string) {
  const tag = "crash";
  const notes: string[] = [];
  const started = Date.now();
  const clients = 8;
  await patchService("classification", { paused: true });
  const send = (i: number) => post(key, `${tag}-${i}.txt`, 120, `fault-${tag}-${i}`);
  const first = Array.from({ length: clients }, (_, i) => send(i).then((r) => ({ ...r, broken: false }), () => ({ broken: true })));
  const waiting = await clientsWaiting(tag, clients);
  const oldPid = stack.web.pid;
  await stack.restartWeb({ crash: true });
  notes.push(`web ${oldPid} killed (-9) and replaced by ${stack.web.pid} while ${waiting} of ${clients} clients waited`);
  const firstAnswers = await Promise.all(first);
  const broken = firstAnswers.filter((a) => a.broken).length;
  notes.push(`${broken} of ${clients} connections broke without an answer`);
  if (waiting === 0 || broken === 0) notes.push("no client lost its answer to the crash: inconclusive");
  await patchService("classification", { paused: false });
  // Every client asks again with its key (the new process is up: restartWeb waited for it).
  const again = await Promise.all(Array.from({ length: clients }, (_, i) => send(i).catch(() => null)));
  const accepted = new Set<string>();
  for (const r of again) if (r?.id && (r.status === 200 || r.status === 202)) accepted.add(r.id);
  notes.push(`retried with the same keys: ${again.map((r) => `${r?.status ?? "error"}${r?.replayed ? " (replayed)" : ""}`).join(", ")}`);
  const report = await settle("web killed (-9) during sync waits, clients retry", accepted, tag, started, notes);
  report.lost += clients - accepted.size;
  if (waiting === 0 || broken === 0) report.lost = Math.max(report.lost, 1);
}

// 3. Stop Postgres for 10 s under load.
async function stopPostgres(key: string) {
  const tag = "pgstop";
  const total = Math.min(TOTAL, 600);
  const notes: string[] = [];
  const accepted = new Set<string>();
  const badAnswers: string[] = [];
  let unavailable = 0;
  let sent = 0;
  let outage = false;
  const started = Date.now();
  const injector = (async () => {
    while (sent < total * 0.3) await sleep(50);
    const before = { web: stack.web.pid!, workers: stack.workers.pid!, children: workerProcesses().map((w) => w.pid) };
    pg.stop();
    outage = true;
    const stoppedAt = Date.now();
    // While it is down: the gateway answers 503 with Retry-After, and keeps answering.
    const probe = await post(key, `${tag}-probe.txt`, 0).catch(() => null);
    notes.push(`probe during the outage: ${probe?.status ?? "no answer"}${probe?.retryAfter ? ` Retry-After ${probe.retryAfter}` : ""}`);
    if (probe?.status !== 503 || !probe.retryAfter) badAnswers.push(`probe ${probe?.status}`);
    const health = await fetch(`${stack.baseUrl}/api/health`).then((r) => r.status, () => 0);
    notes.push(`/api/health during the outage: ${health}`);
    await sleep(Math.max(0, POSTGRES_DOWN_MS - (Date.now() - stoppedAt)));
    pg.start();
    outage = false;
    notes.push(`Postgres stopped for ${Math.round((Date.now() - stoppedAt) / 1000)} s after ${sent} documents`);
    return before;
  })();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (sent < total) {
      const filename = `${tag}-${sent++}.txt`;
      // A well-behaved client: on 503 it waits as told (at most 1 s here) and sends the same document again.
      for (let attempt = 0; attempt < 120; attempt++) {
        const r = await post(key, filename, 0).catch((error: Error) => ({ status: 0, id: undefined, retryAfter: null, location: null, error }));
        if (r.id && (r.status === 200 || r.status === 202)) {
          accepted.add(r.id);
          break;
        }
        if (r.status === 503 && r.retryAfter) {
          unavailable++;
          await sleep(Math.min(1_000, Number(r.retryAfter) * 1000));
          continue;
        }
        badAnswers.push(`${r.status}${outage ? " (during the outage)" : ""}`);
        await sleep(500);
      }
    }
  }));
  const before = await injector;
  const exited = [before.web, before.workers, ...before.children].filter((pid) => !alive(pid));
  notes.push(`${unavailable} answer(s) 503 with Retry-After`);
  if (badAnswers.length) notes.push(`other answers: ${[...new Set(badAnswers)].join(", ")} (${badAnswers.length})`);
  notes.push(exited.length ? `processes exited: ${exited.join(", ")}` : "no process exited");
  const report = await settle("Postgres stopped for 10 s", accepted, tag, started, notes);
  // An exit, or an answer other than 2xx / 503 with Retry-After, fails this fault.
  if (exited.length || badAnswers.length) report.lost = Math.max(report.lost, 1);
}

try {
  const { row, secret } = await createApiKey(db, { name: "faults", role: "operator", rateLimitPerMinute: 100_000_000 });
  await db.apiKey.update({ where: { id: row.id }, data: { maxConcurrentJobs: 1_000_000 } });
  const only = process.argv.slice(2);
  const faults = { kill: killAndWipe, restart: restartWeb, crash: crashWeb, postgres: stopPostgres };
  for (const [name, run] of Object.entries(faults)) {
    if (only.length === 0 || only.includes(name)) await run(secret);
  }
  console.log("\n| fault | accepted | completed | lost | duplicated | seconds |\n|---|---|---|---|---|---|");
  for (const r of reports) console.log(`| ${r.fault} | ${r.accepted} | ${r.completed} | ${r.lost} | ${r.duplicated} | ${r.seconds} |`);
  exitCode = reports.every((r) => r.lost === 0 && r.duplicated === 0 && r.accepted > 0) ? 0 : 1;
  console.log(exitCode === 0 ? "✓ every accepted job completed exactly once" : "✗ jobs were lost or duplicated, or a fault was not survived");
} finally {
  await db.$disconnect();
  await stack.stop();
  pg.destroy();
}
process.exit(exitCode);

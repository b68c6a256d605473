import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, verifyAuditChain } from "@docgate/db";
import { jobChannel } from "@docgate/orchestrator";
import { makeDocx, makeHtml, makePdf, SAMPLE_TEXT } from "../../../packages/mcp/test/fixtures";
import { HealthSchema, JobSchema } from "~/server/api-schemas";
import { serverContext } from "~/server/context";
import { stopping } from "~/server/stopping";
import { BOOTSTRAP_KEY, eventually, form, get, held, post, REDIS_URL, startHarness, type Harness } from "./harness";

let harness: Harness;
let POST: (r: Request) => Promise<Response>;
let GET_JOB: (r: Request, c: { params: Promise<{ id: string }> }) => Promise<Response>;
let GET_EVENTS: (r: Request, c: { params: Promise<{ id: string }> }) => Promise<Response>;
let GET_HEALTH: () => Promise<Response>;

const MAX_UPLOAD = 200_000;

beforeAll(async () => {
  harness = await startHarness({ maxUploadBytes: MAX_UPLOAD });
  POST = (await import("~/app/api/v1/process/route")).POST;
  GET_JOB = (await import("~/app/api/v1/jobs/[id]/route")).GET;
  GET_EVENTS = (await import("~/app/api/v1/jobs/[id]/events/route")).GET;
  GET_HEALTH = (await import("~/app/api/health/route")).GET;
});

afterAll(async () => {
  await harness?.stop();
});

const params = (id: string) => ({ params: Promise.resolve({ id }) });

/** A registered service nothing serves: its jobs stay queued, so only the caller can end a wait. */
async function withIdleService(fn: () => Promise<void>) {
  const { db } = harness.database;
  const { invalidateCatalog } = await import("~/server/mcp/catalog");
  await db.service.upsert({
    where: { name: "idle" },
    create: { name: "idle", kind: "external", url: "http://127.0.0.1:9/mcp", tools: [{ name: "echo", inputSchema: { type: "object" } }] },
    update: { enabled: true },
  });
  invalidateCatalog();
  try {
    await fn();
  } finally {
    await db.job.updateMany({ where: { services: { has: "idle" } }, data: { status: "cancelled", finishedAt: new Date() } });
    await db.service.update({ where: { name: "idle" }, data: { enabled: false } });
    invalidateCatalog();
  }
}

describe("POST /api/v1/process", () => {
  it("runs classification and quality on a PDF and answers with the aggregated job", async () => {
    const pdf = makePdf([SAMPLE_TEXT, "The second page discusses the committee's findings in more detail."]);
    const response = await POST(post("/api/v1/process", form({ document: { bytes: pdf, filename: "report.pdf" }, services: ["classification", "quality"] })));
    expect(response.status).toBe(200);
    const job = JobSchema.parse(await response.json());
    expect(job.status).toBe("succeeded");
    expect(job.document).toMatchObject({ filename: "report.pdf", mimeType: "application/pdf", pages: 2, sizeBytes: pdf.byteLength });

    const classification = job.results.classification!;
    expect(classification.status).toBe("succeeded");
    const c = classification.output as { label: string; confidence: number; scores: { label: string; score: number }[]; taxonomy: string; model: { id: string; version: number } };
    expect(typeof c.label).toBe("string");
    expect(c.confidence).toBeGreaterThan(0);
    expect(c.confidence).toBeLessThanOrEqual(1);
    expect(c.scores[0]!.label).toBe(c.label);
    expect(c.taxonomy).toBe("genre");
    expect(c.model.version).toBe(1);

    const q = job.results.quality!.output as { score: number; grade: string; metrics: { words: number; pages: number } };
    expect(q.score).toBeGreaterThanOrEqual(0);
    expect(q.score).toBeLessThanOrEqual(100);
    expect(q.metrics.pages).toBe(2);
    expect(q.metrics.words).toBeGreaterThan(20);

    // Postgres holds the same result, with the audit row of the submission.
    const { db } = harness.database;
    const tasks = await db.jobTask.findMany({ where: { jobId: job.id } });
    expect(tasks.map((t) => t.status).sort()).toEqual(["succeeded", "succeeded"]);
    expect(await db.auditLog.count({ where: { action: "job.create", target: job.id } })).toBe(1);
    // The row Postgres hashed (see submitJob) links into the tamper-evident chain like any other.
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, firstBrokenId: null });
    const doc = await db.document.findUniqueOrThrow({ where: { id: job.document.id } });
    expect(doc.text).toContain("committee");
  });

  it("runs every enabled built-in service when none is named, on HTML and DOCX", async () => {
    for (const [bytes, filename, mimeType] of [
      [makeHtml(`<h1>Minutes</h1><p>${SAMPLE_TEXT}</p>`), "minutes.html", "text/html"],
      [makeDocx(`${SAMPLE_TEXT} This copy was written in a word processor.`), "minutes.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
    ] as const) {
      const response = await POST(post("/api/v1/process", form({ document: { bytes, filename } })));
      expect(response.status).toBe(200);
      const job = JobSchema.parse(await response.json());
      expect(job.document.mimeType).toBe(mimeType);
      expect(Object.keys(job.results).sort()).toEqual(["classification", "quality"]);
      expect(job.status).toBe("succeeded");
    }
  });

  it("answers 202 with a Location for wait=0, and the job can be fetched and streamed", async () => {
    const text = `${SAMPLE_TEXT} Asynchronous copy ${Date.now()}.`;
    const response = await POST(post("/api/v1/process?wait=0", form({ document: { bytes: text, filename: "notes.txt" }, services: ["quality"] })));
    expect(response.status).toBe(202);
    const location = response.headers.get("location")!;
    const accepted = JobSchema.parse(await response.json());
    expect(location).toBe(`/api/v1/jobs/${accepted.id}`);

    const events = await GET_EVENTS(get(`${location}/events`), params(accepted.id));
    expect(events.headers.get("content-type")).toBe("text/event-stream");
    const streamed = await new Response(events.body).text(); // the stream ends when the job is final
    const snapshots = streamed.split("\n\n").filter((block) => block.startsWith("event: job"));
    const last = JSON.parse(snapshots.at(-1)!.split("\ndata: ")[1]!) as { status: string };
    expect(last.status).toBe("succeeded");

    const fetched = await GET_JOB(get(location), params(accepted.id));
    expect(fetched.status).toBe(200);
    const job = JobSchema.parse(await fetched.json());
    expect(job.results.quality!.status).toBe("succeeded");
  });

  it("records when each task started and its attempt, whether or not a statement marked it running first", async () => {
    const text = `${SAMPLE_TEXT} Timed copy ${Date.now()}.`;
    const response = await POST(post("/api/v1/process?wait=30", form({ document: { bytes: text, filename: "timed.txt" }, services: ["classification", "quality"] })));
    const job = JobSchema.parse(await response.json());
    expect(job.status).toBe("succeeded");
    const row = await harness.database.db.job.findUniqueOrThrow({ where: { id: job.id }, include: { tasks: true } });
    for (const task of row.tasks) {
      expect(task).toMatchObject({ status: "succeeded", attempts: 1 });
      expect(task.startedAt!.getTime()).toBeLessThanOrEqual(task.finishedAt!.getTime());
    }
    expect(row.startedAt!.getTime()).toBe(Math.min(...row.tasks.map((t) => t.startedAt!.getTime())));
  });

  it("answers a repeated document from the cache", async () => {
    const text = `${SAMPLE_TEXT} Cached copy ${Date.now()}.`;
    const first = JobSchema.parse(await (await POST(post("/api/v1/process", form({ document: { bytes: text, filename: "a.txt" } })))).json());
    const second = JobSchema.parse(await (await POST(post("/api/v1/process", form({ document: { bytes: text, filename: "b.txt" } })))).json());
    expect(first.results.classification!.cached).toBe(false);
    expect(second.results.classification!.cached).toBe(true);
    expect(second.results.quality!.cached).toBe(true);
    expect(second.results.classification!.output).toEqual(first.results.classification!.output);
    expect(second.document.id).toBe(first.document.id);
    expect(second.document.filename).toBe("b.txt");
  });

  it("answers a repeated Idempotency-Key with the same job, and refuses the key for another request", async () => {
    const text = `${SAMPLE_TEXT} Idempotent copy ${Date.now()}.`;
    const send = (key: string, body: FormData, apiKey = BOOTSTRAP_KEY, wait = 0) => {
      const request = post(`/api/v1/process?wait=${wait}`, body, apiKey);
      request.headers.set("idempotency-key", key);
      return POST(request);
    };
    const key = `upload-${Date.now()}`;
    // Two at once (a client retrying before its first answer came back) and one later: one job.
    const [a, b] = await Promise.all([send(key, form({ document: { bytes: text, filename: "a.txt" } })), send(key, form({ document: { bytes: text, filename: "a.txt" } }))]);
    const later = await send(key, form({ document: { bytes: text, filename: "a.txt" } }), BOOTSTRAP_KEY, 30);
    const ids = await Promise.all([a, b, later].map(async (r) => JobSchema.parse(await r.json()).id));
    expect(new Set(ids).size).toBe(1);
    expect([a, b].map((r) => r.headers.get("idempotent-replayed")).sort()).toEqual([null, "true"]);
    expect(later.status).toBe(200); // it waited for the job like a first request would
    expect(later.headers.get("idempotent-replayed")).toBe("true");
    const { db } = harness.database;
    expect(await db.job.count({ where: { id: ids[0] } })).toBe(1);
    expect(await db.auditLog.count({ where: { action: "job.create", target: ids[0] } })).toBe(1);

    // The same key with another document or other services is a client error; nothing new is made.
    const jobsBefore = await db.job.count();
    const documentsBefore = await db.document.count();
    const other = await send(key, form({ document: { bytes: `${text} changed`, filename: "a.txt" } }));
    expect(other.status).toBe(422);
    expect((await other.json()).error.code).toBe("idempotency_key_reused");
    expect(await db.document.count()).toBe(documentsBefore); // the refused document is not kept
    const fewer = await send(key, form({ document: { bytes: text, filename: "a.txt" }, services: ["quality"] }));
    expect(fewer.status).toBe(422);
    expect(await db.job.count()).toBe(jobsBefore);

    // Keys belong to their caller: another API key's identical key is another job.
    const { secret } = await createApiKey(db, { name: "idempotency", role: "operator" });
    const theirs = JobSchema.parse(await (await send(key, form({ document: { bytes: text, filename: "a.txt" } }), secret)).json());
    expect(theirs.id).not.toBe(ids[0]);

    // A replay is not a new job: a key whose daily quota its first request used up still gets its job.
    const quota = await createApiKey(db, { name: "one a day", role: "operator", dailyDocumentQuota: 1 });
    const once = `${text} once a day`;
    const first = JobSchema.parse(await (await send("daily", form({ document: { bytes: once, filename: "a.txt" } }), quota.secret)).json());
    const replay = await send("daily", form({ document: { bytes: once, filename: "a.txt" } }), quota.secret);
    expect([200, 202]).toContain(replay.status); // 200 once the job has finished
    expect(JobSchema.parse(await replay.json()).id).toBe(first.id);
    expect((await send("daily-2", form({ document: { bytes: `${once} more`, filename: "a.txt" } }), quota.secret)).status).toBe(429);

    const bad = await send("has spaces in it", form({ document: { bytes: text, filename: "a.txt" } }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe("invalid_idempotency_key");
  });

  it("fails the task, not the process, for a document that passes sniffing but cannot be read", async () => {
    // A valid zip that is not a Word document is refused at the door; here the PDF opens but has a broken page stream.
    const broken = new TextEncoder().encode(new TextDecoder("latin1").decode(makePdf(["Readable page one."])).replace("/Contents", "/Contents 99 0 R /X"));
    const response = await POST(post("/api/v1/process", form({ document: { bytes: broken, filename: "odd.pdf" } })));
    expect([200, 422]).toContain(response.status);
    // Whatever happened to that document, the workers still serve the next one.
    const ok = await POST(post("/api/v1/process", form({ document: { bytes: `${SAMPLE_TEXT} after ${Date.now()}`, filename: "next.txt" } })));
    expect(JobSchema.parse(await ok.json()).status).toBe("succeeded");
  });
});

describe("a synchronous wait and the process-long stopping() signal", () => {
  it("listens to it only while the request waits, and leaves nothing on it after", async () => {
    const stop = stopping();
    const before = held(stop);
    for (let i = 0; i < 3; i++) {
      const response = await POST(post("/api/v1/process?wait=30", form({ document: { bytes: `${SAMPLE_TEXT} Held ${i} ${Date.now()}.`, filename: "held.txt" }, services: ["quality"] })));
      expect(response.status).toBe(200);
    }
    expect(held(stop)).toEqual(before);

    await withIdleService(async () => {
      const client = new AbortController();
      const answer = POST(new Request("http://127.0.0.1/api/v1/process?wait=60", {
        method: "POST",
        body: form({ document: { bytes: `${SAMPLE_TEXT} Hung up ${Date.now()}.`, filename: "idle.txt" }, services: ["idle"] }),
        headers: { authorization: `Bearer ${BOOTSTRAP_KEY}` },
        signal: client.signal,
      }));
      await eventually(async () => held(stop).listeners > before.listeners); // waiting, so a SIGTERM would end it
      client.abort();
      expect((await answer).status).toBe(202);
      expect(held(stop)).toEqual(before);
    });
  });
});

describe("GET /api/v1/jobs/{id}/events", () => {
  it("drops the job's subscription when the client leaves while it is being made", async () => {
    await withIdleService(async () => {
      const accepted = JobSchema.parse(await (await POST(post("/api/v1/process?wait=0", form({ document: { bytes: `${SAMPLE_TEXT} Left ${Date.now()}.`, filename: "left.txt" }, services: ["idle"] })))).json());
      const redis = new Redis(REDIS_URL);
      try {
        const client = new AbortController();
        const response = await GET_EVENTS(new Request(`http://127.0.0.1/api/v1/jobs/${accepted.id}/events`, {
          headers: { authorization: `Bearer ${BOOTSTRAP_KEY}` },
          signal: client.signal,
        }), params(accepted.id));
        // Gone at once: Redis has not confirmed the stream's SUBSCRIBE yet (that takes a round trip).
        client.abort();
        await response.body!.cancel();
        // Redis answers one connection in order: once a later SUBSCRIBE on the hub is confirmed, the stream's was too.
        const unsubscribe = await serverContext().events.subscribe(randomUUID(), () => {});
        unsubscribe();
        const channel = jobChannel(harness.prefix, accepted.id);
        await eventually(async () => ((await redis.pubsub("NUMSUB", channel)) as [string, number])[1] === 0, 5_000);
      } finally {
        redis.disconnect();
      }
    });
  });

  it("ends when the process is told to stop, and leaves nothing on the process-long signal", async () => {
    await withIdleService(async () => {
      const accepted = JobSchema.parse(await (await POST(post("/api/v1/process?wait=0", form({ document: { bytes: `${SAMPLE_TEXT} Stop ${Date.now()}.`, filename: "stop.txt" }, services: ["idle"] })))).json());
      // stopping() aborts this controller on SIGTERM; the test aborts it itself.
      const holder = globalThis as unknown as { __docgateStopping?: AbortController };
      const previous = holder.__docgateStopping;
      const stop = new AbortController();
      holder.__docgateStopping = stop;
      try {
        const response = await GET_EVENTS(get(`/api/v1/jobs/${accepted.id}/events`), params(accepted.id));
        const reader = response.body!.getReader();
        expect(new TextDecoder().decode((await reader.read()).value)).toContain("event: job"); // the first snapshot
        await eventually(async () => held(stop.signal).listeners === 1); // the stream is listening
        stop.abort();
        // The job is still queued: only the stop can end the stream.
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read());
        expect(held(stop.signal).listeners).toBe(0);
      } finally {
        holder.__docgateStopping = previous;
      }
    });
  });
});

describe("GET /api/v1/documents/{id}/content", () => {
  it("returns the original bytes to whoever submitted it, and nothing to another key", async () => {
    const pdf = makePdf([`${SAMPLE_TEXT} original ${Date.now()}`]);
    const job = JobSchema.parse(await (await POST(post("/api/v1/process?wait=0", form({ document: { bytes: pdf, filename: "orig.pdf" }, services: ["quality"] })))).json());
    const { GET } = await import("~/app/api/v1/documents/[id]/content/route");
    const response = await GET(get(`/api/v1/documents/${job.document.id}/content`), params(job.document.id));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/pdf");
    expect(response.headers.get("content-security-policy")).toContain("sandbox");
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(pdf);
    const { secret } = await createApiKey(harness.database.db, { name: "stranger", role: "operator" });
    expect((await GET(get(`/api/v1/documents/${job.document.id}/content`, secret), params(job.document.id))).status).toBe(404);
  });
});

describe("bad input", () => {
  const expectError = async (response: Response, status: number, code: string) => {
    expect(response.status).toBe(status);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(10);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/); // never a stack trace
  };

  it("refuses a request without a key, with a bad key, and from a viewer key", async () => {
    await expectError(await POST(post("/api/v1/process", form({ document: { bytes: "x", filename: "a.txt" } }), null)), 401, "unauthenticated");
    await expectError(await POST(post("/api/v1/process", form({ document: { bytes: "x", filename: "a.txt" } }), "dg_nope")), 401, "invalid_api_key");
    const { secret } = await createApiKey(harness.database.db, { name: "viewer", role: "viewer" });
    await expectError(await POST(post("/api/v1/process", form({ document: { bytes: "x", filename: "a.txt" } }), secret)), 403, "forbidden");
  });

  it("refuses a key that may not call the service", async () => {
    const { secret } = await createApiKey(harness.database.db, { name: "quality only", role: "operator", services: ["quality"] });
    await expectError(await POST(post("/api/v1/process", form({ document: { bytes: SAMPLE_TEXT, filename: "a.txt" }, services: ["classification"] }), secret)), 403, "service_not_allowed");
  });

  it("gives each malformed upload its documented status", async () => {
    await expectError(await POST(post("/api/v1/process", form({ services: ["quality"] }))), 400, "missing_document");
    await expectError(await POST(post("/api/v1/process", form({ document: { bytes: new Uint8Array(), filename: "empty.txt" } }))), 400, "empty_document");
    await expectError(await POST(post("/api/v1/process", form({ document: { bytes: SAMPLE_TEXT, filename: "a.txt" }, services: ["nope"] }))), 400, "unknown_service");
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
    await expectError(await POST(post("/api/v1/process", form({ document: { bytes: png, filename: "report.pdf" } }))), 415, "unsupported_type");
    const corrupt = new TextEncoder().encode("%PDF-1.7\n1 0 obj <</Type /Catalog>> garbage without structure");
    await expectError(await POST(post("/api/v1/process", form({ document: { bytes: corrupt, filename: "bad.pdf" } }))), 422, "unreadable_document");
    await expectError(await POST(post("/api/v1/process?wait=-1", form({ document: { bytes: SAMPLE_TEXT, filename: "a.txt" } }))), 400, "invalid_input");
    const notMultipart = new Request("http://127.0.0.1/api/v1/process", { method: "POST", body: "{}", headers: { authorization: `Bearer ${BOOTSTRAP_KEY}`, "content-type": "application/json" } });
    await expectError(await POST(notMultipart), 415, "unsupported_media_type");
  });

  it("refuses an unknown taxonomy or profile at the door, before any job exists", async () => {
    const { db } = harness.database;
    const jobsBefore = await db.job.count();
    const text = `${SAMPLE_TEXT} Options check ${Date.now()}.`;
    await expectError(await POST(post("/api/v1/process", form({ document: { bytes: text, filename: "a.txt" }, fields: { taxonomy: "no-such-taxonomy" } }))), 400, "unknown_taxonomy");
    await expectError(await POST(post("/api/v1/process", form({ document: { bytes: text, filename: "a.txt" }, fields: { profile: "no-such-profile" } }))), 400, "unknown_profile");
    expect(await db.job.count()).toBe(jobsBefore);

    // Known names pass, and one created a moment ago is not refused by a stale cache.
    const known = await POST(post("/api/v1/process?wait=0", form({ document: { bytes: text, filename: "a.txt" }, services: ["quality"], fields: { taxonomy: "genre", profile: "default" } })));
    expect(known.status).toBe(202);
    await db.taxonomy.create({ data: { name: `fresh-${Date.now()}`, labels: ["a", "b"] } });
    const fresh = (await db.taxonomy.findFirstOrThrow({ where: { name: { startsWith: "fresh-" } } })).name;
    const accepted = await POST(post("/api/v1/process?wait=0", form({ document: { bytes: text, filename: "b.txt" }, services: ["quality"], fields: { taxonomy: fresh } })));
    expect(accepted.status).toBe(202);
  });

  it("refuses an upload over the size cap while streaming it", async () => {
    let pulled = 0;
    const chunk = new Uint8Array(64 * 1024).fill(97);
    const boundary = "----docgate-test";
    const head = new TextEncoder().encode(`--${boundary}\r\nContent-Disposition: form-data; name="document"; filename="big.txt"\r\nContent-Type: text/plain\r\n\r\n`);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(head);
      },
      pull(controller) {
        pulled += chunk.length;
        if (pulled > 50 * MAX_UPLOAD) return controller.close(); // would be a failure: the cap was not enforced
        controller.enqueue(chunk);
      },
    });
    const request = new Request("http://127.0.0.1/api/v1/process", {
      method: "POST",
      body,
      duplex: "half",
      headers: { authorization: `Bearer ${BOOTSTRAP_KEY}`, "content-type": `multipart/form-data; boundary=${boundary}` },
    } as RequestInit);
    await expectError(await POST(request), 413, "document_too_large");
    expect(pulled).toBeLessThan(4 * MAX_UPLOAD);
  });

  it("refuses a body that ends inside the document part as malformed multipart", async () => {
    const boundary = "----docgate-test";
    const cut = `--${boundary}\r\nContent-Disposition: form-data; name="document"; filename="cut.txt"\r\nContent-Type: text/plain\r\n\r\n${SAMPLE_TEXT}`;
    const request = new Request("http://127.0.0.1/api/v1/process", {
      method: "POST",
      body: cut,
      headers: { authorization: `Bearer ${BOOTSTRAP_KEY}`, "content-type": `multipart/form-data; boundary=${boundary}` },
    });
    await expectError(await POST(request), 400, "invalid_multipart");
  });
});

describe("GET /api/health", () => {
  it("reports Postgres, Redis and the registered services with live instances", async () => {
    const response = await GET_HEALTH();
    expect(response.status).toBe(200);
    const health = (await response.json()) as { status: string; postgres: { status: string }; redis: { status: string }; services: { name: string; status: string; instances: unknown[]; tools: { name: string }[] }[] };
    expect(health.postgres.status).toBe("up");
    expect(health.redis.status).toBe("up");
    const byName = Object.fromEntries(health.services.map((s) => [s.name, s]));
    expect(byName.classification?.status).toBe("up");
    expect(byName.classification?.instances.length).toBeGreaterThan(0);
    expect(byName.classification?.tools.map((t) => t.name)).toContain("classify_document");
    expect(byName.quality?.tools.map((t) => t.name)).toContain("assess_quality");
  });

  it("answers in its documented schema when a service is degraded", async () => {
    // Reachable when last checked, but no worker process calls it: degraded (disabled, so no health round changes it).
    await harness.database.db.service.create({
      data: { name: "dormant", kind: "external", url: "http://127.0.0.1:9/mcp", enabled: false, status: "up", tools: [{ name: "echo", inputSchema: { type: "object" } }] },
    });
    const health = HealthSchema.parse(await (await GET_HEALTH()).json());
    expect(health.services.find((s) => s.name === "dormant")?.status).toBe("degraded");
  });
});

describe("reliability", () => {
  it("enqueues a job that reached Postgres while the queue was unavailable", async () => {
    const { db } = harness.database;
    const { getJobView } = await import("@docgate/orchestrator");
    // Simulate an acceptance whose enqueue never happened: rows only, no BullMQ flow.
    const doc = await db.document.create({ data: { sha256: `${Date.now()}`.padEnd(64, "0"), filename: "late.txt", mimeType: "text/plain", sizeBytes: 20, bytes: new TextEncoder().encode(`${SAMPLE_TEXT} late`) } });
    const job = await db.job.create({
      data: { documentId: doc.id, filename: "late.txt", services: ["quality"], createdAt: new Date(Date.now() - 60_000), tasks: { create: [{ service: "quality", tool: "assess_quality" }] } },
    });
    const done = await eventually(async () => {
      const view = await getJobView(db, job.id);
      return view && view.status === "succeeded" ? view : null;
    });
    expect(done.results.quality!.status).toBe("succeeded");
  });
});

// Rate and resource limits (Redis per-key limit, per-IP sign-in limit, concurrent jobs,
// daily quota) and request signing (tampering, staleness, replay, the upload cap).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@docgate/db";
import { signRequest } from "~/server/access/signing";
import { IssuedApiKeySchema } from "~/server/api-schemas";
import { SAMPLE_TEXT } from "../../../packages/mcp/test/fixtures";
import { eventually, form, startHarness, type Harness } from "./harness";
import { expectError, params, request, routes } from "./access-helpers";

const MAX_UPLOAD = 100_000;
let harness: Harness;
let r: Awaited<ReturnType<typeof routes>>;

beforeAll(async () => {
  harness = await startHarness({ maxUploadBytes: MAX_UPLOAD });
  r = await routes();
});

afterAll(async () => {
  await harness?.stop();
});

const upload = (key: string, extra: { headers?: Record<string, string> } = {}) =>
  request("POST", "/api/v1/process?wait=0", { key, ...extra, body: form({ document: { bytes: `${SAMPLE_TEXT} ${randomUUID()}`, filename: "a.txt" }, services: ["quality"] }) });

async function issue(json: Record<string, unknown>) {
  const response = await r.keys.POST(request("POST", "/api/v1/api-keys", { json: { name: "limits", role: "operator", ...json } }), params());
  expect(response.status).toBe(201);
  return IssuedApiKeySchema.parse(await response.json());
}

describe("per-key rate limit (Redis)", () => {
  it("answers 429 with Retry-After and X-RateLimit-* past the limit, and audits the denial", async () => {
    const key = await issue({ rateLimitPerMinute: 3 });
    const someJob = randomUUID();
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await r.job.GET(request("GET", `/api/v1/jobs/${someJob}`, { key: key.key }), { params: Promise.resolve({ id: someJob }) });
      expect(response.status).toBe(404);
      remaining.push((await r.keys.GET(request("GET", "/api/v1/api-keys"), params())).headers.get("x-ratelimit-limit") ?? "");
    }
    // The admin key's own responses carry its (default) limit.
    expect(remaining.every((v) => Number(v) >= 600)).toBe(true);

    const limited = await r.process.POST(upload(key.key));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect(limited.headers.get("x-ratelimit-limit")).toBe("3");
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(Number(limited.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000);
    await expectError(limited, 429, "rate_limited");

    // Counted in Redis under this test's prefix, so every web copy shares it.
    const { serverContext } = await import("~/server/context");
    const stored = await serverContext().orchestrator.redis.keys(`${harness.prefix}:rl:key:*${key.id}`);
    expect(stored.length).toBe(1);
    await eventually(() => harness.database.db.auditLog.findFirst({ where: { action: "access.deny", actorId: key.id, metadata: { path: ["code"], equals: "rate_limited" } } }));
  });

  it("admin routes answer with X-RateLimit-* headers", async () => {
    const key = await issue({ role: "admin", rateLimitPerMinute: 50 });
    const response = await r.users.GET(request("GET", "/api/v1/users", { key: key.key }), params());
    expect(response.status).toBe(200);
    expect(response.headers.get("x-ratelimit-limit")).toBe("50");
    expect(response.headers.get("x-ratelimit-remaining")).toBe("49");
  });
});

describe("resource limits", () => {
  it("caps concurrent jobs per key", async () => {
    const key = await issue({ maxConcurrentJobs: 1 });
    const first = await r.process.POST(upload(key.key));
    expect(first.status).toBe(202);
    const { id } = (await first.json()) as { id: string };
    // Hold the job in `running` so the cap is deterministic.
    await harness.database.db.job.update({ where: { id }, data: { status: "running" } });
    const second = await r.process.POST(upload(key.key));
    expect(second.headers.get("retry-after")).toBeTruthy();
    await expectError(second, 429, "too_many_concurrent_jobs");
    await harness.database.db.job.update({ where: { id }, data: { status: "succeeded" } });
    expect((await r.process.POST(upload(key.key))).status).toBe(202);
  });

  it("enforces the daily document quota", async () => {
    const { row, secret } = await createApiKey(harness.database.db, { name: "quota", role: "operator", dailyDocumentQuota: 2 });
    expect((await r.process.POST(upload(secret))).status).toBe(202);
    expect((await r.process.POST(upload(secret))).status).toBe(202);
    const refused = await r.process.POST(upload(secret));
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    await expectError(refused, 429, "daily_quota_exceeded");
    expect(await harness.database.db.job.count({ where: { apiKeyId: row.id } })).toBe(2);
  });

  it("holds a key's limits under concurrent uploads (the intake counts and writes in one step)", async () => {
    // A quota, not the concurrency cap: jobs that finish meanwhile would make the cap's count move.
    const { row, secret } = await createApiKey(harness.database.db, { name: "burst", role: "operator", dailyDocumentQuota: 3 });
    const responses = await Promise.all(Array.from({ length: 12 }, () => r.process.POST(upload(secret))));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((s) => s === 202)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(9);
    for (const refused of responses.filter((response) => response.status === 429)) await expectError(refused, 429, "daily_quota_exceeded");
    expect(await harness.database.db.job.count({ where: { apiKeyId: row.id } })).toBe(3);
  });
});

describe("request signing", () => {
  const path = "/api/v1/process?wait=0";
  async function signedUpload(key: string, secret: string, options: { timestamp?: number; tamper?: boolean; signAs?: string } = {}) {
    const multipart = new Request("http://x", { method: "POST", body: form({ document: { bytes: `${SAMPLE_TEXT} ${randomUUID()}`, filename: "s.txt" }, services: ["quality"] }) });
    const contentType = multipart.headers.get("content-type")!;
    const body = new Uint8Array(await multipart.arrayBuffer());
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    const signature = signRequest(secret, { method: "POST", path: options.signAs ?? path, timestamp, body });
    const sent = options.tamper ? body.map((b, i) => (i === body.length - 60 ? b ^ 1 : b)) : body;
    return new Request(`http://127.0.0.1${path}`, {
      method: "POST",
      body: sent,
      headers: { authorization: `Bearer ${key}`, "content-type": contentType, "x-docgate-timestamp": timestamp, "x-docgate-signature": signature },
    });
  }

  it("accepts a correctly signed upload, once; refuses unsigned, tampered, stale, replayed and misdirected ones", async () => {
    const key = await issue({ requireSignature: true });
    expect(key.requireSignature).toBe(true);
    expect(key.signingSecret).toMatch(/^dgs_[0-9A-Za-z]{43}$/);
    const secret = key.signingSecret!;

    await expectError(await r.process.POST(upload(key.key)), 401, "signature_required");

    const good = await signedUpload(key.key, secret);
    const replay = good.clone();
    expect((await r.process.POST(good)).status).toBe(202);
    await expectError(await r.process.POST(replay), 401, "replayed_signature");

    await expectError(await r.process.POST(await signedUpload(key.key, secret, { tamper: true })), 401, "invalid_signature");
    await expectError(await r.process.POST(await signedUpload(key.key, "dgs_wrong")), 401, "invalid_signature");
    await expectError(await r.process.POST(await signedUpload(key.key, secret, { signAs: "/api/v1/process?wait=30" })), 401, "invalid_signature");
    await expectError(await r.process.POST(await signedUpload(key.key, secret, { timestamp: Math.floor(Date.now() / 1000) - 301 })), 401, "stale_signature");
    await expectError(await r.process.POST(await signedUpload(key.key, secret, { timestamp: Math.floor(Date.now() / 1000) + 301 })), 401, "stale_signature");
    // A fresh signature within the window is fine.
    expect((await r.process.POST(await signedUpload(key.key, secret, { timestamp: Math.floor(Date.now() / 1000) - 200 }))).status).toBe(202);

    // Signed GETs sign the empty body.
    const someJob = randomUUID();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const get = new Request(`http://127.0.0.1/api/v1/jobs/${someJob}`, {
      headers: { authorization: `Bearer ${key.key}`, "x-docgate-timestamp": timestamp, "x-docgate-signature": signRequest(secret, { method: "GET", path: `/api/v1/jobs/${someJob}`, timestamp }) },
    });
    expect((await r.job.GET(get, { params: Promise.resolve({ id: someJob }) })).status).toBe(404);

    const denials = await eventually(async () => {
      const rows = await harness.database.db.auditLog.findMany({ where: { action: "access.deny", actorId: key.id } });
      const codes = new Set(rows.map((row) => (row.metadata as { code: string }).code));
      return ["signature_required", "replayed_signature", "invalid_signature", "stale_signature"].every((c) => codes.has(c)) && codes;
    });
    expect(denials.size).toBeGreaterThanOrEqual(4);
  });

  it("keeps the upload size cap while hashing a signed body", async () => {
    const key = await issue({ requireSignature: true });
    let pulled = 0;
    const chunk = new Uint8Array(16 * 1024).fill(97);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.length;
        if (pulled > 50 * MAX_UPLOAD) return controller.close();
        controller.enqueue(chunk);
      },
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await r.process.POST(new Request(`http://127.0.0.1${path}`, {
      method: "POST",
      body,
      duplex: "half",
      headers: { authorization: `Bearer ${key.key}`, "content-type": "multipart/form-data; boundary=x", "x-docgate-timestamp": timestamp, "x-docgate-signature": `v1=${"0".repeat(64)}` },
    } as RequestInit));
    await expectError(response, 413, "document_too_large");
    expect(pulled).toBeLessThan(4 * MAX_UPLOAD);
  });

  it("hashes a signed MCP request up to the MCP endpoint's own cap, which base64 documents need", async () => {
    const { handleMcpRequest } = await import("~/server/mcp/http");
    const key = await issue({ requireSignature: true });
    // Past the upload cap plus form overhead, well within the MCP cap (4/3 of the upload cap + 1 MiB).
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: { padding: "x".repeat(3 * MAX_UPLOAD) } } });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await handleMcpRequest(new Request("http://127.0.0.1/api/mcp", {
      method: "POST",
      body,
      headers: {
        authorization: `Bearer ${key.key}`, "content-type": "application/json", accept: "application/json, text/event-stream",
        "x-docgate-timestamp": timestamp, "x-docgate-signature": signRequest(key.signingSecret!, { method: "POST", path: "/api/mcp", timestamp, body }),
      },
    }));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { result: { tools: unknown[] } }).result.tools.length).toBeGreaterThan(0);
  });

  it("rolling can rotate the signing secret", async () => {
    const key = await issue({ requireSignature: true });
    const rolled = await r.roll.POST(request("POST", `/api/v1/api-keys/${key.id}/roll`, { json: { gracePeriodSeconds: 0, rotateSigningSecret: true } }), params({ id: key.id }));
    const next = IssuedApiKeySchema.parse(await rolled.json());
    expect(next.signingSecret).toMatch(/^dgs_/);
    expect(next.signingSecret).not.toBe(key.signingSecret);
    await expectError(await r.process.POST(await signedUpload(next.key, key.signingSecret!)), 401, "invalid_signature");
    expect((await r.process.POST(await signedUpload(next.key, next.signingSecret!))).status).toBe(202);
  });
});

describe("sign-in attempts per IP (Redis)", () => {
  it("answers 429 with Retry-After past the limit, for that IP only", async () => {
    const { LOGIN_ATTEMPTS_PER_IP } = await import("~/server/access/rate-limit");
    const attempt = (ip: string, password = "wrong password") =>
      r.auth.POST(request("POST", "/api/auth/sign-in/email", {
        key: null, json: { email: "admin@test.local", password }, headers: { origin: "http://127.0.0.1", "x-forwarded-for": ip },
      }));
    const ip = `192.0.2.${Math.floor(Math.random() * 200) + 1}`;
    for (let i = 0; i < LOGIN_ATTEMPTS_PER_IP; i++) expect((await attempt(ip)).status).toBe(401);
    const limited = await attempt(ip, "correct horse battery");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.headers.get("x-ratelimit-limit")).toBe(String(LOGIN_ATTEMPTS_PER_IP));
    expect(((await limited.json()) as { code: string }).code).toBe("too_many_sign_in_attempts");
    // Another address is unaffected.
    expect((await attempt("198.51.100.7", "correct horse battery")).status).toBe(200);
    await eventually(() => harness.database.db.auditLog.findFirst({ where: { action: "access.deny", ip } }));
  });
});

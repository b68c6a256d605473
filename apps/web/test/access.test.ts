// Access control: the key lifecycle, user administration, the permission matrix over REST
// and tRPC, denied-access audit rows, and the audit log (listing, CSV, chain verification).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@docgate/db";
import { ApiKeyListSchema, AuditPageSchema, IssuedApiKeySchema, UserSchema } from "~/server/api-schemas";
import { SAMPLE_TEXT } from "../../../packages/mcp/test/fixtures";
import { BOOTSTRAP_KEY, eventually, form, startHarness, type Harness } from "./harness";
import { expectError, params, request, routes } from "./access-helpers";

let harness: Harness;
let r: Awaited<ReturnType<typeof routes>>;
const keys: Record<"viewer" | "operator" | "admin", string> = { viewer: "", operator: "", admin: "" };

beforeAll(async () => {
  harness = await startHarness();
  r = await routes();
  for (const role of ["viewer", "operator", "admin"] as const) {
    keys[role] = (await createApiKey(harness.database.db, { name: `matrix ${role}`, role })).secret;
  }
});

afterAll(async () => {
  await harness?.stop();
});

const upload = (key: string | null) =>
  request("POST", "/api/v1/process?wait=0", { key, body: form({ document: { bytes: `${SAMPLE_TEXT} ${randomUUID()}`, filename: "a.txt" }, services: ["quality"] }) });

describe("API key lifecycle", () => {
  it("create → use → roll (old secret works during the grace period, then not) → revoke → 401", async () => {
    const created = await r.keys.POST(request("POST", "/api/v1/api-keys", { json: { name: "ci", role: "operator", services: ["quality"], rateLimitPerMinute: 100 } }), params());
    expect(created.status).toBe(201);
    const issued = IssuedApiKeySchema.parse(await created.json());
    expect(issued.key).toMatch(/^dg_[0-9A-Za-z]{36}$/);
    expect(issued.key.startsWith(issued.start)).toBe(true);
    expect(issued).toMatchObject({ role: "operator", services: ["quality"], rateLimitPerMinute: 100, requireSignature: false, signingSecret: null });

    // The list never shows a secret or hash.
    const listed = await r.keys.GET(request("GET", "/api/v1/api-keys"), params());
    const listText = await listed.text();
    expect(listText).not.toContain(issued.key);
    expect(listText).not.toMatch(/"hash"|signingSecret/);
    expect(ApiKeyListSchema.parse(JSON.parse(listText)).items.map((k) => k.id)).toContain(issued.id);

    expect((await r.process.POST(upload(issued.key))).status).toBe(202);

    const rolled = await r.roll.POST(request("POST", `/api/v1/api-keys/${issued.id}/roll`, { json: { gracePeriodSeconds: 2 } }), params({ id: issued.id }));
    expect(rolled.status).toBe(200);
    const next = IssuedApiKeySchema.parse(await rolled.json());
    expect(next.id).toBe(issued.id);
    expect(next.key).not.toBe(issued.key);
    expect(next.previousExpiresAt).toBeTruthy();
    expect((await r.process.POST(upload(next.key))).status).toBe(202);
    expect((await r.process.POST(upload(issued.key))).status).toBe(202); // grace period
    // After the grace period (plus the 3 s key cache) the old secret is refused.
    await eventually(async () => (await r.process.POST(upload(issued.key))).status === 401, 10_000);
    expect((await r.process.POST(upload(next.key))).status).toBe(202);

    const revoked = await r.key.DELETE(request("DELETE", `/api/v1/api-keys/${issued.id}`), params({ id: issued.id }));
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as { revokedAt: string | null }).revokedAt).toBeTruthy();
    const started = Date.now();
    await eventually(async () => (await r.process.POST(upload(next.key))).status === 401, 10_000);
    expect(Date.now() - started).toBeLessThan(5_000);

    const actions = (await harness.database.db.auditLog.findMany({ where: { target: issued.id }, orderBy: { id: "asc" } })).map((a) => a.action);
    expect(actions).toEqual(["api_key.create", "api_key.roll", "api_key.revoke"]);
  });

  it("validates input and answers 404 for an unknown key", async () => {
    await expectError(await r.keys.POST(request("POST", "/api/v1/api-keys", { json: { name: "", role: "operator" } }), params()), 400, "invalid_input");
    await expectError(await r.keys.POST(request("POST", "/api/v1/api-keys", { json: { name: "x", role: "root" } }), params()), 400, "invalid_input");
    await expectError(await r.keys.POST(request("POST", "/api/v1/api-keys", { json: { name: "x", role: "operator", services: ["nope"] } }), params()), 400, "unknown_service");
    await expectError(await r.keys.POST(request("POST", "/api/v1/api-keys", { json: { name: "x", role: "operator", expiresAt: "2000-01-01T00:00:00Z" } }), params()), 400, "invalid_expiry");
    await expectError(await r.keys.POST(request("POST", "/api/v1/api-keys", { body: "name=x", headers: { "content-type": "application/x-www-form-urlencoded" } }), params()), 415);
    const missing = randomUUID();
    await expectError(await r.roll.POST(request("POST", `/api/v1/api-keys/${missing}/roll`), params({ id: missing })), 404, "api_key_not_found");
    await expectError(await r.key.DELETE(request("DELETE", `/api/v1/api-keys/${missing}`), params({ id: missing })), 404, "api_key_not_found");
  });

  it("an expired key is refused", async () => {
    const created = await r.keys.POST(request("POST", "/api/v1/api-keys", { json: { name: "short", role: "operator", expiresAt: new Date(Date.now() + 1_500).toISOString() } }), params());
    const { key } = IssuedApiKeySchema.parse(await created.json());
    await eventually(async () => (await r.process.POST(upload(key))).status === 401, 10_000);
  });
});

describe("users", () => {
  it("admins create users, change roles and disable them; a disabled user cannot sign in", async () => {
    const created = await r.users.POST(request("POST", "/api/v1/users", { json: { email: "Op@Test.local", password: "operator password", role: "operator" } }), params());
    expect(created.status).toBe(201);
    const user = UserSchema.parse(await created.json());
    expect(user).toMatchObject({ email: "op@test.local", role: "operator", disabled: false });
    await expectError(await r.users.POST(request("POST", "/api/v1/users", { json: { email: "op@test.local", password: "operator password", role: "viewer" } }), params()), 409, "email_taken");

    const signIn = () => r.auth.POST(request("POST", "/api/auth/sign-in/email", {
      key: null, json: { email: "op@test.local", password: "operator password" }, headers: { origin: "http://127.0.0.1", "x-forwarded-for": "10.0.0.1" },
    }));
    const ok = await signIn();
    expect(ok.status).toBe(200);
    const cookie = ok.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    // The session works on REST; an operator may not manage keys.
    await expectError(await r.keys.GET(request("GET", "/api/v1/api-keys", { key: null, cookie }), params()), 403, "forbidden");

    const patched = await r.user.PATCH(request("PATCH", `/api/v1/users/${user.id}`, { json: { role: "viewer", disabled: true } }), params({ id: user.id }));
    expect(patched.status).toBe(200);
    expect(UserSchema.parse(await patched.json())).toMatchObject({ role: "viewer", disabled: true });
    // Disabling ended the session, and a new one cannot start.
    await expectError(await r.keys.GET(request("GET", "/api/v1/api-keys", { key: null, cookie }), params()), 401, "unauthenticated");
    expect((await signIn()).status).not.toBe(200);

    const audit = await harness.database.db.auditLog.findMany({ where: { target: user.id }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["user.create", "user.update"]);
    expect(audit[1]!.metadata).toMatchObject({ changes: { role: { from: "operator", to: "viewer" }, disabled: { from: false, to: true } }, sessionsEnded: 1 });
    expect(JSON.stringify(audit.map((a) => a.metadata))).not.toContain("operator password");
  });

  it("the last active admin can be neither disabled nor demoted", async () => {
    const { db } = harness.database;
    const admin = await db.user.findUniqueOrThrow({ where: { email: "admin@test.local" } });
    await expectError(await r.user.PATCH(request("PATCH", `/api/v1/users/${admin.id}`, { json: { disabled: true } }), params({ id: admin.id })), 409, "last_admin");
    await expectError(await r.user.PATCH(request("PATCH", `/api/v1/users/${admin.id}`, { json: { role: "operator" } }), params({ id: admin.id })), 409, "last_admin");
    await expectError(await r.user.PATCH(request("PATCH", `/api/v1/users/${admin.id}`, { json: {} }), params({ id: admin.id })), 400, "invalid_input");

    const second = UserSchema.parse(await (await r.users.POST(request("POST", "/api/v1/users", { json: { email: "admin2@test.local", password: "second admin pw", role: "admin" } }), params())).json());
    expect((await r.user.PATCH(request("PATCH", `/api/v1/users/${admin.id}`, { json: { role: "operator" } }), params({ id: admin.id }))).status).toBe(200);
    await expectError(await r.user.PATCH(request("PATCH", `/api/v1/users/${second.id}`, { json: { disabled: true } }), params({ id: second.id })), 409, "last_admin");
    expect((await r.user.PATCH(request("PATCH", `/api/v1/users/${admin.id}`, { json: { role: "admin" } }), params({ id: admin.id }))).status).toBe(200);
    const missing = randomUUID();
    await expectError(await r.user.PATCH(request("PATCH", `/api/v1/users/${missing}`, { json: { role: "viewer" } }), params({ id: missing })), 404, "user_not_found");
  });

  it("log out everywhere ends every session of a user", async () => {
    const { db } = harness.database;
    const admin = await db.user.findUniqueOrThrow({ where: { email: "admin@test.local" } });
    const signIn = () => r.auth.POST(request("POST", "/api/auth/sign-in/email", {
      key: null, json: { email: "admin@test.local", password: "correct horse battery" }, headers: { origin: "http://127.0.0.1", "x-forwarded-for": "10.0.0.2" },
    }));
    const cookies = [];
    for (let i = 0; i < 2; i++) {
      const response = await signIn();
      expect(response.status).toBe(200);
      cookies.push(response.headers.getSetCookie().map((c) => c.split(";")[0]).join("; "));
    }
    expect((await r.keys.GET(request("GET", "/api/v1/api-keys", { key: null, cookie: cookies[0] }), params())).status).toBe(200);
    const ended = await r.sessions.DELETE(request("DELETE", `/api/v1/users/${admin.id}/sessions`), params({ id: admin.id }));
    expect(await ended.json()).toMatchObject({ ended: expect.any(Number) });
    for (const cookie of cookies) {
      await expectError(await r.keys.GET(request("GET", "/api/v1/api-keys", { key: null, cookie }), params()), 401);
    }
  });
});

describe("permission matrix", () => {
  type Call = { name: string; minimum: "viewer" | "operator" | "admin"; call: (key: string | null) => Promise<Response> };
  const someId = randomUUID();
  const calls: Call[] = [
    { name: "GET /api/v1/api-keys", minimum: "admin", call: (key) => r.keys.GET(request("GET", "/api/v1/api-keys", { key }), params()) },
    { name: "POST /api/v1/api-keys", minimum: "admin", call: (key) => r.keys.POST(request("POST", "/api/v1/api-keys", { key, json: { name: "m", role: "viewer" } }), params()) },
    { name: "GET /api/v1/api-keys/{id}", minimum: "admin", call: (key) => r.key.GET(request("GET", `/api/v1/api-keys/${someId}`, { key }), params({ id: someId })) },
    { name: "DELETE /api/v1/api-keys/{id}", minimum: "admin", call: (key) => r.key.DELETE(request("DELETE", `/api/v1/api-keys/${someId}`, { key }), params({ id: someId })) },
    { name: "POST /api/v1/api-keys/{id}/roll", minimum: "admin", call: (key) => r.roll.POST(request("POST", `/api/v1/api-keys/${someId}/roll`, { key }), params({ id: someId })) },
    { name: "GET /api/v1/users", minimum: "admin", call: (key) => r.users.GET(request("GET", "/api/v1/users", { key }), params()) },
    { name: "POST /api/v1/users", minimum: "admin", call: (key) => r.users.POST(request("POST", "/api/v1/users", { key, json: { email: `${randomUUID()}@t.local`, password: "matrix password", role: "viewer" } }), params()) },
    { name: "GET /api/v1/users/{id}", minimum: "admin", call: (key) => r.user.GET(request("GET", `/api/v1/users/${someId}`, { key }), params({ id: someId })) },
    { name: "PATCH /api/v1/users/{id}", minimum: "admin", call: (key) => r.user.PATCH(request("PATCH", `/api/v1/users/${someId}`, { key, json: { role: "viewer" } }), params({ id: someId })) },
    { name: "DELETE /api/v1/users/{id}/sessions", minimum: "admin", call: (key) => r.sessions.DELETE(request("DELETE", `/api/v1/users/${someId}/sessions`, { key }), params({ id: someId })) },
    { name: "GET /api/v1/audit", minimum: "admin", call: (key) => r.audit.GET(request("GET", "/api/v1/audit", { key }), params()) },
    { name: "GET /api/v1/audit/verify", minimum: "admin", call: (key) => r.verify.GET(request("GET", "/api/v1/audit/verify", { key }), params()) },
    { name: "POST /api/v1/process", minimum: "operator", call: (key) => r.process.POST(upload(key)) },
    { name: "GET /api/v1/jobs/{id}", minimum: "viewer", call: (key) => r.job.GET(request("GET", `/api/v1/jobs/${someId}`, { key }), { params: Promise.resolve({ id: someId }) }) },
  ];
  const RANK = { viewer: 0, operator: 1, admin: 2 } as const;

  for (const { name, minimum, call } of calls) {
    it(`${name}: anonymous 401, below ${minimum} 403, ${minimum} and up allowed`, async () => {
      await expectError(await call(null), 401);
      for (const role of ["viewer", "operator", "admin"] as const) {
        const response = await call(keys[role]);
        if (RANK[role] < RANK[minimum]) {
          await expectError(response, 403, "forbidden");
        } else {
          expect([200, 201, 202, 404], `${name} as ${role}`).toContain(response.status);
        }
      }
    });
  }

  it("tRPC procedures: admin-only routers refuse other roles and anonymous callers", async () => {
    const { appRouter } = await import("~/server/trpc/root");
    const { serverContext } = await import("~/server/context");
    const admin = await harness.database.db.user.findUniqueOrThrow({ where: { email: "admin@test.local" } });
    const caller = (role: "viewer" | "operator" | "admin" | null) =>
      appRouter.createCaller({ ...serverContext(), meta: { ip: "127.0.0.1", userAgent: "vitest", method: "POST", path: "/api/trpc" }, user: role ? { id: role === "admin" ? admin.id : `u-${role}`, email: `${role}@t.local`, role } : null });
    const adminCalls: [string, (c: ReturnType<typeof caller>) => Promise<unknown>][] = [
      ["apiKey.list", (c) => c.apiKey.list()],
      ["apiKey.create", (c) => c.apiKey.create({ name: "trpc", role: "viewer" })],
      ["apiKey.roll", (c) => c.apiKey.roll({ id: someId })],
      ["apiKey.revoke", (c) => c.apiKey.revoke({ id: someId })],
      ["user.list", (c) => c.user.list()],
      ["user.create", (c) => c.user.create({ email: `${randomUUID()}@t.local`, password: "trpc password", role: "viewer" })],
      ["user.update", (c) => c.user.update({ id: someId, role: "viewer" })],
      ["user.endSessions", (c) => c.user.endSessions({ id: someId })],
      ["audit.list", (c) => c.audit.list({})],
      ["audit.verify", (c) => c.audit.verify()],
    ];
    for (const [name, call] of adminCalls) {
      await expect(call(caller(null)), `${name} anonymous`).rejects.toMatchObject({ code: "UNAUTHORIZED" });
      for (const role of ["viewer", "operator"] as const) {
        await expect(call(caller(role)), `${name} as ${role}`).rejects.toMatchObject({ code: "FORBIDDEN" });
      }
      await call(caller("admin")).catch((error: { code?: string }) => expect(error.code, `${name} as admin`).toBe("NOT_FOUND"));
    }
    // The read-only session procedures stay open to every role.
    await expect(caller("viewer").session.me()).resolves.toMatchObject({ role: "viewer" });
  });

  describe("tRPC input a procedure cannot take is BAD_REQUEST, not an internal error", () => {
    const adminCaller = async () => {
      const { appRouter } = await import("~/server/trpc/root");
      const { serverContext } = await import("~/server/context");
      const admin = await harness.database.db.user.findUniqueOrThrow({ where: { email: "admin@test.local" } });
      return { admin, caller: appRouter.createCaller({ ...serverContext(), meta: { ip: "127.0.0.1", userAgent: "vitest", method: "POST", path: "/api/trpc" }, user: { id: admin.id, email: admin.email, role: "admin" } }) };
    };

    it("user.update with nothing to change", async () => {
      const { admin, caller } = await adminCaller();
      await expect(caller.user.update({ id: admin.id })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    });

    it("audit.list with a cursor past Postgres's bigint range (2^63-1)", async () => {
      const { caller } = await adminCaller();
      await expect(caller.audit.list({ cursor: "9223372036854775808" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
      await expect(caller.audit.list({ cursor: "9223372036854775807" })).resolves.toMatchObject({ items: expect.any(Array) });
    });
  });

  // Every tRPC procedure, with the least role that may call it. A procedure missing here
  // fails the test: decide who may call it, then add it.
  const TRPC_MINIMUM: Record<string, "viewer" | "operator" | "admin"> = {
    "apiKey.list": "admin", "apiKey.create": "admin", "apiKey.roll": "admin", "apiKey.revoke": "admin",
    "user.list": "admin", "user.create": "admin", "user.update": "admin", "user.endSessions": "admin", "user.endMySessions": "viewer",
    "audit.list": "admin", "audit.verify": "admin",
    "job.get": "viewer", "job.recent": "viewer", "job.text": "viewer", "job.list": "viewer", "job.submitters": "viewer",
    "job.cancel": "operator", "job.retry": "operator", "job.rerun": "operator", "job.bulk": "operator",
    "model.taxonomies": "viewer", "model.versions": "viewer", "model.train": "operator", "model.correct": "operator", "model.activate": "admin",
    "model.rules": "viewer", "model.setRules": "admin",
    "service.health": "viewer", "service.overview": "viewer", "service.list": "viewer", "service.events": "viewer", "service.update": "admin",
    "service.alerts": "viewer", "service.register": "admin", "service.remove": "admin",
    "profile.list": "viewer", "profile.get": "viewer", "profile.issueCodes": "viewer", "profile.create": "admin", "profile.update": "admin",
    "session.me": "viewer",
  };

  it("every tRPC procedure: anonymous UNAUTHORIZED, below its role FORBIDDEN, at or above it allowed", async () => {
    const { appRouter } = await import("~/server/trpc/root");
    const { serverContext } = await import("~/server/context");
    const admin = await harness.database.db.user.findUniqueOrThrow({ where: { email: "admin@test.local" } });
    const caller = (role: "viewer" | "operator" | "admin" | null) =>
      appRouter.createCaller({ ...serverContext(), meta: { ip: "127.0.0.1", userAgent: "vitest", method: "POST", path: "/api/trpc" }, user: role ? { id: role === "admin" ? admin.id : `u-${role}`, email: `${role}@t.local`, role } : null });
    const paths = Object.keys(appRouter._def.procedures as Record<string, unknown>).sort();
    const undeclared = paths.filter((p) => !(p in TRPC_MINIMUM));
    expect(undeclared, "tRPC procedures missing from the permission matrix in apps/web/test/access.test.ts").toEqual([]);
    const call = (role: "viewer" | "operator" | "admin" | null, path: string) => {
      const fn = path.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], caller(role)) as (input?: unknown) => Promise<unknown>;
      // No input: allowed callers get BAD_REQUEST from validation (no side effects) or a read.
      return fn(undefined).then(() => "OK", (error: { code?: string }) => error.code ?? "ERROR");
    };
    for (const path of paths) {
      expect(await call(null, path), `${path} anonymous`).toBe("UNAUTHORIZED");
      for (const role of ["viewer", "operator", "admin"] as const) {
        const outcome = await call(role, path);
        if (RANK[role] < RANK[TRPC_MINIMUM[path]!]) expect(outcome, `${path} as ${role}`).toBe("FORBIDDEN");
        else expect(["UNAUTHORIZED", "FORBIDDEN"], `${path} as ${role} (${outcome})`).not.toContain(outcome);
      }
    }
  });

  it("every denial leaves an access.deny audit row", async () => {
    const { db } = harness.database;
    const viewer = await db.apiKey.findFirstOrThrow({ where: { name: "matrix viewer" } });
    const row = await eventually(() => db.auditLog.findFirst({ where: { action: "access.deny", actorId: viewer.id } }));
    expect(row.metadata).toMatchObject({ status: 403, code: "forbidden" });
    expect(await db.auditLog.count({ where: { action: "access.deny", actorType: "anonymous" } })).toBeGreaterThan(0);
  });
});

describe("audit log", () => {
  it("lists with filters, pages, exports CSV", async () => {
    const { db } = harness.database;
    const response = await r.audit.GET(request("GET", "/api/v1/audit?action=api_key.*&limit=2"), params());
    expect(response.status).toBe(200);
    const page = AuditPageSchema.parse(await response.json());
    expect(page.items).toHaveLength(2);
    expect(page.items.every((i) => i.action.startsWith("api_key."))).toBe(true);
    expect(page.nextCursor).toBeTruthy();
    const next = AuditPageSchema.parse(await (await r.audit.GET(request("GET", `/api/v1/audit?action=api_key.*&limit=2&before=${page.nextCursor}`), params())).json());
    expect(BigInt(next.items[0]!.id)).toBeLessThan(BigInt(page.items[1]!.id));

    const admin = await db.apiKey.findFirstOrThrow({ where: { name: "bootstrap" } });
    const byActor = AuditPageSchema.parse(await (await r.audit.GET(request("GET", `/api/v1/audit?actor=${admin.id}&action=user.create`), params())).json());
    expect(byActor.items.length).toBeGreaterThan(0);
    expect(byActor.items.every((i) => i.actorId === admin.id && i.action === "user.create")).toBe(true);
    const future = AuditPageSchema.parse(await (await r.audit.GET(request("GET", `/api/v1/audit?from=${new Date(Date.now() + 3_600_000).toISOString()}`), params())).json());
    expect(future.items).toEqual([]);
    await expectError(await r.audit.GET(request("GET", "/api/v1/audit?from=yesterday"), params()), 400, "invalid_input");
    // Nineteen digits, but past Postgres's bigint range (2^63-1): the client's mistake, not a 500.
    await expectError(await r.audit.GET(request("GET", "/api/v1/audit?before=9223372036854775808"), params()), 400, "invalid_input");
    expect((await r.audit.GET(request("GET", "/api/v1/audit?before=9223372036854775807"), params())).status).toBe(200);

    const csv = await r.audit.GET(request("GET", "/api/v1/audit?action=user.create&format=csv"), params());
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]).toBe("id,at,actorType,actorId,action,target,ip,userAgent,metadata,hash");
    expect(lines.length).toBeGreaterThan(1);
    expect(lines[1]).toContain("user.create");
  });

  it("verifies the chain, and names a row changed directly in SQL", async () => {
    const { db } = harness.database;
    const ok = await (await r.verify.GET(request("GET", "/api/v1/audit/verify"), params())).json();
    expect(ok).toMatchObject({ ok: true, firstBrokenId: null });
    expect((ok as { checked: number }).checked).toBeGreaterThan(10);

    const victim = await db.auditLog.findFirstOrThrow({ where: { action: "user.create" }, orderBy: { id: "desc" } });
    await db.$executeRaw`UPDATE "AuditLog" SET "metadata" = '{"email":"someone-else@test.local","role":"viewer"}'::jsonb WHERE id = ${victim.id}`;
    const broken = await (await r.verify.GET(request("GET", "/api/v1/audit/verify"), params())).json();
    expect(broken).toMatchObject({ ok: false, firstBrokenId: victim.id.toString() });
  });
});

void BOOTSTRAP_KEY;

describe("OpenAPI", () => {
  it("documents the access routes from the same zod schemas", async () => {
    const { openApiDocument } = await import("~/server/openapi");
    const doc = openApiDocument();
    for (const path of ["/api/v1/api-keys", "/api/v1/api-keys/{id}", "/api/v1/api-keys/{id}/roll", "/api/v1/users", "/api/v1/users/{id}", "/api/v1/audit", "/api/v1/audit/verify"]) {
      expect(doc.paths?.[path], path).toBeDefined();
    }
    expect(doc.components?.schemas?.IssuedApiKey).toBeDefined();
    expect(JSON.stringify(doc.paths?.["/api/v1/api-keys"])).toContain("X-RateLimit-Remaining");
  });
});

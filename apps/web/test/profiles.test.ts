import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@docgate/db";
import { JobSchema } from "~/server/api-schemas";
import { serverContext } from "~/server/context";
import { createTRPCRouter } from "~/server/trpc/init";
import { profileRouter } from "~/server/trpc/routers/profile";
import { BOOTSTRAP_KEY, form, post, startHarness, type Harness } from "./harness";

let harness: Harness;
type Handler = (r: Request, c: { params: Promise<{ id: string }> }) => Promise<Response>;
let routes: {
  list: (r: Request) => Promise<Response>;
  create: (r: Request) => Promise<Response>;
  get: Handler;
  patch: Handler;
  process: (r: Request) => Promise<Response>;
};
let viewerKey = "";

beforeAll(async () => {
  harness = await startHarness();
  const collection = await import("~/app/api/v1/profiles/route");
  const one = await import("~/app/api/v1/profiles/[id]/route");
  routes = { list: collection.GET, create: collection.POST, get: one.GET, patch: one.PATCH, process: (await import("~/app/api/v1/process/route")).POST };
  viewerKey = (await createApiKey(harness.database.db, { name: "viewer", role: "viewer" })).secret;
});
afterAll(async () => {
  await harness?.stop();
});

const params = (id: string) => ({ params: Promise.resolve({ id }) });
const json = (method: string, path: string, body: unknown, key = BOOTSTRAP_KEY) =>
  new Request(`http://127.0.0.1${path}`, { method, body: JSON.stringify(body), headers: { authorization: `Bearer ${key}`, "content-type": "application/json" } });
const get = (path: string, key = BOOTSTRAP_KEY) => new Request(`http://127.0.0.1${path}`, { headers: { authorization: `Bearer ${key}` } });

const PROSE =
  "The committee met on Tuesday to review the annual budget. Members agreed that the library needs new shelves and better lighting. " +
  "The treasurer explained that donations rose this year, so the plan is affordable. Work will begin in the autumn and should finish before the winter holidays. " +
  "Volunteers are welcome to help move the books, and the children's corner will stay open during the work. Questions go to jane.doe@example.com.";

type Profile = { id: string; name: string; version: number; isDefault: boolean; rules: Record<string, unknown> };

describe("quality profiles over REST", () => {
  let id = "";

  it("lists the default profile to any authenticated key", async () => {
    const response = await routes.list(get("/api/v1/profiles", viewerKey));
    expect(response.status).toBe(200);
    const list = (await response.json()) as Profile[];
    expect(list[0]).toMatchObject({ name: "default", isDefault: true, version: 1, rules: { minScore: 50, failOnError: true } });
  });

  it("creates a profile (audited) and refuses a viewer, a duplicate and unknown rules", async () => {
    const body = { name: "strict-en", description: "English, no personal data", rules: { allowedLanguages: ["eng"], personalDataAllowed: false, minWords: 10 } };
    const refused = await routes.create(json("POST", "/api/v1/profiles", body, viewerKey));
    expect(refused.status).toBe(403);
    const created = await routes.create(json("POST", "/api/v1/profiles", body));
    expect(created.status).toBe(201);
    const profile = (await created.json()) as Profile;
    expect(profile).toMatchObject({ name: "strict-en", version: 1, isDefault: false });
    id = profile.id;
    expect(await harness.database.db.auditLog.count({ where: { action: "profile.create", target: id } })).toBe(1);
    expect((await routes.create(json("POST", "/api/v1/profiles", body))).status).toBe(409);
    const bad = await routes.create(json("POST", "/api/v1/profiles", { name: "odd", rules: { maxWords: 3 } }));
    expect(bad.status).toBe(400);
    expect(await harness.database.db.qualityProfile.count({ where: { name: "odd" } })).toBe(0);
  });

  it("updates a profile, bumping its version, with an audit row; viewers may read but not write", async () => {
    const refused = await routes.patch(json("PATCH", `/api/v1/profiles/${id}`, { rules: {} }, viewerKey), params(id));
    expect(refused.status).toBe(403);
    const response = await routes.patch(json("PATCH", `/api/v1/profiles/${id}`, { rules: { allowedLanguages: ["eng"], personalDataAllowed: false, minWords: 10, requiredPhrases: ["annual budget"] } }), params(id));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ version: 2, rules: { requiredPhrases: ["annual budget"] } });
    const audit = await harness.database.db.auditLog.findMany({ where: { action: "profile.update", target: id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.metadata).toMatchObject({ fromVersion: 1, version: 2 });
    const read = await routes.get(get("/api/v1/profiles/strict-en", viewerKey), params("strict-en"));
    expect(await read.json()).toMatchObject({ id, version: 2 });
    expect((await routes.get(get("/api/v1/profiles/nope"), params("nope"))).status).toBe(404);
  });

  it("decides passed and failedRules of a real job by the profile named in the form", async () => {
    const document = { bytes: PROSE, filename: "minutes.txt" };
    const run = async (fields: Record<string, string>) => {
      const response = await routes.process(post("/api/v1/process", form({ document, services: ["quality"], fields })));
      expect(response.status).toBe(200);
      const job = JobSchema.parse(await response.json());
      expect(job.results.quality!.status).toBe("succeeded");
      return job.results.quality!.output as { passed: boolean; failedRules: { rule: string }[]; profile: { name: string; version: number }; issues: { code: string }[] };
    };
    const byDefault = await run({});
    expect(byDefault).toMatchObject({ passed: true, failedRules: [], profile: { name: "default", version: 1 } });
    expect(byDefault.issues.map((i) => i.code)).toContain("pii_email");

    const strict = await run({ profile: "strict-en" });
    expect(strict.passed).toBe(false);
    expect(strict.profile).toEqual({ name: "strict-en", version: 2 });
    expect(strict.failedRules.map((r) => r.rule)).toEqual(["personalDataAllowed"]);

    // A new version of the profile is not answered from the cache of the old one.
    await routes.patch(json("PATCH", `/api/v1/profiles/${id}`, { rules: { allowedLanguages: ["eng"], personalDataAllowed: true } }), params(id));
    const relaxed = await run({ profile: "strict-en" });
    expect(relaxed).toMatchObject({ passed: true, failedRules: [], profile: { name: "strict-en", version: 3 } });
  });

  it("checks maxSpellingErrorRate on a real job, and refuses a rate outside 0–1", async () => {
    const careful = await routes.create(json("POST", "/api/v1/profiles", { name: "careful-spelling", rules: { maxSpellingErrorRate: 0.01 } }));
    expect(careful.status).toBe(201);
    expect(await careful.json()).toMatchObject({ rules: { maxSpellingErrorRate: 0.01 } });
    const bad = await routes.create(json("POST", "/api/v1/profiles", { name: "odd-spelling", rules: { maxSpellingErrorRate: 2 } }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain("maxSpellingErrorRate");

    const sloppy = `${PROSE.replace("jane.doe@example.com", "the secretary")} We will recieve the goverment grant and teh new shelves.`;
    const response = await routes.process(post("/api/v1/process", form({ document: { bytes: sloppy, filename: "sloppy.txt" }, services: ["quality"], fields: { profile: "careful-spelling" } })));
    const out = JobSchema.parse(await response.json()).results.quality!.output as {
      passed: boolean; failedRules: { rule: string }[]; metrics: { spellingErrorRate: number | null }; issues: { code: string; location: { offset: number; length: number } | null }[];
    };
    expect(out.passed).toBe(false);
    expect(out.failedRules.map((r) => r.rule)).toEqual(["maxSpellingErrorRate"]);
    expect(out.metrics.spellingErrorRate).toBeGreaterThan(0.01);
    const located = out.issues.filter((i) => i.code === "spelling_error").map((i) => sloppy.slice(i.location!.offset, i.location!.offset + i.location!.length));
    expect(located).toEqual(["recieve", "goverment", "teh"]);
  });

  it("documents the rules, maxSpellingErrorRate included, in the OpenAPI document", async () => {
    const { openApiDocument } = await import("~/server/openapi");
    const doc = JSON.stringify(openApiDocument());
    expect(doc).toContain("/api/v1/profiles/{id}");
    expect(doc).toMatch(/"maxSpellingErrorRate":\{[^}]*"maximum":1/);
    expect(doc).toContain("misspelled / checked words");
  });

  it("refuses a job naming an unknown profile at the door, with a clear error", async () => {
    const response = await routes.process(post("/api/v1/process", form({ document: { bytes: PROSE, filename: "m.txt" }, services: ["quality"], fields: { profile: "no-such-profile" } })));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("unknown_profile");
    expect(body.error.message).toContain("There is no quality profile");
  });

  it("flags a near-duplicate of an earlier document, naming it", async () => {
    const base =
      "Our hiking club walked the northern ridge on Saturday under a clear sky. The trail was muddy after the rain, but everyone reached the summit by noon. " +
      "We ate lunch beside the old stone hut and watched eagles circle above the valley. On the way down two members spotted a family of deer near the stream.";
    const first = await routes.process(post("/api/v1/process", form({ document: { bytes: `${base} First copy.`, filename: "a.txt" }, services: ["quality"] })));
    const firstJob = JobSchema.parse(await first.json());
    const second = await routes.process(post("/api/v1/process", form({ document: { bytes: `${base} Second copy.`, filename: "b.txt" }, services: ["quality"] })));
    const job = JobSchema.parse(await second.json());
    const out = job.results.quality!.output as { issues: { code: string; message: string }[] };
    const issue = out.issues.find((i) => i.code === "near_duplicate_document");
    expect(issue?.message).toContain(firstJob.document.id);
    // Other bytes, the same words: the same signature, found by the job's intake (extracted at the door).
    const third = await routes.process(post("/api/v1/process", form({ document: { bytes: `${base.toUpperCase()} FIRST COPY!`, filename: "c.txt" }, services: ["quality"] })));
    const copy = JobSchema.parse(await third.json());
    const exact = (copy.results.quality!.output as { issues: { code: string; message: string }[] }).issues.find((i) => i.code === "near_duplicate_document");
    expect(exact?.message).toBe(`The text is the same as earlier document ${firstJob.document.id}.`);
    const stored = await harness.database.db.document.findUniqueOrThrow({ where: { id: copy.document.id }, select: { simhash: true } });
    expect(stored.simhash).not.toBeNull();
  });
});

describe("profile tRPC router", () => {
  const caller = async (role: "admin" | "operator" | "viewer") => {
    const admin = await harness.database.db.user.findFirstOrThrow({ where: { email: "admin@test.local" } });
    return createTRPCRouter(profileRouter).createCaller({
      ...serverContext(),
      meta: { ip: "127.0.0.1", userAgent: "vitest", method: "POST", path: "/api/trpc" },
      user: { id: role === "admin" ? admin.id : `u-${role}`, email: `${role}@t.local`, role },
    });
  };

  it("lets everyone read and only admins write, auditing the change", async () => {
    const viewer = await caller("viewer");
    expect((await viewer.list()).map((p) => p.name)).toContain("default");
    expect((await viewer.issueCodes()).map((c) => c.code)).toEqual(expect.arrayContaining(["pii_card", "near_duplicate_document"]));
    await expect(viewer.create({ name: "nope", rules: {} })).rejects.toThrow(/admin/);
    await expect((await caller("operator")).update({ id: "default", patch: { rules: {} } })).rejects.toThrow(/admin/);
    const admin = await caller("admin");
    const created = await admin.create({ name: "console-made", rules: { minWords: 5, maxSpellingErrorRate: 0.05 }, isDefault: true });
    expect(created.rules).toEqual({ minWords: 5, maxSpellingErrorRate: 0.05 });
    expect(created).toMatchObject({ version: 1, isDefault: true });
    const updated = await admin.update({ id: "console-made", patch: { rules: { minWords: 6 } } });
    expect(updated.version).toBe(2);
    const list = await viewer.list();
    expect(list.filter((p) => p.isDefault).map((p) => p.name)).toEqual(["console-made"]);
    expect(await harness.database.db.auditLog.count({ where: { target: created.id, action: { in: ["profile.create", "profile.update"] } } })).toBe(2);
    await admin.update({ id: "default", patch: { isDefault: true } });
    expect((await viewer.list()).filter((p) => p.isDefault).map((p) => p.name)).toEqual(["default"]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@docgate/db";
import { JobSchema } from "~/server/api-schemas";
import { BOOTSTRAP_KEY, eventually, form, get, post, startHarness, type Harness } from "./harness";

let harness: Harness;
type Params = { id: string; label: string };
let routes: {
  setRules: (r: Request, c: { params: Promise<Params> }) => Promise<Response>;
  rules: (r: Request, c: { params: Promise<{ id: string }> }) => Promise<Response>;
  taxonomy: (r: Request, c: { params: Promise<{ id: string }> }) => Promise<Response>;
  process: (r: Request) => Promise<Response>;
};

beforeAll(async () => {
  harness = await startHarness();
  routes = {
    setRules: (await import("~/app/api/v1/taxonomies/[id]/labels/[label]/rules/route")).PUT,
    rules: (await import("~/app/api/v1/taxonomies/[id]/rules/route")).GET,
    taxonomy: (await import("~/app/api/v1/taxonomies/[id]/route")).GET,
    process: (await import("~/app/api/v1/process/route")).POST,
  };
});
afterAll(async () => {
  await harness?.stop();
});

const put = (taxonomy: string, label: string, body: unknown, key = BOOTSTRAP_KEY) =>
  routes.setRules(
    new Request(`http://127.0.0.1/api/v1/taxonomies/${taxonomy}/labels/${label}/rules`, {
      method: "PUT",
      body: JSON.stringify(body),
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    }),
    { params: Promise.resolve({ id: taxonomy, label }) },
  );
const errorCode = async (r: Response) => ((await r.json()) as { error: { code: string; message: string } }).error;

// An office e-mail the spam model (trained on mail as the product reads .eml files) calls ham;
// the rule's phrase makes it spam.
const MEMO = [
  "From: Dana Whitfield <dana@example.org>",
  "To: planning@example.org",
  "Date: Tue, 10 Nov 2026 09:12:00 +0000",
  "Message-ID: <memo-1@example.org>",
  "Subject: Planning meeting moves to Thursday",
  "",
  "Hello team, the quarterly planning meeting moves to Thursday. Please bring the budget notes. Mention code DG-PROMO-77 at the desk.",
  "",
  "Thanks,",
  "Dana",
].join("\r\n");

async function classify(text: string) {
  const response = await routes.process(post("/api/v1/process", form({
    document: { bytes: text, filename: "memo.eml" },
    services: ["classification"],
    fields: { taxonomy: "spam" },
  })));
  const job = JobSchema.parse(await response.json());
  const result = job.results.classification!;
  expect(result.status).toBe("succeeded");
  return { cached: result.cached, output: result.output as { label: string; decidedBy: string; rule: { pattern: string; matched: string } | null } };
}

describe("label rules over REST", () => {
  it("a rule decides before the model; changing the rules stops using cached results", async () => {
    const before = await classify(MEMO);
    expect(before.output).toMatchObject({ label: "ham", decidedBy: "model", rule: null });

    const set = await put("spam", "spam", { rules: [{ match: "regex", pattern: "dg-promo-\\d+" }] });
    expect(set.status).toBe(200);
    const body = (await set.json()) as { rulesVersion: number; rules: { id: string; caseInsensitive: boolean }[] };
    expect(body.rules).toEqual([expect.objectContaining({ label: "spam", match: "regex", pattern: "dg-promo-\\d+", caseInsensitive: true })]);

    // Workers see a rules change within their 2 s lookup TTL; the rules' version is part of the cache key.
    const ruled = await eventually(async () => {
      const r = await classify(MEMO);
      return r.output.decidedBy === "rule" ? r : null;
    });
    expect(ruled.cached).toBe(false);
    expect(ruled.output).toMatchObject({ label: "spam", decidedBy: "rule", rule: { pattern: "dg-promo-\\d+", matched: "DG-PROMO-77" } });
    expect((await classify(MEMO)).cached).toBe(true);

    // Removing the rule hands the decision back to the model, without a stale cached answer.
    expect((await put("spam", "spam", { rules: [] })).status).toBe(200);
    const back = await eventually(async () => {
      const r = await classify(MEMO);
      return r.output.decidedBy === "model" ? r : null;
    });
    expect(back).toMatchObject({ cached: false, output: { label: "ham" } });

    const audits = await harness.database.db.auditLog.findMany({ where: { action: "taxonomy.set_rules" }, orderBy: { id: "asc" } });
    expect(audits).toHaveLength(2);
    expect(audits[0]!.metadata).toMatchObject({ label: "spam", before: [], after: [{ match: "regex", pattern: "dg-promo-\\d+" }] });
  });

  it("refuses a bad regex, an unknown label and a non-admin, changing nothing", async () => {
    const { db } = harness.database;
    expect((await put("genre", "news", { rules: [{ match: "phrase", pattern: "press release" }] })).status).toBe(200);
    const version = (await db.taxonomy.findUniqueOrThrow({ where: { name: "genre" } })).rulesVersion;
    const audits = await db.auditLog.count({ where: { action: "taxonomy.set_rules" } });

    const badRegex = await put("genre", "news", { rules: [{ match: "phrase", pattern: "ok" }, { match: "regex", pattern: "(unclosed" }] });
    expect(badRegex.status).toBe(400);
    expect(await errorCode(badRegex)).toMatchObject({ code: "invalid_rule", message: expect.stringMatching(/Rule 2 .*not valid/) });
    const unknown = await put("genre", "invoices", { rules: [{ match: "any", pattern: "invoice" }] });
    expect(unknown.status).toBe(400);
    expect((await errorCode(unknown)).code).toBe("unknown_label");
    const badKind = await put("genre", "news", { rules: [{ match: "fuzzy", pattern: "x" }] });
    expect(badKind.status).toBe(400);
    const { secret: operator } = await createApiKey(db, { name: "op", role: "operator" });
    expect((await put("genre", "news", { rules: [] }, operator)).status).toBe(403);

    expect((await db.taxonomy.findUniqueOrThrow({ where: { name: "genre" } })).rulesVersion).toBe(version);
    expect(await db.auditLog.count({ where: { action: "taxonomy.set_rules" } })).toBe(audits);
    const listed = (await (await routes.rules(get("/api/v1/taxonomies/genre/rules", operator), { params: Promise.resolve({ id: "genre" }) })).json()) as {
      rules: { label: string; pattern: string }[];
    };
    expect(listed.rules).toEqual([expect.objectContaining({ label: "news", pattern: "press release" })]);
    const detail = (await (await routes.taxonomy(get("/api/v1/taxonomies/genre"), { params: Promise.resolve({ id: "genre" }) })).json()) as { rulesVersion: number; rules: unknown[] };
    expect(detail).toMatchObject({ rulesVersion: version, rules: [expect.objectContaining({ match: "phrase" })] });
  });

  it("takes the label as Next decoded it (a `%` in it is a plain character)", async () => {
    await harness.database.db.taxonomy.create({ data: { name: "discount", labels: ["100%", "50%25 off", "none"] } });
    for (const label of ["100%", "50%25 off"]) {
      const set = await put("discount", label, { rules: [{ match: "phrase", pattern: "free" }] });
      expect(set.status, label).toBe(200);
      expect(((await set.json()) as { label: string }).label).toBe(label);
    }
  });
});

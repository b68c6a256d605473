import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@docgate/db";
import { connectInMemory } from "@docgate/mcp";
import { JobSchema } from "~/server/api-schemas";
import { makeZip } from "../../../packages/mcp/test/fixtures";
import { createBuiltinService } from "../../workers/src/services";
import { createDocumentSource } from "../../workers/src/documents";
import { BOOTSTRAP_KEY, eventually, form, post, startHarness, type Harness } from "./harness";

let harness: Harness;
type Handler = (r: Request, c: { params: Promise<{ id: string }> }) => Promise<Response>;
let routes: {
  taxonomies: { GET: (r: Request) => Promise<Response>; POST: (r: Request) => Promise<Response> };
  examples: Handler;
  train: Handler;
  model: Handler;
  activate: Handler;
  process: (r: Request) => Promise<Response>;
};

beforeAll(async () => {
  harness = await startHarness();
  routes = {
    taxonomies: await import("~/app/api/v1/taxonomies/route"),
    examples: (await import("~/app/api/v1/taxonomies/[id]/examples/route")).POST,
    train: (await import("~/app/api/v1/taxonomies/[id]/train/route")).POST,
    model: (await import("~/app/api/v1/models/[id]/route")).GET,
    activate: (await import("~/app/api/v1/models/[id]/activate/route")).POST,
    process: (await import("~/app/api/v1/process/route")).POST,
  };
});
afterAll(async () => {
  await harness?.stop();
});

const params = (id: string) => ({ params: Promise.resolve({ id }) });
const json = (method: string, path: string, body: unknown, key = BOOTSTRAP_KEY) =>
  new Request(`http://127.0.0.1${path}`, { method, body: JSON.stringify(body), headers: { authorization: `Bearer ${key}`, "content-type": "application/json" } });
const get = (path: string) => new Request(`http://127.0.0.1${path}`, { headers: { authorization: `Bearer ${BOOTSTRAP_KEY}` } });

const INVOICES = [
  "Invoice number 4411. Amount due 1,250.00 EUR by 30 June. Bank transfer to IBAN listed below. VAT 19 percent included.",
  "Please remit payment of $310.40 for invoice 2231 within 14 days. Line items: consulting hours, travel expenses.",
  "INVOICE. Bill to: Acme Ltd. Subtotal 800.00, tax 152.00, total due 952.00. Payment terms net 30.",
  "Invoice 9902: hosting services for March. Total amount payable 99.00 USD. Late payment incurs a fee.",
  "Your invoice for order 5521 is attached. Balance due: 45.90. Pay by card or bank transfer before the due date.",
  "Tax invoice 7781, supplier VAT ID DE123. Quantity 12, unit price 20.00, net 240.00, gross 285.60 payable now.",
  "Final invoice for the kitchen renovation: materials 3,400, labour 2,100, total due 5,500 within 10 days.",
  "Reminder: invoice 6610 of 1,020.00 is overdue. Please settle the outstanding amount to avoid collection fees.",
];
const LETTERS = [
  "Dear Maria, thank you for your kind letter. We enjoyed the summer by the lake and think of you often. Warm regards.",
  "Dear Sir, I am writing to express my interest in the position advertised last week. I look forward to hearing from you.",
  "My dear friend, it has been too long since we last spoke. The children are well and the garden is in bloom. Love, Ann.",
  "Dear neighbours, we would like to invite you to our street party next Saturday afternoon. Bring a dish to share!",
  "Dear Professor Lee, thank you for your guidance this semester. Your lectures inspired me to continue my studies.",
  "Dear grandma, I miss you very much. School is fun and I learned to swim this week. See you at Christmas. Hugs, Tom.",
  "To whom it may concern: I recommend Jane Doe warmly. She is diligent, kind and a pleasure to work with. Sincerely.",
  "Dear team, thank you all for a wonderful year together. I am proud of what we built and grateful for your friendship.",
];

describe("taxonomies and models over REST", () => {
  let taxonomyId = "";
  let firstModel = "";

  it("creates a taxonomy and refuses a duplicate or a single label", async () => {
    const created = await routes.taxonomies.POST(json("POST", "/api/v1/taxonomies", { name: "mail-kind", labels: ["invoice", "letter"] }));
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: string; labels: string[]; activeModel: unknown };
    expect(body).toMatchObject({ labels: ["invoice", "letter"], activeModel: null });
    taxonomyId = body.id;
    expect((await routes.taxonomies.POST(json("POST", "/api/v1/taxonomies", { name: "mail-kind", labels: ["a", "b"] }))).status).toBe(409);
    const single = await routes.taxonomies.POST(json("POST", "/api/v1/taxonomies", { name: "lonely", labels: ["only"] }));
    expect(single.status).toBe(400);
    const list = (await (await routes.taxonomies.GET(get("/api/v1/taxonomies"))).json()) as { name: string }[];
    expect(list.map((t) => t.name)).toEqual(expect.arrayContaining(["genre", "spam", "mail-kind"]));
  });

  it("refuses to train without examples, and refuses examples with an unknown label writing nothing", async () => {
    const untrainable = await routes.train(json("POST", `/api/v1/taxonomies/${taxonomyId}/train`, {}), params(taxonomyId));
    expect(untrainable.status).toBe(400);
    expect(((await untrainable.json()) as { error: { code: string } }).error.code).toBe("not_enough_examples");
    const bad = await routes.examples(
      json("POST", `/api/v1/taxonomies/${taxonomyId}/examples`, { examples: [{ text: INVOICES[0], label: "invoice" }, { text: "x y z", label: "receipt" }] }),
      params(taxonomyId),
    );
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/receipt/);
    expect(await harness.database.db.trainingExample.count({ where: { taxonomyId } })).toBe(0);
  });

  it("trains a version in the background, activates it, and classifies with it", async () => {
    const examples = [...INVOICES.map((text) => ({ text, label: "invoice" })), ...LETTERS.map((text) => ({ text, label: "letter" }))];
    const added = await routes.examples(json("POST", `/api/v1/taxonomies/${taxonomyId}/examples`, { examples }), params(taxonomyId));
    expect(added.status).toBe(201);
    expect(await added.json()).toEqual({ added: 16, total: 16 });

    const started = await routes.train(json("POST", `/api/v1/taxonomies/${taxonomyId}/train`, {}), params(taxonomyId));
    expect(started.status).toBe(202);
    firstModel = ((await started.json()) as { modelId: string }).modelId;
    const model = await eventually(async () => {
      const m = (await (await routes.model(get(`/api/v1/models/${firstModel}`), params(firstModel))).json()) as { status: string; metrics: { accuracy: number; confusion: { labels: string[] } } | null; activation: { activated: boolean } | null };
      return m.status !== "training" ? m : null;
    }, 60_000);
    expect(model.status).toBe("active");
    expect(model.activation?.activated).toBe(true);
    expect(model.metrics?.confusion.labels).toEqual(["invoice", "letter"]);
    expect(model.metrics!.accuracy).toBeGreaterThanOrEqual(0.5);

    const response = await routes.process(post("/api/v1/process", form({
      document: { bytes: "Invoice 1234. Total amount due 420.00 EUR, payable by bank transfer within 30 days.", filename: "bill.txt" },
      services: ["classification"],
      fields: { taxonomy: "mail-kind" },
    })));
    const job = JobSchema.parse(await response.json());
    const output = job.results.classification!.output as { taxonomy: string; label: string; model: { id: string } };
    expect(output).toMatchObject({ taxonomy: "mail-kind", label: "invoice", model: { id: firstModel } });
  });

  it("rolls back by activating an earlier version; only admins may activate", async () => {
    const started = await routes.train(json("POST", `/api/v1/taxonomies/${taxonomyId}/train`, {}), params(taxonomyId));
    const second = ((await started.json()) as { modelId: string }).modelId;
    const settled = await eventually(async () => {
      const m = (await (await routes.model(get(`/api/v1/models/${second}`), params(second))).json()) as { status: string; activation: { reason: string } | null };
      return m.status !== "training" ? m : null;
    }, 60_000);
    expect(["active", "ready"]).toContain(settled.status);
    expect(settled.activation?.reason).toMatch(/accuracy/);

    const { secret: operator } = await createApiKey(harness.database.db, { name: "op", role: "operator" });
    expect((await routes.activate(json("POST", `/api/v1/models/${firstModel}/activate`, {}, operator), params(firstModel))).status).toBe(403);

    const rolledBack = await routes.activate(json("POST", `/api/v1/models/${firstModel}/activate`, {}), params(firstModel));
    expect(rolledBack.status).toBe(200);
    expect(((await rolledBack.json()) as { status: string }).status).toBe("active");
    const statuses = await harness.database.db.model.findMany({ where: { taxonomyId }, orderBy: { version: "asc" }, select: { status: true } });
    expect(statuses.map((s) => s.status)).toEqual(["active", "ready"]);
    expect(await harness.database.db.auditLog.count({ where: { action: "model.activate", target: firstModel } })).toBeGreaterThanOrEqual(2);
  });
});

describe("bulk import", () => {
  const importRoute = async () => (await import("~/app/api/v1/taxonomies/[id]/import/route")).POST;
  const raw = (type: string, body: Uint8Array | string) =>
    new Request("http://127.0.0.1/api/v1/taxonomies/imports/import", { method: "POST", body: typeof body === "string" ? body : new Uint8Array(body), headers: { authorization: `Bearer ${BOOTSTRAP_KEY}`, "content-type": type } });

  it("imports JSONL and a ZIP of label folders, all or nothing", async () => {
    const created = (await (await routes.taxonomies.POST(json("POST", "/api/v1/taxonomies", { name: "imports", labels: ["invoice", "letter"] }))).json()) as { id: string };
    const POST = await importRoute();
    const jsonl = [...INVOICES.slice(0, 3).map((text) => ({ text, label: "invoice" })), ...LETTERS.slice(0, 3).map((text) => ({ text, label: "letter" }))]
      .map((e) => JSON.stringify(e)).join("\n");
    const ok = await POST(raw("application/x-ndjson", jsonl), params(created.id));
    expect(ok.status).toBe(201);
    expect(await ok.json()).toEqual({ added: 6, total: 6 });

    const badLine = await POST(raw("application/x-ndjson", `${JSON.stringify({ text: "fine", label: "invoice" })}\n{not json`), params(created.id));
    expect(badLine.status).toBe(400);
    expect(((await badLine.json()) as { error: { message: string } }).error.message).toMatch(/Line 2/);
    const unknownLabel = await POST(raw("application/x-ndjson", JSON.stringify({ text: "a receipt", label: "receipt" })), params(created.id));
    expect(unknownLabel.status).toBe(400);

    const zip = makeZip([
      { name: "invoice/one.txt", data: INVOICES[4]! },
      { name: "invoice/two.html", data: `<html><body><p>${INVOICES[5]}</p></body></html>` },
      { name: "letter/three.txt", data: LETTERS[4]! },
      { name: "__MACOSX/letter/._three.txt", data: "junk" },
    ]);
    const zipped = await POST(raw("application/zip", zip), params(created.id));
    expect(zipped.status).toBe(201);
    expect(await zipped.json()).toEqual({ added: 3, total: 9 });
    const liar = await POST(raw("application/zip", "this is not a zip"), params(created.id));
    expect(liar.status).toBe(400);
    expect(await harness.database.db.trainingExample.count({ where: { taxonomyId: created.id } })).toBe(9);
    expect(await harness.database.db.auditLog.count({ where: { action: "taxonomy.add_examples", target: created.id } })).toBe(2);
  });
});

describe("classification MCP catalogue tools", () => {
  it("lists taxonomies, reads a model, and extracts features over real MCP", async () => {
    const { db } = harness.database;
    const service = createBuiltinService("classification", db, createDocumentSource(db));
    const mcp = await connectInMemory(service.server);
    try {
      const names = (await mcp.listTools()).map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(["classify_document", "extract_features", "list_taxonomies", "get_model", "train_model"]));
      const { taxonomies } = (await mcp.callTool("list_taxonomies", {})) as { taxonomies: { name: string; activeModel: { id: string } | null }[] };
      const genre = taxonomies.find((t) => t.name === "genre")!;
      expect(genre.activeModel).not.toBeNull();
      const model = (await mcp.callTool("get_model", { modelId: genre.activeModel!.id })) as { status: string; metrics: { accuracy: number } };
      expect(model.status).toBe("active");
      expect(model.metrics.accuracy).toBeGreaterThan(0.3);
      const features = (await mcp.callTool("extract_features", { text: "The quick brown fox jumps over the lazy dog. It was not amused." })) as { words: number; sentences: number };
      expect(features).toMatchObject({ words: 13, sentences: 2 });
      await expect(mcp.callTool("get_model", { modelId: "00000000-0000-0000-0000-000000000000" })).rejects.toThrow(/no model/);
    } finally {
      await mcp.close();
    }
  });
});

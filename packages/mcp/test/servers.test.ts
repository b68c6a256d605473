import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  ClassificationOutput,
  QualityOutputSchema,
  SERVICE_INFO,
  ToolCallError,
  UnreadableDocumentError,
  connectInMemory,
  createClassificationServer,
  createQualityServer,
  extractText,
  trainClassifier,
  type ClassifierModel,
  type DocumentSource,
  type InMemoryMcpClient,
  type ModelSource,
} from "../src";
import { SAMPLE_TEXT, makePdf } from "./fixtures";

const FINANCE = [
  "Quarterly revenue and profit rose as the company reported strong earnings and dividends for shareholders.",
  "The bank raised interest rates and investors sold shares as the stock market fell on inflation fears.",
  "Analysts expect the firm's revenue growth to slow, and the board cut the dividend to protect cash flow.",
  "Bond yields climbed after the central bank signalled more rate increases to fight inflation.",
  "The merger will create the largest retailer by revenue, pending approval from shareholders and regulators.",
  "Earnings per share beat forecasts and the company raised its profit guidance for the fiscal year.",
];
const SPORT = [
  "The striker scored twice in the second half and the team won the championship final in front of fans.",
  "The coach praised the goalkeeper after a penalty save kept the match level until extra time.",
  "She won the tennis tournament in straight sets, serving aces and breaking her opponent twice.",
  "The marathon runner set a course record, finishing the race nearly a minute ahead of the field.",
  "After the injury the midfielder returned to training and should play in Saturday's league game.",
  "The basketball team clinched the playoff series with a late three-pointer in overtime.",
];

let model: ClassifierModel;
beforeAll(() => {
  const examples = [
    ...FINANCE.map((text) => ({ text, label: "finance" })),
    ...SPORT.map((text) => ({ text, label: "sport" })),
  ];
  model = trainClassifier(examples, { seed: 1, testFraction: 0.34 }).model;
});

const pdf = makePdf([SAMPLE_TEXT, ""]);
const documents: DocumentSource = {
  async getText(documentId) {
    if (documentId === "doc-pdf") return { ...(await extractText(pdf, "application/pdf")), documentId };
    if (documentId === "doc-broken") throw new UnreadableDocumentError("The PDF cannot be read: it is corrupt or truncated.");
    throw new Error(`Document ${documentId} not found.`);
  },
};
const models: ModelSource = {
  async getActiveModel(taxonomy) {
    if (taxonomy && taxonomy !== "topics") throw new Error(`No active model for taxonomy "${taxonomy}".`);
    return { id: "model-1", version: 3, taxonomy: "topics", model };
  },
};

let open: InMemoryMcpClient[] = [];
afterEach(async () => {
  await Promise.all(open.map((c) => c.close()));
  open = [];
});
async function connect(kind: "classification" | "quality"): Promise<InMemoryMcpClient> {
  const server = kind === "classification" ? createClassificationServer({ documents, models }) : createQualityServer({ documents });
  const c = await connectInMemory(server);
  open.push(c);
  return c;
}

describe("classification server", () => {
  it("lists classify_document with input and output schemas", async () => {
    const c = await connect("classification");
    const tools = await c.listTools();
    // Without a catalogue (standalone) the server offers the document tools only.
    expect(tools.map((t) => t.name)).toEqual(["classify_document", "extract_features"]);
    expect(SERVICE_INFO.classification.tools).toEqual(expect.arrayContaining(tools.map((t) => t.name)));
    const tool = tools[0]!;
    expect(tool.inputSchema.type).toBe("object");
    expect(Object.keys(tool.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(["documentId", "text", "taxonomy"]));
    expect(tool.outputSchema?.properties).toHaveProperty("label");
    expect(tool.outputSchema?.properties).toHaveProperty("decidedBy");
    expect(tool.annotations?.readOnlyHint).toBe(true);
    expect(c.client.getServerVersion()?.version).toBe(SERVICE_INFO.classification.version);
  });

  it("classifies inline text and returns schema-valid structured content", async () => {
    const c = await connect("classification");
    const out = ClassificationOutput.parse(
      await c.callTool("classify_document", { text: "The team scored a late goal to win the league match and the fans celebrated." }),
    );
    expect(out.label).toBe("sport");
    expect(out.taxonomy).toBe("topics");
    expect(out.model).toEqual({ id: "model-1", version: 3 });
    expect(out.scores[0]!.label).toBe("sport");
    expect(out.features.words).toBe(15);
    expect(out.decidedBy).toBe("model");
  });

  it("classifies a stored document by id", async () => {
    const c = await connect("classification");
    const out = ClassificationOutput.parse(await c.callTool("classify_document", { documentId: "doc-pdf" }));
    expect(out.label).toBe("finance");
    expect(out.features.pages).toBe(2);
    expect(out.features.language.code).toBe("eng");
  });

  it("returns a null label with a reason for near-empty text", async () => {
    const c = await connect("classification");
    const out = ClassificationOutput.parse(await c.callTool("classify_document", { text: "hi" }));
    expect(out.label).toBeNull();
    expect(out.reason).toMatch(/1 word/);
  });

  it("reports bad arguments, unreadable documents and missing models as tool errors", async () => {
    const c = await connect("classification");
    await expect(c.callTool("classify_document", {})).rejects.toThrow(/exactly one of documentId or text/);
    await expect(c.callTool("classify_document", { text: "a b c", documentId: "x" })).rejects.toBeInstanceOf(ToolCallError);
    await expect(c.callTool("classify_document", { text: 42 })).rejects.toBeInstanceOf(ToolCallError);
    await expect(c.callTool("classify_document", { documentId: "doc-broken" })).rejects.toThrow(/corrupt or truncated/);
    await expect(c.callTool("classify_document", { text: "some words here", taxonomy: "nope" })).rejects.toThrow(
      /No active model for taxonomy "nope"/,
    );
    // The server is still alive after the errors.
    const out = await c.callTool("classify_document", { text: "Shares fell as the bank reported weaker profit and revenue." });
    expect(out.label).toBe("finance");
  });
});

describe("quality server", () => {
  it("lists assess_quality with input and output schemas", async () => {
    const c = await connect("quality");
    const tools = await c.listTools();
    expect(tools.map((t) => t.name)).toEqual(["assess_quality", "validate_document", "list_profiles"]);
    expect(tools[0]!.outputSchema?.properties).toHaveProperty("score");
    expect(tools[0]!.outputSchema?.properties).toHaveProperty("issues");
  });

  it("assesses a stored document and locates its empty page", async () => {
    const c = await connect("quality");
    const out = QualityOutputSchema.parse(await c.callTool("assess_quality", { documentId: "doc-pdf" }));
    expect(out.metrics.pages).toBe(2);
    expect(out.metrics.emptyPages).toBe(1);
    expect(out.issues.find((i) => i.code === "empty_page")?.location?.page).toBe(2);
  });

  it("fails empty text and reports unknown documents as tool errors", async () => {
    const c = await connect("quality");
    const out = QualityOutputSchema.parse(await c.callTool("assess_quality", { text: "" }));
    expect(out.passed).toBe(false);
    expect(out.issues[0]!.code).toBe("empty_document");
    await expect(c.callTool("assess_quality", { documentId: "missing" })).rejects.toThrow(/Document missing not found/);
    await expect(c.callTool("assess_quality", { text: "x", extra: true })).rejects.toBeInstanceOf(ToolCallError);
  });
});

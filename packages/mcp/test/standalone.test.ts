import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  connectInMemory,
  createClassificationServer,
  createFileDocumentSource,
  createFileModelSource,
  createQualityServer,
  serializeModel,
  trainClassifier,
} from "../src";
import { SAMPLE_TEXT, makeDocx, makePdf } from "./fixtures";

const dir = mkdtempSync(join(tmpdir(), "docgate-mcp-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("file-backed stores", () => {
  it("serves documents from a folder and models from files", async () => {
    writeFileSync(join(dir, "report.pdf"), makePdf([SAMPLE_TEXT]));
    writeFileSync(join(dir, "memo.bin"), makeDocx("Short memo about the budget for the spring."));
    writeFileSync(join(dir, "photo.png"), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]));
    const { model } = trainClassifier(
      [
        { text: "revenue profit shares dividend budget costs", label: "finance" },
        { text: "quarterly earnings grew and the board approved the budget", label: "finance" },
        { text: "the striker scored a goal and the team won the match", label: "sport" },
        { text: "the coach praised the players after the final whistle", label: "sport" },
      ],
      { seed: 1, testFraction: 0.5 },
    );
    writeFileSync(join(dir, "topics.dgcm"), serializeModel(model));

    const documents = createFileDocumentSource(dir);
    const memo = await documents.getText("memo.bin");
    expect(memo.mimeType).toBe("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    expect(memo.text).toBe("Short memo about the budget for the spring.");
    await expect(documents.getText("photo.png")).rejects.toThrow(/unsupported type \(image\/png\)/);
    await expect(documents.getText("../etc/passwd")).rejects.toThrow(/outside the document folder/);
    await expect(documents.getText("nope.pdf")).rejects.toThrow(/not found/);

    const models = createFileModelSource({ topics: join(dir, "topics.dgcm") });
    const c = await connectInMemory(createClassificationServer({ documents, models }));
    const out = await c.callTool("classify_document", { documentId: "report.pdf" });
    expect(out.label).toBe("finance");
    expect(out.model).toEqual({ id: "topics.dgcm", version: 1 });
    await expect(c.callTool("classify_document", { documentId: "report.pdf", taxonomy: "x" })).rejects.toThrow(/No model for taxonomy "x"/);
    await c.close();

    const q = await connectInMemory(createQualityServer({ documents }));
    const quality = await q.callTool("assess_quality", { documentId: "report.pdf" });
    expect(quality.metrics).toMatchObject({ pages: 1, emptyPages: 0 });
    await q.close();
  });
});

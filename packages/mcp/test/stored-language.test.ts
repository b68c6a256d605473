import { afterEach, describe, expect, it } from "vitest";
import {
  connectInMemory, createClassificationServer, createQualityServer, extractText, trainClassifier,
  type DocumentSource, type InMemoryMcpClient, type ModelSource,
} from "../src";
import { fromStoredExtraction, toStoredExtraction } from "../src/extraction";

const ENGLISH = "The committee reviewed the annual budget and approved the plan for the new library after a long debate.";

describe("the language is detected once, when the text is stored", () => {
  let client: InMemoryMcpClient | undefined;
  afterEach(async () => {
    await client?.close();
    client = undefined;
  });

  it("is kept with the stored extraction and read back", async () => {
    const stored = toStoredExtraction(await extractText(new TextEncoder().encode(ENGLISH), "text/plain"));
    expect(stored.language).toMatchObject({ code: "eng" });
    // Through JSON, as the host keeps it in Postgres.
    expect(fromStoredExtraction(JSON.parse(JSON.stringify(stored))).language).toEqual(stored.language);
    // Rows stored before the language was kept read back without one (the services detect it).
    expect(fromStoredExtraction({ truncated: false }).language).toBeUndefined();
  });

  // A stored guess that differs from what detection would say shows which one the services used.
  const storedGuess = { code: "nld", confidence: 0.42 };
  const documents: DocumentSource = {
    getText: async (documentId) => ({ ...(await extractText(new TextEncoder().encode(ENGLISH), "text/plain")), language: storedGuess, documentId }),
  };

  it("is what both services report for a stored document, instead of detecting again", async () => {
    client = await connectInMemory(createQualityServer({ documents }));
    const quality = (await client.callTool("assess_quality", { documentId: "doc-1" })) as { metrics: { language: unknown } };
    expect(quality.metrics.language).toEqual(storedGuess);
    await client.close();

    const { model } = trainClassifier(
      [...["budget library plan", "committee approved budget", "annual plan debate"].map((text) => ({ text, label: "civic" })),
        ...["goal match league", "team scored goal", "fans match win"].map((text) => ({ text, label: "sport" }))],
      { seed: 1, testFraction: 0.34 },
    );
    const models: ModelSource = { getActiveModel: async () => ({ id: "m", version: 1, taxonomy: "t", model }) };
    client = await connectInMemory(createClassificationServer({ documents, models }));
    const classified = (await client.callTool("classify_document", { documentId: "doc-1" })) as { features: { language: unknown } };
    expect(classified.features.language).toEqual(storedGuess);
    const features = (await client.callTool("extract_features", { documentId: "doc-1" })) as { language: unknown };
    expect(features.language).toEqual(storedGuess);
    // Inline text has nothing stored: it is detected.
    const inline = (await client.callTool("extract_features", { text: ENGLISH })) as { language: { code: string } };
    expect(inline.language.code).toBe("eng");
  });
});

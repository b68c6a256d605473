import { afterEach, describe, expect, it } from "vitest";
import {
  ExtractedFeaturesSchema, connectInMemory, createClassificationServer, extractText, findEntities,
  type DocumentSource, type InMemoryMcpClient, type ModelSource,
} from "../src";

const enc = (s: string) => new TextEncoder().encode(s);

describe("findEntities", () => {
  it("finds dates, amounts, e-mail addresses and URLs at their offsets", () => {
    const text =
      "Invoice dated 2024-03-05, due 31 March 2024 (or April 2, 2024). Pay $1,234.50 or 99,90 EUR, " +
      "not 5 dollars. Questions: billing@example.com, see https://example.com/pay?id=7. Ref 12/03/2024.";
    const e = findEntities(text);
    const at = (s: { offset: number; length: number }) => text.slice(s.offset, s.offset + s.length);
    expect(e.dates.map((d) => [d.text, d.iso])).toEqual([
      ["2024-03-05", "2024-03-05"],
      ["31 March 2024", "2024-03-31"],
      ["April 2, 2024", "2024-04-02"],
      ["12/03/2024", null], // day/month order unknown: no ISO value
    ]);
    expect(e.amounts.map((a) => [a.text, a.value, a.currency])).toEqual([
      ["$1,234.50", 1234.5, "USD"],
      ["99,90 EUR", 99.9, "EUR"],
      ["5 dollars", 5, "USD"],
    ]);
    expect(e.emails.map((m) => m.text)).toEqual(["billing@example.com"]);
    expect(e.urls.map((u) => u.text)).toEqual(["https://example.com/pay?id=7"]);
    for (const span of [...e.dates, ...e.amounts, ...e.emails, ...e.urls]) expect(at(span)).toBe(span.text);
    expect(e.capped).toBe(false);
  });

  it("rejects impossible dates and caps long lists", () => {
    expect(findEntities("Due 2024-02-30.").dates).toEqual([{ text: "2024-02-30", offset: 4, length: 10, iso: null }]);
    const many = findEntities(Array.from({ length: 150 }, (_, i) => `u${i}@example.com`).join(" "));
    expect(many.emails).toHaveLength(100);
    expect(many.capped).toBe(true);
  });
});

describe("extract_features tool", () => {
  const markdown = "# Offer\n\nWe offer **€ 2.500** until 2025-01-31.\n\n1. Call us\n2. Sign\n\nMail sales@example.com.";
  const documents: DocumentSource = {
    async getText(documentId) {
      return { ...(await extractText(enc(markdown), "text/markdown")), documentId };
    },
  };
  const models: ModelSource = {
    async getActiveModel() {
      throw new Error("not used");
    },
  };
  let client: InMemoryMcpClient | undefined;
  afterEach(async () => client?.close());

  it("returns structure, entities, metadata and the extraction report of a stored document", async () => {
    client = await connectInMemory(createClassificationServer({ documents, models }));
    const out = ExtractedFeaturesSchema.parse(await client.callTool("extract_features", { documentId: "d1" }));
    expect(out.mimeType).toBe("text/markdown");
    expect(out.structure).toEqual({ headings: [{ level: 1, text: "Offer" }], tables: [], lists: [{ ordered: true, items: 2 }] });
    expect(out.metadata).toEqual({ title: "Offer" });
    expect(out.entities.amounts).toMatchObject([{ text: "€ 2.500", value: 2500, currency: "EUR" }]);
    expect(out.entities.dates).toMatchObject([{ iso: "2025-01-31" }]);
    expect(out.entities.emails).toMatchObject([{ text: "sales@example.com" }]);
    expect(out.extraction).toEqual({ truncated: false, cuts: [], ocr: null });
    expect(out.words).toBeGreaterThan(5);
  });

  it("gives inline text entities but no structure or metadata", async () => {
    client = await connectInMemory(createClassificationServer({ documents, models }));
    const out = ExtractedFeaturesSchema.parse(await client.callTool("extract_features", { text: "Visit www.example.org on 1 May 2024." }));
    expect(out.structure).toBeNull();
    expect(out.mimeType).toBeNull();
    expect(out.entities.urls).toEqual([{ text: "www.example.org", offset: 6, length: 15 }]);
    expect(out.entities.dates).toMatchObject([{ iso: "2024-05-01" }]);
  });
});

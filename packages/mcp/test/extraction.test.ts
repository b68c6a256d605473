import { describe, expect, it } from "vitest";
import {
  DEFAULT_LIMITS,
  SUPPORTED_TYPES,
  UnreadableDocumentError,
  extractText,
  inspectDocument,
  sniffType,
} from "../src/extraction";
import { SAMPLE_TEXT, makeDocx, makeHtml, makePdf, makeZip } from "./fixtures";

const enc = (s: string) => new TextEncoder().encode(s);

describe("sniffType", () => {
  it("recognises PDF, DOCX, HTML and plain text from the bytes", async () => {
    expect(await sniffType(makePdf("Hello"))).toEqual({ ok: true, mimeType: SUPPORTED_TYPES.pdf });
    expect(await sniffType(makeDocx("Hello"))).toEqual({ ok: true, mimeType: SUPPORTED_TYPES.docx });
    expect(await sniffType(makeHtml("Hello"))).toEqual({ ok: true, mimeType: SUPPORTED_TYPES.html });
    expect(await sniffType(enc("<div><p>fragment</p><span>x</span></div>"))).toEqual({ ok: true, mimeType: SUPPORTED_TYPES.html });
    expect(await sniffType(enc(SAMPLE_TEXT))).toEqual({ ok: true, mimeType: SUPPORTED_TYPES.text });
    expect(await sniffType(enc("Prices use <b> tags rarely; 3 < 4 and 5 > 2."))).toEqual({ ok: true, mimeType: SUPPORTED_TYPES.text });
  });

  it("accepts UTF-16 text with a BOM", async () => {
    const utf16 = new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("Hello wide world", "utf16le")]));
    expect(await sniffType(utf16)).toEqual({ ok: true, mimeType: SUPPORTED_TYPES.text });
    const doc = await extractText(utf16, SUPPORTED_TYPES.text);
    expect(doc.text).toBe("Hello wide world");
  });

  it("rejects empty input, images, plain zips and binary noise", async () => {
    expect(await sniffType(new Uint8Array())).toEqual({ ok: false, reason: "empty" });
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
    expect(await sniffType(png)).toEqual({ ok: false, reason: "unsupported", detected: "image/png" });
    expect(await sniffType(makeZip([{ name: "a.txt", data: "hello" }]))).toMatchObject({ ok: false, reason: "unsupported", detected: "application/zip" });
    const noise = new Uint8Array(256).map((_, i) => (i * 37 + 11) % 256);
    expect(await sniffType(noise)).toMatchObject({ ok: false, reason: "unsupported" });
  });

  it("ignores what the bytes claim to be named: a PDF is a PDF whatever its name", async () => {
    // sniffType has no filename parameter at all; a text file starting like HTML is HTML.
    expect(await sniffType(enc("<!DOCTYPE html><title>x</title>"))).toEqual({ ok: true, mimeType: SUPPORTED_TYPES.html });
  });
});

describe("inspectDocument", () => {
  it("reads the page count of a PDF", async () => {
    expect(await inspectDocument(makePdf(["one", "two", "three"]), SUPPORTED_TYPES.pdf)).toEqual({ pages: 3 });
  });

  it("throws UnreadableDocumentError on a corrupt or truncated PDF", async () => {
    await expect(inspectDocument(enc("%PDF-1.4 garbage"), SUPPORTED_TYPES.pdf)).rejects.toBeInstanceOf(UnreadableDocumentError);
    const pdf = makePdf([SAMPLE_TEXT, SAMPLE_TEXT]);
    const err = await inspectDocument(pdf.subarray(0, Math.floor(pdf.length / 2)), SUPPORTED_TYPES.pdf).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreadableDocumentError);
    expect((err as UnreadableDocumentError).code).toBe("unreadable_document");
    expect((err as Error).message).toMatch(/PDF cannot be read/);
  });

  it("checks a DOCX has word/document.xml", async () => {
    expect(await inspectDocument(makeDocx("hi"), SUPPORTED_TYPES.docx)).toEqual({});
    await expect(inspectDocument(makeZip([{ name: "other.xml", data: "<x/>" }]), SUPPORTED_TYPES.docx)).rejects.toThrow(/word\/document.xml/);
    const docx = makeDocx("hi");
    await expect(inspectDocument(docx.subarray(0, docx.length - 30), SUPPORTED_TYPES.docx)).rejects.toBeInstanceOf(UnreadableDocumentError);
  });

  it("needs no check for text and HTML", async () => {
    expect(await inspectDocument(enc("anything"), SUPPORTED_TYPES.text)).toEqual({});
  });
});

describe("extractText", () => {
  it("extracts PDF text per page with metadata", async () => {
    const pdf = makePdf(["First page about revenue.", "Second page about costs."], {
      title: "Report",
      author: "Ada Lovelace",
      created: new Date("2024-05-06T07:08:09Z"),
    });
    const doc = await extractText(pdf, SUPPORTED_TYPES.pdf);
    expect(doc.pages).toEqual(["First page about revenue.", "Second page about costs."]);
    expect(doc.text).toBe("First page about revenue.\n\nSecond page about costs.");
    expect(doc.metadata).toEqual({ title: "Report", author: "Ada Lovelace", created: "2024-05-06T07:08:09.000Z" });
    expect(doc.truncated).toBe(false);
    expect(doc.warnings).toEqual([]);
  });

  it("truncates past the page and character limits with a warning", async () => {
    const pdf = makePdf(["alpha page", "beta page", "gamma page"]);
    const byPages = await extractText(pdf, SUPPORTED_TYPES.pdf, { maxPages: 2 });
    expect(byPages.pages).toEqual(["alpha page", "beta page"]);
    expect(byPages.truncated).toBe(true);
    expect(byPages.warnings.join(" ")).toMatch(/first 2 of 3 pages/);
    const byChars = await extractText(enc("0123456789".repeat(10)), SUPPORTED_TYPES.text, { maxChars: 25 });
    expect(byChars.text).toHaveLength(25);
    expect(byChars.pages).toEqual([byChars.text]);
    expect(byChars.truncated).toBe(true);
    expect(byChars.warnings[0]).toMatch(/cut at 25 characters/);
    expect(DEFAULT_LIMITS.maxPages).toBeGreaterThan(0);
  });

  it("throws UnreadableDocumentError on a corrupt PDF", async () => {
    await expect(extractText(enc("%PDF-1.7\n1 0 obj broken"), SUPPORTED_TYPES.pdf)).rejects.toBeInstanceOf(UnreadableDocumentError);
  });

  it("extracts DOCX paragraphs and core properties", async () => {
    const docx = makeDocx("Hello from Word.\nSecond paragraph & more.", { title: "Memo", author: "Grace Hopper" });
    const doc = await extractText(docx, SUPPORTED_TYPES.docx);
    expect(doc.text).toBe("Hello from Word.\n\nSecond paragraph & more.");
    expect(doc.pages).toEqual([doc.text]);
    expect(doc.metadata).toEqual({ title: "Memo", author: "Grace Hopper" });
  });

  it("throws UnreadableDocumentError on a DOCX that is not a zip", async () => {
    await expect(extractText(enc("PK not really"), SUPPORTED_TYPES.docx)).rejects.toBeInstanceOf(UnreadableDocumentError);
  });

  it("extracts HTML text without scripts, styles or link URLs", async () => {
    const doc = await extractText(makeHtml("First paragraph.\nSecond paragraph.", "My Page"), SUPPORTED_TYPES.html);
    expect(doc.text).toContain("My Page");
    expect(doc.text).toContain("First paragraph.");
    expect(doc.text).toContain("a link");
    expect(doc.text).not.toContain("should-not-appear");
    expect(doc.text).not.toContain("color: red");
    expect(doc.text).not.toContain("example.com");
    expect(doc.metadata).toEqual({ title: "My Page", author: "Fixture Author" });
  });

  it("decodes text as UTF-8 and keeps replacement characters", async () => {
    const bytes = new Uint8Array([...enc("caf"), 0xe9, ...enc(" ok\r\nnext")]);
    const doc = await extractText(bytes, SUPPORTED_TYPES.text);
    expect(doc.text).toBe("caf\uFFFD ok\nnext");
    expect(doc.pages).toEqual([doc.text]);
  });
});

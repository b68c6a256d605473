import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { OcrEngine, SUPPORTED_TYPES, extractText, sniffType } from "../src/extraction";
import { openPdf } from "../src/extraction/inspect";
import { pageImages } from "../src/extraction/pdf-images";
import { SAMPLE_TEXT, makeImagePdf, makePdf } from "./fixtures";

// Made once by packages/mcp/scripts/make-ocr-fixture.ts: a picture of typed text, no text layer.
const SCANNED = new Uint8Array(readFileSync(new URL("./fixtures-data/scanned-letter.pdf", import.meta.url)));
const enc = (s: string) => new TextEncoder().encode(s);
const ocr = new OcrEngine();
afterAll(() => ocr.close());

async function scannedPicture() {
  const doc = await openPdf(SCANNED);
  try {
    const [picture] = await pageImages(await doc.getPage(1));
    return picture!;
  } finally {
    await doc.destroy();
  }
}

describe("OCR of PDF pages without a text layer", () => {
  it("reads a scanned page and says which page was OCRed", async () => {
    const doc = await extractText(SCANNED, SUPPORTED_TYPES.pdf, {}, { ocr });
    expect(doc.text).toContain("INVOICE 4711");
    expect(doc.text).toMatch(/120 dollars before the end of March/);
    expect(doc.ocr).toMatchObject({ engine: "tesseract.js", pages: [1], skipped: [] });
    expect(doc.ocr!.meanConfidence).toBeGreaterThan(60);
    expect(doc.truncated).toBe(false);
    expect(doc.cuts).toEqual([]);
  }, 60_000);

  it("OCRs only up to the page budget and reports the pages it left out", async () => {
    const picture = await scannedPicture();
    const pdf = makeImagePdf([picture, picture, picture]);
    const doc = await extractText(pdf, SUPPORTED_TYPES.pdf, { maxOcrPages: 2 }, { ocr });
    expect(doc.ocr!.pages).toEqual([1, 2]);
    expect(doc.pages[0]).toContain("INVOICE 4711");
    expect(doc.pages[1]).toContain("INVOICE 4711");
    expect(doc.pages[2]).toBe("");
    expect(doc.truncated).toBe(true);
    expect(doc.cuts).toEqual([{ limit: "ocr_pages", message: expect.stringMatching(/limit is 2 OCR pages.*pages 3\)/) }]);
    expect(doc.ocr!.skipped).toEqual([{ page: 3, reason: "OCR page limit reached." }]);
  }, 60_000);

  it("stops at the OCR time budget, says so, and the engine still works afterwards", async () => {
    const doc = await extractText(SCANNED, SUPPORTED_TYPES.pdf, { ocrTimeoutMs: 1 }, { ocr });
    expect(doc.text).toBe("");
    expect(doc.ocr!.skipped).toEqual([{ page: 1, reason: "OCR time budget used up." }]);
    expect(doc.truncated).toBe(true);
    expect(doc.cuts?.map((c) => c.limit)).toEqual(["ocr_time"]);
    expect(doc.warnings.join(" ")).toMatch(/1 ms OCR time budget/);
    // An abandoned recognition throws the engine away; the next document gets a fresh one.
    const again = await extractText(SCANNED, SUPPORTED_TYPES.pdf, {}, { ocr });
    expect(again.text).toContain("INVOICE 4711");
  }, 60_000);

  it("keeps text-layer pages as they are and lists a page with nothing to read", async () => {
    const doc = await extractText(makePdf(["", "A page with a real text layer."]), SUPPORTED_TYPES.pdf, {}, { ocr });
    expect(doc.pages).toEqual(["", "A page with a real text layer."]);
    expect(doc.ocr).toMatchObject({ pages: [], skipped: [{ page: 1, reason: expect.stringMatching(/no embedded picture/) }] });
    expect(doc.truncated).toBe(false);
  });

  it("does not OCR at all with a page budget of 0", async () => {
    const doc = await extractText(SCANNED, SUPPORTED_TYPES.pdf, { maxOcrPages: 0 }, { ocr });
    expect(doc.text).toBe("");
    expect(doc.cuts?.map((c) => c.limit)).toEqual(["ocr_pages"]);
  });
});

const MARKDOWN = `---
title: Quarterly notes
author: Ada Lovelace
date: 2024-03-01
---
# Results

Revenue grew in **March**; see [the report](https://example.com/q1).

## Open items

- hire two engineers
- renew the lease

| Region | Revenue |
| ------ | ------: |
| North  | 120     |
| South  | 80      |
`;

describe("Markdown", () => {
  it("is detected from the bytes and read without its syntax, with structure and front matter", async () => {
    expect(await sniffType(enc(MARKDOWN))).toEqual({ ok: true, mimeType: SUPPORTED_TYPES.markdown });
    const doc = await extractText(enc(MARKDOWN), SUPPORTED_TYPES.markdown);
    expect(doc.text).toContain("Revenue grew in March; see the report.");
    expect(doc.text).not.toMatch(/#|\*\*|\||\]\(|---/);
    expect(doc.text).not.toContain("author:");
    expect(doc.structure).toEqual({
      headings: [{ level: 1, text: "Results" }, { level: 2, text: "Open items" }],
      tables: [{ rows: 3, columns: 2 }],
      lists: [{ ordered: false, items: 2 }],
    });
    expect(doc.metadata).toEqual({ title: "Quarterly notes", author: "Ada Lovelace", created: "2024-03-01T00:00:00.000Z" });
  });

  it("leaves prose with a dash list as plain text", async () => {
    expect(await sniffType(enc(SAMPLE_TEXT))).toEqual({ ok: true, mimeType: SUPPORTED_TYPES.text });
    expect(await sniffType(enc("Shopping:\n- milk\n- bread\nThanks."))).toEqual({ ok: true, mimeType: SUPPORTED_TYPES.text });
  });
});

const EMAIL = [
  "Return-Path: <billing@example.com>",
  "From: Billing Team <billing@example.com>",
  "To: Grace Hopper <grace@example.org>",
  "Subject: Your invoice for March",
  "Date: Tue, 05 Mar 2024 09:30:00 +0000",
  "Message-ID: <abc123@example.com>",
  "MIME-Version: 1.0",
  'Content-Type: multipart/mixed; boundary="outer"',
  "",
  "--outer",
  'Content-Type: multipart/alternative; boundary="alt"',
  "",
  "--alt",
  "Content-Type: text/plain; charset=utf-8",
  "",
  "Please pay 120 EUR by 31 March 2024.",
  "--alt",
  "Content-Type: text/html; charset=utf-8",
  "",
  "<html><body><h1>Invoice</h1><p>Please pay 120 EUR by 31 March 2024.</p><ul><li>one</li><li>two</li></ul></body></html>",
  "--alt--",
  "--outer",
  "Content-Type: application/pdf",
  'Content-Disposition: attachment; filename="invoice.pdf"',
  "Content-Transfer-Encoding: base64",
  "",
  Buffer.from("%PDF-1.4 not really").toString("base64"),
  "--outer--",
  "",
].join("\r\n");

describe("E-mail (.eml)", () => {
  it("is detected from the bytes; headers become metadata and the skipped attachment is reported", async () => {
    expect(await sniffType(enc(EMAIL))).toEqual({ ok: true, mimeType: SUPPORTED_TYPES.email });
    const doc = await extractText(enc(EMAIL), SUPPORTED_TYPES.email);
    expect(doc.text).toMatch(/^From: Billing Team <billing@example.com>\nTo: Grace Hopper <grace@example.org>\n/);
    expect(doc.text).toContain("Subject: Your invoice for March");
    expect(doc.text).toContain("Please pay 120 EUR by 31 March 2024.");
    expect(doc.metadata).toEqual({
      title: "Your invoice for March",
      author: "Billing Team <billing@example.com>",
      created: "2024-03-05T09:30:00.000Z",
    });
    expect(doc.structure).toEqual({ headings: [{ level: 1, text: "Invoice" }], tables: [], lists: [{ ordered: false, items: 2 }] });
    expect(doc.cuts).toEqual([{ limit: "attachments", message: expect.stringContaining("invoice.pdf") }]);
    expect(doc.truncated).toBe(false);
  });

  it("a memo with To: and Subject: lines is not an e-mail", async () => {
    expect(await sniffType(enc("To: all staff\nSubject: parking\n\nThe car park closes on Friday."))).toEqual({
      ok: true,
      mimeType: SUPPORTED_TYPES.text,
    });
  });
});

/** Bytes of a legacy message: each line's text written one byte per code point (Latin-1). */
const latin1 = (lines: string[]) => new Uint8Array([...lines.join("\r\n")].map((c) => c.charCodeAt(0)));

describe("Legacy e-mail with undeclared 8-bit bytes", () => {
  const LATIN1_MAIL = latin1([
    "From: Jos\u00e9 Mu\u00f1oz <jose@example.es>",
    "To: ventas@example.com",
    "Date: Tue, 5 Mar 2024 10:30:00 +0100",
    "Subject: Caf\u00e9 en oferta: \u00a1s\u00f3lo hoy!",
    "Message-ID: <legacy-1@example.es>",
    "Content-Type: text/plain",
    "Content-Transfer-Encoding: 8bit",
    "",
    "Se\u00f1ores, el caf\u00e9 cuesta 12 \u0080 el kilo. Gr\u00fc\u00dfe aus K\u00f6ln.",
    "",
  ]);

  it("is accepted as e-mail, and its headers and body read as windows-1252", async () => {
    expect(await sniffType(LATIN1_MAIL)).toEqual({ ok: true, mimeType: SUPPORTED_TYPES.email });
    const doc = await extractText(LATIN1_MAIL, SUPPORTED_TYPES.email);
    expect(doc.text).toMatch(/^From: José Muñoz <jose@example.es>\n/);
    expect(doc.text).toContain("Subject: Café en oferta: ¡sólo hoy!");
    expect(doc.text).toContain("Señores, el café cuesta 12 € el kilo. Grüße aus Köln.");
    expect(doc.text).not.toContain("\uFFFD");
    expect(doc.metadata).toMatchObject({ title: "Café en oferta: ¡sólo hoy!", author: "José Muñoz <jose@example.es>" });
  });

  it("reads each MIME part by its own charset: declared, UTF-8 as sent, else windows-1252", async () => {
    const header = latin1([
      "From: shop@example.com",
      "Subject: Pr\u00e9sentation",
      "MIME-Version: 1.0",
      'Content-Type: multipart/mixed; boundary="b1"',
      "",
      "Preamble",
      "--b1",
      "Content-Type: text/plain",
      "",
      "Undeclared: d\u00e9j\u00e0 vu",
      "--b1",
      "Content-Type: text/plain; charset=iso-8859-15",
      "",
      "Declared: \u00a4uro",
      "--b1",
      "Content-Type: text/plain",
      "",
    ]);
    const utf8Part = new TextEncoder().encode("\r\nUTF-8 as sent: naïve café\r\n--b1--\r\n");
    const bytes = new Uint8Array([...header, ...utf8Part]);
    expect(await sniffType(bytes)).toEqual({ ok: true, mimeType: SUPPORTED_TYPES.email });
    const doc = await extractText(bytes, SUPPORTED_TYPES.email);
    expect(doc.text).toContain("Subject: Présentation");
    expect(doc.text).toContain("Undeclared: déjà vu");
    expect(doc.text).toContain("Declared: €uro"); // 0xA4 is the euro sign in ISO-8859-15
    expect(doc.text).toContain("UTF-8 as sent: naïve café");
    expect(doc.text).not.toContain("\uFFFD");
  });

  it("accepts ISO-2022-JP mail (7-bit, with ESC sequences) and still refuses binaries with a mail-like start", async () => {
    const jis = latin1([
      "From: info@example.jp",
      "Subject: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=",
      "Content-Type: text/plain; charset=ISO-2022-JP",
      "",
      "\u001b$B%F%9%H\u001b(B",
      "",
    ]);
    expect(await sniffType(jis)).toEqual({ ok: true, mimeType: SUPPORTED_TYPES.email });
    expect((await extractText(jis, SUPPORTED_TYPES.email)).text).toBe("From: info@example.jp\nSubject: テスト\n\nテスト");

    const headers = latin1(["From: a@example.com", "Received: from x", "", ""]);
    const noise = new Uint8Array(4096).map((_, i) => (i * 37 + 11) % 256);
    expect(await sniffType(new Uint8Array([...headers, ...noise]))).toMatchObject({ ok: false, reason: "unsupported" });
    const withoutNul = noise.map((b) => b || 1); // no NUL, but binary: control bytes everywhere
    expect(await sniffType(new Uint8Array([...headers, ...withoutNul]))).toMatchObject({ ok: false, reason: "unsupported" });
  });
});

describe("HTML structure and metadata", () => {
  it("lists headings, tables and lists and reads <meta> author and date", async () => {
    const html = enc(
      `<!doctype html><html><head><title>Plan</title><meta name="author" content="Ada"><meta name="date" content="2023-01-02"></head>` +
        `<body><h1>Plan</h1><h3>Step <em>one</em></h3><table><tr><th>a</th><th colspan="2">b</th></tr><tr><td>1</td><td>2</td><td>3</td></tr></table>` +
        `<ol><li>x</li><li>y</li><li>z</li></ol></body></html>`,
    );
    const doc = await extractText(html, SUPPORTED_TYPES.html);
    expect(doc.structure).toEqual({
      headings: [{ level: 1, text: "Plan" }, { level: 3, text: "Step one" }],
      tables: [{ rows: 2, columns: 3 }],
      lists: [{ ordered: true, items: 3 }],
    });
    expect(doc.metadata).toEqual({ title: "Plan", author: "Ada", created: "2023-01-02T00:00:00.000Z" });
    const plain = await extractText(enc("<html><body><p>No structure here.</p><div>Just text.</div></body></html>"), SUPPORTED_TYPES.html);
    expect(plain.structure).toEqual({ headings: [], tables: [], lists: [] });
  });
});

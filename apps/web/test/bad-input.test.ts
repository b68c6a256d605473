// The bad-input corpus: each document gets its documented status, or a failed task with a
// clear error, and the platform keeps serving.
import { createDeflateRaw } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDocx, makePdf, SAMPLE_TEXT } from "../../../packages/mcp/test/fixtures";
import { JobSchema } from "~/server/api-schemas";
import { form, post, startHarness, type Harness } from "./harness";

let harness: Harness;
let POST: (r: Request) => Promise<Response>;

beforeAll(async () => {
  harness = await startHarness();
  POST = (await import("~/app/api/v1/process/route")).POST;
});
afterAll(async () => {
  await harness?.stop();
});

const send = (bytes: Uint8Array | string, filename: string, services?: string[]) =>
  POST(post("/api/v1/process", form({ document: { bytes, filename }, ...(services ? { services } : {}) })));
const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;

/** Deflates `size` zero bytes without ever holding them (a zip bomb's payload). */
async function deflatedZeros(size: number): Promise<Buffer> {
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on("data", (c: Buffer) => out.push(c));
  const chunk = Buffer.alloc(1 << 20);
  for (let written = 0; written < size; written += chunk.length) {
    if (!deflate.write(chunk)) await new Promise((r) => deflate.once("drain", r));
  }
  await new Promise((r) => deflate.end(r));
  return Buffer.concat(out);
}

describe("bad input", () => {
  it("refuses a one-byte binary file and accepts a one-letter text with a quality verdict", async () => {
    expect(await errorCode(await send(new Uint8Array([0xff]), "x.bin"))).toBe("unsupported_type");
    const job = JobSchema.parse(await (await send("a", "a.txt", ["quality"])).json());
    const quality = job.results.quality!.output as { issues: { code: string }[] };
    expect(quality.issues.map((i) => i.code)).toEqual(expect.arrayContaining([expect.stringMatching(/empty|short/)]));
  });

  it("refuses a truncated PDF at the door", async () => {
    const pdf = makePdf([SAMPLE_TEXT, SAMPLE_TEXT]);
    const response = await send(pdf.subarray(0, Math.floor(pdf.length / 2)), "cut.pdf");
    expect(response.status).toBe(422);
    expect(await errorCode(response)).toBe("unreadable_document");
  });

  it("refuses a DOCX zip bomb that lies about its size, without unpacking it", async () => {
    const payload = await deflatedZeros(400 * 1024 * 1024);
    // A real DOCX whose document.xml payload is swapped for the bomb; declared sizes stay small.
    const patched = patchEntry(Buffer.from(makeDocx("x")), "word/document.xml", payload);
    const before = process.memoryUsage().rss;
    const response = await send(patched, "bomb.docx");
    expect(response.status).toBe(422);
    expect(await errorCode(response)).toBe("unreadable_document");
    expect(process.memoryUsage().rss - before).toBeLessThan(300 * 1024 * 1024);
  });

  it("accepts a 5,000-page PDF and processes it within its page limit", async () => {
    const pages = Array.from({ length: 5000 }, (_, i) => `Page ${i + 1}. The committee reviewed item ${i + 1} of the long agenda.`);
    const response = await send(makePdf(pages), "huge.pdf", ["quality"]);
    const job = JobSchema.parse(await response.json());
    expect(job.document.pages).toBe(5000);
    expect(["succeeded", "failed"]).toContain(job.status);
    const doc = await harness.database.db.document.findUniqueOrThrow({ where: { id: job.document.id } });
    if (job.status === "succeeded") {
      expect((doc.metadata as { extraction: { truncated: boolean } }).extraction.truncated).toBe(true);
    } else {
      expect(job.results.quality!.error!.message.length).toBeGreaterThan(10);
    }
  });

  it("fails the task, not the worker, on deeply nested HTML", async () => {
    const depth = 50_000;
    const html = `<!doctype html><html><body>${"<div>".repeat(depth)}deep${"</div>".repeat(depth)}</body></html>`;
    const job = JobSchema.parse(await (await send(html, "deep.html", ["quality"])).json());
    expect(["succeeded", "failed"]).toContain(job.status);
    if (job.status === "failed") expect(job.results.quality!.error!.message).toMatch(/\w/);
  });

  it("reports invalid UTF-8 as garbling rather than crashing", async () => {
    const bytes = Buffer.concat([Buffer.from(`${SAMPLE_TEXT} `), Buffer.from([0xc3, 0x28]), Buffer.from(" more text after the bad byte.")]);
    const job = JobSchema.parse(await (await send(bytes, "bad-utf8.txt", ["quality"])).json());
    expect(job.status).toBe("succeeded");
    const issues = (job.results.quality!.output as { issues: { code: string }[] }).issues.map((i) => i.code);
    expect(issues).toContain("garbled_encoding");
  });

  it("refuses 10,000 service names", async () => {
    const body = new FormData();
    body.append("document", new Blob([SAMPLE_TEXT]), "a.txt");
    for (let i = 0; i < 10_000; i++) body.append("services", `s${i}`);
    const response = await POST(post("/api/v1/process", body));
    expect(response.status).toBe(400);
    const oneField = await POST(post("/api/v1/process", form({ document: { bytes: SAMPLE_TEXT, filename: "a.txt" }, fields: { services: Array.from({ length: 10_000 }, (_, i) => `s${i}`).join(",") } })));
    expect(oneField.status).toBe(400);
  });

  it("keeps unicode filenames and strips path traversal", async () => {
    const unicode = JobSchema.parse(await (await send(`${SAMPLE_TEXT} u`, "résumé 報告 ✓.txt", ["quality"])).json());
    expect(unicode.document.filename).toBe("résumé 報告 ✓.txt");
    const traversal = JobSchema.parse(await (await send(`${SAMPLE_TEXT} t`, "../../etc/passwd", ["quality"])).json());
    expect(traversal.document.filename).toBe("passwd");
    const windows = JobSchema.parse(await (await send(`${SAMPLE_TEXT} w`, "..\\..\\boot.ini", ["quality"])).json());
    expect(windows.document.filename).toBe("boot.ini");
  });

  it("still serves a normal document after all of that", async () => {
    const job = JobSchema.parse(await (await send(`${SAMPLE_TEXT} ${Date.now()}`, "fine.txt")).json());
    expect(job.status).toBe("succeeded");
  });
});

/** Swaps one stored entry's compressed bytes, leaving its (now false) declared sizes. */
function patchEntry(zip: Buffer, name: string, payload: Buffer): Buffer {
  const nameBytes = Buffer.from(name);
  const local = zip.indexOf(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04])]), zip.indexOf(nameBytes) - 30);
  const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
  const oldSize = zip.readUInt32LE(local + 18);
  const before = zip.subarray(0, start);
  const after = zip.subarray(start + oldSize);
  const out = Buffer.concat([before, payload, after]);
  out.writeUInt32LE(payload.length, local + 18);
  // Central directory: fix the compressed size and shift later offsets.
  const delta = payload.length - oldSize;
  const eocd = out.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = out.readUInt32LE(eocd + 16) + delta;
  out.writeUInt32LE(at, eocd + 16);
  const count = out.readUInt16LE(eocd + 10);
  for (let i = 0; i < count; i++) {
    const len = out.readUInt16LE(at + 28);
    const entryName = out.subarray(at + 46, at + 46 + len).toString();
    if (entryName === name) out.writeUInt32LE(payload.length, at + 20);
    else if (out.readUInt32LE(at + 42) > local) out.writeUInt32LE(out.readUInt32LE(at + 42) + delta, at + 42);
    at += 46 + len + out.readUInt16LE(at + 30) + out.readUInt16LE(at + 32);
  }
  return out;
}

import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { makeZip } from "../../../packages/mcp/test/fixtures";

// A picture of typed text without a text layer (packages/mcp/scripts/make-ocr-fixture.ts).
const SCANNED = readFileSync(new URL("../../../packages/mcp/test/fixtures-data/scanned-letter.pdf", import.meta.url));
const auth = () => ({ authorization: `Bearer ${process.env.E2E_API_KEY}` });

test("a scanned PDF is read by OCR in the workers, and in the gateway's bulk import", async ({ request }) => {
  // Processed by the workers: the classification sees the OCRed words.
  const processed = await request.post("/api/v1/process?wait=60", {
    headers: auth(),
    multipart: {
      document: { name: "scanned-letter.pdf", mimeType: "application/pdf", buffer: SCANNED },
      services: "classification",
    },
  });
  expect(processed.status()).toBe(200);
  const job = (await processed.json()) as { results: { classification: { status: string; output: { label: string | null; features: { words: number } } } } };
  expect(job.results.classification.status).toBe("succeeded");
  expect(job.results.classification.output.features.words).toBeGreaterThan(20);
  expect(job.results.classification.output.label).not.toBeNull();

  // Imported through the built web app: an image-only PDF still yields a training example.
  const name = `ocr-import-${Date.now()}`;
  const created = await request.post("/api/v1/taxonomies", { headers: auth(), data: { name, labels: ["letter", "note"] } });
  expect(created.status()).toBe(201);
  const zip = makeZip([
    { name: "letter/scan.pdf", data: new Uint8Array(SCANNED) },
    { name: "note/plain.txt", data: "A short plain note about lunch on Friday." },
  ]);
  const imported = await request.post(`/api/v1/taxonomies/${name}/import`, {
    headers: { ...auth(), "content-type": "application/zip" },
    data: Buffer.from(zip),
  });
  expect(imported.status()).toBe(201);
  expect(await imported.json()).toEqual({ added: 2, total: 2 });
});

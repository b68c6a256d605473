/**
 * Makes packages/mcp/test/fixtures-data/scanned-letter.pdf: a one-page PDF whose only
 * content is a picture of typed text (no text layer), like a scanned letter. Run once
 * (needs Chromium: /usr/bin/chromium or CHROMIUM_PATH) and commit the output:
 *   npx tsx packages/mcp/scripts/make-ocr-fixture.ts
 * Chromium first screenshots the text (so the PDF holds pixels, not glyphs), then prints a
 * page showing only that screenshot.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const OUT = fileURLToPath(new URL("../test/fixtures-data/scanned-letter.pdf", import.meta.url));
export const SCANNED_TEXT = [
  "INVOICE 4711",
  "Dear customer, please pay the amount",
  "of 120 dollars before the end of March.",
  "Thank you for your business.",
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 260 }, deviceScaleFactor: 1 });
  await page.setContent(
    `<body style="margin:0;background:#fff"><div style="font:32px/1.4 'DejaVu Serif',serif;padding:24px;color:#000">` +
      SCANNED_TEXT.map((l) => `<div>${l}</div>`).join("") +
      `</div></body>`,
  );
  const png = await page.screenshot({ type: "png" });
  await page.setContent(
    `<style>@page{size:900px 260px;margin:0}body{margin:0}</style>` +
      `<img style="display:block;width:900px;height:260px" src="data:image/png;base64,${png.toString("base64")}">`,
  );
  const pdf = await page.pdf({ width: "900px", height: "260px", printBackground: true, pageRanges: "1" });
  writeFileSync(OUT, pdf);
  console.log(`wrote ${OUT} (${pdf.length} bytes)`);
} finally {
  await browser.close();
}

import { expect, test } from "@playwright/test";
import { SHOTS, signInAsAdmin } from "./session";
import { SAMPLE_TEXT } from "../../../packages/mcp/test/fixtures";

test("uploads several files at once and watches each complete", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto("/upload");
  const stamp = Date.now();
  const files = ["alpha", "beta", "gamma"].map((name) => ({
    name: `${name}-${stamp}.txt`, mimeType: "text/plain", buffer: Buffer.from(`${SAMPLE_TEXT} (${name} ${stamp})`),
  }));
  files.push({ name: `empty-${stamp}.txt`, mimeType: "text/plain", buffer: Buffer.alloc(0) });
  await page.getByLabel("Documents").setInputFiles(files);
  for (const name of ["alpha", "beta", "gamma"]) {
    await expect(page.locator(`li[data-file="${name}-${stamp}.txt"]`)).toHaveAttribute("data-status", "succeeded");
  }
  const empty = page.locator(`li[data-file="empty-${stamp}.txt"]`);
  await expect(empty).toHaveAttribute("data-status", "error");
  await expect(empty).toContainText("The document is empty");
  await page.screenshot({ path: `${SHOTS}/batch-upload.png`, fullPage: true });
});

test("corrects a label, which becomes a training example", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto("/upload");
  const name = `correct-me-${Date.now()}.txt`;
  await page.getByLabel("Documents").setInputFiles({ name, mimeType: "text/plain", buffer: Buffer.from(`${SAMPLE_TEXT} ${name}`) });
  await page.getByRole("link", { name }).click();
  await expect(page.getByTestId("classification-label")).toBeVisible();
  const current = await page.getByTestId("classification-label").textContent();
  const choice = current === "news" ? "editorial" : "news";
  await page.getByLabel("Correct label").selectOption(choice);
  await page.getByRole("button", { name: "Save as training example" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved" })).toContainText("genre now has");
  await expect(page.getByRole("region", { name: "Page 1" })).toContainText(name);
  await page.screenshot({ path: `${SHOTS}/result-review.png`, fullPage: true });
});

test("filters the job dashboard in the URL and bulk-retries the matching jobs", async ({ page }) => {
  await signInAsAdmin(page);
  const stamp = Date.now();
  // Jobs that name a taxonomy with no trained model yet finish `partial` (classification fails).
  const taxonomy = `untrained-${stamp}`;
  expect((await page.request.post("/api/v1/taxonomies", { data: { name: taxonomy, labels: ["yes", "no"] } })).status()).toBe(201);
  for (const i of [1, 2]) {
    const response = await page.request.post("/api/v1/process", {
      multipart: { document: { name: `retry-${stamp}-${i}.txt`, mimeType: "text/plain", buffer: Buffer.from(`${SAMPLE_TEXT} ${stamp} ${i}`) }, taxonomy },
    });
    expect(response.status()).toBe(200);
    expect((await response.json()).status).toBe("partial");
  }
  await page.goto("/jobs");
  await page.getByRole("checkbox", { name: "partial" }).click(); // controlled by the URL: checked once it updates
  await expect(page).toHaveURL(/status=partial/);
  await expect(page.getByRole("checkbox", { name: "partial" })).toBeChecked();
  await page.getByPlaceholder("Filename, SHA-256 or job id").fill(`retry-${stamp}`);
  await page.getByPlaceholder("Filename, SHA-256 or job id").press("Enter");
  await expect(page).toHaveURL(new RegExp(`q=retry-${stamp}`));
  await expect(page.getByRole("link", { name: /^retry-/ })).toHaveCount(2);
  await page.getByLabel("Submitted by").selectOption({ label: process.env.E2E_ADMIN_EMAIL! });
  await expect(page).toHaveURL(/by=user/);
  await expect(page.getByRole("link", { name: /^retry-/ })).toHaveCount(2);
  await page.screenshot({ path: `${SHOTS}/jobs-filtered.png`, fullPage: true });

  await page.getByRole("button", { name: "Retry matching…" }).click();
  await expect(page.getByRole("dialog")).toContainText("Retry matching jobs?");
  await page.getByRole("button", { name: "Retry them" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Retried" })).toContainText("Retried 2 job(s)");

  // A bookmarked filter shows the same view after a reload.
  await page.reload();
  await expect(page.getByRole("checkbox", { name: "partial" })).toBeChecked();
});

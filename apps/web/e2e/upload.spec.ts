import { expect, test } from "@playwright/test";
import { SHOTS } from "./session";
import { makePdf, SAMPLE_TEXT } from "../../../packages/mcp/test/fixtures";

test("pages carry security headers, and the console API refuses cross-site mutations", async ({ page }) => {
  const response = await page.goto("/login");
  const headers = response!.headers();
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  const forged = await page.request.post("/api/trpc/apiKey.create", { headers: { origin: "https://attacker.invalid", "content-type": "application/json" }, data: { name: "x", role: "admin" } });
  expect(forged.status()).toBe(403);
});

test("a signed-out visit lands on the login page and returns after signing in", async ({ page }) => {
  await page.goto("/jobs/00000000-0000-0000-0000-000000000000");
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByLabel("Email").fill(process.env.E2E_ADMIN_EMAIL!);
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("The email or password is wrong")).toBeVisible();
  await page.getByLabel("Password").fill(process.env.E2E_ADMIN_PASSWORD!);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/jobs\/00000000-0000-0000-0000-000000000000$/);
  await expect(page.getByText("There is no job with this id.")).toBeVisible();
});

test("an operator logs in, uploads a PDF and watches both results arrive", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel("Email").fill(process.env.E2E_ADMIN_EMAIL!);
  await page.getByLabel("Password").fill(process.env.E2E_ADMIN_PASSWORD!);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Process a document" })).toBeVisible();

  const pdf = makePdf([SAMPLE_TEXT, `Appendix generated at ${new Date().toISOString()}.`], { title: "Quarterly report" });
  await page.getByLabel("Document", { exact: true }).setInputFiles({ name: "quarterly-report.pdf", mimeType: "application/pdf", buffer: Buffer.from(pdf) });
  await page.getByRole("button", { name: "Upload and process" }).click();

  await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: "quarterly-report.pdf" })).toBeVisible();
  const classification = page.locator('section[data-service="classification"]');
  const quality = page.locator('section[data-service="quality"]');
  await expect(classification.getByTestId("classification-label")).toBeVisible();
  await expect(quality.getByTestId("quality-score")).toHaveText(/^\d{1,3}$/);
  await expect(page.locator("h1 + [data-status]")).toHaveText("succeeded");
  await expect(page.locator('iframe[title="quarterly-report.pdf (PDF)"]')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/job-result.png`, fullPage: true });

  await page.goto("/");
  await expect(page.getByRole("link", { name: /quarterly-report\.pdf/ })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/home.png`, fullPage: true });
});

import { expect, test } from "@playwright/test";
import { SHOTS } from "./session";
import { SAMPLE_TEXT } from "../../../packages/mcp/test/fixtures";

test("a viewer sees results but no control it cannot use", async ({ page, request }) => {
  const key = { authorization: `Bearer ${process.env.E2E_API_KEY}` };
  const email = `viewer-${Date.now()}@e2e.local`;
  const created = await request.post("/api/v1/users", { headers: key, data: { email, password: "viewer-password-1", role: "viewer" } });
  expect(created.status()).toBe(201);
  // A finished job with both results to look at.
  const processed = await request.post("/api/v1/process", {
    headers: key,
    multipart: { document: { name: `for-viewer-${Date.now()}.txt`, mimeType: "text/plain", buffer: Buffer.from(SAMPLE_TEXT + Date.now()) } },
  });
  const job = (await processed.json()) as { id: string; status: string };
  expect(job.status).toBe("succeeded");

  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("viewer-password-1");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("You have read-only access")).toBeVisible();
  const nav = page.getByRole("navigation", { name: "Console" });
  await expect(nav.getByRole("link", { name: "Jobs" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Upload" })).toHaveCount(0);
  await expect(nav.getByRole("link", { name: "API keys" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Upload and process" })).toHaveCount(0);

  await page.goto("/jobs");
  await expect(page.getByRole("link", { name: /for-viewer-/ }).first()).toBeVisible();
  await expect(page.getByRole("button", { name: /Retry matching|Cancel matching/ })).toHaveCount(0);

  await page.goto(`/jobs/${job.id}`);
  await expect(page.getByTestId("classification-label")).toBeVisible();
  await expect(page.getByText("Document text")).toBeVisible();
  await expect(page.getByRole("button", { name: /Retry|Cancel|Save as training example/ })).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/viewer-job.png`, fullPage: true });

  await page.goto("/models");
  await expect(page.getByRole("heading", { name: "Models" })).toBeVisible();
  await expect(page.getByRole("button", { name: /Train new version|Activate/ })).toHaveCount(0);

  await page.goto("/keys");
  await expect(page.getByText("Only admins can see and change this.")).toBeVisible();
  await page.goto("/upload");
  await expect(page.getByText("uploading needs the operator role")).toBeVisible();

  // Phone width: the job page still reads top to bottom.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/jobs/${job.id}`);
  await expect(page.getByTestId("quality-score")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/viewer-job-phone.png`, fullPage: true });
});

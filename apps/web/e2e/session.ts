import { mkdirSync } from "node:fs";
import { expect, type Page } from "@playwright/test";

/** Where the browser run leaves its screenshots (created on first use). */
export const SHOTS = "test-results/screenshots";
mkdirSync(SHOTS, { recursive: true });

/** Signs in as the stack's admin (E2E_ADMIN_EMAIL / E2E_ADMIN_PASSWORD) and lands on the home page. */
export async function signInAsAdmin(page: Page) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(process.env.E2E_ADMIN_EMAIL!);
  await page.getByLabel("Password").fill(process.env.E2E_ADMIN_PASSWORD!);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
}

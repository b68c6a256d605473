import { expect, test } from "@playwright/test";
import { SHOTS, signInAsAdmin } from "./session";

test("an admin sets a label rule on /models; a bad regex is refused with its reason", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto("/models");
  await page.getByLabel("Taxonomy").selectOption("spam");
  const rules = page.getByRole("region", { name: "Label rules" });
  await expect(rules.getByText("No rules: the model decides every document.")).toBeVisible();

  await rules.getByLabel("Label to edit").selectOption("spam");
  await rules.getByRole("button", { name: "Add rule" }).click();
  await rules.getByLabel("Rule 1 kind").selectOption("regex");
  await rules.getByLabel("Rule 1 pattern").fill("(unclosed");
  await rules.getByRole("button", { name: "Save rules" }).click();
  await expect(rules.getByRole("alert")).toContainText("not valid");

  await rules.getByLabel("Rule 1 pattern").fill("limited[- ]time offer");
  await rules.getByRole("button", { name: "Save rules" }).click();
  await expect(rules.getByRole("cell", { name: "limited[- ]time offer" })).toBeVisible();
  await expect(rules.getByRole("cell", { name: "regular expression" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/models-rules.png`, fullPage: true });

  // Leave the shared stack as it was: saving an empty list removes the label's rules.
  await rules.getByLabel("Label to edit").selectOption("spam");
  await rules.getByRole("button", { name: "Remove" }).click();
  await rules.getByRole("button", { name: "Save rules" }).click();
  await expect(rules.getByText("No rules: the model decides every document.")).toBeVisible();
});

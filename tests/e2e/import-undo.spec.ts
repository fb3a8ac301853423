import { addTerritories, createPlanWithLinks, importAccounts, rectangle } from "./fixtures/api.ts";
import { expect, test } from "./fixtures/cast.ts";

/**
 * Imports a manager can take back (issue 10): an 8-row file once replaced
 * the demo's 6,000 accounts after a button that only said "Import 8
 * accounts". Now the choice is explicit, a replace that drops most of the
 * plan asks twice, and the import can be undone from its result.
 */
test("replacing 50 accounts with 8 is an explicit choice, asked twice, and can be undone", async ({ request, ani }) => {
  const plan = await createPlanWithLinks(request, "Undo an import");
  await addTerritories(request, plan.id, [rectangle("Bandung Raya", [107.4, -7.1, 107.9, -6.7])]);
  const rows = ["id,lat,lon", ...Array.from({ length: 50 }, (_, i) => `m${i},-6.9,107.${(i % 8) + 1}`)];
  await importAccounts(request, plan.id, rows.join("\n"));
  const manager = await ani.open(plan.id);
  const page = manager.page;
  await expect(manager.map).toHaveAttribute("data-account-count", "50");

  await test.step("she picks an 8-row file: nothing is chosen for her", async () => {
    await manager.openData("import-accounts");
    const eight = ["id,lat,lon", ...Array.from({ length: 8 }, (_, i) => `e${i},-6.95,107.${i + 1}`)].join("\n");
    await manager.pickFile("eight.csv", eight);
    await expect(page.getByTestId("import-valid")).toHaveText("8");
    await expect(page.getByTestId("import-confirm")).toBeDisabled();
    await expect(page.getByTestId("import-confirm")).toHaveText(/Choose: replace or add/);
  });

  await test.step("she picks Replace: the button says what it does, and she is asked again", async () => {
    await page.locator("label", { has: page.getByTestId("import-mode-replace") }).click();
    await expect(page.getByTestId("import-mode-replace")).toBeChecked();
    await expect(page.getByTestId("import-confirm")).toHaveText(/Replace 50 accounts with 8/);
    await page.getByTestId("import-confirm").click();
    await expect(page.getByTestId("import-ask-again")).toContainText("Replace 50 accounts with 8?");
    await page.getByTestId("import-ask-again-confirm").click();
    await expect(page.getByTestId("import-result")).toBeVisible();
    await expect(manager.map).toHaveAttribute("data-account-count", "8");
  });

  await test.step("Undo brings the 50 back, for her and the map", async () => {
    await page.getByTestId("import-undo").click();
    await expect(page.getByTestId("import-result")).toContainText("Undone");
    await expect(manager.map).toHaveAttribute("data-account-count", "50");
  });

  await test.step("it was the checkpoint before the import, restored: one change History can take back (issue 14)", async () => {
    await page.keyboard.press("Escape");
    await page.getByTestId("tab-activity").click();
    await expect(page.locator('[data-testid="activity-entry"][data-kind="version-restored"]')).toContainText(
      "restored the version “Before an accounts import” with its accounts",
    );
    await page.getByTestId("tab-history").click();
    await expect(page.getByTestId("restore-result")).toContainText("Before an accounts import");
    await page.getByTestId("restore-undo").click();
    await expect(manager.map).toHaveAttribute("data-account-count", "8");
  });
});

import type { Page, TestInfo } from "@playwright/test";
import { addTerritories, createPlan, importAccounts, rectangle } from "./fixtures/api.ts";
import type { Planner } from "./fixtures/planner.ts";
import { expect, test } from "./fixtures/cast.ts";

/**
 * The target-achievement dashboard as a planning session uses it: a manager
 * sets revenue targets and a rep in the territory panel, the dashboard and
 * the leader's wall view follow live, and the whole thing reads in Bahasa
 * Indonesia with Indonesian number formats.
 */

/** Priangan's accounts sum to 1,250,000 revenue, Cirebon's to 600,000; one account is in neither. */
const ACCOUNTS_CSV = [
  "id,name,lat,lon,revenue",
  "p1,Toko Priangan 1,-7.0,106.8,500000",
  "p2,Toko Priangan 2,-6.9,107.0,450000",
  "p3,Toko Priangan 3,-6.8,107.2,300000",
  "c1,Toko Cirebon 1,-6.9,108.6,400000",
  "c2,Toko Cirebon 2,-7.0,108.9,200000",
  "f1,Jauh,-7.6,110.4,50000",
].join("\n");

/** Where a screenshot goes: the README's folder when UPDATE_SCREENSHOTS=1, else the test's attachments. */
async function keepScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.waitForFunction(() => document.fonts.status === "loaded");
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: `tests/e2e/screenshots/${name}` });
  else await testInfo.attach(name, { body: await page.screenshot(), contentType: "image/png" });
}

async function setTarget(planner: Planner, territory: string, value: string, shown: string): Promise<void> {
  await planner.openTerritories();
  await planner.select(territory);
  const input = planner.page.getByTestId("target-input-revenue");
  await input.fill(value);
  await input.press("Enter");
  await expect(input).toHaveValue(shown);
}

test("a manager's revenue targets show as achievement on the dashboard and the wall view, in English and Indonesian", async ({
  request,
  ani,
  dewi,
}, testInfo) => {
  const planId = await createPlan(request, "Target Jawa Barat");
  await importAccounts(request, planId, ACCOUNTS_CSV);
  const [priangan, cirebon] = (await addTerritories(request, planId, [
    rectangle("Priangan", [106.6, -7.2, 107.4, -6.6]),
    rectangle("Cirebon", [108.4, -7.2, 109.2, -6.6], "#d95f02"),
  ])) as [string, string];

  const manager = await ani.open(planId, { viewport: { width: 1440, height: 900 } });
  const page = manager.page;

  await test.step("before any target, the dashboard says where to set one", async () => {
    await page.getByTestId("tab-dashboard").click();
    await expect(page.getByTestId("tab-dashboard")).toHaveAttribute("aria-selected", "true");
    await expect(page.getByTestId("achievement-no-targets")).toContainText(
      "set a revenue target in a territory's panel",
    );
    await expect(page.getByTestId(`achievement-actual-${priangan}`)).toHaveText("1,250,000");
    await expect(page.getByTestId(`achievement-status-${priangan}`)).toHaveText("No target");
  });

  await test.step("the manager assigns a rep with an email and a revenue target to Priangan", async () => {
    await manager.openTerritories();
    await manager.select("Priangan");
    await page.getByTestId("rep-name-input").fill("Budi Santoso");
    await page.getByTestId("rep-email-input").fill("budi@");
    await expect(page.getByTestId("add-rep")).toBeDisabled();
    await page.getByTestId("rep-email-input").fill("budi@example.co.id");
    await page.getByTestId("add-rep").click();
    await expect(page.locator('[data-testid="rep-chip"][data-name="Budi Santoso"]')).toHaveAttribute(
      "data-email",
      "budi@example.co.id",
    );
    await setTarget(manager, "Priangan", "1000000", "1,000,000");
    await expect(page.getByTestId("target-achievement-revenue")).toHaveAttribute("data-status", "achieved");
    await expect(page.getByTestId("target-achievement-revenue")).toContainText("125%");
  });

  await test.step("the dashboard shows Priangan at 125 %, achieved, and the plan total", async () => {
    await page.getByTestId("tab-dashboard").click();
    await expect(page.getByTestId("achievement-no-targets")).toBeHidden();
    const row = page.getByTestId(`achievement-row-${priangan}`);
    await expect(row).toHaveAttribute("data-status", "achieved");
    await expect(row).toContainText("Budi Santoso");
    await expect(page.getByTestId(`achievement-target-${priangan}`)).toHaveText("1,000,000");
    await expect(page.getByTestId(`achievement-pct-${priangan}`)).toHaveText("125%");
    await expect(page.getByTestId("achievement-total-pct")).toHaveText("125%");
    await expect(page.getByTestId("achievement-total-amounts")).toHaveText("1,250,000 of 1,000,000");
    await expect(page.getByTestId("achievement-bar")).toHaveCount(1);
  });

  // The wall view, opened from the manager's header link (it carries the plan's token), in a leader's own browser.
  const href = await page.getByTestId("wall-link").getAttribute("href");
  expect(href).toMatch(new RegExp(`^/plan/${planId}/dashboard`));
  const leader = await dewi.open(planId, { viewport: { width: 1600, height: 900 } });
  await leader.page.goto(href as string);
  await leader.waitLoaded();

  await test.step("the leader's wall view shows the same figures, without editing tools", async () => {
    await expect(leader.page.getByTestId("editor")).toHaveAttribute("data-layout", "wall");
    await expect(leader.page.getByTestId("tool-draw")).toHaveCount(0);
    await expect(leader.page.getByTestId(`achievement-pct-${priangan}`)).toHaveText("125%");
  });

  await test.step("a second target reaches the wall view live: Cirebon at 60 %, behind; the total on track", async () => {
    await setTarget(manager, "Cirebon", "1,000,000", "1,000,000");
    const wall = leader.page;
    await expect(wall.getByTestId(`achievement-status-${cirebon}`)).toHaveText("Behind");
    await expect(wall.getByTestId(`achievement-pct-${cirebon}`)).toHaveText("60%");
    await expect(wall.getByTestId("achievement-total")).toHaveAttribute("data-status", "on-track");
    await expect(wall.getByTestId("achievement-total-pct")).toHaveText("93%");
    await expect(wall.getByTestId("achievement-total-amounts")).toHaveText("1,850,000 of 2,000,000");
    await expect(wall.getByTestId("achievement-bar")).toHaveCount(2);
    await expect(wall.locator('[data-testid="achievement-bar"]').first()).toHaveAttribute("data-status", "achieved");
  });

  await test.step("the table sorts by achievement and by name", async () => {
    await page.getByTestId("tab-dashboard").click();
    const rows = page.locator('[data-testid^="achievement-row-"]');
    await expect(rows.first()).toHaveAttribute("data-id", priangan);
    await page.getByTestId("achievement-sort-ratio").click();
    await expect(rows.first()).toHaveAttribute("data-id", cirebon);
    await page.getByTestId("achievement-sort-name").click();
    await expect(rows.first()).toHaveAttribute("data-id", cirebon);
  });

  await keepScreenshot(leader.page, testInfo, "dashboard.png");

  await test.step("in Bahasa Indonesia: labels and numbers change, and the choice is remembered", async () => {
    await page.getByTestId("language-select").selectOption("id");
    await expect(page.getByTestId("tab-dashboard")).toContainText("Target");
    await expect(page.getByTestId("tab-territories")).toContainText("Wilayah");
    await expect(page.getByTestId(`achievement-actual-${priangan}`)).toHaveText("1.250.000");
    await expect(page.getByTestId(`achievement-status-${priangan}`)).toHaveText("Tercapai");
    await expect(page.getByTestId(`achievement-status-${cirebon}`)).toHaveText("Tertinggal");
    await expect(page.getByTestId("achievement-total-amounts")).toHaveText("1.850.000 dari 2.000.000");
    await expect(page.getByTestId("wall-link")).toHaveText("Tampilan layar besar");
    // A target typed the Indonesian way.
    await manager.openTerritories();
    await manager.select("Priangan");
    const input = page.getByTestId("target-input-revenue");
    await expect(input).toHaveValue("1.000.000");
    await input.fill("1.250.000");
    await input.press("Enter");
    await expect(input).toHaveValue("1.250.000");
    await expect(page.getByTestId("target-achievement-revenue")).toContainText("Aktual 1.250.000 · 100%");
    await expect(page.getByTestId("territory-area")).toHaveText(/^\d{1,3}(\.\d{3})* km²$/);
    await page.reload();
    await manager.waitLoaded();
    await expect(page.locator("html")).toHaveAttribute("lang", "id");
    await expect(page.getByTestId("language-select")).toHaveValue("id");
  });

  await test.step("the wall view updated to 100 % for Priangan", async () => {
    await expect(leader.page.getByTestId(`achievement-status-${priangan}`)).toHaveText("Achieved");
    await expect(leader.page.getByTestId(`achievement-pct-${priangan}`)).toHaveText("100%");
  });

  await manager.select("Priangan");
  await page.getByTestId("tab-dashboard").click();
  await expect(page.getByTestId(`achievement-row-${priangan}`)).toBeVisible();
  await keepScreenshot(page, testInfo, "editor-id.png");
});

import type { APIRequestContext, Page } from "@playwright/test";
import {
  addTerritories,
  createPlanWithLinks,
  importAccounts,
  rectangle,
  territories,
  tokenFor,
} from "./fixtures/api.ts";
import { expect, test } from "./fixtures/cast.ts";
import { keepScreenshot } from "./fixtures/screenshots.ts";

/**
 * Scenarios in the browser (issue 14): Ani makes a scenario of the plan
 * from its History tab and lands in it, marked everywhere as a scenario of
 * the plan (header badge, tab title); she deletes a territory there and
 * compares with the origin on the map. Meanwhile Budi renames the other
 * territory in the origin. Ani's promote preview shows Budi's edit (kept),
 * she promotes, and Budi's map of the origin loses the territory live
 * while his rename stays.
 */

async function openHistory(page: Page): Promise<void> {
  await page.getByTestId("tab-history").click();
  await expect(page.getByTestId("history-panel")).toBeVisible();
}

async function names(request: APIRequestContext, planId: string): Promise<string[]> {
  return (await territories(request, planId)).map((t) => t.properties.name).sort();
}

test("Ani makes a scenario, edits it, previews and promotes it; Budi sees the origin change and keeps his edit", async ({
  request,
  ani,
  budi,
}, testInfo) => {
  // Two browsers through a whole session: generous, as the History spec is (tests wait, they never time).
  test.setTimeout(180_000);
  const plan = await createPlanWithLinks(request, "Bandung Raya");
  await addTerritories(request, plan.id, [
    rectangle("Bandung Utara", [107.4, -6.9, 107.7, -6.7], "#1b9e77"),
    rectangle("Bandung Selatan", [107.4, -7.2, 107.7, -6.9], "#d95f02"),
  ]);
  await importAccounts(
    request,
    plan.id,
    "id,name,lat,lon,revenue\na1,Toko 1,-6.8,107.55,100\na2,Toko 2,-7.0,107.55,200",
  );
  const manager = await ani.open(plan.id);
  const other = await budi.open(plan.id);

  // Ani makes a scenario from the plan as it is, and lands in it.
  await openHistory(manager.page);
  await manager.page.getByTestId("scenario-new").click();
  await manager.page.getByTestId("scenario-name-input").fill("Q3 what-if");
  await manager.page.getByTestId("scenario-create").click();
  await expect(manager.page).toHaveURL(/\/plan\/(?!.*Bandung)/);
  const badge = manager.page.getByTestId("scenario-badge");
  await expect(badge).toHaveText(/Scenario of Bandung Raya/);
  await expect(manager.page.getByTestId("plan-name")).toHaveText("Q3 what-if");
  await expect(manager.page).toHaveTitle(/Q3 what-if · scenario of Bandung Raya/);
  const scenarioId = new URL(manager.page.url()).pathname.split("/")[2] as string;
  expect(scenarioId).not.toBe(plan.id);
  await manager.page.getByTestId("tab-territories").click();
  await expect(manager.territoryItems).toHaveCount(2);

  // She deletes the southern territory in the scenario; the origin is untouched.
  await manager.select("Bandung Selatan");
  await manager.press("Delete");
  await expect(manager.territoryItems).toHaveCount(1);
  await expect(other.territoryItems).toHaveCount(2);

  // Budi, in the origin, renames the northern one meanwhile.
  await other.select("Bandung Utara");
  await other.renameSelected("Bandung Utara Raya");
  await expect.poll(() => names(request, plan.id)).toEqual(["Bandung Selatan", "Bandung Utara Raya"]);

  // Compare with origin: drawn on Ani's map, the deletion listed.
  await openHistory(manager.page);
  const card = manager.page.getByTestId("scenario-card");
  await expect(card).toContainText("Bandung Raya");
  await card.getByTestId("scenario-compare").click();
  const compare = manager.page.getByTestId("compare-view");
  await expect(compare.getByTestId("compare-removed")).toContainText("Bandung Selatan");
  await expect(manager.map).toHaveAttribute("data-version", "compare");
  await manager.page.getByTestId("version-back").click();

  // Promote…: the preview names Budi's edit in the origin (kept) and what the origin becomes.
  await card.getByTestId("scenario-promote").click();
  const dialog = manager.page.getByTestId("promote-dialog");
  await expect(dialog.getByTestId("promote-origin-edits")).toContainText("Bandung Utara Raya");
  await expect(dialog.getByTestId("compare-removed")).toContainText("Bandung Selatan");
  await expect(dialog.getByTestId("promote-conflicts")).toHaveCount(0);
  await keepScreenshot(manager.page, testInfo, "scenario-promote.png");
  await dialog.getByTestId("promote-confirm").click();
  await expect(dialog).toHaveCount(0);
  await expect(card.getByTestId("scenario-promoted")).toBeVisible();

  // Budi's map of the origin loses the territory live; his rename stays.
  await expect(other.territoryItems).toHaveCount(1);
  await expect(other.territory("Bandung Utara Raya")).toBeVisible();
  await expect.poll(() => names(request, plan.id)).toEqual(["Bandung Utara Raya"]);

  // The origin lists its scenario as promoted; the badge leads back to it.
  await badge.click();
  await expect(manager.page).toHaveURL(new RegExp(`/plan/${plan.id}`));
  await expect(manager.page.getByTestId("scenario-badge")).toHaveCount(0);
  await openHistory(manager.page);
  const listed = manager.page.getByTestId("scenario-row");
  await expect(listed).toHaveCount(1);
  await expect(listed).toContainText("Q3 what-if");
  await expect(listed).toContainText("Promoted");
  await keepScreenshot(manager.page, testInfo, "scenario-list.png");
  expect(tokenFor(plan.id)).toBeTruthy();
});

test("Siti, a rep, opens a scenario with the plan's comment link: marked as a scenario, she can compare but not promote", async ({
  request,
  siti,
}) => {
  const plan = await createPlanWithLinks(request, "Bandung Raya");
  await addTerritories(request, plan.id, [rectangle("Bandung Utara", [107.4, -6.9, 107.7, -6.7], "#1b9e77")]);
  const made = await request.post(`/api/plans/${plan.id}/scenarios`, {
    headers: { authorization: `Bearer ${tokenFor(plan.id)}` },
    data: { name: "Q3 what-if" },
  });
  expect(made.status()).toBe(201);
  const scenarioId = ((await made.json()) as { id: string }).id;
  // The origin's links open its scenarios, in their own role.
  const rep = await siti.open(scenarioId, { token: tokenFor(plan.id, "comment") });
  await expect(rep.page.getByTestId("scenario-badge")).toHaveText(/Scenario of Bandung Raya/);
  await openHistory(rep.page);
  const card = rep.page.getByTestId("scenario-card");
  await expect(card.getByTestId("scenario-compare")).toBeVisible();
  await expect(card.getByTestId("scenario-promote")).toHaveCount(0);
  await card.getByTestId("scenario-compare").click();
  await expect(rep.page.getByTestId("compare-view")).toBeVisible();
});

import type { APIRequestContext, Page } from "@playwright/test";
import { addTerritories, createPlanWithLinks, importAccounts, rectangle, territories } from "./fixtures/api.ts";
import { expect, test } from "./fixtures/cast.ts";
import type { Planner } from "./fixtures/planner.ts";
import { keepScreenshot } from "./fixtures/screenshots.ts";

/**
 * Versions in the browser (issue 14): Ani saves a named version, Budi
 * changes the plan in his own browser, Ani compares the version with now
 * (the change listed and drawn), restores it, and Budi's map shows the plan
 * as it was, live; Ani's Undo takes the restore back. Siti, a rep, opens a
 * version but is offered no save, restore or delete.
 */

async function openHistory(page: Page): Promise<void> {
  await page.getByTestId("tab-history").click();
  await expect(page.getByTestId("tab-history")).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("history-panel")).toBeVisible();
}

function row(page: Page, name: string) {
  return page
    .getByTestId("version-row")
    .filter({ has: page.getByTestId("version-name").getByText(name, { exact: true }) });
}

/** Two territories around Bandung with a few accounts, so the tables have figures. */
async function bandung(request: APIRequestContext) {
  const plan = await createPlanWithLinks(request, "Bandung Raya");
  await addTerritories(request, plan.id, [
    rectangle("Bandung Utara", [107.4, -6.9, 107.7, -6.7], "#1b9e77"),
    rectangle("Bandung Selatan", [107.4, -7.2, 107.7, -6.9], "#d95f02"),
  ]);
  const rows = ["id,name,lat,lon,revenue"];
  for (let i = 0; i < 6; i++) rows.push(`a${i},Toko ${i},${(-6.75 - i * 0.08).toFixed(3)},107.55,${100 + i * 10}`);
  await importAccounts(request, plan.id, rows.join("\n"));
  return plan;
}

async function names(request: APIRequestContext, planId: string): Promise<string[]> {
  return (await territories(request, planId)).map((t) => t.properties.name).sort();
}

function drawn(person: Planner): Promise<Record<string, number>> {
  return person.map.evaluate((el) => JSON.parse(el.getAttribute("data-version-drawn") ?? "{}"));
}

test("Ani saves a version, Budi changes the plan, Ani compares and restores it and Budi sees it live", async ({
  request,
  ani,
  budi,
}, testInfo) => {
  // A long session of two browsers: room to breathe on a busy 2-core machine.
  test.setTimeout(180_000);
  const plan = await bandung(request);
  const manager = await ani.open(plan.id);
  const other = await budi.open(plan.id);

  // Ani names the plan as it is.
  await openHistory(manager.page);
  await manager.page.getByTestId("version-name-input").fill("Before the Q3 meeting");
  await manager.page.getByTestId("version-save").click();
  const saved = row(manager.page, "Before the Q3 meeting");
  await expect(saved).toBeVisible();
  await expect(saved.getByTestId("version-summary")).toHaveText(/\S/);

  // Budi, in his own browser, deletes the southern territory; his History tab lists Ani's version meanwhile.
  await openHistory(other.page);
  await expect(row(other.page, "Before the Q3 meeting")).toBeVisible();
  await other.page.getByTestId("tab-territories").click();
  await other.select("Bandung Selatan");
  await other.press("Delete");
  await expect(other.territoryItems).toHaveCount(1);
  await expect.poll(() => names(request, plan.id)).toEqual(["Bandung Utara"]);

  // Ani compares her version with now: the deletion is listed and drawn (hatched, dashed) on her map.
  await saved.getByTestId("version-compare").click();
  const compare = manager.page.getByTestId("compare-view");
  await expect(compare).toBeVisible();
  await expect(compare.getByTestId("compare-removed")).toContainText("1 territory removed");
  await expect(compare.getByTestId("compare-removed")).toContainText("Bandung Selatan");
  await expect(manager.map).toHaveAttribute("data-version", "compare");
  await expect.poll(() => drawn(manager)).toMatchObject({ "before-removed": 1, "after-same": 1 });
  await expect(manager.page.getByTestId("version-banner")).toContainText("Before the Q3 meeting");
  await expect(manager.page.getByTestId("compare-legend")).toBeVisible();
  await expect(compare.getByTestId(`proposal-row-${await idOf(request, plan.id, "Bandung Utara")}`)).toBeVisible();
  // Nothing can be edited while the map shows a comparison.
  await expect(manager.page.getByTestId("tool-draw")).toHaveCount(0);
  await keepScreenshot(manager.page, testInfo, "history-compare.png");
  // Esc is Back to now.
  await manager.page.keyboard.press("Escape");
  await expect(manager.page.getByTestId("version-banner")).toHaveCount(0);
  await expect(manager.map).not.toHaveAttribute("data-version", /./);
  await expect(manager.page.getByTestId("tool-draw")).toBeVisible();

  // She restores it: the dialog says what will change, then Budi's plan is as it was, live.
  await saved.getByTestId("version-restore").click();
  const dialog = manager.page.getByTestId("restore-dialog");
  await expect(dialog.getByTestId("compare-added")).toContainText("Bandung Selatan");
  await expect(dialog.getByTestId("restore-accounts")).toHaveCount(0);
  await dialog.getByTestId("restore-confirm").click();
  await expect(dialog).toHaveCount(0);
  await expect(manager.page.getByTestId("restore-result")).toContainText("Before the Q3 meeting");
  await expect(other.territory("Bandung Selatan")).toBeVisible();
  await expect(other.territoryItems).toHaveCount(2);
  await expect.poll(() => names(request, plan.id)).toEqual(["Bandung Selatan", "Bandung Utara"]);
  // The feed says it in words, and Budi's History gains the checkpoints around it.
  await other.page.getByTestId("tab-activity").click();
  const entry = other.page.locator('[data-kind="version-restored"]');
  await expect(entry).toContainText("restored the version “Before the Q3 meeting”");
  // Any manager may take a restore back from its entry.
  await expect(entry.getByTestId("activity-undo")).toHaveText("Undo this restore");
  await entry.getByTestId("activity-open-version").click();
  await expect(other.page.getByTestId("history-panel")).toBeVisible();
  await expect(other.page.locator('[data-testid="version-row"][data-reason="before-restore"]')).toBeVisible();
  // The link opened the version on his map too; he goes back to now.
  await expect(other.page.getByTestId("version-banner")).toContainText("Before the Q3 meeting");
  await other.page.getByTestId("version-back").click();

  // Ani takes the restore back: the territory goes again for everyone.
  await manager.page.getByTestId("restore-undo").click();
  await expect(manager.page.getByTestId("restore-undone")).toBeVisible();
  await expect(other.map).toHaveAttribute("data-territory-count", "1");
  await expect.poll(() => names(request, plan.id)).toEqual(["Bandung Utara"]);
  // Budi's feed says so, and no longer offers to take it back.
  await other.page.getByTestId("tab-activity").click();
  await expect(other.page.locator('[data-kind="version-restore-undone"]')).toContainText(
    "took back the restore of “Before the Q3 meeting”",
  );
  await expect(entry.getByTestId("activity-undo")).toHaveCount(0);
});

async function idOf(request: APIRequestContext, planId: string, name: string): Promise<string> {
  const found = (await territories(request, planId)).find((t) => t.properties.name === name);
  return String(found?.id ?? found?.properties.id);
}

test("Siti, a rep, opens and compares versions but is offered no save, restore or delete", async ({
  request,
  ani,
  siti,
}) => {
  const plan = await bandung(request);
  const manager = await ani.open(plan.id);
  await openHistory(manager.page);
  await manager.page.getByTestId("version-name-input").fill("Kickoff");
  await manager.page.getByTestId("version-save").click();
  await expect(row(manager.page, "Kickoff")).toBeVisible();

  const rep = await siti.open(plan.id);
  await openHistory(rep.page);
  await expect(rep.page.getByTestId("history-read-only")).toContainText("saving and restoring are for managers");
  const kickoff = row(rep.page, "Kickoff");
  await expect(kickoff).toBeVisible();
  await expect(rep.page.getByTestId("version-save-form")).toHaveCount(0);
  await expect(kickoff.getByTestId("version-restore")).toHaveCount(0);
  await expect(kickoff.getByTestId("version-delete")).toHaveCount(0);

  // She can open it: the map shows it read-only, banner and all, and goes back to now.
  await kickoff.getByTestId("version-open").click();
  await expect(rep.page.getByTestId("version-banner")).toContainText("Viewing Kickoff");
  await expect(rep.map).toHaveAttribute("data-version", "view");
  await expect(rep.page.getByTestId("version-view")).toContainText("Bandung Utara");
  // Ani deletes a territory meanwhile: Siti's map keeps showing the version, the live plan follows underneath.
  const south = await idOf(request, plan.id, "Bandung Selatan");
  const gone = await request.delete(`/api/plans/${plan.id}/territories/${south}`, {
    headers: { authorization: `Bearer ${plan.tokens.edit}` },
  });
  expect(gone.status()).toBeLessThan(300);
  await expect(rep.map).toHaveAttribute("data-territory-count", "1");
  expect(await drawn(rep)).toMatchObject({ territories: 2 });
  await expect(rep.map).toHaveAttribute("data-version", "view");
  await rep.page.getByTestId("version-back").click();
  await expect(rep.page.getByTestId("version-banner")).toHaveCount(0);
  await expect(rep.map).not.toHaveAttribute("data-version", /./);

  // And compare it with now: the territory Ani deleted is listed as removed.
  await kickoff.getByTestId("version-compare").click();
  await expect(rep.page.getByTestId("compare-removed")).toContainText("Bandung Selatan");
  await expect(rep.page.getByTestId("compare-view").getByTestId("restore-confirm")).toHaveCount(0);
});

test("on the demo plan: the History panel, a version opened and a comparison with an accepted auto-balance", async ({
  request,
  ani,
}, testInfo) => {
  // A copy of the demo of our own (every GET /api/demo makes one).
  const demo = (await (await request.get("/api/demo")).json()) as { id: string; links: { edit: string } };
  const token = new URL(demo.links.edit).searchParams.get("token") ?? "";
  const auth = { authorization: `Bearer ${token}` };
  const manager = await ani.open(demo.id, { token, viewport: { width: 1440, height: 900 } });
  await openHistory(manager.page);
  await manager.page.getByTestId("version-name-input").fill("Kickoff");
  await manager.page.getByTestId("version-save").click();
  await expect(row(manager.page, "Kickoff")).toBeVisible();

  // An auto-balance accepted over the API: the server keeps a checkpoint before it.
  const started = await request.post(`/api/plans/${demo.id}/proposals`, {
    headers: auth,
    data: { metrics: { revenue: 1 }, seconds: 3 },
  });
  expect(started.status(), await started.text()).toBe(202);
  const { id: proposal } = (await started.json()) as { id: string };
  await expect
    .poll(
      async () =>
        (
          (await (await request.get(`/api/plans/${demo.id}/proposals/${proposal}`, { headers: auth })).json()) as {
            status: string;
          }
        ).status,
      { timeout: 30_000 },
    )
    .toBe("ready");
  const accepted = await request.post(`/api/plans/${demo.id}/proposals/${proposal}/accept`, {
    headers: auth,
    data: {},
  });
  expect(accepted.status(), await accepted.text()).toBe(200);
  await expect(manager.page.locator('[data-testid="version-row"][data-reason="proposal-accept"]')).toBeVisible();
  await keepScreenshot(manager.page, testInfo, "history-panel.png");

  // Kickoff opened: the plan as it was, read-only, its scores in the panel.
  await row(manager.page, "Kickoff").getByTestId("version-open").click();
  await expect(manager.page.getByTestId("version-banner")).toContainText("Viewing Kickoff");
  await expect(manager.page.getByTestId("version-score")).toBeVisible();
  await expect.poll(() => drawn(manager)).toMatchObject({ territories: 10 });
  await keepScreenshot(manager.page, testInfo, "history-version.png");

  // Kickoff compared with now: the moved units hatched, the table before → after.
  await row(manager.page, "Kickoff").getByTestId("version-compare").click();
  await expect(manager.page.getByTestId("compare-units")).toBeVisible();
  await expect.poll(async () => (await drawn(manager)).moved ?? 0).toBeGreaterThan(0);
  await manager.page.getByTestId("compare-metric-revenue").click();
  await keepScreenshot(manager.page, testInfo, "history-compare-demo.png");

  // Any two: Kickoff against the checkpoint taken right before the accept, which holds the same plan.
  const before = await manager.page
    .locator('[data-testid="version-row"][data-reason="proposal-accept"]')
    .getAttribute("data-id");
  await manager.page.getByTestId("compare-to").selectOption(before ?? "");
  await expect(manager.page.getByTestId("compare-view")).toHaveAttribute("data-to", before ?? "");
  await expect(manager.page.getByTestId("compare-identical")).toBeVisible();
});

test("restoring a version made before an accounts import offers its accounts, and brings them back when asked", async ({
  request,
  ani,
}) => {
  const plan = await bandung(request);
  const manager = await ani.open(plan.id);
  await expect(manager.map).toHaveAttribute("data-account-count", "6");
  await openHistory(manager.page);
  await manager.page.getByTestId("version-name-input").fill("Six outlets");
  await manager.page.getByTestId("version-save").click();
  await expect(row(manager.page, "Six outlets")).toBeVisible();

  await importAccounts(
    request,
    plan.id,
    "id,name,lat,lon,revenue\nz1,Toko Baru,-6.8,107.5,10\nz2,Toko Lain,-7.0,107.5,20\n",
  );
  await expect(manager.map).toHaveAttribute("data-account-count", "2");

  await row(manager.page, "Six outlets").getByTestId("version-restore").click();
  const dialog = manager.page.getByTestId("restore-dialog");
  const choice = dialog.getByTestId("restore-accounts");
  await expect(choice).toContainText("2 only now, 6 only then");
  await choice.locator("input").check();
  await dialog.getByTestId("restore-confirm").click();
  await expect(manager.page.getByTestId("restore-result")).toContainText("The accounts came back too.");
  await expect(manager.map).toHaveAttribute("data-account-count", "6");

  // Ani deletes the version, after a confirmation.
  await row(manager.page, "Six outlets").getByTestId("version-delete").click();
  await expect(row(manager.page, "Six outlets").getByTestId("version-delete-confirm")).toContainText(
    "Delete “Six outlets”?",
  );
  await row(manager.page, "Six outlets").getByTestId("version-delete-yes").click();
  await expect(row(manager.page, "Six outlets")).toHaveCount(0);
});

import type { APIRequestContext, Page, TestInfo } from "@playwright/test";
import { addTerritories, createPlanWithLinks, importAccounts, rectangle, tokenFor } from "./fixtures/api.ts";
import { expect, test } from "./fixtures/cast.ts";
import type { Planner } from "./fixtures/planner.ts";

/**
 * Auto-balance in the browser (issue 13): Ani runs it on a unit plan, Budi
 * and Dewi watch it run and see its proposal; its moves are drawn hatched on
 * the map; Ani accepts, the Balance tab's score becomes the proposal's, the
 * feed says so, and her Ctrl+Z takes it back. Dewi, a leader, only reads. A
 * drawn plan is offered hexagons first.
 */

/** Four territories around Bandung, two by two; North-West holds four times the revenue per account. */
const CELLS = {
  nw: { name: "Bandung Barat", box: [107.3, -6.9, 107.65, -6.6], color: "#1b9e77" },
  ne: { name: "Sumedang", box: [107.65, -6.9, 108.0, -6.6], color: "#d95f02" },
  sw: { name: "Soreang", box: [107.3, -7.2, 107.65, -6.9], color: "#7570b3" },
  se: { name: "Garut", box: [107.65, -7.2, 108.0, -6.9], color: "#e7298a" },
} as const;

/** A demo-like plan of hexagons: four territories, 120 accounts with revenue, made into units. */
async function unitPlan(request: APIRequestContext) {
  const plan = await createPlanWithLinks(request, "Jawa Barat 2026");
  const ids = await addTerritories(
    request,
    plan.id,
    Object.values(CELLS).map((c) => rectangle(c.name, c.box as unknown as [number, number, number, number], c.color)),
  );
  const rows = ["id,name,lat,lon,revenue"];
  for (let i = 0; i < 12; i++) {
    for (let j = 0; j < 10; j++) {
      const lon = 107.32 + i * 0.058;
      const lat = -7.18 + j * 0.058;
      const rich = lon < 107.65 && lat > -6.9;
      rows.push(`a${i}-${j},Toko ${i}-${j},${lat.toFixed(4)},${lon.toFixed(4)},${rich ? 400 : 100}`);
    }
  }
  await importAccounts(request, plan.id, rows.join("\n"));
  const made = await request.post(`/api/plans/${plan.id}/units`, {
    headers: { authorization: `Bearer ${tokenFor(plan.id)}` },
    data: { kind: "h3", resolution: 6, area: "territories" },
  });
  expect(made.status(), await made.text()).toBe(201);
  return { plan, ids };
}

interface ProposalBody {
  id: string;
  status: string;
  moves: { unit: string; from: string | null; to: string }[];
  after: { score: number } | null;
}

async function proposalsOf(request: APIRequestContext, planId: string): Promise<ProposalBody[]> {
  const res = await request.get(`/api/plans/${planId}/proposals`, {
    headers: { authorization: `Bearer ${tokenFor(planId, "view")}` },
  });
  return ((await res.json()) as { proposals: ProposalBody[] }).proposals;
}

/** The layer's unit ids in order (a unit's index on the map). */
async function unitIds(request: APIRequestContext, planId: string): Promise<string[]> {
  const res = await request.get(`/api/plans/${planId}/units?format=compact`, {
    headers: { authorization: `Bearer ${tokenFor(planId, "view")}` },
  });
  return ((await res.json()) as { ids: string[] }).ids;
}

type Handle = { wilayah: Record<string, (...a: unknown[]) => unknown> };

/** The territory a person's map gives a unit, by index. */
function ownerOn(person: Planner, u: number): Promise<string | null> {
  return person.map.evaluate((el, u) => (el as unknown as Handle).wilayah.unitOwner?.(u) as string | null, u);
}

/** How many of the selected proposal's moves the units layer drew hatched, last time it drew. */
function hatched(person: Planner): Promise<number> {
  return person.map.evaluate((el) => (el as unknown as Handle).wilayah.proposalMovesDrawn?.() as number);
}

async function openBalance(page: Page): Promise<void> {
  await page.getByTestId("tab-balance").click();
  await expect(page.getByTestId("tab-balance")).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("balance-panel")).toBeVisible();
}

async function keepScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(name);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

test("Ani balances automatically; Budi and Dewi watch; she accepts, the score follows, Ctrl+Z takes it back", async ({
  request,
  ani,
  budi,
  dewi,
}, testInfo) => {
  const { plan } = await unitPlan(request);
  const manager = await ani.open(plan.id, { viewport: { width: 1440, height: 900 } });
  const second = await budi.open(plan.id);
  const leader = await dewi.open(plan.id);
  for (const m of [manager, second, leader]) {
    await expect(m.map).toHaveAttribute("data-ready", "true");
    await expect.poll(() => m.map.getAttribute("data-unit-count")).not.toBe("0");
    await openBalance(m.page);
    await expect(m.page.getByTestId("proposals-empty")).toBeVisible();
  }

  await test.step("Dewi, a leader, gets no form and no buttons", async () => {
    await expect(leader.page.getByTestId("balance-form")).toHaveCount(0);
    await expect(leader.page.getByTestId("balance-run")).toHaveCount(0);
    await expect(leader.page.getByTestId("proposals-empty")).toContainText("When a manager runs auto-balance");
  });

  await test.step("Ani chooses revenue, a three-second budget, and runs it", async () => {
    const page = manager.page;
    await expect(page.getByTestId("balance-form")).toHaveAttribute("data-open", "true");
    await expect(page.getByTestId("balance-contiguous")).toBeChecked();
    await expect(page.getByTestId("balance-compactness")).toHaveValue("0.6");
    await expect(page.getByTestId("balance-seconds")).toHaveValue("10");
    await page.getByTestId("balance-metric-revenue").check();
    if (await page.getByTestId("balance-metric-accounts").isChecked()) {
      await page.getByTestId("balance-metric-accounts").uncheck();
    }
    await page.getByTestId("balance-seconds").fill("3");
    await keepScreenshot(page, testInfo, "balance-form.png");
    await page.getByTestId("balance-run").click();
  });

  await test.step("everyone sees it run: who started it, its progress, the best so far", async () => {
    for (const m of [second, leader]) {
      const card = m.page.getByTestId("proposal-card").first();
      await expect(card).toHaveAttribute("data-status", "running");
      await expect(card.getByTestId("proposal-by")).toContainText("Ani");
      await expect(card.getByTestId("proposal-progress")).toBeVisible();
    }
    await expect(second.page.getByTestId("proposal-stop")).toBeVisible();
    await expect(leader.page.getByTestId("proposal-stop")).toHaveCount(0);
    await keepScreenshot(leader.page, testInfo, "balance-running.png");
  });

  await expect
    .poll(async () => (await proposalsOf(request, plan.id)).map((p) => p.status), { timeout: 30_000 })
    .toEqual(["ready"]);
  const [proposal] = await proposalsOf(request, plan.id);
  if (!proposal) throw new Error("no proposal");
  expect(proposal.moves.length).toBeGreaterThan(0);
  const after = Math.round(proposal.after?.score ?? -1);

  await test.step("the proposal arrives for all three, with its score before → after", async () => {
    for (const m of [manager, second, leader]) {
      const card = m.page.getByTestId("proposal-card").first();
      await expect(card).toHaveAttribute("data-status", "ready");
      await expect(card.getByTestId("proposal-score")).toHaveAttribute("data-after", String(proposal.after?.score));
      await expect(card.getByTestId("proposal-units")).toHaveText(String(proposal.moves.length));
    }
    await expect(leader.page.getByTestId("proposal-accept")).toHaveCount(0);
    await expect(leader.page.getByTestId("proposal-discard")).toHaveCount(0);
  });

  await test.step("its moves are hatched on the map and tabled per territory", async () => {
    for (const m of [manager, leader]) {
      // Shown to whoever watched it start; a click shows it otherwise.
      if ((await m.page.getByTestId("proposal-details").count()) === 0) {
        await m.page.getByTestId("proposal-card").first().locator("button.summary").click();
      }
      await expect(m.map).toHaveAttribute("data-proposal-moves", String(proposal.moves.length));
      await expect.poll(() => hatched(m)).toBeGreaterThan(0);
    }
    const table = manager.page.getByTestId("proposal-table");
    await expect(table).toHaveAttribute("data-metric", "revenue");
    await expect(table.getByRole("row")).toHaveCount(5);
    await expect(table).toContainText("Bandung Barat");
    await keepScreenshot(manager.page, testInfo, "balance-proposal.png");

    // Folded away: nothing is drawn.
    await leader.page.getByTestId("proposal-card").first().locator("button.summary").click();
    await expect(leader.map).toHaveAttribute("data-proposal-moves", "0");
    await expect.poll(() => hatched(leader)).toBe(0);
  });

  const ids = await unitIds(request, plan.id);
  const moved = proposal.moves[0] as ProposalBody["moves"][number];
  const u = ids.indexOf(moved.unit);
  expect(u).toBeGreaterThanOrEqual(0);
  expect(await ownerOn(manager, u)).toBe(moved.from);

  await test.step("Ani accepts: the units move for everyone, the Balance tab shows the proposal's score", async () => {
    await manager.page.getByTestId("proposal-accept").click();
    await expect(manager.page.getByTestId("proposal-card").first()).toHaveAttribute("data-status", "accepted");
    await expect(manager.page.getByTestId("proposal-accepted")).toContainText("Accepted by Ani");
    for (const m of [manager, second, leader]) await expect.poll(() => ownerOn(m, u)).toBe(moved.to);
    await keepScreenshot(manager.page, testInfo, "balance-accepted.png");
    await second.openScores();
    await expect(second.balanceScore).toHaveText(String(after));
  });

  await test.step("the feed has the step, and Budi, a manager, may undo it from there; Dewi may not", async () => {
    for (const m of [second, leader]) {
      await m.page.getByTestId("tab-activity").click();
      const entry = m.page.locator('[data-testid="activity-entry"][data-kind="proposal-accepted"]');
      await expect(entry).toContainText("accepted an auto-balance");
    }
    await expect(
      second.page.locator('[data-testid="activity-entry"][data-kind="proposal-accepted"]').getByTestId("activity-undo"),
    ).toHaveText("Undo this auto-balance");
    await expect(leader.page.getByTestId("activity-undo")).toHaveCount(0);
  });

  await test.step("Ani's Ctrl+Z takes it back: the units return, for everyone", async () => {
    await expect(manager.page.getByTestId("undo")).toBeEnabled();
    await manager.press("Control+z");
    for (const m of [manager, second, leader]) await expect.poll(() => ownerOn(m, u)).toBe(moved.from);
    await expect(manager.page.getByTestId("proposal-undone")).toContainText("Taken back by Ani");
    await expect(second.page.locator('[data-testid="activity-entry"][data-kind="proposal-undone"]')).toContainText(
      "took back an auto-balance",
    );
    // Taken back once: the feed offers no more undo.
    await expect(
      second.page.locator('[data-testid="activity-entry"][data-kind="proposal-accepted"]').getByTestId("activity-undo"),
    ).toHaveCount(0);
  });
});

test("a drawn plan is offered hexagons first, through the Units dialog", async ({ request, ani, dewi }, testInfo) => {
  const plan = await createPlanWithLinks(request, "Drawn plan");
  await addTerritories(request, plan.id, [
    rectangle("Barat", [106.6, -6.7, 106.95, -6.35], "#1b9e77"),
    rectangle("Timur", [106.95, -6.7, 107.3, -6.35], "#d95f02"),
  ]);
  const manager = await ani.open(plan.id);
  await openBalance(manager.page);
  await expect(manager.page.getByTestId("balance-panel")).toHaveAttribute("data-unit-plan", "false");
  await expect(manager.page.getByTestId("balance-no-units")).toContainText("Auto-balance works on units");
  await keepScreenshot(manager.page, testInfo, "balance-no-units.png");
  await manager.page.getByTestId("balance-make-units").click();
  await expect(manager.page.getByTestId("units-dialog")).toBeVisible();
  await expect(manager.page.getByTestId("units-body")).toHaveAttribute("data-unit-plan", "false");

  const leader = await dewi.open(plan.id);
  await openBalance(leader.page);
  await expect(leader.page.getByTestId("balance-no-units")).toContainText("A manager can build them");
  await expect(leader.page.getByTestId("balance-make-units")).toHaveCount(0);
});

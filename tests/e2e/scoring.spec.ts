import { addTerritories, analysis, createPlan, importAccounts, rectangle } from "./fixtures/api.ts";
import { expect, test } from "./fixtures/cast.ts";

/**
 * Live scoring as the managers see it: the server re-scores every edit and
 * every person in the plan sees the same counts, balance and issues.
 */

/** Accounts of the swallow scenario: four in Priangan, three just north-east of it, two in Cirebon, one far away. */
const SWALLOW_CSV = [
  "id,name,lat,lon,revenue",
  "p1,Toko Priangan 1,-7.0,106.8,100",
  "p2,Toko Priangan 2,-6.9,107.0,120",
  "p3,Toko Priangan 3,-6.8,107.2,90",
  "p4,Toko Priangan 4,-7.1,107.3,60",
  "n1,Warung Utara 1,-6.5,107.2,80",
  "n2,Warung Utara 2,-6.5,107.3,70",
  "n3,Warung Utara 3,-6.45,107.35,75",
  "c1,Toko Cirebon 1,-6.9,108.6,200",
  "c2,Toko Cirebon 2,-7.0,108.9,210",
  "f1,Jauh,-7.6,110.4,50",
].join("\n");

test("dragging a vertex so that a territory swallows accounts changes the counts the other manager sees", async ({
  request,
  ani,
  budi,
}, testInfo) => {
  const planId = await createPlan(request, "Swallow");
  await importAccounts(request, planId, SWALLOW_CSV);
  const [priangan, cirebon] = (await addTerritories(request, planId, [
    rectangle("Priangan", [106.6, -7.2, 107.4, -6.6]),
    rectangle("Cirebon", [108.4, -7.2, 109.2, -6.6], "#d95f02"),
  ])) as [string, string];

  // Both ways of drawing the accounts: Ani's map with WebGL (software WebGL in a headless browser),
  // Budi's with the canvas renderer (what a browser without a real GPU gets).
  const managerA = await ani.open(planId, { points: "webgl" });
  const managerB = await budi.open(planId, { points: "canvas" });

  await test.step("both see the server's counts and the accounts on the map", async () => {
    await managerB.openScores();
    await expect(managerB.metricAccounts(priangan)).toHaveText("4");
    await expect(managerB.metricAccounts(cirebon)).toHaveText("2");
    await expect(managerB.issues("unassigned-accounts")).toContainText("4 accounts");
    await expect.poll(async () => (await managerB.mapState()).accountCount).toBe(10);
    await expect
      .poll(async () => (await managerB.mapState()).accountStates)
      .toEqual({ assigned: 6, unassigned: 4, conflict: 0, pending: 0, pinned: 0 });
    expect((await managerB.mapState()).accountsRenderer).toBe("canvas");
    await expect.poll(async () => (await managerA.mapState()).accountCount).toBe(10);
    expect((await managerA.mapState()).accountsRenderer).toBe("webgl");
  });

  await test.step("Ani drags Priangan's north-east corner over the three accounts to its north", async () => {
    await managerA.select("Priangan");
    await managerA.pickTool("reshape");
    const corner = await managerA.pixelFor(107.4, -6.6);
    const target = await managerA.pixelFor(107.8, -6.2);
    await managerA.drag(corner, target);
  });

  await test.step("Budi's table shows Priangan with seven accounts, and one account is left unassigned", async () => {
    await expect(managerB.metricAccounts(priangan)).toHaveText("7");
    await expect(managerB.metricAccounts(cirebon)).toHaveText("2");
    await expect(managerB.issues("unassigned-accounts")).toContainText("1 account ");
    await expect
      .poll(async () => (await managerB.mapState()).accountStates)
      .toEqual({ assigned: 9, unassigned: 1, conflict: 0, pending: 0, pinned: 0 });
    const server = await analysis(request, planId);
    expect(server.territories.find((t) => t.id === priangan)?.accounts).toBe(7);
  });

  await test.step("Ani sees the same numbers", async () => {
    await managerA.openScores();
    await expect(managerA.metricAccounts(priangan)).toHaveText("7");
  });

  await managerB.screenshot(testInfo, "after the swallow");
});

test("an overlap is listed, hatched on the map, and clicking it zooms there and outlines it", async ({
  request,
  ani,
}) => {
  const planId = await createPlan(request, "Overlap");
  await importAccounts(
    request,
    planId,
    [
      "id,name,lat,lon,revenue",
      "o1,Di dua wilayah,-6.9,107.3,10",
      "a1,Barat,-6.9,106.8,10",
      "b1,Timur,-6.9,107.9,10",
    ].join("\n"),
  );
  await addTerritories(request, planId, [
    rectangle("Priangan", [106.6, -7.2, 107.4, -6.6]),
    rectangle("Cirebon", [107.2, -7.0, 108.0, -6.7], "#d95f02"),
  ]);
  const manager = await ani.open(planId);
  await manager.openScores();

  const overlap = manager.issues("overlap");
  await expect(overlap).toHaveCount(1);
  await expect(overlap).toContainText("overlap by");
  await expect(overlap).toContainText("1 account is counted in both");
  await expect.poll(async () => (await manager.mapState()).overlapCount).toBe(1);
  await expect
    .poll(async () => (await manager.mapState()).accountStates)
    .toEqual({ assigned: 2, unassigned: 0, conflict: 1, pending: 0, pinned: 0 });

  const before = (await manager.mapState()).view;
  await overlap.click();
  await expect(overlap).toHaveAttribute("aria-pressed", "true");
  const issueId = await overlap.getAttribute("data-id");
  await expect(manager.map).toHaveAttribute("data-highlight", issueId as string);
  // The overlap and the account counted in both are outlined.
  await expect.poll(async () => (await manager.mapState()).highlighted).toEqual({ issueId, features: 2 });
  // The view moves to the overlap (0.2° × 0.3°): much closer than the whole plan.
  await expect.poll(async () => (await manager.mapState()).view.zoom).toBeGreaterThan(before.zoom + 1);
  const after = (await manager.mapState()).view;
  expect(after.lon).toBeCloseTo(107.3, 1);
  expect(after.lat).toBeCloseTo(-6.85, 1);

  await test.step("in Bahasa Indonesia the sentence is translated", async () => {
    await manager.page.getByTestId("language-select").selectOption("id");
    await expect(overlap).toContainText("tumpang tindih");
    await expect(overlap).toContainText("1 akun dihitung di keduanya");
  });

  await manager.page.getByTestId("issue-clear").click();
  await expect(manager.map).not.toHaveAttribute("data-highlight", /.+/);
});

test("the balance score, the allowed deviation and the balance map are the same for everyone", async ({
  request,
  ani,
  budi,
}) => {
  const planId = await createPlan(request, "Balance");
  // Four accounts in the west, one in the east: far from balanced.
  await importAccounts(
    request,
    planId,
    [
      "id,name,lat,lon,revenue,potential",
      "w1,A,-7.0,106.8,100,300",
      "w2,B,-6.9,107.0,100,300",
      "w3,C,-6.8,107.2,100,300",
      "w4,D,-7.1,107.3,100,300",
      "e1,E,-6.9,108.6,100,300",
    ].join("\n"),
  );
  const [west, east] = (await addTerritories(request, planId, [
    rectangle("Barat", [106.6, -7.2, 107.4, -6.6]),
    rectangle("Timur", [108.4, -7.2, 109.2, -6.6], "#d95f02"),
  ])) as [string, string];
  const managerA = await ani.open(planId);
  const managerB = await budi.open(planId);

  // Deviations ±60 % on every metric: an RMS of 60 % scores 100 / 1.6 = 62.5.
  const expected = String(Math.round((await analysis(request, planId)).balance.score));
  expect(Number(expected)).toBeGreaterThan(0);
  for (const m of [managerA, managerB]) {
    await m.openScores();
    await expect(m.balanceScore).toHaveText(expected);
    await expect(m.balanceScore).toHaveAttribute("data-level", "error");
    await expect(m.page.getByTestId("tab-score")).toHaveText(`${expected}/100`);
    await expect(m.page.getByTestId(`metric-row-${west}`)).toHaveAttribute("data-level", "error");
    await expect(m.page.getByTestId(`metric-deviation-${west}`)).toHaveText("+60%");
    await expect(m.page.getByTestId(`metric-deviation-${east}`)).toHaveText("−60%");
  }
  await expect(managerA.page.getByTestId("chart-bar")).toHaveCount(2);

  await test.step("Ani allows ±35 %: both see the wider allowance and the territories move to warning", async () => {
    const input = managerA.page.getByTestId("allowed-deviation-input");
    await input.fill("35");
    await input.press("Enter");
    await expect(managerB.page.getByTestId("allowed-deviation-input")).toHaveValue("35");
    await expect(managerB.page.getByTestId(`metric-row-${west}`)).toHaveAttribute("data-level", "warning");
    expect((await analysis(request, planId)).balance.allowedDeviation).toBe(0.35);
  });

  await test.step("a value outside 1–100 % is refused with a reason, and nothing changes", async () => {
    const input = managerA.page.getByTestId("allowed-deviation-input");
    await input.fill("0");
    await input.press("Enter");
    await expect(managerA.page.getByTestId("allowed-deviation-error")).toBeVisible();
    await expect(managerB.page.getByTestId("allowed-deviation-input")).toHaveValue("35");
  });

  await test.step("the revenue column and the balance map with its legend", async () => {
    await managerA.page.getByTestId("metric-option-revenue").click();
    await expect(managerA.page.getByTestId(`metric-value-${west}`)).toHaveText("400");
    await managerA.page.getByTestId("fill-balance").click();
    await expect(managerA.page.getByTestId("choropleth-legend")).toBeVisible();
    await expect(managerA.page.getByTestId("choropleth-legend")).toContainText("Revenue against the reference");
    await expect(managerA.page.getByTestId("choropleth-legend")).toContainText("+35%");
    await expect(managerA.map).toHaveAttribute("data-fill", "balance");
    await managerA.page.getByTestId("fill-territory").click();
    await expect(managerA.page.getByTestId("choropleth-legend")).toBeHidden();
    await expect(managerA.map).toHaveAttribute("data-fill", "territory");
  });

  await test.step("the accounts layer can be switched off", async () => {
    await managerA.page.getByTestId("toggle-accounts").uncheck({ force: true });
    await expect(managerA.page.getByTestId("accounts-legend")).toBeHidden();
    await managerA.page.getByTestId("toggle-accounts").check({ force: true });
    await expect(managerA.page.getByTestId("accounts-legend")).toBeVisible();
  });
});

/**
 * The README's screenshot: the demo plan, accounts on the map, the Balance
 * tab open. Written only with UPDATE_SCREENSHOTS=1, so ordinary runs never
 * touch the committed image.
 */
test("README screenshot of the demo plan", async ({ request, ani }) => {
  test.skip(!process.env.UPDATE_SCREENSHOTS, "set UPDATE_SCREENSHOTS=1 to write tests/e2e/screenshots/editor.png");
  // A copy of the demo of our own (every GET /api/demo makes one).
  const demo = (await (await request.get("/api/demo")).json()) as { id: string; links: { edit: string } };
  const token = new URL(demo.links.edit).searchParams.get("token") ?? undefined;
  const manager = await ani.open(demo.id, { viewport: { width: 1440, height: 900 }, token });
  await manager.openScores();
  await expect(manager.balanceScore).toBeVisible();
  await expect
    .poll(async () => {
      const s = await manager.mapState();
      return s.accountCount > 0 && s.accountStates.pending === 0;
    })
    .toBe(true);
  // The basemap's outlines come from a worker: wait for them, then for the images to be drawn.
  await manager.page.waitForFunction(
    () =>
      (
        document.querySelector('[data-testid="map"]') as HTMLElement & { wilayah: { basemapReady(): boolean } }
      ).wilayah.basemapReady(),
    null,
    { timeout: 30_000 },
  );
  await manager.page.waitForFunction(() => document.fonts.status === "loaded");
  await manager.page.evaluate(
    () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(null)))),
  );
  await manager.page.screenshot({ path: "tests/e2e/screenshots/editor.png" });
});

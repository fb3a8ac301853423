import type { Page } from "@playwright/test";
import { addTerritories, createPlanWithLinks, importAccounts, rectangle, territories } from "./fixtures/api.ts";
import { expect, test } from "./fixtures/cast.ts";
import type { Planner } from "./fixtures/planner.ts";
import { keepScreenshot } from "./fixtures/screenshots.ts";

/**
 * The unit layer through the Data menu (issue 12): a manager makes
 * hexagons from a fresh plan's drawn territory after the dry run's count,
 * imports a kecamatan file whose preview names its bad feature, and
 * removes the layer again; leaders and reps never see the item. The map's
 * drawing of units is not looked at here (the map has its own tests).
 */

type UnitsAnswer = {
  version: number;
  kind: string | null;
  resolution?: number;
  features: { id: string; properties: Record<string, unknown> }[];
};

/** Three kecamatan side by side west of Bogor, and a fourth feature that is only a point. */
function kecamatanFile(): string {
  const square = (x0: number, y0: number) => [
    [
      [x0, y0],
      [x0 + 0.1, y0],
      [x0 + 0.1, y0 + 0.1],
      [x0, y0 + 0.1],
      [x0, y0],
    ],
  ];
  const area = (kode: string, nama: string, penduduk: number, x0: number) => ({
    type: "Feature",
    properties: { kode, nama, penduduk },
    geometry: { type: "Polygon", coordinates: square(x0, -6.7) },
  });
  return JSON.stringify({
    type: "FeatureCollection",
    features: [
      area("32.01.010", "Nanggung", 92301, 106.5),
      area("32.01.020", "Leuwiliang", 120512, 106.6),
      {
        type: "Feature",
        properties: { kode: "32.01.030", nama: "Titik Saja", penduduk: 5 },
        geometry: { type: "Point", coordinates: [106.75, -6.65] },
      },
      area("32.01.040", "Cibungbulang", 134870, 106.7),
    ],
  });
}

async function units(page: Page, planId: string, token: string): Promise<UnitsAnswer> {
  const res = await page.request.get(`/api/plans/${planId}/units`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status()).toBe(200);
  return (await res.json()) as UnitsAnswer;
}

async function openUnits(manager: Planner): Promise<void> {
  await manager.openData("data-units");
  await expect(manager.page.getByTestId("units-dialog")).toBeVisible();
}

test("a kecamatan file becomes the plan's units after a preview naming its bad feature; removing the layer keeps the territory", async ({
  request,
  ani,
  dewi,
}, testInfo) => {
  const plan = await createPlanWithLinks(request, "Bogor Barat");
  const [barat] = await addTerritories(request, plan.id, [rectangle("Bogor Barat", [106.45, -6.75, 106.85, -6.55])]);
  const manager = await ani.open(plan.id);
  const leader = await dewi.open(plan.id);
  const page = manager.page;
  const dialog = page.getByTestId("units-dialog");

  await test.step("leaders do not see Units in the Data menu", async () => {
    await leader.page.getByTestId("data-menu").click();
    await expect(leader.page.getByTestId("export-png")).toBeVisible();
    await expect(leader.page.getByTestId("data-units")).toHaveCount(0);
    await expect(leader.page.getByTestId("import-competitors")).toHaveCount(0);
  });

  await test.step("the manager opens Units and picks admin areas: a file drop", async () => {
    await openUnits(manager);
    await expect(page.getByTestId("units-body")).toHaveAttribute("data-unit-plan", "false");
    await keepScreenshot(page, testInfo, "units-hexagons-choose.png");
    await dialog.locator("label", { has: page.getByTestId("units-source-areas") }).click();
    await expect(dialog).toContainText("Drop a GeoJSON file of areas here");
    await keepScreenshot(page, testInfo, "units-areas-drop.png");
  });

  await test.step("the preview counts the areas and names the bad feature by its number", async () => {
    await manager.pickFile("kecamatan-bogor.geojson", kecamatanFile());
    const preview = page.getByTestId("units-areas-preview");
    await expect(preview).toHaveAttribute("data-phase", "preview");
    await expect(preview.getByTestId("import-valid")).toHaveText("3");
    await expect(preview.getByTestId("import-problem-count")).toHaveText("1");
    const problem = preview.getByTestId("import-problem");
    await expect(problem).toHaveCount(1);
    await expect(problem).toHaveAttribute("data-row", "3");
    await expect(problem).toContainText("feature 3");
    await expect(problem).toContainText("Titik Saja");
    await expect(problem).toContainText("Polygon or MultiPolygon");
    await expect(page.getByTestId("units-areas-read")).toContainText("“kode”");
    await expect(page.getByTestId("units-areas-read")).toContainText("population");
    await expect(dialog.getByTestId("import-confirm")).toBeDisabled();
    await dialog.getByTestId("import-skip-invalid").check();
    await expect(dialog.getByTestId("import-confirm")).toHaveText(/Make 3 areas into units/);
    await keepScreenshot(page, testInfo, "units-areas-preview.png");
  });

  await test.step("she imports: the result counts them and the server holds the layer", async () => {
    await dialog.getByTestId("import-confirm").click();
    await expect(dialog.getByTestId("import-result")).toContainText("Made 3 areas into units");
    await expect(dialog.getByTestId("import-result")).toContainText("3 are in a territory and 0 in none yet");
    await keepScreenshot(page, testInfo, "units-areas-done.png");
    const layer = await units(page, plan.id, plan.tokens.view);
    expect(layer.kind).toBe("admin");
    expect(layer.features.map((f) => f.id).sort()).toEqual(["32.01.010", "32.01.020", "32.01.040"]);
    for (const f of layer.features) expect(f.properties.territory).toBe(barat);
    expect(layer.features.find((f) => f.id === "32.01.020")?.properties.population).toBe(120512);
    await dialog.getByRole("button", { name: "Done" }).click();
    await expect(dialog).toBeHidden();
  });

  await test.step("in a unit plan the dialog says what the plan is built from, and removes it after asking", async () => {
    await openUnits(manager);
    await expect(page.getByTestId("units-current")).toContainText("This plan is built from 3 admin areas");
    await page.getByTestId("units-remove").click();
    await expect(page.getByTestId("units-remove-ask")).toContainText("Remove the unit layer?");
    await expect(page.getByTestId("units-remove-ask")).toContainText("keeps the shape its units make");
    await keepScreenshot(page, testInfo, "units-remove-ask.png");
    await page.getByTestId("units-remove-confirm").click();
    await expect(dialog.getByTestId("import-result")).toContainText("Unit layer removed");
    await expect(dialog.getByTestId("import-result")).toContainText("1 territory keeps its shape");
    await keepScreenshot(page, testInfo, "units-removed.png");
    const layer = await units(page, plan.id, plan.tokens.view);
    expect(layer.version).toBe(0);
    expect(layer.features).toHaveLength(0);
    const [kept] = await territories(request, plan.id);
    expect(kept?.geometry).not.toBeNull();
  });
});

test("hexagons from a fresh plan's drawn territory: the dry run's count first, then the layer", async ({
  request,
  ani,
}, testInfo) => {
  const plan = await createPlanWithLinks(request, "Hexagons");
  const manager = await ani.open(plan.id);
  const page = manager.page;
  const dialog = page.getByTestId("units-dialog");

  await test.step("with no territory there is nothing to cover", async () => {
    await openUnits(manager);
    await expect(page.getByTestId("units-hex-note")).toContainText("Draw or import territories first");
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
  });

  let territoryId = "";
  await test.step("she draws a territory; accounts are imported inside and outside it", async () => {
    await manager.drawBox(0.35, 0.35, 0.55, 0.6);
    await expect(manager.territoryItems).toHaveCount(1);
    await page.keyboard.press("Escape");
    const [drawn] = await territories(request, plan.id);
    territoryId = String(drawn?.id ?? drawn?.properties.id);
    const ring = (drawn?.geometry.coordinates[0] ?? []) as number[][];
    const xs = ring.map((p) => p[0] as number);
    const ys = ring.map((p) => p[1] as number);
    const [cx, cy] = [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
    const far = Math.max(...xs) + 5;
    await importAccounts(
      request,
      plan.id,
      `id,lat,lon\nin1,${cy},${cx}\nin2,${cy + 0.01},${cx + 0.01}\nout1,${cy},${far}`,
    );
    await expect(manager.map).toHaveAttribute("data-account-count", "3");
  });

  await test.step("too fine a size for so large an area: the server's sentence says what to do", async () => {
    await openUnits(manager);
    await expect(page.getByTestId("hex-res-8")).toBeVisible();
    await expect(dialog.getByTestId("import-confirm")).toHaveCount(0);
    await dialog.locator("label", { has: page.getByTestId("hex-res-8") }).click();
    await expect(dialog.getByTestId("import-error")).toContainText("Pick a coarser resolution");
    await expect(dialog.getByTestId("import-error")).toContainText("Nothing changed.");
    await expect(dialog.getByTestId("import-confirm")).toHaveCount(0);
    await keepScreenshot(page, testInfo, "units-hexagons-refused.png");
  });

  await test.step("she picks a size: the server counts the hexagons, the browser the accounts left out", async () => {
    await dialog.locator("label", { has: page.getByTestId("hex-res-5") }).click();
    await expect(dialog.getByTestId("import-error")).toBeHidden();
    await expect(page.getByTestId("units-hex-preview")).toBeVisible();
    await expect(page.getByTestId("units-accounts-now")).toHaveText("1");
    const count = Number((await page.getByTestId("units-hex-count").textContent())?.replace(/\D/g, ""));
    expect(count).toBeGreaterThan(0);
    await expect(dialog.getByTestId("import-confirm")).toHaveText(
      new RegExp(`Make ${count.toLocaleString("en-US")} hexagons`),
    );
    await keepScreenshot(page, testInfo, "units-hexagons-preview.png");
  });

  await test.step("she makes them: the plan is built from hexagons, each in her territory", async () => {
    const count = Number((await page.getByTestId("units-hex-count").textContent())?.replace(/\D/g, ""));
    // Hold the server's answer a moment, to see what the manager sees while the layer is made.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route(`**/api/plans/${plan.id}/units`, async (route) => {
      if (route.request().method() === "POST") await held;
      await route.continue();
    });
    await dialog.getByTestId("import-confirm").click();
    await expect(dialog.getByTestId("import-progress")).toContainText("Making the hexagons");
    await expect(dialog.getByTestId("import-confirm")).toBeDisabled();
    await keepScreenshot(page, testInfo, "units-hexagons-making.png");
    // Escape does not walk away from a conversion on its way.
    await page.keyboard.press("Escape");
    await expect(dialog).toBeVisible();
    release();
    await expect(dialog.getByTestId("import-result")).toContainText(
      `Made ${count.toLocaleString("en-US")} hexagon units`,
    );
    await keepScreenshot(page, testInfo, "units-hexagons-done.png");
    const layer = await units(page, plan.id, plan.tokens.edit);
    expect(layer.kind).toBe("h3");
    expect(layer.resolution).toBe(5);
    expect(layer.features).toHaveLength(count);
    expect(layer.features.some((f) => f.properties.territory === territoryId)).toBe(true);
  });

  await test.step("the unit plan's dialog offers no second cover, and removes the layer", async () => {
    await dialog.getByRole("button", { name: "Done" }).click();
    await openUnits(manager);
    await expect(page.getByTestId("units-current")).toContainText("hexagons (resolution 5, about 250 km² each)");
    await dialog.locator("label", { has: page.getByTestId("units-source-hexagons") }).click();
    await expect(page.getByTestId("units-hex-note")).toContainText("remove the unit layer first");
    await keepScreenshot(page, testInfo, "units-current.png");
    await page.getByTestId("units-remove").click();
    await page.getByTestId("units-remove-confirm").click();
    await expect(dialog.getByTestId("import-result")).toContainText("Unit layer removed");
    expect((await units(page, plan.id, plan.tokens.edit)).features).toHaveLength(0);
  });
});

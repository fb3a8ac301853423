import { readFile } from "node:fs/promises";
import { addTerritories, createPlanWithLinks, rectangle } from "./fixtures/api.ts";
import { expect, test } from "./fixtures/cast.ts";
import { keepScreenshot } from "./fixtures/screenshots.ts";

/**
 * Data in and out through the UI (issue 5): a manager uploads a CSV whose
 * coordinate columns the detection cannot name, corrects the mapping in the
 * preview, skips the one bad row and imports; a leader watching the plan
 * sees the accounts arrive; anyone can save the map as a PNG.
 */

/** Semicolon-separated, Indonesian decimals, coordinates under names no detection knows; line 6 has no latitude. */
const OUTLETS_CSV = [
  "Kode;Nama Outlet;Posisi Y;Posisi X;Omzet;Kota",
  "B01;Toko Sumber Rejeki;-6,9147;107,6098;1.250.000;Bandung",
  "B02;Warung Bu Ani;-6,9021;107,6186;830.500;Bandung",
  "B03;Toko Makmur;-6,9389;107,7203;2.100.000;Cileunyi",
  "B04;Minimarket Jaya;-6,8712;107,5830;975.000;Cimahi",
  ";Outlet tanpa lokasi;;107,6500;150.000;Bandung",
  "B06;Toko Berkah;-6,9500;107,6600;1.410.000;Bandung",
].join("\r\n");

test("a manager imports accounts with a corrected mapping; the leader sees them; the map saves as PNG", async ({
  request,
  ani,
  dewi,
}, testInfo) => {
  const plan = await createPlanWithLinks(request, "Bandung outlets");
  await addTerritories(request, plan.id, [rectangle("Bandung Raya", [107.4, -7.1, 107.9, -6.7])]);

  const manager = await ani.open(plan.id);
  const leader = await dewi.open(plan.id);
  await expect(leader.map).toHaveAttribute("data-account-count", "0");

  const page = manager.page;
  const dialog = page.getByTestId("import-dialog");

  await test.step("the manager picks the file: its coordinates are not found, the mapping step says so", async () => {
    await manager.openData("import-accounts");
    await expect(dialog).toBeVisible();
    await manager.pickFile("outlets-bandung.csv", OUTLETS_CSV);
    await expect(page.getByTestId("import-preview")).toBeVisible();
    await expect(page.getByTestId("import-error")).toContainText("latitude");
    await expect(page.getByTestId("mapping-id")).toHaveValue("Kode");
    await expect(page.getByTestId("mapping-name")).toHaveValue("Nama Outlet");
    await expect(page.getByTestId("mapping-lat")).toHaveValue("");
    await expect(page.getByTestId("import-confirm")).toBeDisabled();
    await expect(page.getByTestId("import-preview-table")).toContainText("Toko Sumber Rejeki");
    await keepScreenshot(page, testInfo, "import-mapping-needed.png");
  });

  await test.step("she maps Posisi Y and Posisi X; the preview lists the bad row by its line", async () => {
    await page.getByTestId("mapping-lat").selectOption("Posisi Y");
    await page.getByTestId("mapping-lon").selectOption("Posisi X");
    await expect(page.getByTestId("import-preview")).toHaveAttribute("data-phase", "preview");
    await expect(page.getByTestId("import-error")).toBeHidden();
    await expect(page.getByTestId("mapping-lat")).toHaveValue("Posisi Y");
    await expect(page.getByTestId("mapping-lon")).toHaveValue("Posisi X");
    await expect(page.getByTestId("import-valid")).toHaveText("5");
    await expect(page.getByTestId("import-problem-count")).toHaveText("1");
    const problem = page.getByTestId("import-problem");
    await expect(problem).toHaveCount(1);
    await expect(problem).toHaveAttribute("data-row", "6");
    await expect(problem).toContainText("line 6");
    // Omzet became the revenue metric; Kota (text) is not even offered as one.
    await expect(page.locator('[data-testid=mapping-attribute][data-column="Omzet"]')).toHaveValue("revenue");
    await expect(page.locator('[data-testid=mapping-attribute][data-column="Kota"]')).toHaveCount(0);
    // Problem rows block the import until she chooses to skip them.
    await expect(page.getByTestId("import-confirm")).toBeDisabled();
    await page.getByTestId("import-skip-invalid").check();
    await expect(page.getByTestId("import-confirm")).toBeEnabled();
    await expect(page.getByTestId("import-confirm")).toHaveText(/Import 5 accounts/);
    await keepScreenshot(page, testInfo, "import-preview.png");
  });

  await test.step("she confirms; the result says how many; the leader's map shows them", async () => {
    await page.getByTestId("import-confirm").click();
    await expect(page.getByTestId("import-result")).toContainText("Imported 5 accounts");
    await keepScreenshot(page, testInfo, "import-result.png");
    await expect(leader.map).toHaveAttribute("data-account-count", "5", { timeout: 30_000 });
    await expect(manager.map).toHaveAttribute("data-account-count", "5", { timeout: 30_000 });
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
  });

  await test.step("the leader cannot import, but saves the map as a PNG", async () => {
    await leader.page.getByTestId("data-menu").click();
    await expect(leader.page.getByTestId("export-png")).toBeVisible();
    await expect(leader.page.getByTestId("import-accounts")).toHaveCount(0);
    // The export links carry the view token (a plain link sends no header) and answer with the files.
    for (const [testid, type, text] of [
      ["export-assignments", "text/csv", "B01"],
      ["export-metrics", "text/csv", "Bandung Raya"],
      ["export-geojson", "json", "FeatureCollection"],
    ] as const) {
      const href = await leader.page.getByTestId(testid).getAttribute("href");
      expect(href).toContain(`token=${encodeURIComponent(plan.tokens.view)}`);
      const res = await leader.page.request.get(href as string);
      expect(res.status(), testid).toBe(200);
      expect(res.headers()["content-type"]).toContain(type);
      expect(await res.text()).toContain(text);
    }
    const [download] = await Promise.all([
      leader.page.waitForEvent("download"),
      leader.page.getByTestId("export-png").click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^bandung-outlets-\d{4}-\d{2}-\d{2}\.png$/);
    const png = await readFile((await download.path()) as string);
    // The PNG signature, and more than an empty canvas would weigh.
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeGreaterThan(5_000);
    await download.saveAs(testInfo.outputPath("map-export.png"));
    await testInfo.attach("map-export.png", { path: testInfo.outputPath("map-export.png"), contentType: "image/png" });
  });
});

test("a manager adds territories from a GeoJSON file after a preview that names the broken one", async ({
  request,
  ani,
  dewi,
}, testInfo) => {
  const plan = await createPlanWithLinks(request, "Territories from a file");
  await addTerritories(request, plan.id, [rectangle("Bandung Raya", [107.4, -7.1, 107.9, -6.7])]);
  const manager = await ani.open(plan.id);
  const leader = await dewi.open(plan.id);
  await expect(leader.map).toHaveAttribute("data-territory-count", "1");

  const file = {
    type: "FeatureCollection",
    features: [
      { ...rectangle("Cirebon", [108.3, -7.0, 108.8, -6.6]), properties: { name: "Cirebon", color: "#d95f02" } },
      { ...rectangle("Garut", [107.7, -7.5, 108.1, -7.15]), properties: { name: "Garut", color: "#7570b3" } },
      // Two corners: not a polygon.
      {
        type: "Feature",
        properties: { name: "Garis" },
        geometry: {
          type: "Polygon",
          coordinates: [
            [
              [109, -7],
              [109.2, -7],
              [109, -7],
            ],
          ],
        },
      },
    ],
  };
  const page = manager.page;
  await manager.openData("import-territories");
  await manager.pickFile("wilayah-baru.geojson", JSON.stringify(file));
  await expect(page.getByTestId("import-preview")).toHaveAttribute("data-phase", "preview");
  await expect(page.getByTestId("import-valid")).toHaveText("2");
  await expect(page.getByTestId("import-territory-names")).toContainText("Cirebon");
  await expect(page.getByTestId("import-problem")).toHaveAttribute("data-row", "3");
  await expect(page.getByTestId("import-confirm")).toBeDisabled();
  await page.getByTestId("import-skip-invalid").check();
  await expect(page.getByTestId("import-confirm")).toHaveText(/Import 2 territories/);
  await keepScreenshot(page, testInfo, "import-territories-preview.png");
  await page.getByTestId("import-confirm").click();
  await expect(page.getByTestId("import-result")).toContainText("Imported 2 territories");
  await expect(leader.map).toHaveAttribute("data-territory-count", "3");
});

import { addTerritories, createPlanWithLinks, rectangle } from "./fixtures/api.ts";
import { expect, test } from "./fixtures/cast.ts";
import { keepScreenshot } from "./fixtures/screenshots.ts";

/**
 * Competitors through the Data menu (issue 12): the accounts import's
 * dialog, reused for competing outlets — the file, the preview with its
 * mapping and Indonesian numbers, the refused row, the done summary — and
 * the server holds what the summary says.
 */

/** Semicolon-separated, Indonesian decimals and thousands; line 4 has a latitude that is not a number. */
const COMPETITORS_CSV = [
  "Kode;Nama Outlet;Lintang;Bujur;Omzet",
  "K01;Toko Saingan;-6,9147;107,6098;1.250.000",
  "K02;Warung Sebelah;-6,9021;107,6186;830.500",
  "K03;Alfa Dago;utara;107,6200;2.100.000",
  "K04;Indo Cimahi;-6,8712;107,5830;975.000",
  "K05;Toko Seberang;-6,9500;107,6600;1.410.000",
].join("\r\n");

test("a manager imports competitors through the accounts' dialog; the server holds them", async ({
  request,
  ani,
}, testInfo) => {
  const plan = await createPlanWithLinks(request, "Bandung competitors");
  await addTerritories(request, plan.id, [rectangle("Bandung Raya", [107.4, -7.1, 107.9, -6.7])]);
  const manager = await ani.open(plan.id);
  const page = manager.page;
  const dialog = page.getByTestId("import-dialog");

  await test.step("Competitors in the Data menu opens the import, in competitors' words", async () => {
    await manager.openData("import-competitors");
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole("heading", { name: "Import competitors" })).toBeVisible();
    await expect(dialog).toContainText("Drop a CSV or GeoJSON file of competitors here");
    await keepScreenshot(page, testInfo, "competitors-drop.png");
  });

  await test.step("the file's preview reads the Indonesian numbers and names the bad line", async () => {
    await manager.pickFile("pesaing-bandung.csv", COMPETITORS_CSV);
    await expect(page.getByTestId("import-preview")).toHaveAttribute("data-kind", "competitors");
    await expect(page.getByTestId("import-preview")).toHaveAttribute("data-phase", "preview");
    await expect(page.getByTestId("mapping-lat")).toHaveValue("Lintang");
    await expect(page.getByTestId("mapping-lon")).toHaveValue("Bujur");
    await expect(page.getByTestId("import-valid")).toHaveText("4");
    await expect(page.getByTestId("import-problem-count")).toHaveText("1");
    const problem = page.getByTestId("import-problem");
    await expect(problem).toHaveAttribute("data-row", "4");
    await expect(problem).toContainText("latitude “utara” is not a number");
    // Competitors have no targets: their columns are offered under their own names only.
    const omzet = page.locator('[data-testid=mapping-attribute][data-column="Omzet"]');
    await expect(omzet.locator("option", { hasText: "Metric: potential" })).toHaveCount(0);
    await expect(page.getByTestId("import-confirm")).toBeDisabled();
    await page.getByTestId("import-skip-invalid").check();
    await expect(page.getByTestId("import-confirm")).toHaveText(/Import 4 competitors/);
    await keepScreenshot(page, testInfo, "competitors-preview.png");
  });

  await test.step("she imports: the summary counts them, with no undo, and the server has them", async () => {
    await page.getByTestId("import-confirm").click();
    const result = page.getByTestId("import-result");
    await expect(result).toContainText("Imported 4 competitors");
    await expect(result).toContainText("The plan now has 4 competitors");
    await expect(page.getByTestId("import-undo")).toHaveCount(0);
    await keepScreenshot(page, testInfo, "competitors-done.png");

    const res = await request.get(`/api/plans/${plan.id}/competitors`, {
      headers: { authorization: `Bearer ${plan.tokens.view}` },
    });
    expect(res.status()).toBe(200);
    const body = (await res.json()) as {
      features: { properties: Record<string, unknown>; geometry: { coordinates: number[] } }[];
    };
    expect(body.features.map((f) => f.properties.id).sort()).toEqual(["K01", "K02", "K04", "K05"]);
    const k01 = body.features.find((f) => f.properties.id === "K01");
    expect(k01?.geometry.coordinates).toEqual([107.6098, -6.9147]);
    // "1.250.000" is one and a quarter million, whatever name the column was kept under.
    expect(Object.values(k01?.properties ?? {})).toContain(1_250_000);
  });

  await test.step("a second file is not allowed to replace them without asking", async () => {
    await page.getByRole("button", { name: "Import another file" }).click();
    await manager.pickFile("satu.csv", "id;lat;lon\nK09;-6,93;107,61");
    await expect(page.getByTestId("import-valid")).toHaveText("1");
    await expect(page.getByTestId("import-confirm")).toHaveText(/Choose: replace or add/);
    await page.locator("label", { has: page.getByTestId("import-mode-append") }).click();
    await expect(page.getByTestId("import-confirm")).toHaveText(/Add 1 to the 4 competitors/);
    await page.getByTestId("import-confirm").click();
    await expect(page.getByTestId("import-result")).toContainText("The plan now has 5 competitors");
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
  });
});

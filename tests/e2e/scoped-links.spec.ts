import { box } from "../fixtures/shapes.ts";
import { createPlanWithLinks, territories } from "./fixtures/api.ts";
import { expect, test } from "./fixtures/cast.ts";
import { keepScreenshot } from "./fixtures/screenshots.ts";

type Ring = [number, number][];
const westEdge = (g: { coordinates: unknown }): number => ((g.coordinates as Ring[])[0] as Ring)[0]?.[0] as number;

/**
 * Issue 15: Ani (a manager with the full edit link) makes an edit link for
 * the region "jabar"; Budi, Jawa Barat's manager, opens it. Three neighbours
 * in a row: Priangan Barat and Priangan Timur in jabar, Banyumas in jateng.
 */
test("a regional manager edits inside their region and is told why the rest is out of reach", async ({
  request,
  ani,
  budi,
}, testInfo) => {
  const plan = await createPlanWithLinks(request, "Jawa regions");
  const features = [
    ["barat", "Priangan Barat", "jabar", box(106.6, -7.2, 107.0, -6.6), "#1b9e77"],
    ["timur", "Priangan Timur", "jabar", box(107.0, -7.2, 107.4, -6.6), "#d95f02"],
    ["banyumas", "Banyumas", "jateng", box(107.4, -7.2, 107.8, -6.6), "#7570b3"],
  ].map(([id, name, parent, geometry, color]) => ({
    type: "Feature",
    id,
    properties: { name, parent, color },
    geometry,
  }));
  const added = await request.post(`/api/plans/${plan.id}/territories`, {
    headers: { authorization: `Bearer ${plan.tokens.edit}` },
    data: { type: "FeatureCollection", features },
  });
  expect(added.status()).toBe(201);

  // Ani makes Jawa Barat's link in the Share dialog.
  const manager = await ani.open(plan.id);
  await manager.page.getByTestId("share-button").click();
  const dialog = manager.page.getByTestId("share-dialog");
  await dialog.getByTestId("scoped-new").click();
  await dialog.getByTestId("scoped-label").fill("Jawa Barat");
  await dialog.getByTestId("scoped-kind-region").check();
  await expect(dialog.getByTestId("scoped-parent")).toHaveValue("jabar");
  await dialog.getByTestId("scoped-create").click();
  const row = dialog.getByTestId("scoped-link").filter({ hasText: "Jawa Barat" });
  await expect(row.getByTestId("scoped-link-scope")).toHaveText("Region jabar · 2 territories");
  const url = await row.getByTestId("scoped-link-url").inputValue();
  await keepScreenshot(manager.page, testInfo, "share-dialog-regional-link.png");
  const token = new URL(url).searchParams.get("token") as string;
  await dialog.press("Escape");

  // Budi opens it: Banyumas is greyed in the list and on the map.
  const regional = await budi.open(plan.id, { token });
  await expect(regional.page.getByTestId("scope-badge")).toHaveText(/Jawa Barat/);
  await expect(regional.territory("Banyumas")).toHaveAttribute("data-outside", "");
  await expect(regional.territory("Priangan Timur")).not.toHaveAttribute("data-outside", "");
  await expect(regional.map).toHaveAttribute("data-outside-count", "1");

  // Banyumas's tools do not apply, and say why.
  await regional.select("Banyumas");
  await expect(regional.page.getByTestId("tool-move")).toBeDisabled();
  await expect(regional.page.getByTestId("tool-move")).toHaveAttribute("title", /Outside your region/);
  await expect(regional.page.getByTestId("hint")).toHaveText(
    /Outside your region: ask a manager with a full edit link/,
  );
  await regional.press("Delete");
  await expect(regional.page.getByTestId("notice").filter({ hasText: "Banyumas: outside your region" })).toBeVisible();
  await keepScreenshot(regional.page, testInfo, "regional-manager-outside.png");

  // Dragging Priangan Timur over Banyumas: the server refuses, Budi is told why, nothing changes.
  await regional.select("Priangan Timur");
  await regional.pickTool("move");
  const timur = await regional.pixelFor(107.2, -6.9);
  await regional.drag(timur, { x: timur.x + 90, y: timur.y });
  await expect(
    regional.page.getByTestId("notice").filter({ hasText: "would overlap Banyumas, outside your region" }),
  ).toBeVisible();
  const afterRefusal = Object.fromEntries((await territories(request, plan.id)).map((t) => [t.id, t]));
  expect(westEdge(afterRefusal.timur!.geometry)).toBe(107.0);
  await keepScreenshot(regional.page, testInfo, "regional-manager-refused.png");

  // Inside the region he edits: Priangan Barat moves west, and Ani sees it.
  await regional.waitLoaded();
  await regional.select("Priangan Barat");
  await regional.pickTool("move");
  const barat = await regional.pixelFor(106.8, -6.9);
  await regional.drag(barat, { x: barat.x - 60, y: barat.y });
  await expect
    .poll(async () => westEdge((await territories(request, plan.id)).find((t) => t.id === "barat")!.geometry))
    .toBeLessThan(106.6);
  const moved = (await territories(request, plan.id)).find((t) => t.id === "barat")!;
  await expect
    .poll(async () => JSON.stringify(await manager.mapGeometry("barat")))
    .toBe(JSON.stringify(moved.geometry));
});

test("a link for territories chosen on the map is made, and stopping it disconnects its holder at once", async ({
  request,
  ani,
  budi,
}, testInfo) => {
  const plan = await createPlanWithLinks(request, "Chosen territories");
  const features = [
    ["bogor", "Bogor", box(106.6, -6.8, 106.9, -6.5)],
    ["depok", "Depok", box(106.9, -6.8, 107.2, -6.5)],
    ["bekasi", "Bekasi", box(107.2, -6.8, 107.5, -6.5)],
  ].map(([id, name, geometry]) => ({ type: "Feature", id, properties: { name }, geometry }));
  const added = await request.post(`/api/plans/${plan.id}/territories`, {
    headers: { authorization: `Bearer ${plan.tokens.edit}` },
    data: { type: "FeatureCollection", features },
  });
  expect(added.status()).toBe(201);

  // Ani selects Bogor and Depok (Shift+click), then makes a link for them.
  const manager = await ani.open(plan.id);
  await manager.territory("Bogor").click();
  await manager.territory("Depok").click({ modifiers: ["Shift"] });
  await manager.page.getByTestId("share-button").click();
  const dialog = manager.page.getByTestId("share-dialog");
  await dialog.getByTestId("scoped-new").click();
  await expect(dialog.getByTestId("scoped-kind-territories")).toBeChecked();
  await expect(dialog.locator('[data-testid="scoped-choice"]:checked')).toHaveCount(2);
  await dialog.getByTestId("scoped-label").fill("Bogor and Depok");
  await keepScreenshot(manager.page, testInfo, "share-dialog-chosen-territories.png");
  await dialog.getByTestId("scoped-create").click();
  const row = dialog.getByTestId("scoped-link").filter({ hasText: "Bogor and Depok" });
  await expect(row.getByTestId("scoped-link-scope")).toHaveText("2 territories: Bogor, Depok");
  const token = new URL(await row.getByTestId("scoped-link-url").inputValue()).searchParams.get("token") as string;

  const regional = await budi.open(plan.id, { token });
  await expect(regional.territory("Bekasi")).toHaveAttribute("data-outside", "");
  await expect(regional.territory("Depok")).not.toHaveAttribute("data-outside", "");

  // Stopped: Budi's open page is disconnected at once, the link is gone from the list.
  await row.getByTestId("scoped-remove").click();
  await dialog.getByTestId("scoped-confirm").click();
  await expect(dialog.getByTestId("scoped-link")).toHaveCount(0);
  await expect(regional.page.getByTestId("plan-revoked")).toBeVisible();
  await expect(regional.page.getByTestId("plan-revoked")).toContainText("replaced or stopped by a manager");
  const after = await request.get(`/api/plans/${plan.id}`, { headers: { authorization: `Bearer ${token}` } });
  expect(after.status()).toBe(401);
  expect(((await after.json()) as { reason: string }).reason).toBe("revoked");
});

import { addTerritories, analysis, createPlanWithLinks, importAccounts, rectangle } from "./fixtures/api.ts";
import type { Planner } from "./fixtures/planner.ts";
import { expect, test } from "./fixtures/cast.ts";

/**
 * Pinning an account by hand (issue 10): a pin overrides containment, and
 * now a manager can set one from the map. Ani opens an account in Bandung
 * Barat and pins it to Sumedang; the score moves, the dot is drawn apart,
 * Dewi (a leader) reads where it is pinned, and Ani takes it back with
 * Ctrl+Z like any edit of hers.
 */

const WEST: [number, number, number, number] = [106.6, -6.9, 107.0, -6.5];
const EAST: [number, number, number, number] = [107.0, -6.9, 107.4, -6.5];
const TOKO = { lon: 106.74, lat: -6.78 };

const ACCOUNTS_CSV = [
  "id,name,lat,lon,revenue",
  `w1,Toko Cimahi,${TOKO.lat},${TOKO.lon},400000`,
  "w2,Toko Padalarang,-6.8,106.7,300000",
  "e1,Toko Jatinangor,-6.7,107.2,250000",
].join("\n");

/** Zooms the map to a territory (close enough to tell the dots apart) and waits for it to settle. */
async function zoomTo(p: Planner, name: string): Promise<void> {
  await p.select(name);
  await p.page.getByTestId("zoom-to-territory").click();
  await expect.poll(async () => (await p.mapState()).view.moving).toBe(false);
  expect((await p.mapState()).view.zoom).toBeGreaterThanOrEqual(9);
}

async function openAccount(p: Planner): Promise<void> {
  const at = await p.pixelFor(TOKO.lon, TOKO.lat);
  await p.page.mouse.click(at.x, at.y);
  await expect(p.page.getByTestId("account-card")).toHaveAttribute("data-account-id", "w1");
}

async function accountsIn(request: Parameters<typeof analysis>[0], planId: string, territoryId: string) {
  return (await analysis(request, planId)).territories.find((t) => t.id === territoryId)?.accounts;
}

test("a manager pins an account to a territory from the map, and takes it back", async ({
  request,
  ani,
  dewi,
}, testInfo) => {
  const plan = await createPlanWithLinks(request, "Pin Jawa Barat");
  await importAccounts(request, plan.id, ACCOUNTS_CSV);
  const [west, east] = (await addTerritories(request, plan.id, [
    rectangle("Bandung Barat", WEST),
    rectangle("Sumedang", EAST, "#d95f02"),
  ])) as [string, string];
  await ani.open(plan.id);
  await dewi.open(plan.id);
  const card = ani.page.getByTestId("account-card");
  await expect(ani.map).toHaveAttribute("data-account-count", "3");

  await test.step("Ani clicks Toko Cimahi: it counts in Bandung Barat, not pinned", async () => {
    await zoomTo(ani, "Bandung Barat");
    await openAccount(ani);
    await expect(card.getByTestId("account-name")).toHaveText("Toko Cimahi");
    await expect(card.getByTestId("account-where")).toHaveText("In Bandung Barat");
    await expect(card.getByTestId("account-pin-status")).toHaveText(/Not pinned/);
    await expect(card.getByTestId("account-pin-select")).toHaveValue(west);
  });

  await test.step("she pins it to Sumedang: it counts there for everyone and is drawn apart", async () => {
    await card.getByTestId("account-pin-select").selectOption(east);
    await card.getByTestId("account-pin").click();
    await expect(card.getByTestId("account-pin-status")).toHaveAttribute("data-pinned-to", east);
    await expect(card.getByTestId("account-pin-status")).toContainText("Pinned to Sumedang");
    await expect(card.getByTestId("account-where")).toHaveText("In Sumedang");
    await expect.poll(() => accountsIn(request, plan.id, east)).toBe(2);
    await expect.poll(async () => (await ani.mapState()).accountStates).toMatchObject({ pinned: 1 });
    await expect(ani.page.getByTestId("legend-pinned")).toContainText("1");
    await expect(card.getByTestId("account-undo-hint")).toHaveText("Ctrl+Z takes it back.");
    const path = testInfo.outputPath("account-pinned.png");
    await ani.page.screenshot({ path });
    await testInfo.attach("account-pinned", { path, contentType: "image/png" });
  });

  await test.step("Dewi, a leader, reads where it is pinned, and has no pin to change", async () => {
    await zoomTo(dewi, "Bandung Barat");
    await openAccount(dewi);
    const hers = dewi.page.getByTestId("account-card");
    await expect(hers.getByTestId("account-pin-status")).toContainText("Pinned to Sumedang");
    await expect(hers.getByTestId("account-pin-select")).toHaveCount(0);
    await expect(hers.getByTestId("account-unpin")).toHaveCount(0);
    await expect.poll(async () => (await dewi.mapState()).accountStates).toMatchObject({ pinned: 1 });
  });

  await test.step("Ctrl+Z takes the pin back for everyone; Ctrl+Shift+Z puts it back; Unpin removes it", async () => {
    await ani.press("Control+z");
    await expect(card.getByTestId("account-pin-status")).toHaveText(/Not pinned/);
    await expect(dewi.page.getByTestId("account-pin-status")).toHaveText(/Not pinned/);
    await expect.poll(() => accountsIn(request, plan.id, west)).toBe(2);
    await ani.press("Control+Shift+z");
    await expect(dewi.page.getByTestId("account-pin-status")).toContainText("Pinned to Sumedang");
    await card.getByTestId("account-unpin").click();
    await expect(dewi.page.getByTestId("account-pin-status")).toHaveText(/Not pinned/);
    await expect.poll(() => accountsIn(request, plan.id, east)).toBe(1);
    await expect.poll(async () => (await ani.mapState()).accountStates).toMatchObject({ pinned: 0, assigned: 3 });
  });

  await test.step("Escape closes the card; a click beside the dots selects the territory as before", async () => {
    await ani.press("Escape");
    await expect(card).toBeHidden();
    const inside = await ani.pixelFor(106.65, -6.55);
    await ani.page.mouse.click(inside.x, inside.y);
    await expect(card).toBeHidden();
    await expect(ani.page.getByTestId("territory-details")).toHaveAttribute("data-name", "Bandung Barat");
  });
});

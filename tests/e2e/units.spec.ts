import { addTerritories, analysis, createPlan, importAccounts, rectangle, tokenFor } from "./fixtures/api.ts";
import { expect, test } from "./fixtures/cast.ts";

/**
 * A plan built from units (issue 12): two managers paint neighbouring
 * territories at the same moment and both see the one shared border move;
 * the balance follows; a stroke is one undo step; Alt takes units out; Fill
 * with nothing selected makes a territory of the units inside a ring.
 */

const WEST: [number, number, number, number] = [106.6, -6.7, 106.95, -6.35];
const EAST: [number, number, number, number] = [106.95, -6.7, 107.3, -6.35];
/** Where each stroke goes: Ani paints West's into East's, Budi East's into West's, at other latitudes. */
const ANI_TARGET: [number, number] = [107.03, -6.45];
const BUDI_TARGET: [number, number] = [106.87, -6.62];

test("two managers paint neighbouring territories at once; both see one border move", async ({
  request,
  ani,
  budi,
}) => {
  const planId = await createPlan(request, "Units e2e");
  const [westId, eastId] = await addTerritories(request, planId, [
    rectangle("West", WEST, "#1b9e77"),
    rectangle("East", EAST, "#d95f02"),
  ]);
  // Three accounts where Ani will paint (East's until then), one on each side elsewhere.
  await importAccounts(
    request,
    planId,
    [
      "id,name,lat,lon,revenue",
      `a1,Toko Satu,${ANI_TARGET[1]},${ANI_TARGET[0]},100`,
      `a2,Toko Dua,${ANI_TARGET[1] + 0.004},${ANI_TARGET[0] + 0.004},100`,
      `a3,Toko Tiga,${ANI_TARGET[1] - 0.004},${ANI_TARGET[0] - 0.004},100`,
      "w1,Barat,-6.5,106.7,100",
      "e1,Timur,-6.5,107.2,100",
    ].join("\n"),
  );
  const rivals = await request.post(`/api/plans/${planId}/competitors`, {
    headers: { authorization: `Bearer ${tokenFor(planId)}`, "content-type": "text/csv" },
    data: "id,name,lat,lon,outlets\nc1,Saingan Satu,-6.5,106.8,3\nc2,Saingan Dua,-6.55,107.1,5",
  });
  expect(rivals.status(), await rivals.text()).toBe(201);
  const made = await request.post(`/api/plans/${planId}/units`, {
    headers: { authorization: `Bearer ${tokenFor(planId)}` },
    data: { kind: "h3", resolution: 6, area: "territories" },
  });
  expect(made.status(), await made.text()).toBe(201);

  await ani.open(planId);
  await budi.open(planId);
  for (const m of [ani, budi]) {
    await expect(m.map).toHaveAttribute("data-ready", "true");
    await expect.poll(() => m.map.getAttribute("data-unit-count")).not.toBe("0");
    // Reshape and Move are drawn plans' tools; Paint and Fill are offered instead.
    await expect(m.page.getByTestId("tool-paint")).toBeVisible();
    await expect(m.page.getByTestId("tool-reshape")).toHaveCount(0);
  }
  await test.step("the competitors show with their own symbol, and can be hidden", async () => {
    await expect(ani.map).toHaveAttribute("data-competitor-count", "2");
    await ani.page.getByTestId("toggle-competitors").uncheck({ force: true });
    await expect(ani.map).toHaveAttribute("data-competitor-count", "0");
    await ani.page.getByTestId("toggle-competitors").check({ force: true });
    await expect(ani.map).toHaveAttribute("data-competitor-count", "2");
  });
  expect(await ani.ownerAt(...ANI_TARGET)).toBe(eastId);
  expect(await ani.ownerAt(...BUDI_TARGET)).toBe(westId);
  const before = await analysis(request, planId);
  expect(before.territories.find((t) => t.id === westId)?.accounts).toBe(1);

  await test.step("Ani selects West, Budi East, both pick Paint", async () => {
    await ani.select("West");
    await budi.select("East");
    await ani.pickTool("paint");
    await budi.pickTool("paint");
    await expect(ani.page.getByTestId("hint")).toContainText("West");
    // Presence says who paints into which territory.
    await expect(ani.territory("East").getByTestId("editing-badge")).toHaveText("Budi is painting");
    await expect(budi.territory("West").getByTestId("editing-badge")).toHaveText("Ani is painting");
  });

  await test.step("both paint at the same moment: each sees both strokes, one border between them", async () => {
    await Promise.all([
      ani.paint([106.9, ANI_TARGET[1]], ANI_TARGET),
      budi.paint([107.05, BUDI_TARGET[1]], BUDI_TARGET),
    ]);
    for (const m of [ani, budi]) {
      await expect.poll(() => m.ownerAt(...ANI_TARGET)).toBe(westId);
      await expect.poll(() => m.ownerAt(...BUDI_TARGET)).toBe(eastId);
    }
    // The server holds the same (what a REST reader gets).
    const units = await unitsOf(request, planId);
    expect(units.get(await ani.unitAt(...ANI_TARGET))).toBe(westId);
    expect(units.get(await ani.unitAt(...BUDI_TARGET))).toBe(eastId);
  });

  await test.step("the balance follows: the three accounts count in West now, on both screens", async () => {
    await expect
      .poll(async () => (await analysis(request, planId)).territories.find((t) => t.id === westId)?.accounts)
      .toBe(4);
    await budi.openScores();
    await expect(budi.metricAccounts(westId)).toHaveText("4");
    await expect(budi.metricAccounts(eastId)).toHaveText("1");
  });

  await test.step("Ani's undo takes back her whole stroke, and only hers", async () => {
    await ani.press("Control+z");
    for (const m of [ani, budi]) {
      await expect.poll(() => m.ownerAt(...ANI_TARGET)).toBe(eastId);
      await expect.poll(() => m.ownerAt(...BUDI_TARGET)).toBe(eastId);
    }
    await expect
      .poll(async () => (await analysis(request, planId)).territories.find((t) => t.id === westId)?.accounts)
      .toBe(1);
  });

  await test.step("Alt takes units out of their territory; the map shows them unassigned", async () => {
    const out: [number, number] = [107.2, -6.5];
    expect(await budi.ownerAt(...out)).toBe(eastId);
    await budi.paint(out, [out[0] + 0.01, out[1]], { alt: true });
    await expect.poll(() => ani.ownerAt(...out)).toBeNull();
    await expect
      .poll(async () => (await analysis(request, planId)).issues.some((i) => i.kind === "unassigned-accounts"))
      .toBe(true);
  });

  await test.step("Fill with nothing selected makes a new territory of the units inside the ring", async () => {
    await ani.press("Escape");
    await ani.press("Escape");
    await expect(ani.page.getByTestId("territory-details")).toHaveCount(0);
    await ani.pickTool("fill");
    const ring: [number, number][] = [
      [106.62, -6.37],
      [106.8, -6.37],
      [106.8, -6.55],
      [106.62, -6.55],
    ];
    for (const p of [...ring, ring[0] as [number, number]]) {
      const px = await ani.pixelFor(...p);
      await ani.page.mouse.move(px.x, px.y, { steps: 3 });
      await ani.page.mouse.down();
      await ani.page.mouse.up();
    }
    await expect(ani.page.getByTestId("rename-prompt")).toBeVisible();
    await ani.page.getByTestId("rename-input").fill("Depok");
    await ani.page.getByTestId("rename-save").click();
    await budi.openTerritories();
    await expect(budi.territory("Depok")).toBeVisible();
    const depok = await ani.ownerAt(106.7, -6.45);
    expect(depok).not.toBe(westId);
    expect(depok).not.toBeNull();
    await expect.poll(() => budi.ownerAt(106.7, -6.45)).toBe(depok);
  });
});

/** Unit id → territory, as the server holds it. */
async function unitsOf(
  request: import("@playwright/test").APIRequestContext,
  planId: string,
): Promise<Map<number, string | null>> {
  const res = await request.get(`/api/plans/${planId}/units?format=compact`, {
    headers: { authorization: `Bearer ${tokenFor(planId)}` },
  });
  const compact = (await res.json()) as { ids: string[] };
  const geo = await request.get(`/api/plans/${planId}/units`, {
    headers: { authorization: `Bearer ${tokenFor(planId)}` },
  });
  const features = ((await geo.json()) as { features: { properties: { id: string; territory: string | null } }[] })
    .features;
  const byId = new Map(features.map((f) => [f.properties.id, f.properties.territory]));
  return new Map(compact.ids.map((id, u) => [u, byId.get(id) ?? null]));
}

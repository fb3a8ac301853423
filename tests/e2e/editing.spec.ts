import { addTerritories, createPlan, idOf, rectangle, territories } from "./fixtures/api.ts";
import type { Planner } from "./fixtures/planner.ts";
import { expect, test } from "./fixtures/cast.ts";

type Ring = [number, number][];
const outerRing = (g: { type: string; coordinates: unknown }): Ring => (g.coordinates as Ring[])[0] as Ring;

test("reshaping a vertex by dragging reaches the other manager", async ({ request, ani, budi }, testInfo) => {
  const planId = await createPlan(request, "Reshape");
  const [id] = await addTerritories(request, planId, [rectangle("Priangan", [106.6, -7.2, 107.4, -6.6])]);
  const managerA = await ani.open(planId);
  const managerB = await budi.open(planId);

  await managerA.select("Priangan");
  await managerA.pickTool("reshape");
  const corner = await managerA.pixelFor(107.4, -6.6);
  await managerA.drag(corner, { x: corner.x + 70, y: corner.y - 45 });

  // The server holds the new shape: the north-east corner moved, nothing else.
  await expect
    .poll(async () => {
      const [t] = await territories(request, planId);
      return outerRing(t!.geometry).some(([x, y]) => x === 107.4 && y === -6.6);
    })
    .toBe(false);
  const [reshaped] = await territories(request, planId);
  const ring = outerRing(reshaped!.geometry);
  expect(ring).toHaveLength(5);
  const moved = ring.find(([x, y]) => x > 107.4 && y > -6.6);
  expect(moved, "the dragged corner moved north-east").toBeDefined();

  // Budi's map shows exactly the server's geometry.
  await expect
    .poll(async () => JSON.stringify(await managerB.mapGeometry(id as string)))
    .toBe(JSON.stringify(reshaped!.geometry));
  await managerB.screenshot(testInfo, "after reshape");
});

test("Delete removes the selection for everyone, and undo brings it back", async ({ request, ani, budi }) => {
  const planId = await createPlan(request, "Delete");
  await addTerritories(request, planId, [
    rectangle("Priangan", [106.6, -7.2, 107.4, -6.6]),
    rectangle("Cirebon", [107.4, -7.2, 108.2, -6.6], "#d95f02"),
  ]);
  const managerA = await ani.open(planId);
  const managerB = await budi.open(planId);

  // Select by clicking the territory on the map.
  const cirebon = await managerA.pixelFor(107.8, -6.9);
  await managerA.page.mouse.click(cirebon.x, cirebon.y);
  await expect(managerA.territory("Cirebon")).toHaveAttribute("aria-pressed", "true");
  await managerA.press("Delete");
  await expect(managerA.territory("Cirebon")).toHaveCount(0);
  await expect(managerB.territory("Cirebon")).toHaveCount(0);
  await expect(managerB.territory("Priangan")).toBeVisible();
  await expect
    .poll(async () => (await territories(request, planId)).map((t) => t.properties.name))
    .toEqual(["Priangan"]);

  // Backspace in a text field edits the text, it does not delete the territory.
  await managerA.select("Priangan");
  await managerA.nameInput.press("End");
  await managerA.nameInput.press("Backspace");
  await expect(managerA.territory("Priangan")).toBeVisible();
  await managerA.nameInput.press("Escape");

  await managerA.press("Control+z");
  await expect(managerB.territory("Cirebon")).toBeVisible();
});

test("split a territory with a line, then merge the halves back", async ({ request, ani, budi }) => {
  const planId = await createPlan(request, "Split and merge");
  await addTerritories(request, planId, [
    rectangle("Priangan", [106.6, -7.2, 107.4, -6.6]),
    rectangle("Far away", [109, -7.2, 109.4, -6.9], "#d95f02"),
  ]);
  const managerA = await ani.open(planId);
  const managerB = await budi.open(planId);

  await managerA.select("Priangan");
  await managerA.pickTool("split");
  const start = await managerA.pixelFor(106.45, -6.9);
  const end = await managerA.pixelFor(107.55, -6.95);
  await managerA.page.mouse.click(start.x, start.y);
  await managerA.page.mouse.click(end.x, end.y);
  await managerA.page.mouse.click(end.x, end.y);

  await expect(managerB.territory("Priangan (2)")).toBeVisible();
  await expect(managerB.territory("Priangan")).toBeVisible();
  await expect.poll(async () => (await territories(request, planId)).length).toBe(3);

  // Merging with a territory that does not touch is refused, in words.
  await managerA.select("Priangan");
  await managerA.territory("Far away").click({ modifiers: ["Shift"] });
  await managerA.page.getByTestId("merge-selection").click();
  await expect(managerA.page.getByTestId("notice").filter({ hasText: "do not touch" })).toBeVisible();
  await expect.poll(async () => (await territories(request, planId)).length).toBe(3);

  // The two halves touch along the cut: they merge back into one, the first selected (Priangan) kept.
  const halves = await territories(request, planId);
  const kept = idOf(halves.find((t) => t.properties.name === "Priangan")!);
  const absorbed = idOf(halves.find((t) => t.properties.name === "Priangan (2)")!);
  await managerA.select("Priangan");
  await managerA.territory("Priangan (2)").click({ modifiers: ["Shift"] });
  await managerA.page.getByTestId("merge-selection").click();
  await expect(managerB.territory("Priangan (2)")).toHaveCount(0);
  await expect(managerB.territory("Priangan")).toBeVisible();
  const all = await territories(request, planId);
  expect(all.map((t) => t.properties.name).sort()).toEqual(["Far away", "Priangan"]);
  const merged = all.find((t) => t.properties.name === "Priangan");
  expect(merged?.geometry.type).toBe("Polygon");
  expect(merged?.id ?? merged?.properties.id).toBe(kept);
  expect(all.map(idOf)).not.toContain(absorbed);
});

test("edits made offline are kept and sync when the connection is back", async ({ request, ani, budi }) => {
  const planId = await createPlan(request, "Offline");
  await addTerritories(request, planId, [rectangle("Priangan", [106.6, -7.2, 107.4, -6.6])]);
  const managerA = await ani.open(planId);
  const managerB = await budi.open(planId);

  await managerA.context.setOffline(true);
  await expect(managerA.status).toHaveAttribute("data-status", /offline|reconnecting/);
  await managerA.select("Priangan");
  await managerA.renameSelected("Priangan Timur");
  await expect(managerA.territory("Priangan Timur")).toBeVisible();

  await managerA.context.setOffline(false);
  await expect(managerA.status).toHaveAttribute("data-status", "connected", { timeout: 30_000 });
  await expect(managerB.territory("Priangan Timur")).toBeVisible();
  // Both see each other again at once, not only when presence renews (every 15 s).
  const person = (p: Planner, name: string) => p.page.locator(`[data-testid="person"][data-name="${name}"]`);
  await expect(person(managerA, "Budi")).toBeVisible({ timeout: 5_000 });
  await expect(person(managerB, "Ani")).toBeVisible({ timeout: 5_000 });
});

test("when someone else's reshape replaces mine, I am told who", async ({ request, ani, budi }) => {
  const planId = await createPlan(request, "Conflict");
  await addTerritories(request, planId, [rectangle("Priangan", [106.6, -7.2, 107.4, -6.6])]);
  const managerA = await ani.open(planId);
  const managerB = await budi.open(planId);

  await managerA.select("Priangan");
  await managerB.select("Priangan");
  await expect(managerA.page.getByTestId("territory-details").getByTestId("editing-badge")).toHaveText(
    "Budi is editing",
  );
  await expect(managerB.page.getByTestId("territory-details").getByTestId("editing-badge")).toHaveText(
    "Ani is editing",
  );

  await managerA.pickTool("reshape");
  const ne = await managerA.pixelFor(107.4, -6.6);
  await managerA.drag(ne, { x: ne.x + 50, y: ne.y - 30 });
  await expect
    .poll(async () =>
      outerRing((await territories(request, planId))[0]!.geometry).some(([x, y]) => x === 107.4 && y === -6.6),
    )
    .toBe(false);

  // Budi reshapes the same territory a moment later: his whole shape wins, and Ani hears about it.
  await managerB.pickTool("reshape");
  const sw = await managerB.pixelFor(106.6, -7.2);
  await managerB.drag(sw, { x: sw.x - 40, y: sw.y + 30 });
  await expect(
    managerA.page
      .getByTestId("notice")
      .filter({ hasText: "Budi reshaped Priangan at the same time; their version is kept." }),
  ).toBeVisible();
});

test("moving a territory by dragging it is one undoable step", async ({ request, ani, budi }) => {
  const planId = await createPlan(request, "Move");
  await addTerritories(request, planId, [rectangle("Priangan", [106.6, -7.2, 107.4, -6.6])]);
  const managerA = await ani.open(planId);
  const managerB = await budi.open(planId);

  await managerA.select("Priangan");
  await managerA.pickTool("move");
  const inside = await managerA.pixelFor(107.0, -6.9);
  await managerA.drag(inside, { x: inside.x + 80, y: inside.y });

  await expect
    .poll(async () => outerRing((await territories(request, planId))[0]!.geometry)[0]?.[0])
    .toBeGreaterThan(106.62);
  const [moved] = await territories(request, planId);
  const ring = outerRing(moved!.geometry);
  // Moved east as a whole: still a rectangle of the same width.
  expect((ring[1]?.[0] as number) - (ring[0]?.[0] as number)).toBeCloseTo(0.8, 5);
  await expect
    .poll(async () => JSON.stringify(await managerB.mapGeometry(idOf(moved!))))
    .toBe(JSON.stringify(moved!.geometry));

  await managerA.press("Control+z");
  await expect.poll(async () => outerRing((await territories(request, planId))[0]!.geometry)[0]).toEqual([106.6, -7.2]);
});

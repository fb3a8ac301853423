import { addTerritories, createPlan, idOf, rectangle, territories } from "./fixtures/api.ts";
import { expect, test } from "./fixtures/cast.ts";

/**
 * Two managers, Ani and Budi, plan together in one session. The scenario
 * proves the backbone: a shape drawn by mouse reaches the other person, a
 * rename comes back, and each person's undo takes back only their own edit.
 */
test("two managers draw, rename and undo only their own edits", async ({ request, ani, budi }, testInfo) => {
  const planId = await createPlan(request, "Jawa Barat 2025");
  const managerA = await ani.open(planId, { askName: true });
  const managerB = await budi.open(planId);

  await test.step("both are connected and see each other", async () => {
    for (const m of [managerA, managerB]) {
      await expect(m.status).toHaveAttribute("data-status", "connected");
      await expect(m.status).toHaveText("Connected");
      await expect(m.page.getByTestId("territory-empty")).toBeVisible();
    }
    await expect(managerA.page.locator('[data-testid="person"][data-name="Budi"]')).toBeVisible();
    await expect(managerB.page.locator('[data-testid="person"][data-name="Ani"]')).toBeVisible();
  });

  await test.step("Ani draws a territory with the mouse and names it; Budi sees it", async () => {
    await managerA.drawPolygon([
      [0.35, 0.35],
      [0.62, 0.32],
      [0.66, 0.62],
      [0.38, 0.66],
    ]);
    await expect(managerA.page.getByTestId("rename-prompt")).toBeVisible();
    await managerA.page.getByTestId("rename-input").fill("Priangan");
    await managerA.page.getByTestId("rename-save").click();
    await expect(managerA.page.getByTestId("rename-prompt")).toBeHidden();
    await expect(managerA.territory("Priangan")).toBeVisible();
    await expect(managerB.territory("Priangan")).toBeVisible();
    // Ani has it selected (the new territory is), so Budi sees who is on it.
    await expect(managerB.territory("Priangan").getByTestId("editing-badge")).toHaveText("Ani is editing");
  });

  const [drawn] = await territories(request, planId);
  expect(drawn).toBeDefined();
  const id = idOf(drawn!);
  const originalColor = drawn!.properties.color;
  expect(drawn!.geometry.type).toBe("Polygon");
  expect((drawn!.geometry.coordinates[0] as number[][]).length).toBe(5);

  await test.step("Budi renames it; Ani sees the new name", async () => {
    await managerB.select("Priangan");
    await managerB.renameSelected("Bandung Raya");
    await expect(managerA.territory("Bandung Raya")).toBeVisible();
    await expect(managerA.nameInput).toHaveValue("Bandung Raya");
  });

  const newColor = originalColor === "#7570b3" ? "#e7298a" : "#7570b3";
  await test.step("Ani recolours it; Budi's map gets the colour", async () => {
    await managerA.page.getByTestId(`territory-color-${newColor.slice(1)}`).click();
    await expect.poll(async () => (await territories(request, planId))[0]?.properties.color).toBe(newColor);
  });

  await managerA.screenshot(testInfo, "before undo");

  await test.step("Ani's undo takes back her recolour, not Budi's rename", async () => {
    await managerA.press("Control+z");
    await expect.poll(async () => (await territories(request, planId))[0]?.properties.color).toBe(originalColor);
    await expect(managerA.territory("Bandung Raya")).toBeVisible();
    await expect(managerB.territory("Bandung Raya")).toBeVisible();
    expect((await territories(request, planId))[0]?.properties.name).toBe("Bandung Raya");
  });

  await test.step("Budi's undo takes back his rename only; the colour stays Ani's", async () => {
    await expect(managerB.page.getByTestId("undo")).toBeEnabled();
    await managerB.press("Control+z");
    await expect(managerA.territory("Priangan")).toBeVisible();
    await expect(managerB.territory("Priangan")).toBeVisible();
    const [t] = await territories(request, planId);
    expect(t?.properties.color).toBe(originalColor);
    expect(idOf(t!)).toBe(id);
  });

  await test.step("redo brings Ani's colour back", async () => {
    await managerA.press("Control+Shift+z");
    await expect.poll(async () => (await territories(request, planId))[0]?.properties.color).toBe(newColor);
  });

  await managerA.screenshot(testInfo, "session");
  await managerB.screenshot(testInfo, "session");
  await managerA.page.screenshot({ path: testInfo.outputPath("session-ani.png") });
});

test("the connection indicator says connected, and the plan opens at /plan/<id>", async ({ request, ani }) => {
  const planId = await createPlan(request, "Status check");
  const manager = await ani.open(planId);
  await expect(manager.status).toHaveAttribute("data-status", "connected");
  await expect(manager.status).toContainText("Connected");
  await expect(manager.page.getByTestId("plan-name")).toHaveText("Status check");
});

test("an unknown plan says so instead of spinning", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("/plan/no-such-plan-here");
  await expect(page.getByTestId("plan-not-found")).toBeVisible({ timeout: 30_000 });
  await context.close();
});

test("a change the server refuses is explained, dropped, and editing goes on", async ({ request, ani, budi }) => {
  const planId = await createPlan(request, "Refusal");
  await addTerritories(request, planId, [rectangle("Priangan", [106.6, -7.2, 107.4, -6.6])]);
  const managerA = await ani.open(planId);
  const managerB = await budi.open(planId);

  // Bypass the UI's validation, as a buggy or hostile client would: a territory whose geometry does not decode.
  await managerA.map.evaluate((el) => {
    const doc = (el as HTMLElement & { wilayah: { doc(): import("yjs").Doc } }).wilayah.doc();
    const territories = doc.getMap("territories");
    const YMap = territories.constructor as new () => import("yjs").Map<unknown>;
    doc.transact(() => {
      const t = new YMap();
      territories.set("broken", t);
      t.set("name", "Broken");
      t.set("color", "#123456");
      t.set("geometry", new Uint8Array([1, 9, 9, 9]));
    });
  });

  await expect(managerA.page.getByTestId("notice").filter({ hasText: "refused" })).toBeVisible();
  await expect(managerA.territory("Broken")).toHaveCount(0);
  await expect(managerA.status).toHaveAttribute("data-status", "connected");
  await expect(managerB.territory("Broken")).toHaveCount(0);
  expect((await territories(request, planId)).map((t) => t.properties.name)).toEqual(["Priangan"]);

  // The fresh document is wired to the map and panels: edits flow both ways again.
  await managerA.select("Priangan");
  await managerA.renameSelected("Priangan Barat");
  await expect(managerB.territory("Priangan Barat")).toBeVisible();
  await managerB.select("Priangan Barat");
  await managerB.renameSelected("Priangan Timur");
  await expect(managerA.territory("Priangan Timur")).toBeVisible();
});

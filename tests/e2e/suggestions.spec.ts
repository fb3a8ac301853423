import { addTerritories, createPlanWithLinks, importAccounts, rectangle, territories } from "./fixtures/api.ts";
import { expect, test } from "./fixtures/cast.ts";
import { keepScreenshot } from "./fixtures/screenshots.ts";

/**
 * Issue 15's scene: Siti, a rep with the comment link, knows the outlets
 * just east of Cianjur's border are hers. She suggests moving the border
 * with a comment; Ani, a manager, sees the ghost of the suggested border on
 * her map and the balance score it would give, and accepts it; Siti sees
 * it accepted in her thread, and the border moves on both maps.
 */
test("a rep suggests a border move; the manager sees the ghost and the score change and accepts it", async ({
  request,
  ani,
  siti,
}, testInfo) => {
  const plan = await createPlanWithLinks(request, "Jawa Barat — suggestions");
  const [cianjur, bandung] = await addTerritories(request, plan.id, [
    rectangle("Cianjur", [106.5, -7.2, 107.0, -6.7], "#1b9e77"),
    rectangle("Bandung", [107.0, -7.2, 107.5, -6.7], "#7570b3"),
  ]);
  // Cianjur has two outlets, Bandung six, two of them just east of the border.
  const rows = ["id,name,lat,lon,revenue", "c1,Toko C1,-6.9,106.7,100", "c2,Toko C2,-7.0,106.8,100"];
  for (let i = 0; i < 6; i++) rows.push(`b${i},Toko B${i},${-6.8 - i * 0.06},${i < 2 ? 107.05 : 107.3},100`);
  await importAccounts(request, plan.id, rows.join("\n"));

  const rep = await siti.open(plan.id);
  const manager = await ani.open(plan.id);
  const text = "We visit the outlets just east of the border every week";

  await test.step("the rep picks Cianjur and suggests a change: the draft starts from its shape", async () => {
    await rep.select("Cianjur");
    await rep.page.getByTestId("suggest-change").click();
    const composer = rep.page.getByTestId("suggestion-composer");
    await expect(composer).toContainText("Suggest a change to Cianjur");
    await expect(rep.map).toHaveAttribute("data-suggestion-draft", cianjur as string);
    await expect(composer.getByTestId("suggestion-draft-state")).toHaveText("Border not changed yet");
  });

  await test.step("she drags the border's two eastern corners east and sends it with a comment", async () => {
    for (const lat of [-6.7, -7.2]) {
      const from = await rep.pixelFor(107.0, lat);
      const to = await rep.pixelFor(107.1, lat);
      await rep.drag(from, to);
    }
    const composer = rep.page.getByTestId("suggestion-composer");
    await expect(composer.getByTestId("suggestion-draft-state")).toHaveText("Border changed");
    await composer.getByTestId("suggestion-text").fill(text);
    await keepScreenshot(rep.page, testInfo, "suggestion-draft.png");
    await composer.getByTestId("suggestion-send").click();
    await expect(composer).toBeHidden();
    // Nothing of the plan changed: it is a suggestion until a manager accepts it.
    const [stored] = await territories(request, plan.id);
    expect(stored?.geometry.coordinates[0]).toContainEqual([107.0, -6.7]);
  });

  await test.step("the manager sees the ghost on the map, the thread, and the score it would give", async () => {
    await expect(manager.map).toHaveAttribute("data-suggestion-ghosts", "1");
    await manager.page.getByTestId("comments-tab").click();
    await manager.page.getByTestId("comments-filter-suggestions").click();
    const thread = manager.page.getByTestId("comment-thread").filter({ hasText: text });
    await expect(thread).toBeVisible();
    const card = thread.getByTestId("suggestion-card");
    await expect(card.getByTestId("suggestion-status")).toHaveText("Open");
    await expect(card).toContainText("Suggested border for Cianjur");
    // Cianjur takes in the two outlets east of the border; Bandung keeps them too (the shapes
    // overlap there until its border moves), and the card says so.
    const before = Number(await card.getByTestId("suggestion-score-before").textContent());
    const after = Number(await card.getByTestId("suggestion-score-after").textContent());
    expect(after).toBeGreaterThan(before);
    await expect(card.getByTestId(`proposal-before-${cianjur}`)).toContainText("2");
    await expect(card.getByTestId(`proposal-after-${cianjur}`)).toContainText("4");
    await expect(card.getByTestId(`proposal-after-${bandung}`)).toContainText("6");
    await expect(card.getByTestId("suggestion-overlaps")).toHaveText("Overlaps 1 other territory");
    await thread.click();
    await keepScreenshot(manager.page, testInfo, "suggestion-manager.png");
    await card.getByTestId("suggestion-accept").click();
    await expect(card.getByTestId("suggestion-status")).toHaveText("Accepted");
  });

  await test.step("the rep sees it accepted in her thread, and the border moved on both maps", async () => {
    await rep.page.getByTestId("comments-tab").click();
    const thread = rep.page.getByTestId("comment-thread").filter({ hasText: text });
    await expect(thread.getByTestId("suggestion-status")).toHaveText("Accepted");
    await expect(thread.getByTestId("comment-reply-event")).toHaveText("accepted the suggestion");
    await expect(thread.getByTestId("comment-reply").getByTestId("comment-author")).toHaveText("Ani");
    for (const p of [rep, manager]) {
      await expect.poll(async () => JSON.stringify(await p.mapGeometry(cianjur as string))).toContain("[107.1,-6.7]");
    }
    await keepScreenshot(rep.page, testInfo, "suggestion-accepted.png");
  });
});

/**
 * The same in a plan built from units: Siti paints three of East's hexagons
 * into West in a suggestion (nothing moves yet); Ani sees them hatched on
 * her map and the effect on the card, accepts, and the units change hands.
 */
test("in a unit plan a rep suggests units to move; the manager sees them hatched and accepts", async ({
  request,
  ani,
  siti,
}, testInfo) => {
  const plan = await createPlanWithLinks(request, "Units — suggestions");
  const [west] = await addTerritories(request, plan.id, [
    rectangle("West", [106.6, -6.7, 106.95, -6.35], "#1b9e77"),
    rectangle("East", [106.95, -6.7, 107.3, -6.35], "#d95f02"),
  ]);
  await importAccounts(request, plan.id, "id,name,lat,lon,revenue\nw1,Barat,-6.5,106.7,100\ne1,Timur,-6.45,107.03,100");
  const made = await request.post(`/api/plans/${plan.id}/units`, {
    headers: { authorization: `Bearer ${plan.tokens.edit}` },
    data: { kind: "h3", resolution: 6, area: "territories" },
  });
  expect(made.status(), await made.text()).toBe(201);
  const rep = await siti.open(plan.id);
  const manager = await ani.open(plan.id);
  for (const p of [rep, manager]) await expect.poll(() => p.map.getAttribute("data-unit-count")).not.toBe("0");
  const target: [number, number] = [107.03, -6.45];
  expect(await rep.ownerAt(...target)).not.toBe(west);

  await test.step("the rep paints East's units into West in a suggestion and sends it", async () => {
    await rep.select("West");
    await rep.page.getByTestId("suggest-change").click();
    const composer = rep.page.getByTestId("suggestion-composer");
    await expect(composer).toContainText("Paint the units that should belong to West");
    await rep.paint([target[0] - 0.02, target[1]], [target[0] + 0.03, target[1]]);
    await expect(composer.getByTestId("suggestion-draft-state")).toContainText(/units? changes? territory/);
    // Only the draft: the plan's units are where they were.
    expect(await rep.ownerAt(...target)).not.toBe(west);
    await composer.getByTestId("suggestion-text").fill("The market east of the river is ours");
    await composer.getByTestId("suggestion-send").click();
    await expect(composer).toBeHidden();
  });

  await test.step("the manager sees the units hatched and the effect, and accepts", async () => {
    await expect.poll(() => manager.map.getAttribute("data-proposal-moves")).not.toBe("0");
    await manager.page.getByTestId("comments-tab").click();
    const card = manager.page.getByTestId("suggestion-card");
    await expect(card).toContainText(/units? suggested for West/);
    await expect(card.getByTestId(`proposal-after-${west}`)).toContainText("2");
    await keepScreenshot(manager.page, testInfo, "suggestion-units.png");
    await card.getByTestId("suggestion-accept").click();
    await expect(card.getByTestId("suggestion-status")).toHaveText("Accepted");
    await expect.poll(() => rep.ownerAt(...target)).toBe(west);
    await rep.page.getByTestId("comments-tab").click();
    await expect(rep.page.getByTestId("suggestion-status")).toHaveText("Accepted");
  });
});

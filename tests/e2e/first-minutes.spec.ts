import type { Locator, Page, TestInfo } from "@playwright/test";
import { addTerritories, createPlanWithLinks, importAccounts, rectangle } from "./fixtures/api.ts";
import { expect, test } from "./fixtures/cast.ts";

/**
 * What a new user hits in the first ten minutes (issue 10), as Ani, a new
 * manager on a 1280×720 laptop, meets it: the name box after drawing, the
 * sidebar's tabs and the tools, "Zoom to", the area of a territory, the
 * deviation chart, and the wall screen Dewi puts up.
 */

const LAPTOP = { width: 1280, height: 720 };
/** About the map's own proportions at 1280×720, so a fit fills it both ways. */
const PRIANGAN: [number, number, number, number] = [106.6, -7.6, 107.8, -6.7];
const CIREBON: [number, number, number, number] = [107.8, -7.6, 108.8, -6.7];

async function attach(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

/** A label is shown whole: laid out with a real width and not cut by an ellipsis. */
async function expectWhole(label: Locator): Promise<void> {
  await expect(label).toBeVisible();
  const { width, clipped } = await label.evaluate((el) => ({
    width: el.getBoundingClientRect().width,
    clipped: el.scrollWidth > el.clientWidth + 1,
  }));
  const text = (await label.textContent()) ?? "";
  expect(width, text).toBeGreaterThan(20);
  expect(clipped, text).toBe(false);
}

type Rect = { x: number; y: number; width: number; height: number };
const overlap = (a: Rect, b: Rect) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

test("a drawn territory's name box starts from that territory's name, even when the last box was ignored", async ({
  request,
  ani,
}) => {
  const plan = await createPlanWithLinks(request, "Baru");
  await ani.open(plan.id, { viewport: LAPTOP });
  const box = ani.page.getByTestId("rename-prompt");

  await ani.drawBox(0.15, 0.35, 0.35, 0.6);
  await expect(ani.page.getByTestId("rename-input")).toHaveValue("Territory 1");

  // Ani ignores the box and draws a second territory.
  await ani.drawBox(0.5, 0.35, 0.7, 0.6);
  await expect(ani.territoryItems).toHaveCount(2);
  await expect(box.getByTestId("rename-skip")).toHaveText("Keep “Territory 2”");
  await expect(ani.page.getByTestId("rename-input")).toHaveValue("Territory 2");
  await box.getByTestId("rename-save").click();
  await expect(box).toBeHidden();
  await expect(ani.territory("Territory 1")).toHaveCount(1);
  await expect(ani.territory("Territory 2")).toHaveCount(1);
});

test("at 1280×720 every sidebar tab and every tool is named, and Zoom to keeps a territory clear of them", async ({
  request,
  ani,
}, testInfo) => {
  const plan = await createPlanWithLinks(request, "Jawa Barat");
  const [priangan] = (await addTerritories(request, plan.id, [
    rectangle("Priangan", PRIANGAN),
    rectangle("Cirebon", CIREBON, "#d95f02"),
  ])) as [string, string];
  await importAccounts(request, plan.id, "id,name,lat,lon,revenue\np1,Toko Garut,-7.2,107.9,100\n");
  await ani.open(plan.id, { viewport: LAPTOP });
  const page = ani.page;

  await test.step("the seven tabs each carry their name, not only the open one", async () => {
    const tabs = page.locator('[role="tablist"] [role="tab"]');
    await expect(tabs).toHaveCount(7);
    for (const [i, name] of [
      "Territories",
      "Balance",
      "Optimise",
      "Targets",
      "Comments",
      "Activity",
      "History",
    ].entries()) {
      const label = tabs.nth(i).getByTestId("tab-label");
      await expect(label).toHaveText(name);
      await expectWhole(label);
    }
  });

  await test.step("the tools keep their labels, on one row", async () => {
    for (const tool of ["select", "draw", "reshape", "move", "split", "merge"]) {
      await expectWhole(page.getByTestId(`tool-${tool}`).locator("span"));
    }
    await expectWhole(page.getByTestId("delete-selection").locator("span"));
    const tops = await page
      .getByTestId("toolbar")
      .locator(".group")
      .evaluateAll((groups) => groups.map((g) => Math.round(g.getBoundingClientRect().top)));
    expect(new Set(tops).size).toBe(1);
    await attach(page, testInfo, "laptop-1280x720");
  });

  await test.step("Zoom to fits Priangan beside the toolbar and the map's cards, not under them", async () => {
    await ani.select("Priangan");
    await page.getByTestId("zoom-to-territory").click();
    await expect.poll(async () => (await ani.mapState()).view.moving).toBe(false);
    const [x0, y0, x1, y1] = PRIANGAN;
    const nw = await ani.pixelFor(x0, y1);
    const se = await ani.pixelFor(x1, y0);
    const shape = { x: nw.x, y: nw.y, width: se.x - nw.x, height: se.y - nw.y };
    // Fitted: it fills a good part of the map, not a postage stamp.
    expect(shape.width).toBeGreaterThan(300);
    const covers: Locator[] = [
      ...(await page.getByTestId("toolbar").locator(".group").all()),
      page.getByTestId("map-display"),
      page.getByTestId("hint"),
    ];
    for (const cover of covers) {
      const rect = await cover.boundingBox();
      if (rect) expect(overlap(shape, rect), `${JSON.stringify(shape)} under ${JSON.stringify(rect)}`).toBe(false);
    }
  });

  await test.step("the panel and the metrics table give Priangan the same area (the server's ellipsoidal one)", async () => {
    const panel = ((await page.getByTestId("territory-area").textContent()) ?? "").replace("km²", "").trim();
    await ani.openScores();
    await expect(page.getByTestId(`metric-area-${priangan}`)).toHaveText(panel);
  });

  await test.step("the deviation chart names its bars", async () => {
    const names = page.getByTestId("balance-chart").getByTestId("chart-bar-name");
    await expect(names).toHaveCount(2);
    await expect(names).toHaveText(["Cirebon", "Priangan"]);
  });
});

test("a wall screen shows as the wall view in the people list, not as a nameless guest leader", async ({
  request,
  ani,
  dewi,
}) => {
  const plan = await createPlanWithLinks(request, "Jawa Barat");
  await addTerritories(request, plan.id, [rectangle("Priangan", PRIANGAN)]);
  await ani.open(plan.id, { viewport: LAPTOP });
  await dewi.openWall(plan.id);

  const person = ani.page.locator('[data-testid="person"][data-screen="wall"]');
  await expect(person).toHaveAttribute("data-name", "Wall view");
  await person.click();
  const entry = ani.page.getByTestId("people-menu").getByTestId("person-entry");
  await expect(entry).toHaveText("Wall view");
  await expect(ani.page.getByTestId("people-menu")).not.toContainText("Guest");
  await expect(ani.page.getByTestId("people-menu")).not.toContainText("Leader");
});

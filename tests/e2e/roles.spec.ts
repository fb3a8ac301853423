import type { Page } from "@playwright/test";
import { addTerritories, createPlanWithLinks, idOf, rectangle, territories } from "./fixtures/api.ts";
import { CommentsPage } from "./fixtures/comments.ts";
import type { Planner } from "./fixtures/planner.ts";
import { expect, test } from "./fixtures/cast.ts";

/**
 * Roles, share links, the activity feed and follow mode, as the people who
 * use them: a manager (edit link) who shares and replaces links and edits,
 * and a leader (view link) who watches the feed and follows the manager's
 * view but has no way to change anything.
 */

const WEST: [number, number, number, number] = [106.6, -6.9, 107.0, -6.5];
const EAST: [number, number, number, number] = [107.0, -6.9, 107.4, -6.5];

async function seededPlan(request: Parameters<typeof createPlanWithLinks>[0], name: string) {
  const plan = await createPlanWithLinks(request, name);
  await addTerritories(request, plan.id, [rectangle("Bandung Barat", WEST), rectangle("Sumedang", EAST, "#d95f02")]);
  return plan;
}

async function view(p: Planner): Promise<{ lon: number; lat: number; zoom: number }> {
  return (await p.mapState()).view;
}

/** Opens the people menu and follows the person of that name. */
async function follow(page: Page, name: string): Promise<void> {
  await page.locator(`[data-testid="person"][data-name=${JSON.stringify(name)}]`).click();
  await page.locator(`[data-testid^="follow-"][data-name=${JSON.stringify(name)}]`).click();
}

test("a leader sees the role badge and no way to edit", async ({ request, ani, dewi }) => {
  const plan = await seededPlan(request, "Jawa Barat roles");
  const leader = await dewi.open(plan.id);
  const manager = await ani.open(plan.id);

  await test.step("the header says who is who", async () => {
    await expect(manager.page.getByTestId("role-badge")).toHaveAttribute("data-role", "edit");
    await expect(manager.page.getByTestId("role-badge")).toHaveText("Manager");
    await expect(manager.page.getByTestId("share-button")).toBeVisible();
    await expect(leader.page.getByTestId("role-badge")).toHaveAttribute("data-role", "view");
    await expect(leader.page.getByTestId("role-badge")).toHaveText("Leader");
  });

  await test.step("the leader has no editing tools, no undo and no Share dialog", async () => {
    await expect(leader.territory("Sumedang")).toBeVisible();
    for (const id of [
      "tool-draw",
      "tool-reshape",
      "tool-move",
      "tool-split",
      "tool-merge",
      "delete-selection",
      "undo",
    ]) {
      await expect(leader.page.getByTestId(id)).toHaveCount(0);
    }
    await expect(leader.page.getByTestId("share-button")).toHaveCount(0);
    await expect(leader.page.getByTestId("share-link")).toBeVisible();
    await expect(leader.page.getByTestId("fit-all")).toBeVisible();
  });

  await test.step("selecting a territory shows it read-only; shortcuts do nothing", async () => {
    await leader.territory("Sumedang").click();
    await expect(leader.page.getByTestId("territory-name")).toHaveText("Sumedang");
    await expect(leader.nameInput).toHaveCount(0);
    await expect(leader.page.getByTestId("rep-name-input")).toHaveCount(0);
    await leader.press("d");
    await leader.press("Delete");
    await expect(leader.map).toHaveAttribute("data-tool", "select");
    await expect(manager.territory("Sumedang")).toBeVisible();
    await leader.openScores();
    await expect(leader.page.getByTestId("allowed-deviation-input")).not.toBeEditable();
  });
});

test("replacing the view link cuts off the leader who has it open", async ({ request, ani, dewi }, testInfo) => {
  const plan = await seededPlan(request, "Rotasi tautan");
  const manager = await ani.open(plan.id);
  const leader = await dewi.open(plan.id);
  await expect(leader.status).toHaveAttribute("data-status", "connected");

  const dialog = manager.page.getByTestId("share-dialog");
  await test.step("the manager's browser knows its own edit link, not the others (stored hashed)", async () => {
    await manager.page.getByTestId("share-button").click();
    await expect(dialog).toBeVisible();
    await expect(manager.page.getByTestId("link-edit")).toHaveValue(plan.links.edit);
    await expect(manager.page.getByTestId("link-view")).toHaveCount(0);
    await expect(manager.page.getByTestId("link-unknown-view")).toBeVisible();
  });

  await test.step("the manager replaces the view link after a warning", async () => {
    await manager.page.getByTestId("rotate-view").click();
    await expect(manager.page.getByTestId("rotate-confirm-box")).toContainText("stops working at once");
    await manager.page.getByTestId("rotate-confirm").click();
    await expect(manager.page.getByTestId("share-replaced")).toBeVisible();
    await expect(manager.page.getByTestId("link-view")).toHaveValue(/\?token=/);
    await expect(manager.page.getByTestId("link-view")).not.toHaveValue(plan.links.view);
    await attachScreenshot(manager.page, testInfo, "share-dialog");
  });

  const newView = await manager.page.getByTestId("link-view").inputValue();
  await test.step("the leader's open page says the link was replaced", async () => {
    await expect(leader.page.getByTestId("plan-revoked")).toBeVisible();
    await expect(leader.page.getByTestId("plan-revoked")).toContainText(
      "This link was replaced or stopped by a manager. Ask them for a new link.",
    );
  });

  await test.step("the old link is refused on a fresh load too; the new one works", async () => {
    await leader.page.goto(plan.links.view);
    await expect(leader.page.getByTestId("plan-revoked")).toBeVisible();
    await leader.page.goto(newView);
    await leader.waitLoaded();
    await expect(leader.page.getByTestId("role-badge")).toHaveAttribute("data-role", "view");
  });

  await test.step("the manager's page still works, and the dialog remembers the new link", async () => {
    await manager.page.getByRole("button", { name: "Close" }).click();
    await expect(manager.status).toHaveAttribute("data-status", "connected");
    await manager.page.getByTestId("share-button").click();
    await expect(manager.page.getByTestId("link-view")).toHaveValue(newView);
  });

  await test.step("replacing her own edit link moves the manager's page to the new one", async () => {
    await manager.page.getByTestId("rotate-edit").click();
    await expect(manager.page.getByTestId("rotate-confirm-box")).toContainText("You are using this link yourself");
    await manager.page.getByTestId("rotate-confirm").click();
    await expect(manager.page).not.toHaveURL(plan.links.edit);
    await manager.waitLoaded();
    await expect(manager.status).toHaveAttribute("data-status", "connected");
    await expect(manager.page.getByTestId("role-badge")).toHaveAttribute("data-role", "edit");
    await expect(manager.page.getByTestId("plan-revoked")).toHaveCount(0);
    await manager.page.getByTestId("share-button").click();
    await expect(manager.page.getByTestId("link-edit")).toHaveValue(manager.page.url());
  });
});

test("a leader follows the manager's view until they move the map themselves", async ({ request, ani, dewi }) => {
  const plan = await seededPlan(request, "Ikuti manajer");
  const manager = await ani.open(plan.id);
  const leader = await dewi.open(plan.id);

  await test.step("the leader follows Ani", async () => {
    await follow(leader.page, "Ani");
    await expect(leader.page.getByTestId("following-banner")).toContainText("Following Ani — move the map to stop");
  });

  await test.step("Ani pans and zooms; the leader's map goes with her", async () => {
    const from = await manager.at(0.5, 0.5);
    await manager.drag(from, { x: from.x - 220, y: from.y + 120 });
    await manager.page.mouse.wheel(0, -400);
    await expect
      .poll(async () => {
        const [a, b] = [await view(manager), await view(leader)];
        return Math.abs(a.lon - b.lon) < 1e-3 && Math.abs(a.lat - b.lat) < 1e-3 && Math.abs(a.zoom - b.zoom) < 0.02;
      })
      .toBe(true);
  });

  await test.step("the leader drags the map: following stops, and Ani's moves no longer move it", async () => {
    const from = await leader.at(0.5, 0.5);
    await leader.drag(from, { x: from.x + 150, y: from.y - 80 });
    await expect(leader.page.getByTestId("following-banner")).toBeHidden();
    // The drag may end in a kinetic glide: take the leader's view once it has come to rest.
    await expect.poll(async () => (await leader.mapState()).view.moving).toBe(false);
    const mine = await view(leader);
    const hers = await view(manager);
    const start = await manager.at(0.5, 0.5);
    await manager.drag(start, { x: start.x - 260, y: start.y });
    await expect.poll(async () => Math.abs((await view(manager)).lon - hers.lon)).toBeGreaterThan(0.01);
    // Nothing should happen on the leader's map, so wait for what would have moved it: Ani's view at
    // rest, heard by the leader's browser (it is sent at most 5 times a second), and the leader's map at
    // rest too (a follower's glides there).
    await expect.poll(async () => (await manager.mapState()).view.moving).toBe(false);
    const moved = await view(manager);
    await expect.poll(() => leader.heardFrom("Ani")?.view?.center[0]).toBeCloseTo(moved.lon, 5);
    await expect.poll(async () => (await leader.mapState()).view.moving).toBe(false);
    const after = await view(leader);
    expect(Math.abs(after.lon - mine.lon)).toBeLessThan(1e-6);
  });

  await test.step("following again, then the zoom buttons stop it too", async () => {
    await follow(leader.page, "Ani");
    await expect(leader.page.getByTestId("following-banner")).toBeVisible();
    await leader.page.locator(".ol-zoom-in").click();
    await expect(leader.page.getByTestId("following-banner")).toBeHidden();
  });
});

test("activity arrives live for a second browser, filters, and zooms to where it happened", async ({
  request,
  ani,
  dewi,
}, testInfo) => {
  const plan = await seededPlan(request, "Aktivitas langsung");
  const [west] = (await territories(request, plan.id)).filter((f) => f.properties.name === "Bandung Barat");
  const westId = idOf(west!);
  const manager = await ani.open(plan.id);
  const leader = await dewi.open(plan.id);
  const entries = leader.page.getByTestId("activity-entry");

  await test.step("the leader opens the Activity tab: the import is there", async () => {
    await leader.page.getByTestId("tab-activity").click();
    await expect(leader.page.getByTestId("tab-activity")).toHaveAttribute("aria-selected", "true");
    await expect(entries.first()).toBeVisible();
  });

  await test.step("Ani renames a territory; the entry arrives live, highlighted", async () => {
    await manager.select("Bandung Barat");
    await manager.renameSelected("Bandung Raya");
    const renamed = leader.page.locator('[data-testid="activity-entry"][data-kind="territory-renamed"]');
    await expect(renamed).toHaveCount(1);
    await expect(renamed).toContainText("Ani");
    await expect(renamed).toContainText("renamed Bandung Barat to Bandung Raya");
    await expect(renamed).toContainText("Manager");
  });

  await test.step("Ani recolours the other one; it is listed first", async () => {
    await manager.select("Sumedang");
    await manager.page.getByTestId("territory-color-7570b3").click();
    await expect(entries.first()).toHaveAttribute("data-kind", "territory-updated");
    await expect(entries.first()).toContainText("changed the colour of Sumedang");
    await attachScreenshot(leader.page, testInfo, "activity-tab");
  });

  await test.step("filters by territory and by person", async () => {
    // The filtered page replaces the list when its answer arrives: wait for a list that is all filtered.
    const listed = async () => entries.allTextContents();
    await leader.page.getByTestId("activity-filter-territory").selectOption(westId);
    await expect
      .poll(async () => {
        const texts = await listed();
        return texts.length > 0 && texts.every((t) => !t.includes("Sumedang"));
      })
      .toBe(true);
    await leader.page.getByTestId("activity-filter-territory").selectOption("");
    const ani = await leader.page
      .getByTestId("activity-filter-person")
      .locator("option", { hasText: "Ani" })
      .getAttribute("value");
    await leader.page.getByTestId("activity-filter-person").selectOption(ani!);
    await expect
      .poll(async () => {
        const texts = await listed();
        return texts.length > 0 && texts.every((t) => t.includes("Ani"));
      })
      .toBe(true);
  });

  await test.step("a click on an entry zooms the map to it", async () => {
    const middle = await leader.at(0.5, 0.5);
    await leader.page.mouse.move(middle.x, middle.y);
    await leader.page.mouse.wheel(0, 600);
    await expect.poll(async () => (await view(leader)).zoom).toBeLessThan(10);
    const before = await view(leader);
    await leader.page.locator('[data-testid="activity-entry"][data-kind="territory-renamed"] button').click();
    await expect.poll(async () => (await view(leader)).zoom).toBeGreaterThan(before.zoom + 0.5);
    const v = await view(leader);
    expect(v.lon).toBeGreaterThan(WEST[0]);
    expect(v.lon).toBeLessThan(WEST[2]);
  });
});

test("a manager reshapes, a rep comments on that boundary, the leader watches both arrive", async ({
  request,
  ani,
  siti,
  dewi,
}, testInfo) => {
  const plan = await seededPlan(request, "Tiga peran");
  const manager = await ani.open(plan.id);
  const rep = await siti.open(plan.id);
  const leader = await dewi.open(plan.id);
  await leader.page.getByTestId("tab-activity").click();
  const entries = leader.page.getByTestId("activity-entry");

  await test.step("everyone sees everyone (presence of comment and view links too)", async () => {
    for (const [p, others] of [
      [manager, ["Siti", "Dewi"]],
      [rep, ["Ani", "Dewi"]],
      [leader, ["Ani", "Siti"]],
    ] as const) {
      for (const name of others) {
        await expect(p.page.locator(`[data-testid="person"][data-name=${JSON.stringify(name)}]`)).toBeVisible();
      }
    }
  });

  await test.step("Ani drags a corner of Sumedang; the leader's feed says so", async () => {
    await manager.select("Sumedang");
    await manager.pickTool("reshape");
    const corner = await manager.pixelFor(EAST[2], EAST[3]);
    await manager.drag(corner, { x: corner.x + 60, y: corner.y - 40 });
    await expect(entries.first()).toHaveAttribute("data-kind", "territory-reshaped");
    await expect(entries.first()).toContainText("Ani");
    await expect(entries.first()).toContainText("reshaped Sumedang");
  });

  await test.step("Siti comments on the boundary; the leader sees her words, as text", async () => {
    const comments = new CommentsPage(rep);
    await comments.startAt(EAST[0] + 0.05, (EAST[1] + EAST[3]) / 2);
    await comments.write("<b>Jl. Cadas Pangeran</b> outlets are ours");
    await comments.send();
    const commented = leader.page.locator('[data-testid="activity-entry"][data-kind="comment-added"]');
    await expect(commented).toHaveCount(1);
    await expect(commented).toContainText("Siti");
    await expect(commented).toContainText("Rep");
    await expect(commented).toContainText("<b>Jl. Cadas Pangeran</b> outlets are ours");
    await expect(commented.locator("b")).toHaveCount(0);
  });

  await test.step("the leader still has no way to edit", async () => {
    await expect(leader.page.getByTestId("toolbar").locator("[data-testid^=tool-]")).toHaveCount(0);
    await expect(leader.page.getByTestId("comment-tool")).toHaveCount(0);
    await expect(leader.page.getByTestId("role-badge")).toHaveText("Leader");
    await attachScreenshot(leader.page, testInfo, "leader-feed");
    // Nor any by keyboard: shortcuts for draw, comment and delete do nothing.
    await leader.openTerritories();
    await leader.select("Bandung Barat");
    await expect(leader.page.getByTestId("territory-name-input")).toHaveCount(0);
    for (const key of ["d", "c", "Delete"]) await leader.press(key);
    await expect(leader.page.getByTestId("comment-form")).toHaveCount(0);
    const names = (await territories(request, plan.id)).map((t) => t.properties.name).sort();
    expect(names).toEqual(["Bandung Barat", "Sumedang"]);
  });
});

async function attachScreenshot(page: Page, testInfo: import("@playwright/test").TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

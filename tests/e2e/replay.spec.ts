import type { Locator } from "@playwright/test";
import { addTerritories, createPlanWithLinks, rectangle, territories } from "./fixtures/api.ts";
import { expect, test } from "./fixtures/cast.ts";
import { keepScreenshot } from "./fixtures/screenshots.ts";

/**
 * Replay (issue 14): Ani and Budi change the plan in their browsers; Dewi,
 * a leader with a view link, replays the session. Scrubbing to a moment
 * shows the plan as it was then (the territory list and the map follow),
 * with the feed entry and who made it; playing moves on by itself; Exit
 * brings the live plan back.
 */

/** Moves the scrubber to a moment, as a drag of its thumb ends there. */
async function scrubTo(scrubber: Locator, at: number): Promise<void> {
  await scrubber.evaluate((el, v) => {
    const input = el as HTMLInputElement;
    input.value = v;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }, String(at));
}

test("a leader replays the session: a moment shows the plan as it was, play moves on", async ({
  request,
  ani,
  budi,
  dewi,
}, testInfo) => {
  // Three browsers at once: on a busy 2-core machine that takes longer than the default.
  test.setTimeout(180_000);
  const plan = await createPlanWithLinks(request, "Bandung Raya");
  await addTerritories(request, plan.id, [
    rectangle("Bandung Utara", [107.4, -6.9, 107.7, -6.7], "#1b9e77"),
    rectangle("Bandung Selatan", [107.4, -7.2, 107.7, -6.9], "#d95f02"),
  ]);
  const names = async () => (await territories(request, plan.id)).map((t) => t.properties.name).sort();

  // Ani renames the north; then Budi deletes the south.
  const manager = await ani.open(plan.id);
  await manager.select("Bandung Utara");
  await manager.renameSelected("Bandung Kota");
  await expect.poll(names).toEqual(["Bandung Kota", "Bandung Selatan"]);
  const afterRename = Date.now();
  await new Promise((r) => setTimeout(r, 400));
  const other = await budi.open(plan.id);
  await other.select("Bandung Selatan");
  await other.press("Delete");
  await expect.poll(names).toEqual(["Bandung Kota"]);

  // Dewi, a leader, opens the replay from the Activity panel.
  const leader = await dewi.open(plan.id);
  const page = leader.page;
  await page.getByTestId("tab-activity").click();
  await page.getByTestId("replay-open").click();
  const bar = page.getByTestId("replay-bar");
  await expect(bar).toHaveAttribute("data-status", "ready");
  await expect(page.getByTestId("replay-banner")).toContainText("Replay");
  await expect(page).toHaveURL(/[?&]replay=/);
  // The session opens at its start, before anything was drawn; the feed's entries are ticks on the scrubber.
  await expect(leader.map).toHaveAttribute("data-territory-count", "0");
  await expect(page.getByTestId("replay-tick")).toHaveCount(3);

  // A moment between the rename and the deletion: the north renamed, the south still there.
  const scrubber = page.getByTestId("replay-scrubber");
  await scrubTo(scrubber, afterRename + 200);
  await expect(leader.map).toHaveAttribute("data-territory-count", "2");
  await page.getByTestId("tab-territories").click();
  await expect(leader.territoryItems).toHaveCount(2);
  await expect(leader.territory("Bandung Kota")).toBeVisible();
  await expect(leader.territory("Bandung Selatan")).toBeVisible();
  await expect(page.getByTestId("replay-entry-actor")).toHaveText("Ani");
  await expect(page.getByTestId("replay-entry")).toContainText("Bandung Kota");
  // Read-only: a leader's tools, and nobody's, change the past.
  await expect(page.getByTestId("tool-draw")).toHaveCount(0);
  await keepScreenshot(page, testInfo, "replay-moment.png");

  // Play at 60×: the deletion comes, by Budi.
  await page.getByTestId("replay-speed-60").click();
  await page.getByTestId("replay-play").click();
  await expect(leader.map).toHaveAttribute("data-territory-count", "1");
  await expect(leader.territoryItems).toHaveCount(1);
  await expect(page.getByTestId("replay-entry-actor")).toHaveText("Budi");
  await expect(page.getByTestId("replay-play")).toHaveAttribute("data-playing", "false");
  await keepScreenshot(page, testInfo, "replay-played.png");

  // Back to the start, then Exit: the live plan again.
  await scrubTo(scrubber, 0);
  await expect(leader.territoryItems).toHaveCount(0);
  await page.getByTestId("replay-exit").click();
  await expect(page.getByTestId("replay-banner")).toHaveCount(0);
  await expect(leader.territoryItems).toHaveCount(1);
  await expect(leader.territory("Bandung Kota")).toBeVisible();
  await expect(page).not.toHaveURL(/replay=/);
});

test("a replay link opens the replay at its moment", async ({ request, ani, dewi }) => {
  test.setTimeout(180_000);
  const plan = await createPlanWithLinks(request, "Bandung Raya");
  await addTerritories(request, plan.id, [rectangle("Bandung Utara", [107.4, -6.9, 107.7, -6.7])]);
  const manager = await ani.open(plan.id);
  await manager.select("Bandung Utara");
  await manager.renameSelected("Bandung Kota");
  await expect.poll(async () => (await territories(request, plan.id))[0]?.properties.name).toBe("Bandung Kota");
  const before = new Date(Date.now() - 60_000).toISOString();
  const leader = await dewi.open(plan.id);
  await leader.page.goto(`/plan/${plan.id}?token=${plan.tokens.view}&replay=${encodeURIComponent(before)}`);
  // The page loads afresh (app, plan, history): generous on a busy machine.
  await expect(leader.page.getByTestId("replay-bar")).toHaveAttribute("data-status", "ready", { timeout: 60_000 });
  await expect(leader.map).toHaveAttribute("data-territory-count", "0");
  await expect(leader.page.getByTestId("replay-exit")).toBeVisible();
});

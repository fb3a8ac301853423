import { addTerritories, createPlanWithLinks, rectangle } from "./fixtures/api.ts";
import { CommentsPage, postComment } from "./fixtures/comments.ts";
import { expect, test } from "./fixtures/cast.ts";

/**
 * A manager (Ani, edit link) and a rep (Siti, comment link) talk about a
 * boundary. Siti pins a comment on the line between Cianjur and Bandung; Ani
 * sees the pin arrive, opens the thread from it and replies; Siti resolves
 * her own thread, Ani reopens it. Siti may not resolve or edit Ani's thread;
 * Dewi, a leader with the view link, reads everything and can do none of it.
 * Everything arrives live through the plan document; text stays text.
 */
test("a rep comments on a boundary, a manager replies, resolve and reopen live", async ({
  request,
  ani,
  siti,
  dewi,
}, testInfo) => {
  const plan = await createPlanWithLinks(request, "Jawa Barat — comments");
  const [cianjur, bandung] = await addTerritories(request, plan.id, [
    rectangle("Cianjur", [106.5, -7.2, 107.0, -6.7], "#1b9e77"),
    rectangle("Bandung", [107.0, -7.2, 107.5, -6.7], "#7570b3"),
  ]);
  expect(cianjur).toBeTruthy();
  expect(bandung).toBeTruthy();

  const manager = new CommentsPage(await ani.open(plan.id));
  const rep = new CommentsPage(await siti.open(plan.id));
  const text = "The outlets on <b>Jl. Raya Puncak</b> are ours, the line should follow the river.";

  await test.step("no comments yet: the panel says what to do", async () => {
    await rep.open();
    await expect(rep.page.getByTestId("comments-empty")).toContainText("Pick the comment tool");
    await expect(rep.openCount).toHaveText("0");
    await expect(rep.planner.map).toHaveAttribute("data-comment-count", "0");
  });

  await test.step("the rep pins a comment on the shared boundary and ties it to Bandung", async () => {
    await rep.startAt(107.0, -6.95);
    // On the boundary both neighbours are offered.
    const pick = rep.form.getByTestId("comment-territory-select");
    await expect(pick.locator("option")).toHaveCount(3);
    await expect(pick.locator("option", { hasText: "Cianjur" })).toHaveCount(1);
    await expect(pick.locator("option", { hasText: "Bandung" })).toHaveCount(1);
    await pick.selectOption({ label: "Bandung" });
    await expect(rep.form.getByTestId("comment-territory")).toHaveAttribute("data-territory-id", bandung as string);

    // Too long: said before sending, and nothing can be sent.
    await rep.write("x".repeat(2001));
    await expect(rep.form.getByTestId("comment-too-long")).toContainText("1 characters too long");
    await expect(rep.form.getByTestId("comment-submit")).toBeDisabled();

    await rep.write(text);
    await expect(rep.form.getByTestId("comment-too-long")).toBeHidden();
    await rep.send();
  });

  await test.step("the thread and its pin reach both; Bandung counts one open comment", async () => {
    const mine = rep.thread("Jl. Raya Puncak");
    await expect(mine).toBeVisible();
    await expect(mine.getByTestId("comment-author")).toHaveText("Siti");
    await expect(mine.getByTestId("role-badge")).toHaveAttribute("data-role", "comment");
    // Shown as text: the markup is visible, no element was made from it.
    await expect(mine.getByTestId("comment-body")).toHaveText(text);
    await expect(mine.locator("b")).toHaveCount(0);
    for (const p of [rep, manager]) {
      await expect(p.planner.map).toHaveAttribute("data-comment-count", "1");
      await expect(p.openCount).toHaveText("1");
    }
    await manager.planner.openTerritories();
    await expect(manager.planner.territory("Bandung").getByTestId("territory-comment-count")).toHaveText("1");
    await expect(manager.planner.territory("Cianjur").getByTestId("territory-comment-count")).toHaveCount(0);
  });

  await test.step("the manager clicks the pin: the thread opens; the reply reaches the rep", async () => {
    const [pin] = await manager.pins();
    expect(pin?.kind).toBe("open");
    await manager.clickPin(pin?.id as string);
    await expect(manager.tab).toHaveAttribute("aria-selected", "true");
    const thread = manager.thread("Jl. Raya Puncak");
    await expect(thread).toHaveClass(/selected/);
    await manager.reply(thread, "Agreed, I will move it to the river tomorrow.");
    await expect(rep.thread("Jl. Raya Puncak").getByTestId("comment-reply-text")).toHaveText(
      "Agreed, I will move it to the river tomorrow.",
    );
  });

  await rep.planner.screenshot(testInfo, "comments panel with a thread");

  await test.step("clicking a thread in the list brings its pin into view", async () => {
    await rep.page.getByTestId("map").evaluate((el) => {
      const w = (el as HTMLElement & { wilayah: { map: { getView(): { setCenter(c: number[]): void } } } }).wilayah;
      w.map.getView().setCenter([0, 0]);
    });
    await rep.thread("Jl. Raya Puncak").getByTestId("comment-zoom").click();
    await expect
      .poll(async () => {
        const v = (await rep.planner.mapState()).view;
        return Math.abs(v.lon - 107.0) < 0.01 && Math.abs(v.lat - -6.95) < 0.01;
      })
      .toBe(true);
  });

  await test.step("a thread the manager started: the rep may reply but not resolve or edit it", async () => {
    await postComment(
      request,
      plan,
      plan.tokens.edit,
      { id: "manager-script", name: "Ani" },
      {
        text: "Cianjur needs a second rep next quarter.",
        at: [106.75, -6.95],
        territoryId: cianjur as string,
      },
    );
    const theirs = rep.thread("second rep");
    await expect(theirs).toBeVisible();
    await expect(theirs.getByTestId("role-badge")).toHaveAttribute("data-role", "edit");
    await expect(theirs.getByTestId("resolve-button")).toHaveCount(0);
    await expect(theirs.getByTestId("edit-button")).toHaveCount(0);
    await theirs.getByTestId("reply-button").click();
    await expect(theirs.getByTestId("reply-input")).toBeFocused();
    await theirs.getByTestId("reply-input").fill("Siti can cover Puncak until then.");
    await theirs.getByTestId("reply-input").press("Enter");
    await expect(manager.thread("second rep").getByTestId("comment-reply-text")).toHaveText(
      "Siti can cover Puncak until then.",
    );
    // Her own thread she may resolve and edit.
    await expect(rep.thread("Jl. Raya Puncak").getByTestId("resolve-button")).toBeVisible();
    await expect(rep.thread("Jl. Raya Puncak").getByTestId("edit-button")).toBeVisible();
    await expect(rep.openCount).toHaveText("2");
  });

  await test.step("the rep resolves her thread: it leaves the open list and the map for both", async () => {
    await rep.thread("Jl. Raya Puncak").getByTestId("resolve-button").click();
    for (const p of [rep, manager]) {
      await expect(p.openCount).toHaveText("1");
      await expect(p.planner.map).toHaveAttribute("data-comment-count", "1");
    }
    await expect(rep.thread("Jl. Raya Puncak")).toHaveCount(0);
    await manager.planner.openTerritories();
    await expect(manager.planner.territory("Bandung").getByTestId("territory-comment-count")).toHaveCount(0);
    await expect(manager.planner.territory("Cianjur").getByTestId("territory-comment-count")).toHaveText("1");

    await manager.open();
    await manager.filter("resolved");
    const resolved = manager.thread("Jl. Raya Puncak");
    await expect(resolved).toHaveAttribute("data-status", "resolved");
    await expect(resolved.getByTestId("comment-resolved-by")).toContainText("Resolved by Siti");
    await expect.poll(async () => (await manager.pins()).map((p) => p.kind)).toEqual(["resolved"]);
  });

  await test.step("the manager reopens it; the rep sees it open again", async () => {
    await manager.thread("Jl. Raya Puncak").getByTestId("reopen-button").click();
    await expect(rep.thread("Jl. Raya Puncak")).toHaveAttribute("data-status", "open");
    await expect(rep.openCount).toHaveText("2");
    await manager.planner.openTerritories();
    await expect(manager.planner.territory("Bandung").getByTestId("territory-comment-count")).toHaveText("1");
  });

  await test.step("the rep edits her words; the manager sees the new text, marked as edited", async () => {
    const mine = rep.threadById((await rep.thread("Jl. Raya Puncak").getAttribute("data-id")) as string);
    await mine.getByTestId("edit-button").click();
    await mine.getByTestId("comment-edit-input").fill("The outlets on Jl. Raya Puncak are ours up to the river.");
    await mine.getByTestId("comment-edit-save").click();
    await manager.open();
    await manager.filter("open");
    const seen = manager.thread("up to the river");
    await expect(seen).toBeVisible();
    await expect(seen).toContainText("edited");
  });

  await test.step("a leader reads the threads and has no way to comment", async () => {
    const leader = new CommentsPage(await dewi.open(plan.id));
    await leader.open();
    await expect(leader.threads).toHaveCount(2);
    await expect(leader.tool).toHaveCount(0);
    await expect(leader.page.getByTestId("reply-button")).toHaveCount(0);
    await expect(leader.page.getByTestId("resolve-button")).toHaveCount(0);
    await expect(leader.page.getByTestId("edit-button")).toHaveCount(0);
    await leader.thread("up to the river").getByTestId("comment-body").click();
    await expect(leader.page.getByTestId("reply-input")).toHaveCount(0);
    await leader.planner.press("c");
    await expect(leader.planner.map).toHaveAttribute("data-tool", "select");
    await leader.planner.close();
  });

  await test.step("the comment tool's shortcut and Esc: a form opens at the click and Esc drops it", async () => {
    await rep.planner.press("c");
    await expect(rep.tool).toHaveAttribute("aria-pressed", "true");
    const p = await rep.planner.pixelFor(107.25, -7.1);
    await rep.page.mouse.click(p.x, p.y);
    await expect(rep.form).toBeVisible();
    await expect(rep.form.getByTestId("comment-territory")).toHaveAttribute("data-territory-id", bandung as string);
    await rep.page.keyboard.press("Escape");
    await expect(rep.form).toBeHidden();
  });

  await test.step("a refusal from the server is shown in its own words, and the text is kept", async () => {
    // The UI hides what a role may not do, so provoke the refusal at the wire.
    const sentence = "This thread has 200 replies, the most one thread can hold. Start a new thread.";
    await rep.page.route("**/api/plans/*/comments/*/replies", (route) =>
      route.fulfill({ status: 413, contentType: "application/json", body: JSON.stringify({ error: sentence }) }),
    );
    const thread = rep.thread("second rep");
    await thread.getByTestId("comment-body").click();
    await thread.getByTestId("reply-input").fill("One more thing");
    await thread.getByTestId("reply-submit").click();
    await expect(thread.getByTestId("comment-error")).toContainText(sentence);
    await expect(thread.getByTestId("reply-input")).toHaveValue("One more thing");
    await rep.page.unroute("**/api/plans/*/comments/*/replies");
  });
});

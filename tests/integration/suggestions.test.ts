import { describe, expect, it } from "vitest";
import type { ActivityEntry, ActivityPage } from "../../shared/activity/activity.ts";
import type { CommentThread } from "../../shared/comments/comments.ts";
import {
  readSuggestion,
  readSuggestions,
  readThread,
  readTerritory,
  readUnitsVersion,
  suggestionsMap,
} from "../../shared/doc/schema.ts";
import type { TerritoryMetrics } from "../../shared/scoring/types.ts";
import { effectTerritory, type SuggestionEffect } from "../../shared/suggestions/effect.ts";
import type { SuggestionView } from "../../shared/suggestions/suggestion.ts";
import { remoteEdit } from "../fixtures/remote-edit.ts";
import { box } from "../fixtures/shapes.ts";
import {
  type CreatedPlan,
  connectStockClient,
  createPlanWithLinks,
  eventually,
  peopleOn,
  useServer,
  WEST_AND_EAST,
} from "./harness.ts";
import { RawClient } from "./raw-client.ts";

/**
 * Suggestions (issue 15) over REST against the real server: a rep suggests
 * a border move with a comment, its effect is what accepting gives, a
 * manager accepts (one undoable step that reaches a stock client) or
 * declines with a reply, a suggestion goes out of date when its territory
 * changes, and bad input stores nothing.
 */

const server = useServer();
const { as } = peopleOn(server);

interface Analysis {
  balance: { score: number | null };
  territories: TerritoryMetrics[];
}

/** West and East near Bandung (107.5–107.6 and 107.6–107.7 °E) with accounts on both sides of the border. */
async function drawnPlan(): Promise<CreatedPlan> {
  const plan = await createPlanWithLinks(server, "Suggestions");
  const ani = as(plan, "edit", "Ani");
  expect((await ani("POST", "/territories", WEST_AND_EAST)).status).toBe(201);
  const rows = ["id,lat,lon,revenue"];
  for (let i = 0; i < 8; i++) rows.push(`w${i},${-6.99 + i * 0.01},${107.52 + (i % 3) * 0.02},100`);
  for (let i = 0; i < 6; i++) rows.push(`e${i},${-6.98 + i * 0.012},${107.61 + (i % 4) * 0.02},40`);
  const res = await fetch(`${server.url}/api/plans/${plan.id}/accounts`, {
    method: "POST",
    headers: { authorization: `Bearer ${plan.tokens.edit}`, "content-type": "text/csv" },
    body: rows.join("\n"),
  });
  expect(res.status).toBe(201);
  return plan;
}

/** West's border moved 0.035° into East: it takes East's four accounts at 107.61 and 107.63 and overlaps East. */
const BORDER_MOVE = box(107.5, -7.0, 107.635, -6.9);

async function feed(plan: CreatedPlan): Promise<ActivityEntry[]> {
  const res = await fetch(`${server.url}/api/plans/${plan.id}/activity?limit=200&token=${plan.tokens.view}`);
  return ((await res.json()) as ActivityPage).entries;
}

/** Each territory the effect lists, as the analysis has it. */
function expectEffectIs(effect: SuggestionEffect, analysis: Analysis): void {
  expect(effect.after.score).toBe(analysis.balance.score);
  const ids = Object.keys(effect.after.territories);
  expect(ids.length).toBeGreaterThan(0);
  for (const id of ids) {
    const t = analysis.territories.find((x) => x.id === id);
    expect(effect.after.territories[id]).toEqual(t ? effectTerritory(t) : null);
  }
}

describe("suggestions", () => {
  it("a rep's suggested border move: its effect equals the analysis after accepting, one undoable step every client sees", async () => {
    const plan = await drawnPlan();
    const siti = as(plan, "comment", "Siti");
    const ani = as(plan, "edit", "Ani");
    const watcher = connectStockClient(server, plan.id, "view");
    try {
      const before = (await ani("GET", "/analysis")).body as unknown as Analysis;
      const made = await siti("POST", "/suggestions", {
        territory: "west",
        geometry: BORDER_MOVE,
        text: "We visit the outlets east of the river every week",
      });
      expect(made.status).toBe(201);
      const s = made.body as unknown as SuggestionView & { thread: CommentThread };
      expect(s).toMatchObject({
        territoryId: "west",
        status: "open",
        kind: "shape",
        by: { name: "Siti", role: "comment" },
      });
      expect(s.thread).toMatchObject({
        text: "We visit the outlets east of the river every week",
        territoryId: "west",
      });
      expect(s.thread.id).toBe(s.threadId);
      // The effect: both territories, before as the plan is, after with East's two accounts in West too.
      expect(Object.keys(s.effect.after.territories)).toEqual(["east", "west"]);
      expect(s.effect.before.score).toBe(before.balance.score);
      expect(s.effect.after.territories.west?.accounts).toBe(12);
      expect(s.effect.after.overlaps.map((o) => o.territoryIds)).toEqual([["east", "west"]]);

      // Everyone sees it live, through the document like the comments.
      await eventually(() => expect(readSuggestion(watcher.doc, s.id)?.status).toBe("open"));
      expect(readThread(watcher.doc, s.threadId)?.text).toBe("We visit the outlets east of the river every week");
      const listed = await as(plan, "view", "Lina")("GET", "/suggestions?status=open");
      expect((listed.body.suggestions as SuggestionView[]).map((x) => x.id)).toEqual([s.id]);
      expect((listed.body.suggestions as SuggestionView[])[0]?.geometry).toEqual(BORDER_MOVE);

      const accepted = await ani("POST", `/suggestions/${s.id}/accept`);
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({ status: "accepted", score: { before: before.balance.score } });
      const after = (await ani("GET", "/analysis")).body as unknown as Analysis;
      expectEffectIs(s.effect, after);
      expect((accepted.body.score as { after: number }).after).toBe(after.balance.score);
      expect(accepted.body.overlaps).toEqual(s.effect.after.overlaps);

      // The stock client gets the new shape, the status and the rep is told in the thread.
      await eventually(() => {
        expect(readTerritory(watcher.doc, "west")?.geometry).toEqual(BORDER_MOVE);
        expect(readSuggestion(watcher.doc, s.id)?.status).toBe("accepted");
        const replies = readThread(watcher.doc, s.threadId)?.replies ?? [];
        expect(replies.at(-1)).toMatchObject({
          text: "Ani accepted Siti's suggestion.",
          author: { name: "Ani" },
          event: { kind: "suggestion-accepted", suggestionId: s.id },
        });
      });
      const entries = await eventually(async () => {
        const e = (await feed(plan)).filter((x) => x.kind === "suggestion-accepted");
        expect(e).toHaveLength(1);
        return e;
      });
      expect(entries[0]).toMatchObject({
        actor: { name: "Ani" },
        territoryId: "west",
        commentId: s.threadId,
        details: {
          suggestionId: s.id,
          suggestedBy: "Siti",
          score: { before: before.balance.score, after: after.balance.score },
        },
      });
      // Accepting is one step: no reshape entry of anyone's beside it.
      expect((await feed(plan)).filter((x) => x.kind === "territory-reshaped")).toEqual([]);

      // Taking it back: the old shape returns, the suggestion is open again.
      expect((await siti("POST", `/suggestions/${s.id}/undo`)).status).toBe(403);
      const undone = await ani("POST", `/suggestions/${s.id}/undo`);
      expect(undone.status).toBe(200);
      expect(undone.body).toMatchObject({ reverted: 1, kept: 0, status: "open" });
      await eventually(() => {
        expect(readTerritory(watcher.doc, "west")?.geometry).toEqual(WEST_AND_EAST.features[0]?.geometry);
        expect(readSuggestion(watcher.doc, s.id)).toMatchObject({ status: "open", undone: { by: { name: "Ani" } } });
      });
      expect(((await ani("GET", "/analysis")).body as unknown as Analysis).balance.score).toBe(before.balance.score);
      expect((await ani("POST", `/suggestions/${s.id}/undo`)).status).toBe(409);
      // The replies that record what became of it are nobody's words to edit.
      const record = readThread(watcher.doc, s.threadId)?.replies.find((r) => r.event?.kind === "suggestion-accepted");
      const edited = await ani("PATCH", `/comments/${s.threadId}/replies/${record?.id}`, { text: "Never mind" });
      expect(edited.status).toBe(403);
    } finally {
      watcher.destroy();
    }
  });

  it("a manager declines with a reply; the rep reads it in the thread and it can no longer be accepted", async () => {
    const plan = await drawnPlan();
    const siti = as(plan, "comment", "Siti");
    const ani = as(plan, "edit", "Ani");
    const made = (await siti("POST", "/suggestions", { territory: "west", geometry: BORDER_MOVE, text: "Ours" }))
      .body as unknown as SuggestionView;
    expect((await siti("POST", `/suggestions/${made.id}/decline`, { text: "No" })).status).toBe(403);
    expect((await ani("POST", `/suggestions/${made.id}/decline`, {})).status).toBe(400);
    const declined = await ani("POST", `/suggestions/${made.id}/decline`, {
      text: "East needs those outlets this year",
    });
    expect(declined.status).toBe(200);
    expect(declined.body).toMatchObject({
      status: "declined",
      decided: { by: { name: "Ani" }, text: "East needs those outlets this year" },
    });
    const thread = (await siti("GET", "/comments")).body.threads as CommentThread[];
    expect(thread[0]?.replies.at(-1)).toMatchObject({
      text: "East needs those outlets this year",
      author: { name: "Ani", role: "edit" },
      event: { kind: "suggestion-declined", suggestionId: made.id },
    });
    expect((await ani("POST", `/suggestions/${made.id}/accept`)).status).toBe(409);
    expect((await ani("GET", "/territories/west")).body.geometry).toEqual(WEST_AND_EAST.features[0]?.geometry);
  });

  it("goes out of date when its territory changes, says what changed and by whom, and can be redrawn in its thread", async () => {
    const plan = await drawnPlan();
    const siti = as(plan, "comment", "Siti");
    const ani = as(plan, "edit", "Ani");
    const watcher = connectStockClient(server, plan.id, "view");
    try {
      const made = (await siti("POST", "/suggestions", { territory: "west", geometry: BORDER_MOVE, text: "Ours" }))
        .body as unknown as SuggestionView;
      const reshaped = box(107.5, -7.0, 107.6, -6.85);
      expect((await ani("PUT", "/territories/west", { type: "Feature", geometry: reshaped })).status).toBe(200);
      const got = (await ani("GET", `/suggestions/${made.id}`)).body as unknown as SuggestionView;
      expect(got).toMatchObject({ status: "outdated", outdated: { what: "reshaped" } });
      await eventually(() => {
        expect(readSuggestion(watcher.doc, made.id)?.outdated).toMatchObject({ what: "reshaped", by: { name: "Ani" } });
        expect(readThread(watcher.doc, made.threadId)?.replies.at(-1)).toMatchObject({
          text: "This suggestion is out of date: West was reshaped by Ani since it was made. It can be redrawn.",
          event: { kind: "suggestion-outdated", what: "reshaped" },
        });
      });
      const refused = await ani("POST", `/suggestions/${made.id}/accept`);
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatch(/out of date/);
      expect((await ani("GET", "/territories/west")).body.geometry).toEqual(reshaped);

      // Redrawn in the same thread: a new suggestion, the old one replaced.
      const redrawn = await siti("POST", "/suggestions", {
        territory: "west",
        thread: made.threadId,
        geometry: box(107.5, -7.0, 107.635, -6.85),
        text: "Redrawn on the new border",
      });
      expect(redrawn.status).toBe(201);
      const next = redrawn.body as unknown as SuggestionView & { thread: CommentThread };
      expect(next.threadId).toBe(made.threadId);
      expect(next.thread.replies.at(-1)).toMatchObject({
        text: "Redrawn on the new border",
        event: { kind: "suggestion-redrawn" },
      });
      const list = (await siti("GET", "/suggestions")).body.suggestions as SuggestionView[];
      expect(list.map((x) => [x.id, x.status])).toEqual([
        [made.id, "outdated"],
        [next.id, "open"],
      ]);
      expect(list[0]?.outdated).toMatchObject({ what: "redrawn", suggestionId: next.id });
      // Someone else's thread is not theirs to redraw.
      const joko = await as(plan, "comment", "Joko")("POST", "/suggestions", {
        territory: "west",
        thread: made.threadId,
        geometry: BORDER_MOVE,
        text: "Mine",
      });
      expect(joko.status).toBe(403);
      expect((await ani("POST", `/suggestions/${next.id}/accept`)).status).toBe(200);
      await eventually(() =>
        expect(readSuggestions(watcher.doc).map((x) => x.status)).toEqual(["outdated", "accepted"]),
      );
    } finally {
      watcher.destroy();
    }
  });

  it("answers roles: a view link reads but may not suggest; a rep may not accept", async () => {
    const plan = await drawnPlan();
    const lina = as(plan, "view", "Lina");
    const siti = as(plan, "comment", "Siti");
    const refused = await lina("POST", "/suggestions", { territory: "west", geometry: BORDER_MOVE, text: "x" });
    expect(refused.status).toBe(403);
    const made = (await siti("POST", "/suggestions", { territory: "west", geometry: BORDER_MOVE, text: "Ours" }))
      .body as unknown as SuggestionView;
    expect((await lina("GET", "/suggestions")).status).toBe(200);
    expect((await lina("POST", `/suggestions/${made.id}/accept`)).status).toBe(403);
    expect((await siti("POST", `/suggestions/${made.id}/accept`)).status).toBe(403);
    expect((await lina("GET", "/suggestions/nope")).status).toBe(404);
  });

  it("refuses bad input with a clear 4xx and stores nothing", async () => {
    const plan = await drawnPlan();
    const siti = as(plan, "comment", "Siti");
    const watcher = connectStockClient(server, plan.id, "view");
    try {
      const cases: [unknown, number, RegExp][] = [
        [{ territory: "west", geometry: BORDER_MOVE }, 400, /comment must be text/],
        [{ territory: "west", geometry: BORDER_MOVE, text: "   " }, 400, /empty/],
        [{ territory: "west", geometry: BORDER_MOVE, text: "x".repeat(2001) }, 413, /2000/],
        [{ territory: "west", text: "x" }, 400, /either geometry/],
        [{ territory: "nowhere", geometry: BORDER_MOVE, text: "x" }, 400, /no territory "nowhere"/],
        [
          { territory: "west", geometry: { type: "Polygon", coordinates: [[[1, 2]]] }, text: "x" },
          400,
          /suggested shape/,
        ],
        [{ territory: "west", geometry: WEST_AND_EAST.features[0]?.geometry, text: "x" }, 400, /as it is/],
        [{ territory: "west", units: { a: "west" }, text: "x" }, 409, /drawn, not built from units/],
        [{ territory: "west", geometry: BORDER_MOVE, text: "x", colour: "red" }, 400, /Unknown field "colour"/],
        ["not json", 400, /./],
      ];
      for (const [body, status, error] of cases) {
        const r = await siti("POST", "/suggestions", body);
        expect([JSON.stringify(body).slice(0, 60), r.status]).toEqual([JSON.stringify(body).slice(0, 60), status]);
        expect(r.body.error).toMatch(error);
      }
      const big = await fetch(`${server.url}/api/plans/${plan.id}/suggestions`, {
        method: "POST",
        headers: { authorization: `Bearer ${plan.tokens.comment}`, "content-type": "application/json" },
        body: JSON.stringify({
          territory: "west",
          text: "x",
          geometry: { type: "Polygon", coordinates: [] },
          pad: "x".repeat(3_000_000),
        }),
      });
      expect(big.status).toBe(413);
      expect((await siti("GET", "/suggestions")).body.suggestions).toEqual([]);
      expect((await siti("GET", "/comments")).body.threads).toEqual([]);
      expect(readSuggestions(watcher.doc)).toEqual([]);
    } finally {
      watcher.destroy();
    }
  });

  it("a rep's suggestions are limited per minute (429)", async () => {
    const plan = await drawnPlan();
    const siti = as(plan, "comment", "Siti");
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const r = await siti("POST", "/suggestions", {
        territory: "west",
        geometry: box(107.5, -7.0, 107.61 + i * 0.001, -6.9),
        text: `Try ${i}`,
      });
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 201)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it("in a unit plan suggests units to move, with the effect accepting gives", async () => {
    const plan = await createPlanWithLinks(server, "Units");
    const ani = as(plan, "edit", "Ani");
    const siti = as(plan, "comment", "Siti");
    expect((await ani("POST", "/territories", WEST_AND_EAST)).status).toBe(201);
    const rows = ["id,lat,lon,revenue"];
    for (let i = 0; i < 12; i++) rows.push(`a${i},${-6.99 + (i % 6) * 0.016},${107.505 + Math.floor(i / 6) * 0.1},10`);
    const res = await fetch(`${server.url}/api/plans/${plan.id}/accounts`, {
      method: "POST",
      headers: { authorization: `Bearer ${plan.tokens.edit}`, "content-type": "text/csv" },
      body: rows.join("\n"),
    });
    expect(res.status).toBe(201);
    expect((await ani("POST", "/units", { kind: "h3", resolution: 7, area: "territories" })).status).toBe(201);
    const layer = (await ani("GET", "/units")).body as unknown as {
      features: { id: string; properties: { territory: string | null } }[];
    };
    const eastUnits = layer.features.filter((f) => f.properties.territory === "east").map((f) => f.id);
    const moved = eastUnits.slice(0, 3);
    const watcher = connectStockClient(server, plan.id, "view");
    try {
      await eventually(() => expect(readUnitsVersion(watcher.doc)).toBe(1));
      expect(
        (await siti("POST", "/suggestions", { territory: "west", units: { "not-a-unit": "west" }, text: "x" })).status,
      ).toBe(400);
      expect((await siti("POST", "/suggestions", { territory: "west", geometry: BORDER_MOVE, text: "x" })).status).toBe(
        409,
      );
      const made = await siti("POST", "/suggestions", {
        territory: "west",
        units: Object.fromEntries(moved.map((u) => [u, "west"])),
        text: "These three are ours",
      });
      expect(made.status).toBe(201);
      const s = made.body as unknown as SuggestionView;
      expect(s.moves).toEqual(moved.map((unit) => ({ unit, from: "east", to: "west" })));
      expect(s.effect.after.territories.west?.units).toBe((s.effect.before.territories.west?.units ?? 0) + 3);
      expect((await ani("POST", `/suggestions/${s.id}/accept`)).status).toBe(200);
      expectEffectIs(s.effect, (await ani("GET", "/analysis")).body as unknown as Analysis);
      await eventually(() => expect(readSuggestion(watcher.doc, s.id)?.status).toBe("accepted"));
    } finally {
      watcher.destroy();
    }
  });

  it("a scoped edit link accepts only suggestions whose territories all lie in its scope", async () => {
    const plan = await drawnPlan();
    const siti = as(plan, "comment", "Siti");
    const ani = as(plan, "edit", "Ani");
    const made = await ani("POST", "/links", {
      role: "edit",
      label: "West's manager",
      scope: { territories: ["west"] },
    });
    expect(made.status).toBe(201);
    const token = new URL(made.body.link as string).searchParams.get("token") as string;
    const scoped = (path: string) =>
      fetch(`${server.url}/api/plans/${plan.id}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });

    // The border move overlaps East, outside the scope: refused, nothing written.
    const across = (await siti("POST", "/suggestions", { territory: "west", geometry: BORDER_MOVE, text: "Ours" }))
      .body as unknown as SuggestionView;
    const refused = await scoped(`/suggestions/${across.id}/accept`);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ territories: ["east"] });
    expect((await ani("GET", `/suggestions/${across.id}`)).body.status).toBe("open");
    expect((await ani("GET", "/territories/west")).body.geometry).toEqual(WEST_AND_EAST.features[0]?.geometry);

    // West growing north touches West alone: the scoped manager accepts it.
    const north = (
      await siti("POST", "/suggestions", {
        territory: "west",
        geometry: box(107.5, -7.0, 107.6, -6.85),
        text: "North too",
      })
    ).body as unknown as SuggestionView;
    expect(Object.keys(north.effect.after.territories)).toEqual(["west"]);
    expect((await scoped(`/suggestions/${north.id}/accept`)).status).toBe(200);
  });

  it("a client's update writing a suggestion itself is refused, stored nowhere and relayed to no one", async () => {
    const plan = await drawnPlan();
    const editor = await RawClient.connect(`${server.wsUrl}/sync/${plan.id}`, "edit");
    const watcher = connectStockClient(server, plan.id, "view");
    try {
      await eventually(() => expect(editor.synced).toBe(true));
      editor.sendUpdate(
        remoteEdit(editor.doc, (doc) => {
          suggestionsMap(doc).set("s-forged", { id: "s-forged", status: "accepted" });
        }),
      );
      await eventually(() => expect(editor.refusals.at(-1)).toMatchObject({ code: "invalid-update" }));
      expect(editor.refusals.at(-1)?.message).toMatch(/written by the server/);
      // A comment posted after it arrives, so the forged one would have too.
      await as(plan, "comment", "Siti")("POST", "/comments", { text: "After", at: [107.55, -6.95] });
      await eventually(() => expect(watcher.doc.getMap("comments").size).toBe(1));
      expect(suggestionsMap(watcher.doc).size).toBe(0);
      expect((await as(plan, "view", "Lina")("GET", "/suggestions")).body.suggestions).toEqual([]);
    } finally {
      editor.close();
      watcher.destroy();
    }
  });
});

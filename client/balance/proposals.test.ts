import { describe, expect, it } from "vitest";
import {
  beforeAfterRows,
  detailsKey,
  mergeSummaries,
  moveTargets,
  skippedByReason,
  worstDeviation,
} from "./proposals.ts";
import { summaryFixture } from "./summary-fixture.ts";

const summary = summaryFixture;

describe("the proposals list", () => {
  it("merges changed summaries by id, newest first", () => {
    const list = mergeSummaries([], [summary("p-1"), summary("p-2")], true);
    expect(list.map((p) => p.id)).toEqual(["p-2", "p-1"]);
    const next = mergeSummaries(list, [summary("p-1", { progress: 0.5 })], false);
    expect(next.map((p) => [p.id, p.progress])).toEqual([
      ["p-2", 0],
      ["p-1", 0.5],
    ]);
    const third = mergeSummaries(next, [summary("p-3")], false);
    expect(third.map((p) => p.id)).toEqual(["p-3", "p-2", "p-1"]);
  });

  it("keeps the same array for a resend, so nothing re-renders", () => {
    const list = mergeSummaries([], [summary("p-1")], true);
    expect(mergeSummaries(list, [summary("p-1")], false)).toBe(list);
    expect(mergeSummaries(list, [], false)).toBe(list);
  });

  it("starts again from a new connection's first list", () => {
    const list = mergeSummaries([], [summary("p-1"), summary("p-2")], true);
    expect(mergeSummaries(list, [summary("p-2")], true).map((p) => p.id)).toEqual(["p-2"]);
  });

  it("fetches details again when the result changes, not for progress", () => {
    const a = summary("p-1", { status: "running", progress: 0.2 });
    expect(detailsKey(a)).toBe(detailsKey({ ...a, progress: 0.9 }));
    expect(detailsKey(a)).not.toBe(detailsKey({ ...a, status: "ready" }));
    expect(detailsKey(a)).not.toBe(detailsKey({ ...a, staleCount: 2 }));
  });
});

describe("a proposal's table", () => {
  const territories = [
    { id: "west", name: "West", color: "#1b9e77" },
    { id: "east", name: "East", color: "#d95f02" },
  ];
  const p = {
    settings: summary("p-1").settings,
    before: { score: 50, territories: { west: { revenue: 240 }, east: { revenue: 60 }, gone: { revenue: 0 } } },
    after: { score: 95, territories: { west: { revenue: 150 }, east: { revenue: 150 } } },
  };

  it("gives each territory its value and deviation from an equal share, before and after", () => {
    const rows = beforeAfterRows(
      { ...p, before: { ...p.before, territories: { west: { revenue: 240 }, east: { revenue: 60 } } } },
      "revenue",
      territories,
    );
    expect(rows.map((r) => [r.id, r.name, r.color, r.before, r.after])).toEqual([
      ["east", "East", "#d95f02", 60, 150],
      ["west", "West", "#1b9e77", 240, 150],
    ]);
    expect(rows[0]?.deviationBefore).toBeCloseTo(-0.6);
    expect(rows[1]?.deviationBefore).toBeCloseTo(0.6);
    expect(rows.map((r) => r.deviationAfter)).toEqual([0, 0]);
    expect(worstDeviation(rows).before).toBeCloseTo(0.6);
    expect(worstDeviation(rows).after).toBe(0);
  });

  it("measures against each territory's share, and names a territory gone since by its id", () => {
    const shared = { ...p, settings: { ...p.settings, shares: { west: 2 } } };
    const rows = beforeAfterRows(shared, "revenue", territories);
    const west = rows.find((r) => r.id === "west");
    // Shares 2 + 1 + 1 before: West's goal is half of 300.
    expect(west?.deviationBefore).toBeCloseTo(0.6);
    // After (West and East only): two thirds of 300.
    expect(west?.deviationAfter).toBeCloseTo(-0.25);
    expect(rows.find((r) => r.id === "gone")).toMatchObject({
      name: "gone",
      color: null,
      after: null,
      deviationAfter: null,
    });
  });

  it("has no rows without tables", () => {
    expect(beforeAfterRows({ ...p, before: null, after: null }, "revenue", territories)).toEqual([]);
    expect(worstDeviation([])).toEqual({ before: null, after: null });
  });
});

describe("moves and what accepting left", () => {
  it("maps unit ids to the layer's indices, leaving out units it does not have", () => {
    const moves = [
      { unit: "87a", from: "west", to: "east" },
      { unit: "zz", from: "west", to: "east" },
      { unit: "86f", from: null, to: "west" },
    ];
    expect(moveTargets(moves, ["86f", "87a"])).toEqual(
      new Map([
        [1, "east"],
        [0, "west"],
      ]),
    );
  });

  it("counts skipped moves by reason", () => {
    expect(
      skippedByReason([
        { unit: "a", reason: "stale" },
        { unit: "b", reason: "stale" },
        { unit: "c", reason: "split" },
      ]),
    ).toEqual({ stale: 2, split: 1, gone: 0 });
  });
});

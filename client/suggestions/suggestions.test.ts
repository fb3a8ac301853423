import { describe, expect, it } from "vitest";
import type { EffectTerritory, SuggestionEffect } from "../../shared/suggestions/effect.ts";
import type { StoredSuggestion } from "../../shared/suggestions/suggestion.ts";
import {
  effectMetrics,
  effectRows,
  latestByThread,
  openSuggestionsByTerritory,
  suggestedUnitTargets,
} from "./suggestions.ts";

const figures = (accounts: number, revenue: number, deviation: number): EffectTerritory => ({
  name: "",
  accounts,
  sharedAccounts: 0,
  sums: { revenue },
  areaKm2: 10,
  compactness: 0.7,
  parts: 1,
  deviations: { accounts: deviation, revenue: deviation },
});

const effect: SuggestionEffect = {
  metrics: ["accounts", "revenue"],
  before: { score: 60, territories: { west: figures(2, 200, -0.5), east: figures(6, 600, 0.5) }, overlaps: [] },
  after: { score: 90, territories: { west: figures(4, 400, 0), east: figures(4, 400, 0) }, overlaps: [] },
};

const suggestion = (id: string, threadId: string, createdAt: string, over: Partial<StoredSuggestion> = {}) =>
  ({
    id,
    threadId,
    territoryId: "west",
    createdAt,
    status: "open",
    kind: "shape",
    moves: null,
    ...over,
  }) as StoredSuggestion;

describe("suggestions in the browser", () => {
  it("tables an effect per territory, by name, with the analysis' deviations", () => {
    const rows = effectRows(effect, "revenue", [
      { id: "west", name: "Bandung Barat", color: "#1b9e77" },
      { id: "east", name: "Bandung Timur", color: "#7570b3" },
    ]);
    expect(rows).toEqual([
      {
        id: "west",
        name: "Bandung Barat",
        color: "#1b9e77",
        before: 200,
        after: 400,
        deviationBefore: -0.5,
        deviationAfter: 0,
      },
      {
        id: "east",
        name: "Bandung Timur",
        color: "#7570b3",
        before: 600,
        after: 400,
        deviationBefore: 0.5,
        deviationAfter: 0,
      },
    ]);
    // The area has no deviation (it is not balanced); a deleted territory keeps its id as name.
    expect(effectRows(effect, "areaKm2", [])[0]).toMatchObject({ name: "east", color: null, deviationBefore: null });
    expect(effectMetrics(effect)).toEqual(["accounts", "revenue", "areaKm2"]);
  });

  it("keeps the newest suggestion of each thread and counts the open ones per territory", () => {
    const list = [
      suggestion("s1", "t1", "2026-12-05T07:00:00Z", { status: "outdated" }),
      suggestion("s2", "t1", "2026-12-05T07:05:00Z"),
      suggestion("s3", "t2", "2026-12-05T07:06:00Z", { territoryId: "east" }),
      suggestion("s4", "t3", "2026-12-05T07:07:00Z", { status: "declined" }),
    ];
    expect([...latestByThread(list).values()].map((s) => s.id)).toEqual(["s2", "s3", "s4"]);
    expect(openSuggestionsByTerritory(list)).toEqual(
      new Map([
        ["west", 1],
        ["east", 1],
      ]),
    );
  });

  it("gives a unit suggestion's moves by unit index, '' for a unit taken out", () => {
    const moves = [
      { unit: "b", from: "east", to: "west" },
      { unit: "c", from: "west", to: null },
      { unit: "zz", from: null, to: "west" },
    ];
    expect(suggestedUnitTargets(moves, ["a", "b", "c"])).toEqual(
      new Map([
        [1, "west"],
        [2, ""],
      ]),
    );
  });
});

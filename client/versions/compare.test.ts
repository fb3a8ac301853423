import { describe, expect, it } from "vitest";
import type { Comparison } from "../../shared/versions/compare.ts";
import { box } from "../../tests/fixtures/shapes.ts";
import {
  compareCounts,
  compareMetrics,
  compareRows,
  compareShapes,
  isIdentical,
  parseTerritories,
  type VersionTerritory,
} from "./compare.ts";

function territory(id: string, name: string, x: number, metrics: Record<string, number> = {}): VersionTerritory {
  return { id, name, color: "#1b9e77", geometry: box(x, 0, x + 1, 1), metrics };
}

function comparison(over: Partial<Comparison> = {}): Comparison {
  return {
    territories: { added: [], removed: [], changed: [] },
    unitsMoved: [],
    accountsMoved: [],
    accounts: { added: 0, removed: 0 },
    metrics: {},
    score: { from: 50, to: 50 },
    settings: {},
    layerChanged: false,
    ...over,
  };
}

describe("a version's territories", () => {
  it("are read from GeoJSON, ids from the feature or its properties, odd colours and geometry dropped", () => {
    const list = parseTerritories({
      type: "FeatureCollection",
      features: [
        {
          type: "Feature",
          id: "a",
          geometry: box(0, 0, 1, 1),
          properties: { name: "A", color: "#ff0000", metrics: { accounts: 3, revenue: 10, bad: "x" } },
        },
        { type: "Feature", geometry: { type: "Point", coordinates: [0, 0] }, properties: { id: "b", color: "red" } },
        { type: "Feature", properties: {} },
      ],
    });
    expect(list).toHaveLength(2);
    expect(list[0]).toMatchObject({ id: "a", name: "A", color: "#ff0000", metrics: { accounts: 3, revenue: 10 } });
    expect(list[1]).toMatchObject({ id: "b", name: "b", color: "#888888", geometry: null });
    expect(parseTerritories(null)).toEqual([]);
  });
});

describe("what a comparison draws", () => {
  const before = [territory("a", "A", 0), territory("b", "B", 1), territory("d", "D", 3)];
  const after = [territory("a", "A", 0), territory("b", "B2", 1.5), territory("c", "C", 2)];
  const c = comparison({
    territories: {
      added: [{ id: "c", name: "C" }],
      removed: [{ id: "d", name: "D" }],
      changed: [{ id: "b", name: "B2", fields: ["geometry", "name"] }],
    },
  });

  it("draws the later side by kind, then the earlier side's removed territories and reshaped outlines", () => {
    expect(compareShapes(c, before, after).map((s) => `${s.side}:${s.kind}:${s.id}`)).toEqual([
      "after:same:a",
      "after:reshaped:b",
      "after:added:c",
      "before:reshaped:b",
      "before:removed:d",
    ]);
  });

  it("tells a territory only renamed or recoloured (changed) from a reshaped one, and units moved reshape", () => {
    const renamed = comparison({
      territories: { added: [], removed: [], changed: [{ id: "a", name: "A", fields: ["color"] }] },
    });
    expect(compareShapes(renamed, before, after).find((s) => s.id === "a")?.kind).toBe("changed");
    const painted = comparison({
      territories: { added: [], removed: [], changed: [{ id: "a", name: "A", fields: ["units"] }] },
    });
    expect(
      compareShapes(painted, before, after)
        .filter((s) => s.id === "a")
        .map((s) => s.side),
    ).toEqual(["after", "before"]);
  });

  it("counts what changed, and knows two identical versions", () => {
    expect(compareCounts(c)).toMatchObject({ added: 1, removed: 1, reshaped: 1, edited: 1, units: 0, accounts: 0 });
    expect(isIdentical(c)).toBe(false);
    expect(isIdentical(comparison())).toBe(true);
    expect(isIdentical(comparison({ settings: { allowedDeviation: { from: 0.15, to: 0.1 } } }))).toBe(false);
  });
});

describe("the before → after table", () => {
  const c = comparison({
    metrics: {
      a: { accounts: { from: 10, to: 20 }, revenue: { from: 100, to: 100 }, areaKm2: { from: 5, to: 5 } },
      d: { accounts: { from: 30, to: null }, revenue: { from: 300, to: null }, areaKm2: { from: 7, to: null } },
      c: { accounts: { from: null, to: 20 }, revenue: { from: null, to: 300 }, competitors: { from: null, to: 1 } },
    },
  });

  it("lists accounts first, then the sums, then the rest", () => {
    expect(compareMetrics(c)).toEqual(["accounts", "revenue", "competitors", "areaKm2"]);
  });

  it("gives every territory of either side its value and deviation from an equal share before and after", () => {
    const rows = compareRows(
      c,
      "accounts",
      [territory("a", "A", 0), territory("d", "D", 3)],
      [territory("a", "A", 0), territory("c", "C", 2)],
    );
    expect(rows.map((r) => [r.id, r.before, r.after])).toEqual([
      ["a", 10, 20],
      ["c", null, 20],
      ["d", 30, null],
    ]);
    // Before: 40 over two territories (20 each); after: 40 over two.
    expect(rows[0]?.deviationBefore).toBeCloseTo(-0.5);
    expect(rows[0]?.deviationAfter).toBeCloseTo(0);
    expect(rows[2]?.deviationAfter).toBeNull();
  });
});

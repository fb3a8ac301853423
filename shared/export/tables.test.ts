import { describe, expect, it } from "vitest";
import type { TerritoryMetrics } from "../scoring/types.ts";
import { achievementOf, assignmentTable, formatReps, metricsTable, round } from "./tables.ts";

const territories = [
  { id: "a", name: "Bogor", reps: [{ name: "Budi" }, { name: "Sari", email: "sari@example.co.id" }] },
  { id: "b", name: "Depok" },
];

describe("assignmentTable", () => {
  it("gives each account its territory and its reps, empty where unassigned", () => {
    const t = assignmentTable({
      accounts: [
        { id: "A1", name: "Toko, Maju" },
        { id: "A2", name: "Warung" },
        { id: "A3", name: "Kios" },
        { id: "A4", name: "Apotek" },
      ],
      assignment: [0, -1, 1, -2],
      territories,
      pins: new Map([["A3", "b"]]),
      pickOverlap: (a) => (a === 3 ? 1 : -1),
    });
    expect(t.header).toEqual([
      "account_id",
      "account_name",
      "territory_id",
      "territory_name",
      "status",
      "rep_names",
      "rep_emails",
    ]);
    expect(t.rows).toEqual([
      ["A1", "Toko, Maju", "a", "Bogor", "inside", "Budi; Sari", "sari@example.co.id"],
      ["A2", "Warung", "", "", "unassigned", "", ""],
      ["A3", "Kios", "b", "Depok", "pinned", "", ""],
      ["A4", "Apotek", "b", "Depok", "overlap", "", ""],
    ]);
  });

  it("leaves an overlap nobody contains (a sliver) without a territory", () => {
    const t = assignmentTable({
      accounts: [{ id: "A1", name: "x" }],
      assignment: [-2],
      territories,
      pins: new Map(),
      pickOverlap: () => -1,
    });
    expect(t.rows[0]).toEqual(["A1", "x", "", "", "overlap", "", ""]);
  });

  it("refuses an assignment of other accounts", () => {
    expect(() =>
      assignmentTable({ accounts: [], assignment: [0], territories, pins: new Map(), pickOverlap: () => -1 }),
    ).toThrow(RangeError);
  });
});

function metrics(id: string, over: Partial<TerritoryMetrics> = {}): TerritoryMetrics {
  return {
    id,
    name: id,
    accounts: 3,
    sharedAccounts: 0,
    sums: { revenue: 0.1 + 0.2, visits: 12 },
    areaKm2: 123.456789,
    perimeterKm: 45.6789,
    compactness: 0.785398,
    parts: 1,
    vertices: 4,
    valid: true,
    deviations: { accounts: 0.123456, revenue: -0.5 },
    references: {},
    referenceSources: {},
    levels: {},
    at: [0, 0],
    bbox: [0, 0, 1, 1],
    ...over,
  };
}

describe("metricsTable", () => {
  it("writes one row per territory with sums, shape, targets, achievement and deviations", () => {
    const t = metricsTable({
      territories: [
        {
          id: "a",
          name: "Bogor",
          color: "#1b9e77",
          parent: "west",
          reps: [{ name: "Budi", email: "budi@example.com" }, { name: "Sari" }],
          targets: { revenue: 0.6 },
        },
        { id: "b", name: "Depok", color: "#d95f02", parent: null, reps: [], targets: {} },
      ],
      metrics: [metrics("a"), metrics("b", { accounts: 0, sums: {} })],
      balanceMetrics: ["accounts", "revenue"],
    });
    expect(t.header).toEqual([
      "id",
      "name",
      "color",
      "parent",
      "reps",
      "accounts",
      "shared_accounts",
      "sum_revenue",
      "sum_visits",
      "area_km2",
      "perimeter_km",
      "compactness",
      "parts",
      "vertices",
      "valid",
      "target_revenue",
      "achievement_revenue",
      "deviation_accounts",
      "deviation_revenue",
    ]);
    expect(t.rows[0]).toEqual([
      "a",
      "Bogor",
      "#1b9e77",
      "west",
      "Budi <budi@example.com>; Sari",
      3,
      0,
      0.3,
      12,
      123.457,
      45.679,
      0.7854,
      1,
      4,
      true,
      0.6,
      0.5,
      0.1235,
      -0.5,
    ]);
    expect(t.rows[1]?.slice(0, 9)).toEqual(["b", "Depok", "#d95f02", "", "", 0, 0, 0, 0]);
    expect(t.rows[1]?.slice(15, 17)).toEqual([null, null]);
  });

  it("leaves metric cells empty for a territory not scored yet", () => {
    const t = metricsTable({
      territories: [{ id: "new", name: "New", color: "#000000", parent: null, reps: [], targets: {} }],
      metrics: [],
      balanceMetrics: ["accounts"],
    });
    expect(t.rows).toHaveLength(1);
    expect(t.rows[0]?.slice(0, 5)).toEqual(["new", "New", "#000000", "", ""]);
    expect(t.rows[0]?.slice(5).every((c) => c === undefined || c === null)).toBe(true);
  });
});

describe("helpers", () => {
  it("formats reps as a mailbox list", () => {
    expect(formatReps([{ name: "Budi", email: "b@x.id" }, { name: "Sari" }])).toBe("Budi <b@x.id>; Sari");
    expect(formatReps([])).toBe("");
  });

  it("rounds without float noise or negative zero", () => {
    expect(round(0.1 + 0.2, 6)).toBe(0.3);
    expect(String(round(1.23456789, 4))).toBe("1.2346");
    expect(Object.is(round(-0.00001, 3), 0)).toBe(true);
  });

  it("computes achievement for positive targets only", () => {
    expect(achievementOf(metrics("a"), { revenue: 0.6, visits: 0, accounts: 4 })).toEqual({
      revenue: 0.5,
      accounts: 0.75,
    });
  });
});

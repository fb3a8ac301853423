import { describe, expect, it } from "vitest";
import { achievementStatus, actualOf, planAchievement, type TargetedTerritory, targetMetrics } from "./achievement.ts";
import type { TerritoryMetrics } from "./types.ts";

/** A scored territory with the given account count and attribute sums (the rest is irrelevant here). */
function scored(id: string, accounts: number, sums: Record<string, number>): TerritoryMetrics {
  return {
    id,
    name: id,
    accounts,
    sharedAccounts: 0,
    sums,
    areaKm2: 12.5,
    perimeterKm: 10,
    compactness: 0.7,
    parts: 1,
    vertices: 4,
    valid: true,
    deviations: {},
    references: {},
    referenceSources: {},
    levels: {},
    at: [0, 0],
    bbox: [0, 0, 1, 1],
  };
}

describe("achievementStatus", () => {
  it("is behind below 80 %, on track from 80 % to under 100 %, achieved from 100 %", () => {
    expect(achievementStatus(null)).toBe("no-target");
    expect(achievementStatus(Number.NaN)).toBe("no-target");
    expect(achievementStatus(0)).toBe("behind");
    expect(achievementStatus(0.7999)).toBe("behind");
    expect(achievementStatus(0.8)).toBe("on-track");
    expect(achievementStatus(0.9999)).toBe("on-track");
    expect(achievementStatus(1)).toBe("achieved");
    expect(achievementStatus(2.5)).toBe("achieved");
  });
});

describe("actualOf", () => {
  it("reads the account count, the area, or an attribute's sum (0 when the accounts lack it)", () => {
    const m = scored("a", 7, { revenue: 900 });
    expect(actualOf(m, "accounts")).toBe(7);
    expect(actualOf(m, "areaKm2")).toBe(12.5);
    expect(actualOf(m, "revenue")).toBe(900);
    expect(actualOf(m, "visits")).toBe(0);
  });
});

describe("planAchievement", () => {
  const territories: TargetedTerritory[] = [
    { id: "a", name: "Priangan", targets: { revenue: 1_000 } },
    { id: "b", name: "Cirebon", targets: { revenue: 500, visits: 10 } },
    { id: "c", name: "Jauh", targets: { revenue: 400 } },
    { id: "d", name: "Tanpa target", targets: {} },
    { id: "e", name: "Target nol", targets: { revenue: 0 } },
    { id: "f", name: "Just drawn", targets: { revenue: 100 } },
  ];
  const metrics = [
    scored("a", 4, { revenue: 1_250 }),
    scored("b", 2, { revenue: 450, visits: 4 }),
    scored("c", 1, { revenue: 100 }),
    scored("d", 3, { revenue: 700 }),
    scored("e", 1, { revenue: 50 }),
    // f is not in the analysis yet
  ];

  it("gives each territory its actual, target, ratio and status, in the order given", () => {
    const r = planAchievement(territories, metrics, "revenue");
    expect(r.territories).toEqual([
      { id: "a", name: "Priangan", actual: 1_250, target: 1_000, ratio: 1.25, status: "achieved" },
      { id: "b", name: "Cirebon", actual: 450, target: 500, ratio: 0.9, status: "on-track" },
      { id: "c", name: "Jauh", actual: 100, target: 400, ratio: 0.25, status: "behind" },
      { id: "d", name: "Tanpa target", actual: 700, target: null, ratio: null, status: "no-target" },
      { id: "e", name: "Target nol", actual: 50, target: null, ratio: null, status: "no-target" },
      { id: "f", name: "Just drawn", actual: null, target: 100, ratio: null, status: "no-target" },
    ]);
    expect(r.counts).toEqual({ achieved: 1, "on-track": 1, behind: 1, "no-target": 3 });
  });

  it("totals Σ actual / Σ target over the scored territories with a target only", () => {
    const r = planAchievement(territories, metrics, "revenue");
    expect(r.actual).toBe(1_250 + 450 + 100);
    expect(r.target).toBe(1_000 + 500 + 400);
    expect(r.withTarget).toBe(3);
    expect(r.ratio).toBeCloseTo(1_800 / 1_900, 12);
    expect(r.status).toBe("on-track");
    expect(r.metric).toBe("revenue");
  });

  it("works on any metric with a target, and has no total when nothing has a target", () => {
    const visits = planAchievement(territories, metrics, "visits");
    expect(visits.territories.find((t) => t.id === "b")).toMatchObject({ actual: 4, target: 10, ratio: 0.4 });
    expect(visits.ratio).toBe(0.4);
    expect(visits.status).toBe("behind");
    const none = planAchievement(territories, metrics, "potential");
    expect(none).toMatchObject({ actual: 0, target: 0, ratio: null, status: "no-target", withTarget: 0 });
    expect(planAchievement([], [], "revenue")).toMatchObject({ territories: [], ratio: null, withTarget: 0 });
  });

  it("counts a territory with a target but no accounts as 0 % (behind), not as missing", () => {
    const r = planAchievement([{ id: "a", name: "A", targets: { revenue: 100 } }], [scored("a", 0, {})], "revenue");
    expect(r.territories[0]).toMatchObject({ actual: 0, ratio: 0, status: "behind" });
    expect(r.ratio).toBe(0);
  });
});

describe("targetMetrics", () => {
  it("lists the metrics some territory has a target > 0 on, revenue first", () => {
    expect(
      targetMetrics([{ targets: { visits: 40, revenue: 1e6 } }, { targets: { accounts: 12, potential: 0 } }]),
    ).toEqual(["revenue", "accounts", "visits"]);
    expect(targetMetrics([{ targets: {} }])).toEqual([]);
  });
});

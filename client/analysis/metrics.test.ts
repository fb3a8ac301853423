import { describe, expect, it } from "vitest";
import type { TerritoryMetrics } from "../../shared/scoring/types.ts";
import { metricFigures, metricValue } from "./metrics.ts";

function territory(id: string, accounts: number, revenue: number, areaKm2: number, dev?: number): TerritoryMetrics {
  return {
    id,
    name: id,
    accounts,
    sharedAccounts: 0,
    sums: { revenue },
    areaKm2,
    perimeterKm: 1,
    compactness: 0.5,
    parts: 1,
    vertices: 4,
    valid: true,
    deviations: dev === undefined ? {} : { accounts: dev },
    references: dev === undefined ? {} : { accounts: 100 },
    referenceSources: dev === undefined ? {} : { accounts: "target" },
    levels: dev === undefined ? {} : { accounts: Math.abs(dev) > 0.3 ? "error" : "ok" },
    at: [0, 0],
    bbox: [0, 0, 1, 1],
  };
}

describe("metric figures", () => {
  it("reads counts, sums, area and compactness", () => {
    const t = territory("a", 3, 120, 50);
    expect(metricValue(t, "accounts")).toBe(3);
    expect(metricValue(t, "revenue")).toBe(120);
    expect(metricValue(t, "areaKm2")).toBe(50);
    expect(metricValue(t, "compactness")).toBe(0.5);
    expect(metricValue(t, "visits")).toBe(0);
  });

  it("takes the server's deviation, reference and level for a scored metric", () => {
    const f = metricFigures([territory("a", 150, 0, 1, 0.5)], "accounts", ["accounts"], 0.15).get("a");
    expect(f).toEqual({ id: "a", value: 150, reference: 100, deviation: 0.5, level: "error", scored: true });
  });

  it("compares an unscored metric with the plan mean, for display", () => {
    const figures = metricFigures(
      [territory("a", 0, 0, 100), territory("b", 0, 0, 300)],
      "areaKm2",
      ["accounts"],
      0.15,
    );
    expect(figures.get("a")).toMatchObject({
      value: 100,
      reference: 200,
      deviation: -0.5,
      level: "error",
      scored: false,
    });
    expect(figures.get("b")).toMatchObject({ deviation: 0.5, scored: false });
  });

  it("gives a zero deviation when every value is zero", () => {
    const f = metricFigures([territory("a", 0, 0, 0), territory("b", 0, 0, 0)], "areaKm2", [], 0.15);
    expect(f.get("a")?.deviation).toBe(0);
    expect(f.get("a")?.level).toBe("ok");
  });
});

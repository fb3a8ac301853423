import { describe, expect, it } from "vitest";
import { computeBalance, deviationLevel } from "./balance.ts";

describe("computeBalance", () => {
  it("compares with the plan mean: deviation, RMS, metric score, plan score", () => {
    // accounts 12, 8, 10 → mean 10 → deviations +0.2, −0.2, 0
    const { balance, rows } = computeBalance(
      [
        { id: "a", values: { accounts: 12, revenue: 300 }, targets: {} },
        { id: "b", values: { accounts: 8, revenue: 100 }, targets: {} },
        { id: "c", values: { accounts: 10, revenue: 200 }, targets: {} },
      ],
      ["accounts", "revenue"],
      0.15,
    );
    expect(rows.map((r) => r.deviations.accounts)).toEqual([0.2, -0.2, 0]);
    expect(rows.map((r) => r.references.accounts)).toEqual([10, 10, 10]);
    expect(rows.map((r) => r.referenceSources.accounts)).toEqual(["mean", "mean", "mean"]);
    expect(rows.map((r) => r.levels.accounts)).toEqual(["warning", "warning", "ok"]);
    const acc = balance.metrics.accounts;
    expect(acc?.mean).toBe(10);
    expect(acc?.total).toBe(30);
    expect(acc?.rmsDeviation).toBeCloseTo(Math.sqrt((0.04 + 0.04) / 3), 15);
    expect(acc?.score).toBeCloseTo(100 / (1 + Math.sqrt(0.08 / 3)), 12); // 85.96
    expect(acc?.withinAllowed).toBe(1);
    expect(acc?.worst).toEqual({ territoryId: "a", deviation: 0.2 }); // ties: first (lowest id)
    // revenue 300, 100, 200 → mean 200 → ±0.5, 0 → RMS √(0.5/3) → score 71.01
    const rev = balance.metrics.revenue;
    expect(rev?.score).toBeCloseTo(100 / (1 + Math.sqrt(0.5 / 3)), 12);
    expect(rows.map((r) => r.levels.revenue)).toEqual(["error", "error", "ok"]);
    expect(balance.score).toBeCloseTo(((acc?.score as number) + (rev?.score as number)) / 2, 12);
    expect(balance.metricNames).toEqual(["accounts", "revenue"]);
    expect(balance.allowedDeviation).toBe(0.15);
  });

  it("compares with a territory's own target when it is set (and > 0)", () => {
    const { rows, balance } = computeBalance(
      [
        { id: "a", values: { revenue: 150 }, targets: { revenue: 100 } },
        { id: "b", values: { revenue: 50 }, targets: { revenue: 0 } }, // a target of 0 is ignored
        { id: "c", values: { revenue: 100 }, targets: { accounts: 5 } }, // other metric's target
      ],
      ["revenue"],
      0.15,
    );
    expect(rows.map((r) => r.referenceSources.revenue)).toEqual(["target", "mean", "mean"]);
    expect(rows.map((r) => r.references.revenue)).toEqual([100, 100, 100]);
    expect(rows.map((r) => r.deviations.revenue)).toEqual([0.5, -0.5, 0]);
    expect(balance.metrics.revenue?.score).toBeCloseTo(100 / (1 + Math.sqrt(0.5 / 3)), 12);
  });

  it("never floors a metric score at 0; 100 for an all-zero metric, null (nothing to score) with no territory", () => {
    const far = computeBalance(
      [
        { id: "a", values: { x: 0 }, targets: {} },
        { id: "b", values: { x: 100 }, targets: {} },
        { id: "c", values: { x: 0 }, targets: {} },
        { id: "d", values: { x: 0 }, targets: {} },
      ],
      ["x"],
      0.15,
    );
    expect(far.rows[1]?.deviations.x).toBe(3); // mean 25
    expect(far.balance.metrics.x?.score).toBeCloseTo(100 / (1 + Math.sqrt(3)), 12); // RMS √3: 36.6, not 0
    expect(computeBalance([], ["accounts"], 0.15).balance).toMatchObject({ score: null, empty: true });
    const zero = computeBalance([{ id: "a", values: { x: 0 }, targets: {} }], ["x"], 0.15);
    expect(zero.rows[0]?.deviations.x).toBe(0);
    expect(zero.balance.score).toBe(100);
    expect(computeBalance([{ id: "a", values: {}, targets: {} }], [], 0.15).balance.score).toBe(100);
  });
});

describe("deviationLevel", () => {
  it("is ok within ±allowed (inclusive, despite float noise), warning up to twice it, error beyond", () => {
    expect(deviationLevel((115 - 100) / 100, 0.15)).toBe("ok");
    expect(deviationLevel(-0.15, 0.15)).toBe("ok");
    expect(deviationLevel(0.151, 0.15)).toBe("warning");
    expect(deviationLevel(-0.3, 0.15)).toBe("warning");
    expect(deviationLevel(0.31, 0.15)).toBe("error");
  });
});

import { describe, expect, it } from "vitest";
import type { TerritoryMetrics } from "../../shared/scoring/types.ts";
import {
  type BalanceForm,
  type FormTerritory,
  balanceableMetrics,
  defaultForm,
  requestBody,
  sharesFromTargets,
} from "./request.ts";

const territories: FormTerritory[] = [
  { id: "west", targets: { revenue: 300 } },
  { id: "east", targets: { revenue: 100 } },
  { id: "north", targets: {} },
];
const plan = { territories, selection: [] as string[] };
const form = (patch: Partial<BalanceForm> = {}): BalanceForm => ({ ...defaultForm("revenue"), ...patch });

describe("the balance form's request", () => {
  it("sends the defaults: contiguous, compactness 0.6, ten seconds", () => {
    expect(requestBody(form(), plan)).toEqual({
      ok: true,
      body: { metrics: { revenue: 1 }, contiguous: true, compactness: 0.6, seconds: 10 },
    });
  });

  it("sends every chosen metric with its weight, and refuses none or a weight of 0", () => {
    const r = requestBody(form({ metrics: { revenue: 1, accounts: 0.5 } }), plan);
    expect(r.ok && r.body.metrics).toEqual({ revenue: 1, accounts: 0.5 });
    expect(requestBody(form({ metrics: {} }), plan)).toEqual({ ok: false, problem: "noMetric" });
    expect(requestBody(form({ metrics: { revenue: 0 } }), plan)).toEqual({ ok: false, problem: "badWeight" });
  });

  it("gives shares from the targets of the first chosen metric that has them", () => {
    const r = requestBody(form({ metrics: { accounts: 1, revenue: 1 }, shares: "targets" }), plan);
    expect(r.ok && r.body.shares).toEqual({ west: 1.5, east: 0.5 });
    expect(requestBody(form({ metrics: { accounts: 1 }, shares: "targets" }), plan)).toEqual({
      ok: false,
      problem: "noTargets",
    });
  });

  it("turns percentages into shares, leaving out 100 % and territories the plan no longer has", () => {
    const r = requestBody(form({ shares: "custom", percents: { west: 120, east: 100, gone: 50 } }), plan);
    expect(r.ok && r.body.shares).toEqual({ west: 1.2 });
    expect(requestBody(form({ shares: "custom", percents: { west: 0 } }), plan)).toEqual({
      ok: false,
      problem: "badPercent",
    });
    // Percentages are ignored unless the mode asks for them.
    const equal = requestBody(form({ percents: { west: 120 } }), plan);
    expect(equal.ok && equal.body.shares).toBeUndefined();
  });

  it("sends locks, the cap and the scope of the selection", () => {
    const r = requestBody(
      form({ locked: ["north", "gone"], maxMovedPercent: 15, scopeToSelection: true, contiguous: false }),
      { territories, selection: ["west", "gone"] },
    );
    expect(r).toEqual({
      ok: true,
      body: {
        metrics: { revenue: 1 },
        contiguous: false,
        compactness: 0.6,
        seconds: 10,
        locked: ["north"],
        maxMoved: 0.15,
        scope: ["west"],
      },
    });
    expect(requestBody(form({ maxMovedPercent: 140 }), plan)).toEqual({ ok: false, problem: "badMaxMoved" });
    // No selection: the whole plan, whatever the box says.
    const all = requestBody(form({ scopeToSelection: true }), plan);
    expect(all.ok && all.body.scope).toBeUndefined();
  });

  it("keeps the budget within 1–120 s and compactness within 0–1", () => {
    const long = requestBody(form({ seconds: 500, compactness: 3 }), plan);
    expect(long.ok && [long.body.seconds, long.body.compactness]).toEqual([120, 1]);
    const short = requestBody(form({ seconds: 0.2, compactness: -1 }), plan);
    expect(short.ok && [short.body.seconds, short.body.compactness]).toEqual([1, 0]);
  });
});

describe("what a plan can balance", () => {
  it("offers accounts, every sum, then competitors and their columns", () => {
    const t = (sums: Record<string, number>, extra: Partial<TerritoryMetrics> = {}) =>
      ({ id: "t", sums, ...extra }) as TerritoryMetrics;
    expect(balanceableMetrics([t({ revenue: 1, population: 2 })])).toEqual(["accounts", "revenue", "population"]);
    expect(
      balanceableMetrics([
        t({ revenue: 1 }, { competitors: 2, competitorSums: { outlets: 3 } }),
        t({ revenue: 1, potential: 4 }),
      ]),
    ).toEqual(["accounts", "revenue", "potential", "competitors", "competitor_outlets"]);
    expect(balanceableMetrics([])).toEqual(["accounts"]);
  });

  it("shares from targets average 1 over the territories that have one", () => {
    const shares = sharesFromTargets(territories, "revenue");
    expect(shares).toEqual({ west: 1.5, east: 0.5 });
    expect(sharesFromTargets(territories, "visits")).toEqual({});
  });
});

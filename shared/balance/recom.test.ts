import { describe, expect, it } from "vitest";
import { mulberry32 } from "../scoring/synthetic.ts";
import type { BalanceProblem } from "./optimizer.ts";
import { Partition } from "./partition.ts";
import { Recombination } from "./recom.ts";
import { fromScratch, grid, isContiguous } from "./testing.ts";

/** A path of six units, 0–4 in slot 0 and 5 in slot 1, weighing 5, 1, 1, 1, 1, 1: goals 5 and 5. */
function path(extra: Partial<BalanceProblem> = {}): BalanceProblem {
  return {
    graph: grid(6, 1),
    start: Int32Array.of(0, 0, 0, 0, 0, 1),
    territories: 2,
    metrics: [{ name: "revenue", weight: 1, values: Float64Array.of(5, 1, 1, 1, 1, 1) }],
    steps: 0,
    ...extra,
  };
}

/** One recombination of slots 0 and 1, applied when it makes them fairer; the owners after. */
function recombineOnce(p: BalanceProblem, seed = 1): { owner: number[]; part: Partition } {
  const part = new Partition(p);
  const recom = new Recombination(part);
  const step = recom.propose(0, 1, mulberry32(seed));
  if (step.cut && step.fairer < 0) recom.applyStep(step);
  return { owner: Array.from(part.owner), part };
}

describe("Recombination", () => {
  it("cuts a path where it balances best, giving the heavy end away as it moves fewest units", () => {
    // 5 | 1+1+1+1+1 is exact either way round; the heavy unit changing sides moves 2 units, not 4.
    const p = path();
    const { owner, part } = recombineOnce(p);
    expect(owner).toEqual([1, 0, 0, 0, 0, 0]);
    expect(part.deviation(0, 0)).toBe(0);
    const f = fromScratch(part, p);
    expect(part.objective).toBeCloseTo(f.objective, 12);
    expect(part.moved).toBe(2);
  });

  it("keeps a locked unit in its territory", () => {
    const { owner } = recombineOnce(path({ lockedUnits: Uint8Array.of(1, 0, 0, 0, 0, 0) }));
    expect(owner).toEqual([0, 1, 1, 1, 1, 1]);
  });

  it("stays within the cap on units moved, taking the best cut that fits", () => {
    // Unit 0 locked in slot 0 and at most 3 of 6 units moved: 5+1 | 1+1+1+1 (±20 %) is the best left.
    const { owner, part } = recombineOnce(path({ lockedUnits: Uint8Array.of(1, 0, 0, 0, 0, 0), maxMoved: 0.5 }));
    expect(owner).toEqual([0, 0, 1, 1, 1, 1]);
    expect(part.deviation(0, 0)).toBeCloseTo(0.2, 12);
  });

  it("finds no cut when every one would move a locked unit", () => {
    // Slot 0 holds both ends of the path, locked; any cut of a path puts its ends on different sides.
    const p = path({ lockedUnits: Uint8Array.of(1, 0, 0, 0, 0, 1), start: Int32Array.of(0, 1, 1, 1, 1, 0) });
    const step = new Recombination(new Partition(p)).propose(0, 1, mulberry32(1));
    expect(step.cut).toBeNull();
  });

  it("picks a pair that can gain, never two territories that are even with each other", () => {
    // Slots 0 and 1 hold 2 each (−50 %), slot 2 holds 8 (+100 %).
    const p: BalanceProblem = {
      graph: grid(6, 1),
      start: Int32Array.of(0, 0, 1, 1, 2, 2),
      territories: 3,
      metrics: [{ name: "revenue", weight: 1, values: Float64Array.of(1, 1, 1, 1, 4, 4) }],
      steps: 0,
    };
    const recom = new Recombination(new Partition(p));
    const rnd = mulberry32(5);
    for (let i = 0; i < 50; i++) {
      const pair = recom.pickPair(rnd);
      expect(pair && [...pair].sort()).toEqual([1, 2]);
    }
  });

  it("draws the same steps from the same seed", () => {
    const run = (seed: number) => {
      const { p } = randomPlan(4);
      const part = new Partition(p);
      const recom = new Recombination(part);
      const rnd = mulberry32(seed);
      for (let i = 0; i < 30; i++) {
        const pair = recom.pickPair(rnd);
        if (!pair) continue;
        const step = recom.propose(pair[0], pair[1], rnd);
        if (step.cut && step.fairer < 0) recom.applyStep(step);
      }
      return Array.from(part.owner);
    };
    expect(run(8)).toEqual(run(8));
    expect(run(8)).not.toEqual(run(9));
  });

  it("keeps every territory whole, locked units and territories in place, the cap and F exact, step after step", () => {
    for (let trial = 0; trial < 20; trial++) {
      const { p, rnd } = randomPlan(trial);
      const part = new Partition(p);
      const recom = new Recombination(part);
      for (let i = 0; i < 40; i++) {
        const pair = recom.pickPair(rnd);
        if (!pair) continue;
        const step = recom.propose(pair[0], pair[1], rnd);
        if (!step.cut) continue;
        const before = part.objective;
        recom.applyStep(step);
        expect(part.objective - before).toBeCloseTo(step.delta, 12);
        const f = fromScratch(part, p);
        expect(part.objective, `trial ${trial}`).toBeCloseTo(f.objective, 12);
        expect(isContiguous(p.graph, part.owner, p.territories), `trial ${trial}`).toBe(true);
      }
      for (let u = 0; u < part.n; u++) {
        const from = p.start[u] as number;
        if (p.lockedUnits?.[u] || from < 0 || p.lockedTerritories?.[from]) expect(part.owner[u]).toBe(from);
      }
      expect(part.moved).toBeLessThanOrEqual(part.maxMoved);
    }
  });
});

/** A random grid in vertical bands (each whole), two metrics, some units and a territory locked, maybe a cap. */
function randomPlan(trial: number): { p: BalanceProblem; rnd: () => number } {
  const rnd = mulberry32(200 + trial);
  const w = 6 + Math.floor(rnd() * 8);
  const h = 4 + Math.floor(rnd() * 8);
  const n = w * h;
  const T = 2 + Math.floor(rnd() * 4);
  const p: BalanceProblem = {
    graph: grid(w, h),
    start: Int32Array.from({ length: n }, (_, u) => Math.floor(((u % w) * T) / w)),
    territories: T,
    metrics: [
      { name: "revenue", weight: 1, values: Float64Array.from({ length: n }, () => (rnd() < 0.6 ? 0 : rnd() * 50)) },
      { name: "accounts", weight: 0.5, values: Float64Array.from({ length: n }, () => Math.floor(rnd() * 4)) },
    ],
    lockedUnits: Uint8Array.from({ length: n }, () => (rnd() < 0.05 ? 1 : 0)),
    lockedTerritories: Uint8Array.from({ length: T }, (_, t) => (t === T - 1 && trial % 3 === 0 ? 1 : 0)),
    maxMoved: trial % 2 === 0 ? 0.2 : 1,
    steps: 0,
  };
  return { p, rnd };
}

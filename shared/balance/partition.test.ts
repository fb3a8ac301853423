import { describe, expect, it } from "vitest";
import { mulberry32 } from "../scoring/synthetic.ts";
import type { BalanceProblem } from "./optimizer.ts";
import { Partition } from "./partition.ts";
import { fromScratch, grid } from "./testing.ts";

/** Whether the partition's running figures match those counted from scratch. */
function expectExact(part: Partition, p: BalanceProblem): void {
  const f = fromScratch(part, p);
  expect(part.cut).toBe(f.cut);
  expect(part.moved).toBe(f.moved);
  expect(part.objective).toBeCloseTo(f.objective, 12);
}

/** A partition of a 6 × 5 grid in three vertical bands, two metrics, slot 2 with a fixed amount. */
function bands(): { p: BalanceProblem; part: Partition } {
  const rnd = mulberry32(7);
  const p: BalanceProblem = {
    graph: grid(6, 5),
    start: Int32Array.from({ length: 30 }, (_, u) => Math.floor((u % 6) / 2)),
    territories: 3,
    metrics: [
      { name: "revenue", weight: 1, values: Float64Array.from({ length: 30 }, () => rnd() * 10) },
      { name: "accounts", weight: 0.5, values: Float64Array.from({ length: 30 }, () => Math.floor(rnd() * 3)) },
    ],
    steps: 0,
  };
  return { p, part: new Partition(p) };
}

describe("Partition", () => {
  it("starts with F, the border and the boundary of its assignment", () => {
    const { p, part } = bands();
    expectExact(part, p);
    expect(part.cut).toBe(2 * 5);
    // Columns 1–4 touch another band: 20 units.
    expect([...part.boundary].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 30 }, (_, u) => u).filter((u) => u % 6 >= 1 && u % 6 <= 4),
    );
    expect(part.members.map((m) => m.length)).toEqual([10, 10, 10]);
  });

  it("keeps F, the sums, the border, the boundary and the members exact move after move", () => {
    const { p, part } = bands();
    const rnd = mulberry32(3);
    for (let i = 0; i < 300; i++) {
      const u = part.boundary[Math.floor(rnd() * part.boundary.length)] as number;
      const a = part.owner[u] as number;
      const k =
        (part.offsets[u] as number) +
        Math.floor(rnd() * ((part.offsets[u + 1] as number) - (part.offsets[u] as number)));
      const b = part.owner[part.targets[k] as number] as number;
      if (b === a || (part.size[a] as number) <= 1) continue;
      const delta = part.deltaOf(u, a, b);
      const before = part.objective;
      part.apply(u, a, b);
      part.objective += delta;
      expectExact(part, p);
      expect(part.objective - before).toBeCloseTo(delta, 12);
    }
    for (let t = 0; t < 3; t++) {
      expect([...(part.members[t] as number[])].sort((x, y) => x - y)).toEqual(
        Array.from({ length: 30 }, (_, u) => u).filter((u) => part.owner[u] === t),
      );
    }
    const touching = Array.from({ length: 30 }, (_, u) => u).filter((u) => {
      for (let k = part.offsets[u] as number; k < (part.offsets[u + 1] as number); k++) {
        if (part.owner[part.targets[k] as number] !== part.owner[u]) return true;
      }
      return false;
    });
    expect([...part.boundary].sort((a, b) => a - b)).toEqual(touching);
  });

  it("counts a slot's fixed amount in its sum and the goals", () => {
    const p: BalanceProblem = {
      graph: grid(2, 1),
      start: Int32Array.of(0, 1),
      territories: 2,
      metrics: [{ name: "accounts", weight: 1, values: Float64Array.of(1, 1), fixed: Float64Array.of(2, 0) }],
      steps: 0,
    };
    const part = new Partition(p);
    // Total 4, goal 2 each: slot 0 holds 3 (+50 %), slot 1 holds 1 (−50 %).
    expect(part.deviation(0, 0)).toBeCloseTo(0.5, 12);
    expect(part.deviation(0, 1)).toBeCloseTo(-0.5, 12);
    expect(part.slotTerm(0)).toBeCloseTo(1 / 2 / 4, 12);
  });
});

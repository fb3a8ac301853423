import { describe, expect, it } from "vitest";
import { toCsr } from "../units/layer.ts";
import { balance } from "./optimizer.ts";
import { netMoves, type PlanBalanceInput, planProblem, STEPS_PER_SECOND, scopeWithNeighbours } from "./plan.ts";
import type { ProposalSettings } from "./proposal.ts";

/** A 6 × 1 strip of units: 0–1 "a", 2–3 "b", 4–5 "c"; "empty" holds none. */
function strip(): PlanBalanceInput {
  const graph = toCsr([[1], [0, 2], [1, 3], [2, 4], [3, 5], [4]]);
  return {
    territories: ["a", "empty", "b", "c"],
    owner: Int32Array.of(0, 0, 2, 2, 3, 3),
    graph,
    amounts: {
      revenue: { perUnit: Float64Array.of(1, 2, 3, 4, 5, 6), pinned: { b: 10, empty: 3 } },
    },
  };
}

const settings: ProposalSettings = {
  metrics: { revenue: 1 },
  shares: { c: 2 },
  contiguous: true,
  compactness: 0.6,
  locked: [],
  lockedUnits: ["u5"],
  maxMoved: null,
  scope: null,
  seconds: 2,
  seed: 42,
};

describe("planProblem", () => {
  it("makes a slot of each territory with units, pins as fixed amounts, shares, locked units and the budget", () => {
    const { problem, slots } = planProblem(strip(), settings, (id) => Number(id.slice(1)));
    expect(slots).toEqual(["a", "b", "c"]);
    expect(Array.from(problem.start)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(problem.metrics[0]?.name).toBe("revenue");
    expect(Array.from(problem.metrics[0]?.fixed ?? [])).toEqual([0, 10, 0]);
    expect(Array.from(problem.shares ?? [])).toEqual([1, 1, 2]);
    expect(Array.from(problem.lockedUnits ?? [])).toEqual([0, 0, 0, 0, 0, 1]);
    expect(Array.from(problem.lockedTerritories ?? [])).toEqual([0, 0, 0]);
    expect(problem.steps).toBe(2 * STEPS_PER_SECOND);
    expect(problem.timeMs).toBe(2000);
    expect(problem.maxMoved).toBe(1);
  });

  it("locks every territory outside the scope and its neighbours", () => {
    const input = strip();
    const { problem } = planProblem(input, { ...settings, scope: ["a"], locked: [] }, () => -1);
    // a is in scope, b touches it, c does not.
    expect(Array.from(problem.lockedTerritories ?? [])).toEqual([0, 0, 1]);
    expect(Array.from(scopeWithNeighbours(input.graph, problem.start, 3, [2]))).toEqual([0, 1, 1]);
  });

  it("gives moves the optimizer's answer as net moves with the layer's ids", () => {
    const { problem, slots } = planProblem(strip(), { ...settings, lockedUnits: [], shares: {} }, () => -1);
    const r = balance({ ...problem, steps: 20_000 });
    const moves = netMoves(problem.start, r.assignment, slots, ["u0", "u1", "u2", "u3", "u4", "u5"]);
    for (const m of moves) {
      const u = Number(m.unit.slice(1));
      expect(m.from).toBe(slots[problem.start[u] as number]);
      expect(m.to).toBe(slots[r.assignment[u] as number]);
    }
    expect(netMoves(Int32Array.of(0, -1, 1), Int32Array.of(1, -1, 1), ["a", "b"], ["x", "y", "z"])).toEqual([
      { unit: "x", from: "a", to: "b" },
    ]);
  });
});

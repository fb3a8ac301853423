import { describe, expect, it } from "vitest";
import { mulberry32 } from "../scoring/synthetic.ts";
import { toCsr } from "../units/layer.ts";
import { RandomSpanningTrees } from "./spanning-tree.ts";
import { grid } from "./testing.ts";

/** Whether units u and v are neighbours in the graph. */
function adjacent(g: { offsets: Int32Array; targets: Int32Array }, u: number, v: number): boolean {
  for (let k = g.offsets[u] as number; k < (g.offsets[u + 1] as number); k++) if (g.targets[k] === v) return true;
  return false;
}

describe("RandomSpanningTrees", () => {
  it("spans exactly the units asked for, with graph edges, each parent before its child", () => {
    const g = grid(8, 8);
    const trees = new RandomSpanningTrees(g.offsets, g.targets);
    // The left five columns: 40 units, connected.
    const nodes = Array.from({ length: 64 }, (_, u) => u).filter((u) => u % 8 < 5);
    const rnd = mulberry32(1);
    for (let round = 0; round < 20; round++) {
      const tree = trees.draw(nodes, nodes.length, rnd);
      expect(tree).not.toBeNull();
      if (!tree) return;
      expect(tree.count).toBe(40);
      expect(tree.order[0]).toBe(nodes[0]);
      expect(tree.parent[0]).toBe(-1);
      const units = Array.from(tree.order.subarray(0, tree.count));
      expect(new Set(units)).toEqual(new Set(nodes));
      for (let p = 1; p < tree.count; p++) {
        const q = tree.parent[p] as number;
        expect(q).toBeGreaterThanOrEqual(0);
        expect(q).toBeLessThan(p);
        expect(adjacent(g, tree.order[p] as number, tree.order[q] as number)).toBe(true);
      }
    }
  });

  it("draws different trees from the random stream and the same from the same seed", () => {
    const g = grid(6, 6);
    const trees = new RandomSpanningTrees(g.offsets, g.targets);
    const nodes = Array.from({ length: 36 }, (_, u) => u);
    const parents = (seed: number) => {
      const tree = trees.draw(nodes, 36, mulberry32(seed));
      return tree
        ? Array.from(tree.order.subarray(0, 36), (u, p) => `${u}<${tree.order[tree.parent[p] as number]}`)
        : [];
    };
    expect(parents(3)).toEqual(parents(3));
    expect(parents(3)).not.toEqual(parents(4));
  });

  it("gives null when the units are not connected, and the one tree of a path", () => {
    const g = grid(5, 1);
    const trees = new RandomSpanningTrees(g.offsets, g.targets);
    expect(trees.draw([0, 1, 3, 4], 4, mulberry32(1))).toBeNull();
    const path = trees.draw([2, 3, 4, 1, 0], 5, mulberry32(1));
    // Rooted at the first unit asked for: each unit hangs from its neighbour towards 2.
    const parentOf = new Map<number, number>();
    for (let p = 1; p < 5; p++) parentOf.set(path?.order[p] as number, path?.order[path.parent[p] as number] as number);
    expect(path?.order[0]).toBe(2);
    expect(Object.fromEntries(parentOf)).toEqual({ 0: 1, 1: 2, 3: 2, 4: 3 });
    // A star has one tree too: every leaf hangs from the centre.
    const star = toCsr([[1, 2, 3], [0], [0], [0]]);
    const t = new RandomSpanningTrees(star.offsets, star.targets).draw([0, 1, 2, 3], 4, mulberry32(2));
    expect(t && Array.from(t.parent.subarray(0, 4))).toEqual([-1, 0, 0, 0]);
  });
});

import { toCsr } from "../units/layer.ts";
import type { BalanceProblem } from "./optimizer.ts";
import type { Partition } from "./partition.ts";

/**
 * For balance/'s unit tests: small graphs, a contiguity check, and the
 * objective counted from scratch, so every test builds and checks the same
 * way.
 */
export type Graph = { offsets: Int32Array; targets: Int32Array };

/** A w × h grid of units (4-neighbour), unit index = y * w + x. */
export function grid(w: number, h: number): Graph {
  const lists: number[][] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const l: number[] = [];
      if (x > 0) l.push(y * w + x - 1);
      if (x < w - 1) l.push(y * w + x + 1);
      if (y > 0) l.push((y - 1) * w + x);
      if (y < h - 1) l.push((y + 1) * w + x);
      lists.push(l);
    }
  }
  return toCsr(lists);
}

/** Whether every slot's units (of `slots`) are one connected piece. */
export function isContiguous(graph: Graph, owner: Int32Array, slots: number): boolean {
  const { offsets, targets } = graph;
  for (let t = 0; t < slots; t++) {
    const members: number[] = [];
    owner.forEach((o, u) => {
      if (o === t) members.push(u);
    });
    if (members.length === 0) continue;
    const seen = new Set([members[0] as number]);
    const queue = [members[0] as number];
    while (queue.length > 0) {
      const u = queue.pop() as number;
      for (let k = offsets[u] as number; k < (offsets[u + 1] as number); k++) {
        const v = targets[k] as number;
        if (owner[v] === t && !seen.has(v)) {
          seen.add(v);
          queue.push(v);
        }
      }
    }
    if (seen.size !== members.length) return false;
  }
  return true;
}

/** F, the border and the units moved, counted from scratch for a partition's current owners. */
export function fromScratch(part: Partition, p: BalanceProblem): { objective: number; cut: number; moved: number } {
  let f = 0;
  for (let m = 0; m < part.M; m++) {
    const sums = Float64Array.from({ length: part.T }, (_, t) => p.metrics[m]?.fixed?.[t] ?? 0);
    for (let u = 0; u < part.n; u++) {
      const t = part.owner[u] as number;
      if (t >= 0) sums[t] = (sums[t] as number) + ((part.values[m] as Float64Array)[u] as number);
    }
    for (let t = 0; t < part.T; t++) {
      const d = (sums[t] as number) - ((part.goals[m] as Float64Array)[t] as number);
      f += ((part.coef[m] as Float64Array)[t] as number) * d * d;
    }
  }
  let cut = 0;
  let moved = 0;
  for (let u = 0; u < part.n; u++) {
    if (part.owner[u] !== part.start[u]) moved++;
    for (let k = part.offsets[u] as number; k < (part.offsets[u + 1] as number); k++) {
      const v = part.targets[k] as number;
      if (v > u && part.owner[v] !== part.owner[u]) cut++;
    }
  }
  return { objective: f + part.cutCoef * cut + part.moveCoef * moved, cut, moved };
}

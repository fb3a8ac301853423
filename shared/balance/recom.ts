import type { Partition } from "./partition.ts";
import { RandomSpanningTrees, type SpanningTree } from "./spanning-tree.ts";

/**
 * Spanning-tree recombination (ReCom; DeFord, Duchin & Solomon 2019, as in
 * GerryChain), the optimizer's large step (issue 13): merge two adjacent
 * territories, draw a random spanning tree of their units, and cut the one
 * tree edge that best balances the two halves. Both halves are subtrees,
 * so they are connected; a territory whose seed region holds nothing can
 * take half of a rich neighbour in one step, which boundary moves (one
 * unit at a time, each first having to pay for the border it lengthens)
 * cannot do. Repeated on pairs chosen by their imbalance, it carries a
 * surplus across the plan like diffusion.
 *
 * A step is kept when it makes the pair fairer: when it lowers the
 * balance and units-moved terms of the objective, whatever it does to the
 * border. The border a random tree leaves is ragged, but the boundary
 * moves that follow straighten it within a few thousand steps; judged by
 * its raw border, nearly every step is refused once the plan is roughly
 * fair (on Java at res 7 with 100 territories the search then stalls at
 * ±25 %; judged without it, it reaches ±5 % with a shorter final border).
 * The optimizer keeps the best assignment by the whole objective, so a
 * ragged one is never its answer unless nothing better was found. Locked
 * units stay in their
 * territory (a cut that would move one is not a candidate), locked
 * territories are never picked, and no cut takes the plan past its cap on
 * units moved.
 */
export interface RecomStep {
  a: number;
  b: number;
  /** Units in the two territories together: the step's cost. */
  units: number;
  /** The change in the objective if applied (0 when nothing was found). */
  delta: number;
  /** The part of `delta` that is not the border's: the balance and units-moved terms. Kept when negative. */
  fairer: number;
  /** The new slot per unit of `order`, ready for `applyStep`; null when no cut fits. */
  cut: { order: Int32Array; to: Int32Array; count: number } | null;
}

/** The best cut of a tree found by `bestCut`: the subtree's root position and which slot it goes to. */
export interface TreeCut {
  /** Position (in the tree's order) whose subtree is one half. */
  position: number;
  /** Whether the subtree goes to the first slot (a) rather than the second (b). */
  subtreeToA: boolean;
  /** The two slots' balance terms plus the units-moved term after the cut (what was minimised). */
  score: number;
}

/**
 * What `bestCut` needs of the two slots: per metric their goals and
 * coefficients, and per tree position the unit's amounts and flags.
 */
export interface CutInput {
  M: number;
  tree: SpanningTree;
  /** Per position × metric: the unit's amount (position-major, M per position). */
  amounts: Float64Array;
  /** Per position: 1 if the unit is in slot a now. */
  inA: Uint8Array;
  /** Per position: 1 if the unit started in a, 2 if in b, 0 otherwise. */
  startIn: Uint8Array;
  /** Per position: 1 if the unit is locked. */
  locked: Uint8Array;
  goalA: Float64Array;
  goalB: Float64Array;
  coefA: Float64Array;
  coefB: Float64Array;
  /** The objective's weight per unit away from its start. */
  moveCoef: number;
  /** How many more units may leave their start (Infinity: no cap). */
  moveRoom: number;
}

/**
 * The tree edge whose cut balances the two slots best, with the subtree
 * given to whichever slot does better (ties: fewer units change slot), or
 * null when every cut would move a locked unit or exceed the cap. The
 * fixed amounts of the slots are in neither half: pass goals less them.
 *
 * @example
 * // A path 0–1–2–3 with amounts 1, 1, 1, 1: the best cut is in the middle.
 * bestCut(input) // { position: 2, subtreeToA: false, score: 0 }
 */
export function bestCut(input: CutInput, scratch?: Float64Array): TreeCut | null {
  const { M, tree, amounts, inA, startIn, locked, goalA, goalB, coefA, coefB } = input;
  const { count, parent } = tree;
  // Subtree sums, leaves up: per position its M amounts, then counts of (in a now, started in a, started in b, locked in a, locked in b).
  const W = M + 6;
  const acc = scratch && scratch.length >= count * W ? scratch : new Float64Array(count * W);
  for (let p = 0; p < count; p++) {
    const o = p * W;
    for (let m = 0; m < M; m++) acc[o + m] = amounts[p * M + m] as number;
    const isA = inA[p] as number;
    acc[o + M] = 1;
    acc[o + M + 1] = isA;
    acc[o + M + 2] = startIn[p] === 1 ? 1 : 0;
    acc[o + M + 3] = startIn[p] === 2 ? 1 : 0;
    acc[o + M + 4] = locked[p] && isA ? 1 : 0;
    acc[o + M + 5] = locked[p] && !isA ? 1 : 0;
  }
  for (let p = count - 1; p > 0; p--) {
    const o = p * W;
    const q = (parent[p] as number) * W;
    for (let k = 0; k < W; k++) acc[q + k] = (acc[q + k] as number) + (acc[o + k] as number);
  }
  // The root's sums are the totals.
  const nowA = acc[M + 1] as number;
  const startA = acc[M + 2] as number;
  const startB = acc[M + 3] as number;
  const lockedA = acc[M + 4] as number;
  const lockedB = acc[M + 5] as number;
  // Units of the two away from their start now: those not where they began.
  let awayNow = 0;
  for (let p = 0; p < count; p++) {
    const s = startIn[p] as number;
    if (s === 0 || (s === 1) !== (inA[p] === 1)) awayNow++;
  }
  let best: TreeCut | null = null;
  let bestChurn = Number.POSITIVE_INFINITY;
  for (let p = 1; p < count; p++) {
    const o = p * W;
    const size = acc[o + M] as number;
    const subA = acc[o + M + 1] as number;
    const subStartA = acc[o + M + 2] as number;
    const subStartB = acc[o + M + 3] as number;
    const subLockedA = acc[o + M + 4] as number;
    const subLockedB = acc[o + M + 5] as number;
    for (let side = 0; side < 2; side++) {
      const toA = side === 0;
      // Locked units keep their slot: all of a's locked units on a's side, none of b's.
      if (toA ? subLockedB > 0 || subLockedA < lockedA : subLockedA > 0 || subLockedB < lockedB) continue;
      const rest = count - size;
      const away = toA
        ? size - subStartA + (rest - (startB - subStartB))
        : size - subStartB + (rest - (startA - subStartA));
      const moreAway = away - awayNow;
      if (moreAway > 0 && moreAway > input.moveRoom) continue;
      let score = input.moveCoef * moreAway;
      for (let m = 0; m < M; m++) {
        const sub = acc[o + m] as number;
        const other = (acc[m] as number) - sub;
        const da = (toA ? sub : other) - (goalA[m] as number);
        const db = (toA ? other : sub) - (goalB[m] as number);
        score += (coefA[m] as number) * da * da + (coefB[m] as number) * db * db;
      }
      // Units that change slot: the subtree's not yet on its side, and the rest's not yet on theirs.
      const churn = toA ? size - subA + (nowA - subA) : subA + (rest - (nowA - subA));
      if (
        best === null ||
        score < best.score - 1e-15 * Math.abs(best.score) ||
        (score <= best.score && churn < bestChurn)
      ) {
        best = { position: p, subtreeToA: toA, score };
        bestChurn = churn;
      }
    }
  }
  return best;
}

/** Boundary units whose pairs `pickPair` weighs each time. */
export const PAIR_SAMPLES = 48;

/** Proposes and applies recombination steps on a partition, with scratch kept between steps. */
export class Recombination {
  private readonly trees: RandomSpanningTrees;
  private readonly nodes: Int32Array;
  private readonly to: Int32Array;
  private readonly inSubtree: Uint8Array;
  private readonly unitStamp: Int32Array;
  private readonly positionOf: Int32Array;
  private stamp = 0;
  private readonly pairA = new Int32Array(PAIR_SAMPLES);
  private readonly pairB = new Int32Array(PAIR_SAMPLES);
  private readonly pairGain = new Float64Array(PAIR_SAMPLES);
  private accScratch = new Float64Array(0);
  private input: CutInput;

  constructor(private readonly part: Partition) {
    const { n, M } = part;
    this.trees = new RandomSpanningTrees(part.offsets, part.targets);
    this.nodes = new Int32Array(n);
    this.to = new Int32Array(n);
    this.inSubtree = new Uint8Array(n);
    this.unitStamp = new Int32Array(n);
    this.positionOf = new Int32Array(n);
    this.input = {
      M,
      tree: { count: 0, order: new Int32Array(0), parent: new Int32Array(0) },
      amounts: new Float64Array(n * M),
      inA: new Uint8Array(n),
      startIn: new Uint8Array(n),
      locked: new Uint8Array(n),
      goalA: new Float64Array(M),
      goalB: new Float64Array(M),
      coefA: new Float64Array(M),
      coefB: new Float64Array(M),
      moveCoef: part.moveCoef,
      moveRoom: 0,
    };
  }

  /**
   * Two adjacent slots to recombine, neither locked: of the pairs met
   * across the borders of `PAIR_SAMPLES` random boundary units (so longer
   * borders are met more often), one drawn with odds in proportion to what
   * evening the two out could gain at best. Pairs that are already even
   * are skipped, so the steps go where a surplus meets a shortfall. Null
   * when no sampled pair can gain.
   */
  pickPair(rnd: () => number): [number, number] | null {
    const { part, pairA, pairB, pairGain } = this;
    const { boundary, owner, offsets, targets } = part;
    if (boundary.length === 0) return null;
    let count = 0;
    for (let i = 0; i < PAIR_SAMPLES; i++) {
      const u = boundary[Math.floor(rnd() * boundary.length)] as number;
      const k0 = offsets[u] as number;
      const deg = (offsets[u + 1] as number) - k0;
      const a = owner[u] as number;
      const b = owner[targets[k0 + Math.floor(rnd() * deg)] as number] as number;
      if (b < 0 || b === a || part.lockedSlot[b]) continue;
      const gain = this.evenGain(a, b);
      if (!(gain > 0)) continue;
      pairA[count] = a;
      pairB[count] = b;
      pairGain[count] = gain;
      count++;
    }
    const i = roulette(pairGain, count, rnd);
    return i < 0 ? null : [pairA[i] as number, pairB[i] as number];
  }

  /** The drop in the balance terms of a and b if their sums were shared in proportion to their goals. */
  evenGain(a: number, b: number): number {
    const { part } = this;
    let gain = 0;
    for (let m = 0; m < part.M; m++) {
      const s = part.sums[m] as Float64Array;
      const g = part.goals[m] as Float64Array;
      const c = part.coef[m] as Float64Array;
      const ga = g[a] as number;
      const gb = g[b] as number;
      if (!(ga + gb > 0)) continue;
      const even = ((s[a] as number) + (s[b] as number)) / (ga + gb) - 1;
      const da = (s[a] as number) - ga;
      const db = (s[b] as number) - gb;
      gain +=
        (c[a] as number) * (da * da - ga * ga * even * even) + (c[b] as number) * (db * db - gb * gb * even * even);
    }
    return gain;
  }

  /**
   * Draws a tree over slots a and b together and finds its best cut, with
   * the objective's change were it applied. Changes nothing.
   */
  propose(a: number, b: number, rnd: () => number): RecomStep {
    const { part, nodes, input } = this;
    const membersA = part.members[a] as number[];
    const membersB = part.members[b] as number[];
    let count = 0;
    for (const u of membersA) nodes[count++] = u;
    for (const u of membersB) nodes[count++] = u;
    const step: RecomStep = { a, b, units: count, delta: 0, fairer: 0, cut: null };
    const tree = this.trees.draw(nodes, count, rnd);
    if (!tree) return step;
    const { M } = part;
    const { order } = tree;
    for (let p = 0; p < count; p++) {
      const u = order[p] as number;
      for (let m = 0; m < M; m++) input.amounts[p * M + m] = (part.values[m] as Float64Array)[u] as number;
      input.inA[p] = part.owner[u] === a ? 1 : 0;
      const s = part.start[u] as number;
      input.startIn[p] = s === a ? 1 : s === b ? 2 : 0;
      input.locked[p] = part.lockedUnit[u] as number;
    }
    // The halves share what the units carry; each slot's fixed amount stays with it, so it comes off the goals.
    for (let m = 0; m < M; m++) {
      const values = part.values[m] as Float64Array;
      let sumA = 0;
      let sumB = 0;
      for (const u of membersA) sumA += values[u] as number;
      for (const u of membersB) sumB += values[u] as number;
      const sums = part.sums[m] as Float64Array;
      const goals = part.goals[m] as Float64Array;
      input.goalA[m] = (goals[a] as number) - ((sums[a] as number) - sumA);
      input.goalB[m] = (goals[b] as number) - ((sums[b] as number) - sumB);
      input.coefA[m] = (part.coef[m] as Float64Array)[a] as number;
      input.coefB[m] = (part.coef[m] as Float64Array)[b] as number;
    }
    input.tree = tree;
    input.moveRoom = part.maxMoved - part.moved;
    if (this.accScratch.length < count * (M + 6)) this.accScratch = new Float64Array(part.n * (M + 6));
    const cut = bestCut(input, this.accScratch);
    if (!cut) return step;
    // Each position's new slot: the cut subtree is the positions after its root whose parent is in it.
    const { inSubtree, to, positionOf, unitStamp } = this;
    inSubtree.fill(0, 0, count);
    inSubtree[cut.position] = 1;
    for (let p = cut.position + 1; p < count; p++) inSubtree[p] = inSubtree[tree.parent[p] as number] as number;
    const subSlot = cut.subtreeToA ? a : b;
    const restSlot = cut.subtreeToA ? b : a;
    const stamp = ++this.stamp;
    for (let p = 0; p < count; p++) {
      to[p] = inSubtree[p] ? subSlot : restSlot;
      const u = order[p] as number;
      unitStamp[u] = stamp;
      positionOf[u] = p;
    }
    // The border changes only between the two: edges inside the pair cut before and after.
    let cutChange = 0;
    for (let p = 0; p < count; p++) {
      const u = order[p] as number;
      for (let k = part.offsets[u] as number; k < (part.offsets[u + 1] as number); k++) {
        const v = part.targets[k] as number;
        if (v <= u || unitStamp[v] !== stamp) continue;
        if (to[p] !== to[positionOf[v] as number]) cutChange++;
        if (part.owner[u] !== part.owner[v]) cutChange--;
      }
    }
    const before = part.slotTerm(a) + part.slotTerm(b);
    // cut.score holds the balance terms and the moved term; the moved part is already a change.
    step.fairer = cut.score - before;
    step.delta = step.fairer + part.cutCoef * cutChange;
    step.cut = { order, to, count };
    return step;
  }

  /** Applies a proposed step (the partition's objective included). */
  applyStep(step: RecomStep): number {
    const { part } = this;
    if (!step.cut) return 0;
    const { order, to, count } = step.cut;
    let changed = 0;
    for (let p = 0; p < count; p++) {
      const u = order[p] as number;
      const from = part.owner[u] as number;
      const dest = to[p] as number;
      if (from === dest) continue;
      part.apply(u, from, dest);
      changed++;
    }
    part.objective += step.delta;
    return changed;
  }
}

/** An index drawn with odds in proportion to `weights[0..count)`; −1 if they are all 0. */
function roulette(weights: Float64Array, count: number, rnd: () => number): number {
  let total = 0;
  for (let i = 0; i < count; i++) total += weights[i] as number;
  if (!(total > 0)) return -1;
  let x = rnd() * total;
  let last = -1;
  for (let i = 0; i < count; i++) {
    const w = weights[i] as number;
    if (w <= 0) continue;
    last = i;
    x -= w;
    if (x < 0) return i;
  }
  return last;
}

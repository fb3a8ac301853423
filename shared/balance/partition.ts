import type { BalanceProblem } from "./optimizer.ts";

/** The objective's weight on the units moved: small, a tie-breaker towards the least disruption. */
export const MOVE_WEIGHT = 0.0002;

/** The objective's weight on the border length: a floor so shapes never go ragged, up to "shape first". */
export function cutWeight(compactness: number): number {
  const c = Math.min(1, Math.max(0, compactness));
  return 0.0005 + 0.02 * c;
}

/**
 * An assignment of units to territory slots being optimised, with
 * everything the objective needs kept up to date move by move: each slot's
 * sums, the border (cut edges), the units away from their start, the
 * movable units that touch another territory, and each slot's units.
 *
 *     F = Σ_m w_m · mean_t ((S_tm − G_tm) / G_tm)²   +   λ · cut / cut₀   +   μ · moved / n
 *
 * A unit's move changes two slots' sums and the cut around the unit, so
 * `deltaOf` and `apply` cost O(metrics + degree).
 */
export class Partition {
  readonly n: number;
  readonly T: number;
  readonly M: number;
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
  readonly start: Int32Array;
  readonly owner: Int32Array;
  readonly size: Int32Array;
  /** Per metric, each slot's sum (its fixed amount included). */
  readonly sums: Float64Array[];
  /** Per metric, each slot's goal: its share of the metric's total. */
  readonly goals: Float64Array[];
  /** Per metric and slot: the metric's normalised weight over T, over goal², so a slot's term is coef · (S − G)². */
  readonly coef: Float64Array[];
  /** Per metric, each unit's amount (0 where not finite). */
  readonly values: Float64Array[];
  readonly weights: number[];
  readonly cutCoef: number;
  readonly moveCoef: number;
  /** Units a move may take: assigned, not locked, not in a locked slot. */
  readonly movable: Uint8Array;
  readonly lockedUnit: Uint8Array;
  readonly lockedSlot: Uint8Array;
  /** Most units that may be away from their start. */
  readonly maxMoved: number;
  cut: number;
  moved = 0;
  objective: number;
  /** Movable units touching another territory: the only ones a boundary move can take (dense, O(1) add and remove). */
  readonly boundary: number[] = [];
  private readonly boundaryAt: Int32Array;
  /** Each slot's units (dense lists, O(1) add and remove). */
  readonly members: number[][];
  private readonly memberAt: Int32Array;

  constructor(p: BalanceProblem) {
    const n = p.start.length;
    const T = p.territories;
    this.n = n;
    this.T = T;
    this.M = p.metrics.length;
    this.offsets = p.graph.offsets;
    this.targets = p.graph.targets;
    this.start = p.start;
    this.owner = Int32Array.from(p.start);
    this.size = new Int32Array(T);
    this.values = p.metrics.map((x) => Float64Array.from(x.values, (v) => (Number.isFinite(v) ? v : 0)));
    this.sums = sumsOf(this.owner, p, T);
    this.lockedUnit = p.lockedUnits ?? new Uint8Array(n);
    this.lockedSlot = p.lockedTerritories ?? new Uint8Array(T);
    const totals = this.sums.map((s) => s.reduce((a, b) => a + b, 0));
    // Goals: each slot's share of each metric's total. Slots with no units keep theirs (they may receive).
    const shares = p.shares ?? new Float64Array(T).fill(1);
    let shareSum = 0;
    for (let t = 0; t < T; t++) shareSum += shares[t] as number;
    this.goals = totals.map((total) => Float64Array.from(shares, (s) => (total * s) / shareSum));
    this.weights = p.metrics.map((x) => x.weight);
    const weightSum = this.weights.reduce((a, b) => a + b, 0) || 1;
    this.coef = this.goals.map((g, m) =>
      Float64Array.from(g, (x) => (x > 0 ? (this.weights[m] as number) / weightSum / T / (x * x) : 0)),
    );
    this.movable = new Uint8Array(n);
    this.members = Array.from({ length: T }, () => []);
    this.memberAt = new Int32Array(n).fill(-1);
    let assigned = 0;
    for (let u = 0; u < n; u++) {
      const t = this.owner[u] as number;
      if (t < 0) continue;
      assigned++;
      this.size[t]++;
      this.memberAt[u] = (this.members[t] as number[]).length;
      (this.members[t] as number[]).push(u);
      if (!this.lockedUnit[u] && !this.lockedSlot[t]) this.movable[u] = 1;
    }
    this.maxMoved = Math.floor((p.maxMoved ?? 1) * assigned);
    this.cut = 0;
    for (let u = 0; u < n; u++) {
      for (let k = this.offsets[u] as number; k < (this.offsets[u + 1] as number); k++) {
        const v = this.targets[k] as number;
        if (v > u && this.owner[v] !== this.owner[u]) this.cut++;
      }
    }
    this.cutCoef = cutWeight(p.compactness ?? 0.6) / Math.max(1, this.cut);
    this.moveCoef = MOVE_WEIGHT / Math.max(1, n);
    this.boundaryAt = new Int32Array(n).fill(-1);
    for (let u = 0; u < n; u++) if (this.movable[u]) this.review(u);
    let f = this.cutCoef * this.cut;
    for (let t = 0; t < T; t++) f += this.slotTerm(t);
    this.objective = f;
  }

  /** Slot t's balance term: Σ_m coef · (S − G)². */
  slotTerm(t: number): number {
    let f = 0;
    for (let m = 0; m < this.M; m++) {
      const d = ((this.sums[m] as Float64Array)[t] as number) - ((this.goals[m] as Float64Array)[t] as number);
      f += ((this.coef[m] as Float64Array)[t] as number) * d * d;
    }
    return f;
  }

  /** Slot t's balance term if its sum of metric m were `sum[m]`. */
  slotTermWith(t: number, sum: Float64Array): number {
    let f = 0;
    for (let m = 0; m < this.M; m++) {
      const d = (sum[m] as number) - ((this.goals[m] as Float64Array)[t] as number);
      f += ((this.coef[m] as Float64Array)[t] as number) * d * d;
    }
    return f;
  }

  /** Slot t's relative deviation of metric m: (S − G) / G, 0 where the goal is 0. */
  deviation(m: number, t: number): number {
    const g = (this.goals[m] as Float64Array)[t] as number;
    return g > 0 ? (((this.sums[m] as Float64Array)[t] as number) - g) / g : 0;
  }

  /** The change in F if unit u went from slot a to slot b. */
  deltaOf(u: number, a: number, b: number): number {
    let d = 0;
    for (let m = 0; m < this.M; m++) {
      const x = (this.values[m] as Float64Array)[u] as number;
      if (x === 0) continue;
      const s = this.sums[m] as Float64Array;
      const g = this.goals[m] as Float64Array;
      const c = this.coef[m] as Float64Array;
      const da = (s[a] as number) - (g[a] as number);
      const db = (s[b] as number) - (g[b] as number);
      d += (c[a] as number) * ((da - x) * (da - x) - da * da) + (c[b] as number) * ((db + x) * (db + x) - db * db);
    }
    let cutChange = 0;
    for (let k = this.offsets[u] as number; k < (this.offsets[u + 1] as number); k++) {
      const o = this.owner[this.targets[k] as number] as number;
      if (o === a) cutChange++;
      else if (o === b) cutChange--;
    }
    const s = this.start[u] as number;
    const moveChange = a === s ? 1 : b === s ? -1 : 0;
    return d + this.cutCoef * cutChange + this.moveCoef * moveChange;
  }

  /** Moves unit u from slot a to slot b, keeping every figure up to date (not the objective: the caller adds its Δ). */
  apply(u: number, a: number, b: number): void {
    for (let m = 0; m < this.M; m++) {
      const x = (this.values[m] as Float64Array)[u] as number;
      const s = this.sums[m] as Float64Array;
      s[a] = (s[a] as number) - x;
      s[b] = (s[b] as number) + x;
    }
    for (let k = this.offsets[u] as number; k < (this.offsets[u + 1] as number); k++) {
      const o = this.owner[this.targets[k] as number] as number;
      if (o === a) this.cut++;
      else if (o === b) this.cut--;
    }
    this.size[a]--;
    this.size[b]++;
    const s = this.start[u] as number;
    if (a === s) this.moved++;
    else if (b === s) this.moved--;
    this.owner[u] = b;
    this.leave(u, a);
    this.join(u, b);
    this.review(u);
    for (let k = this.offsets[u] as number; k < (this.offsets[u + 1] as number); k++) {
      const v = this.targets[k] as number;
      if (this.movable[v]) this.review(v);
    }
  }

  /** Puts a movable unit in or out of the boundary list as it now touches another territory or not. */
  private review(u: number): void {
    const a = this.owner[u] as number;
    let want = false;
    if (this.movable[u]) {
      for (let k = this.offsets[u] as number; k < (this.offsets[u + 1] as number); k++) {
        const o = this.owner[this.targets[k] as number] as number;
        if (o >= 0 && o !== a) {
          want = true;
          break;
        }
      }
    }
    const at = this.boundaryAt[u] as number;
    if (want && at < 0) {
      this.boundaryAt[u] = this.boundary.length;
      this.boundary.push(u);
    } else if (!want && at >= 0) {
      const last = this.boundary.pop() as number;
      if (last !== u) {
        this.boundary[at] = last;
        this.boundaryAt[last] = at;
      }
      this.boundaryAt[u] = -1;
    }
  }

  private leave(u: number, t: number): void {
    const list = this.members[t] as number[];
    const at = this.memberAt[u] as number;
    const last = list.pop() as number;
    if (last !== u) {
      list[at] = last;
      this.memberAt[last] = at;
    }
    this.memberAt[u] = -1;
  }

  private join(u: number, t: number): void {
    const list = this.members[t] as number[];
    this.memberAt[u] = list.length;
    list.push(u);
  }
}

/** Each metric's per-slot sums for an assignment (the slots' fixed amounts included). */
export function sumsOf(owner: Int32Array, p: BalanceProblem, T: number): Float64Array[] {
  const out = p.metrics.map((x) => fixedOf(x, T));
  for (let u = 0; u < owner.length; u++) {
    const t = owner[u] as number;
    if (t < 0) continue;
    for (let m = 0; m < p.metrics.length; m++) {
      const v = (p.metrics[m] as { values: Float64Array }).values[u] as number;
      if (Number.isFinite(v)) (out[m] as Float64Array)[t] = ((out[m] as Float64Array)[t] as number) + v;
    }
  }
  return out;
}

/** A metric's fixed amount per slot (finite values only), as a fresh array to add units to. */
function fixedOf(metric: BalanceProblem["metrics"][number], T: number): Float64Array {
  const out = new Float64Array(T);
  if (!metric.fixed) return out;
  for (let t = 0; t < T; t++) {
    const v = metric.fixed[t] as number;
    if (Number.isFinite(v)) out[t] = v;
  }
  return out;
}

/** (S − G) / G per metric and slot (0 where the goal is 0). */
export function deviationsOf(sums: readonly Float64Array[], goals: readonly Float64Array[]): Float64Array[] {
  return sums.map((s, m) => {
    const g = goals[m] as Float64Array;
    return Float64Array.from(s, (x, t) => ((g[t] as number) > 0 ? (x - (g[t] as number)) / (g[t] as number) : 0));
  });
}

/** Largest |deviation| over the metrics that carry weight. */
export function maxAbs(deviations: readonly Float64Array[], weights: readonly number[]): number {
  let out = 0;
  deviations.forEach((d, m) => {
    if (!((weights[m] as number) > 0)) return;
    for (const x of d) out = Math.max(out, Math.abs(x));
  });
  return out;
}

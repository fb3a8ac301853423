import { mulberry32 } from "../scoring/synthetic.ts";

/**
 * Auto-balance (issue 13): moves units between neighbouring territories
 * until every territory holds its share of the chosen metrics, keeping
 * territories in one piece and their borders short.
 *
 * The search is simulated annealing over **boundary moves** — a unit given
 * to a territory it touches — on the objective
 *
 *     F = Σ_m w_m · mean_t ((S_tm − G_tm) / G_tm)²   +   λ · cut / cut₀   +   μ · moved / n
 *
 * where S_tm is territory t's sum of metric m, G_tm its goal (its share of
 * the plan's total), `cut` the number of unit edges between different
 * territories (a compactness proxy: short borders are compact shapes) and
 * λ set by the compactness slider; `moved` counts the units away from their
 * starting territory, so among equally fair answers the nearest wins. A move changes two territories' sums and
 * the cut around one unit, so its Δ costs O(metrics + degree). A move that
 * would split its donor territory (the unit is an articulation point of it)
 * is refused when contiguity is asked for; a donor never gives its last
 * unit. Locked units and territories, unassigned units and a cap on the
 * units that may change territory are respected by every move.
 *
 * The temperature falls from the typical size of a move's change to a
 * thousandth of it over the budget: the step budget, or the time budget
 * when that runs out first (then the run is no longer reproducible). So it
 * is deterministic for a seed and a step budget that finishes in time.
 */
export interface BalanceProblem {
  /** Unit adjacency (with the island bridges), as CSR. */
  graph: { offsets: Int32Array; targets: Int32Array };
  /** Each unit's territory slot at the start; -1 for none (such units never move). */
  start: Int32Array;
  /** Number of territory slots. */
  territories: number;
  /**
   * What to balance: each metric's per-unit amounts and its weight, and
   * optionally each slot's amount that no unit carries (accounts pinned to
   * the territory by hand): it counts towards the slot's sum and the total,
   * and never moves.
   */
  metrics: readonly { name: string; weight: number; values: Float64Array; fixed?: Float64Array }[];
  /** Each slot's relative share (1 = equal); default all 1. */
  shares?: Float64Array;
  /** Slots that neither give nor take units. */
  lockedTerritories?: Uint8Array;
  /** Units that stay where they are. */
  lockedUnits?: Uint8Array;
  /** Keep every territory in one piece (default true). */
  contiguous?: boolean;
  /** 0 "balance first" … 1 "shape first" (default 0.6). */
  compactness?: number;
  /** Most units that may change territory, as a fraction of the assigned units (default 1). */
  maxMoved?: number;
  seed?: number;
  /** Step budget (proposed moves, refused ones included); the temperature follows it. */
  steps: number;
  /** Wall-clock cap (ms); the best so far is kept. */
  timeMs?: number;
  /** Called now and then with the fraction done and the best so far; return false to stop. */
  onProgress?: (p: BalanceProgress) => boolean | undefined;
  /** Clock for the time cap (tests inject one). */
  now?: () => number;
}

export interface BalanceProgress {
  done: number;
  steps: number;
  objective: number;
  /** Largest |deviation| over territories and weighted metrics, best assignment so far. */
  maxDeviation: number;
}

export interface BalanceResult {
  assignment: Int32Array;
  steps: number;
  /** Why it ended: its step budget, its time, or asked to stop. */
  ended: "steps" | "time" | "stopped";
  objective: { start: number; end: number };
  cut: { start: number; end: number };
  /** Units whose territory differs from the start. */
  moved: number;
  /** Per metric (in the problem's order), each slot's deviation from its goal at the start and the end. */
  deviations: { start: Float64Array; end: Float64Array }[];
  /** Largest |deviation| over territories and weighted metrics, at the end. */
  maxDeviation: number;
  /**
   * Per metric, the best deviation the heaviest unit allows: half its
   * amount over the smallest goal. Below it ±x % may be impossible.
   */
  granularity: number[];
}

/** The objective's weight on the units moved: small, a tie-breaker towards the least disruption. */
export const MOVE_WEIGHT = 0.0002;

/** The objective's weight on the border length: a floor so shapes never go ragged, up to "shape first". */
export function cutWeight(compactness: number): number {
  const c = Math.min(1, Math.max(0, compactness));
  return 0.0005 + 0.02 * c;
}

export function balance(p: BalanceProblem): BalanceResult {
  const n = p.start.length;
  const T = p.territories;
  const M = p.metrics.length;
  const { offsets, targets } = p.graph;
  const contiguous = p.contiguous ?? true;
  const lambda = cutWeight(p.compactness ?? 0.6);
  const rnd = mulberry32(p.seed ?? 42);
  const now = p.now ?? (() => performance.now());
  const began = now();
  const owner = Int32Array.from(p.start);
  const size = new Int32Array(T);
  const sums = p.metrics.map((x) => fixedOf(x, T));
  const totals = Float64Array.from(sums, (s) => s.reduce((a, b) => a + b, 0));
  for (let u = 0; u < n; u++) {
    const t = owner[u] as number;
    if (t < 0) continue;
    size[t]++;
    for (let m = 0; m < M; m++) {
      const v = (p.metrics[m] as { values: Float64Array }).values[u] as number;
      if (Number.isFinite(v)) {
        (sums[m] as Float64Array)[t] = ((sums[m] as Float64Array)[t] as number) + v;
        totals[m] = (totals[m] as number) + v;
      }
    }
  }
  // Goals: each slot's share of each metric's total. Slots with no units keep theirs (they may receive).
  const shares = p.shares ?? new Float64Array(T).fill(1);
  let shareSum = 0;
  for (let t = 0; t < T; t++) shareSum += shares[t] as number;
  const goals = p.metrics.map((_, m) => {
    const g = new Float64Array(T);
    for (let t = 0; t < T; t++) g[t] = ((totals[m] as number) * (shares[t] as number)) / shareSum;
    return g;
  });
  const weights = p.metrics.map((x) => x.weight);
  const weightSum = weights.reduce((a, b) => a + b, 0) || 1;
  /** Metric m's weight over T, over goal², so each term is (S − G)² times it. */
  const coef = p.metrics.map((_, m) => {
    const c = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      const g = (goals[m] as Float64Array)[t] as number;
      c[t] = g > 0 ? (weights[m] as number) / weightSum / T / (g * g) : 0;
    }
    return c;
  });
  const value = (m: number, u: number): number => {
    const v = (p.metrics[m] as { values: Float64Array }).values[u] as number;
    return Number.isFinite(v) ? v : 0;
  };
  const balanceTerm = (): number => {
    let f = 0;
    for (let m = 0; m < M; m++) {
      for (let t = 0; t < T; t++) {
        const d = ((sums[m] as Float64Array)[t] as number) - ((goals[m] as Float64Array)[t] as number);
        f += ((coef[m] as Float64Array)[t] as number) * d * d;
      }
    }
    return f;
  };
  let cut = 0;
  for (let u = 0; u < n; u++) {
    const a = owner[u] as number;
    for (let k = offsets[u] as number; k < (offsets[u + 1] as number); k++) {
      const v = targets[k] as number;
      if (v > u && owner[v] !== a) cut++;
    }
  }
  const cut0 = Math.max(1, cut);
  const cutCoef = lambda / cut0;
  const moveCoef = MOVE_WEIGHT / Math.max(1, n);
  let objective = balanceTerm() + cutCoef * cut;
  const startObjective = objective;
  const startCut = cut;
  const startDeviations = deviationsOf(sums, goals);

  const movable = new Uint8Array(n);
  let assigned = 0;
  const candidates: number[] = [];
  for (let u = 0; u < n; u++) {
    const t = owner[u] as number;
    if (t < 0) continue;
    assigned++;
    if (p.lockedUnits?.[u] || p.lockedTerritories?.[t]) continue;
    movable[u] = 1;
    candidates.push(u);
  }
  const maxMoved = Math.floor((p.maxMoved ?? 1) * assigned);
  // Movable units that touch another territory: the only ones a move can take. Kept as a dense
  // array with each unit's place in it, so adding and removing are O(1).
  const boundary: number[] = [];
  const place = new Int32Array(n).fill(-1);
  const touchesOther = (u: number): boolean => {
    const a = owner[u] as number;
    for (let k = offsets[u] as number; k < (offsets[u + 1] as number); k++) {
      const o = owner[targets[k] as number] as number;
      if (o >= 0 && o !== a) return true;
    }
    return false;
  };
  const review = (u: number): void => {
    const want = movable[u] === 1 && touchesOther(u);
    const at = place[u] as number;
    if (want && at < 0) {
      place[u] = boundary.length;
      boundary.push(u);
    } else if (!want && at >= 0) {
      const last = boundary.pop() as number;
      if (last !== u) {
        boundary[at] = last;
        place[last] = at;
      }
      place[u] = -1;
    }
  };
  for (const u of candidates) review(u);
  let moved = 0;

  // BFS scratch for the articulation check, stamped so it never needs clearing.
  const seen = new Int32Array(n);
  let stamp = 0;
  const queue = new Int32Array(n);
  /** Whether territory `a` stays in one piece without unit `u`: its neighbours in `a` still reach each other. */
  const staysWhole = (u: number, a: number): boolean => {
    let first = -1;
    let wanted = 0;
    for (let k = offsets[u] as number; k < (offsets[u + 1] as number); k++) {
      const v = targets[k] as number;
      if (owner[v] === a) {
        if (first < 0) first = v;
        wanted++;
      }
    }
    if (wanted <= 1) return true;
    stamp++;
    seen[u] = stamp;
    seen[first] = stamp;
    let head = 0;
    let tail = 0;
    queue[tail++] = first;
    let found = 1;
    while (head < tail) {
      const x = queue[head++] as number;
      for (let k = offsets[x] as number; k < (offsets[x + 1] as number); k++) {
        const v = targets[k] as number;
        if (seen[v] === stamp || owner[v] !== a) continue;
        seen[v] = stamp;
        // One of u's neighbours in a: once all are reached, a is whole.
        for (let j = offsets[u] as number; j < (offsets[u + 1] as number); j++) {
          if (targets[j] === v) {
            found++;
            break;
          }
        }
        if (found === wanted) return true;
        queue[tail++] = v;
      }
    }
    return false;
  };

  const deltaOf = (u: number, a: number, b: number): number => {
    let d = 0;
    for (let m = 0; m < M; m++) {
      const x = value(m, u);
      if (x === 0) continue;
      const s = sums[m] as Float64Array;
      const g = goals[m] as Float64Array;
      const c = coef[m] as Float64Array;
      const da = (s[a] as number) - (g[a] as number);
      const db = (s[b] as number) - (g[b] as number);
      d += (c[a] as number) * ((da - x) * (da - x) - da * da) + (c[b] as number) * ((db + x) * (db + x) - db * db);
    }
    let cutChange = 0;
    for (let k = offsets[u] as number; k < (offsets[u + 1] as number); k++) {
      const o = owner[targets[k] as number] as number;
      if (o === a) cutChange++;
      else if (o === b) cutChange--;
    }
    const moveChange = owner[u] === p.start[u] ? 1 : b === p.start[u] ? -1 : 0;
    return d + cutCoef * cutChange + moveCoef * moveChange;
  };

  const apply = (u: number, a: number, b: number): void => {
    for (let m = 0; m < M; m++) {
      const x = value(m, u);
      const s = sums[m] as Float64Array;
      s[a] = (s[a] as number) - x;
      s[b] = (s[b] as number) + x;
    }
    for (let k = offsets[u] as number; k < (offsets[u + 1] as number); k++) {
      const o = owner[targets[k] as number] as number;
      if (o === a) cut++;
      else if (o === b) cut--;
    }
    size[a]--;
    size[b]++;
    if (owner[u] === p.start[u]) moved++;
    else if (b === p.start[u]) moved--;
    owner[u] = b;
    review(u);
    for (let k = offsets[u] as number; k < (offsets[u + 1] as number); k++) review(targets[k] as number);
  };

  let best = Int32Array.from(owner);
  let bestObjective = objective;
  // Temperature: from the typical size of a move's change down to a thousandth of it.
  let t0 = 0;
  {
    const sample: number[] = [];
    for (let i = 0; i < 400 && candidates.length > 0; i++) {
      const u = candidates[Math.floor(rnd() * candidates.length)] as number;
      const a = owner[u] as number;
      const k0 = offsets[u] as number;
      const deg = (offsets[u + 1] as number) - k0;
      if (deg === 0) continue;
      const b = owner[targets[k0 + Math.floor(rnd() * deg)] as number] as number;
      if (b < 0 || b === a) continue;
      sample.push(Math.abs(deltaOf(u, a, b)));
    }
    sample.sort((x, y) => x - y);
    t0 = sample.length > 0 ? (sample[Math.floor(sample.length / 2)] as number) : 0;
  }
  const tEnd = t0 * 1e-3;
  let ended: BalanceResult["ended"] = "steps";
  let step = 0;
  const reportEvery = 5000;
  /** How far through its budget the run is: steps, or time when that runs out first. */
  let done = 0;
  let temperature = t0;
  for (; step < p.steps && boundary.length > 0; step++) {
    if (step % 1000 === 0) {
      const elapsed = p.timeMs !== undefined ? (now() - began) / p.timeMs : 0;
      done = Math.max(step / p.steps, elapsed);
      temperature = t0 > 0 ? t0 * (tEnd / t0) ** Math.min(1, done) : 0;
    }
    if (step % reportEvery === 0 && step > 0) {
      if (done >= 1) {
        ended = "time";
        break;
      }
      if (p.onProgress) {
        const go = p.onProgress({
          done,
          steps: step,
          objective: bestObjective,
          maxDeviation: maxAbs(deviationsOf(sumsOf(best, p, T), goals), weights),
        });
        if (go === false) {
          ended = "stopped";
          break;
        }
      }
    }
    const u = boundary[Math.floor(rnd() * boundary.length)] as number;
    const a = owner[u] as number;
    const k0 = offsets[u] as number;
    const deg = (offsets[u + 1] as number) - k0;
    const b = owner[targets[k0 + Math.floor(rnd() * deg)] as number] as number;
    if (b < 0 || b === a || p.lockedTerritories?.[b]) continue;
    if ((size[a] as number) <= 1) continue;
    if (owner[u] === p.start[u] && moved >= maxMoved) continue;
    const delta = deltaOf(u, a, b);
    if (delta > 0 && (temperature <= 0 || rnd() >= Math.exp(-delta / temperature))) continue;
    if (contiguous && !staysWhole(u, a)) continue;
    apply(u, a, b);
    objective += delta;
    if (objective < bestObjective - 1e-15) {
      bestObjective = objective;
      best = Int32Array.from(owner);
    }
  }
  const endSums = sumsOf(best, p, T);
  const endDeviations = deviationsOf(endSums, goals);
  let endCut = 0;
  let endMoved = 0;
  for (let u = 0; u < n; u++) {
    if (best[u] !== p.start[u]) endMoved++;
    for (let k = offsets[u] as number; k < (offsets[u + 1] as number); k++) {
      const v = targets[k] as number;
      if (v > u && best[v] !== best[u]) endCut++;
    }
  }
  return {
    assignment: best,
    steps: step,
    ended,
    objective: { start: startObjective, end: bestObjective },
    cut: { start: startCut, end: endCut },
    moved: endMoved,
    deviations: p.metrics.map((_, m) => ({
      start: startDeviations[m] as Float64Array,
      end: endDeviations[m] as Float64Array,
    })),
    maxDeviation: maxAbs(endDeviations, weights),
    granularity: p.metrics.map((_, m) => {
      let heaviest = 0;
      for (let u = 0; u < n; u++) if ((p.start[u] as number) >= 0) heaviest = Math.max(heaviest, value(m, u));
      let smallest = Number.POSITIVE_INFINITY;
      for (let t = 0; t < T; t++) {
        const g = (goals[m] as Float64Array)[t] as number;
        if (g > 0) smallest = Math.min(smallest, g);
      }
      return Number.isFinite(smallest) ? heaviest / (2 * smallest) : 0;
    }),
  };
}

/** Each metric's per-slot sums for an assignment. */
function sumsOf(owner: Int32Array, p: BalanceProblem, T: number): Float64Array[] {
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
function deviationsOf(sums: readonly Float64Array[], goals: readonly Float64Array[]): Float64Array[] {
  return sums.map((s, m) => {
    const g = goals[m] as Float64Array;
    return Float64Array.from(s, (x, t) => ((g[t] as number) > 0 ? (x - (g[t] as number)) / (g[t] as number) : 0));
  });
}

/** Largest |deviation| over the metrics that carry weight. */
function maxAbs(deviations: readonly Float64Array[], weights: readonly number[]): number {
  let out = 0;
  deviations.forEach((d, m) => {
    if (!((weights[m] as number) > 0)) return;
    for (const x of d) out = Math.max(out, Math.abs(x));
  });
  return out;
}

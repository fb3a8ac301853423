import { mulberry32 } from "../scoring/synthetic.ts";
import { ArticulationCheck } from "./contiguity.ts";
import { deviationsOf, maxAbs, Partition, sumsOf } from "./partition.ts";
import { PAIR_SAMPLES, Recombination } from "./recom.ts";

export { cutWeight, MOVE_WEIGHT } from "./partition.ts";

/**
 * Auto-balance (issue 13): moves units between neighbouring territories
 * until every territory holds its share of the chosen metrics, keeping
 * territories in one piece and their borders short.
 *
 * The objective (partition.ts) is
 *
 *     F = Σ_m w_m · mean_t ((S_tm − G_tm) / G_tm)²   +   λ · cut / cut₀   +   μ · moved / n
 *
 * where S_tm is territory t's sum of metric m, G_tm its goal (its share of
 * the plan's total), `cut` the number of unit edges between different
 * territories (a compactness proxy: short borders are compact shapes) and
 * λ set by the compactness slider; `moved` counts the units away from their
 * starting territory, so among equally fair answers the nearest wins.
 *
 * Two kinds of step share the budget:
 *  - **boundary moves**, simulated annealing: a unit given to a territory
 *    it touches, O(metrics + degree) each, refused when it would split its
 *    donor (contiguity.ts) or empty it;
 *  - **recombination** (recom.ts): two adjacent territories merged and cut
 *    again along a random spanning tree's best-balancing edge, kept when it
 *    lowers F. It moves a surplus a whole territory at a time, out of the
 *    plateaus where no single unit's move helps (a territory whose region
 *    holds nothing). Its cost is the pair's size in steps; after one that
 *    is not kept the next waits twice as long (up to 16×), so once the plan
 *    is balanced the budget goes to the boundary moves that polish it.
 * Locked units and territories, unassigned units and a cap on the units
 * that may change territory are respected by both.
 *
 * The temperature falls from the typical size of a boundary move's change
 * to a thousandth of it over the budget: at each moment it follows
 * whichever of the step budget and the time budget is further spent. So a
 * run is deterministic for a seed and a step budget without a time cap;
 * with one, the schedule (and so the answer) also depends on how fast the
 * machine goes, even when the steps run out first.
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
  /** Interleave recombination steps with the boundary moves (default true; false for comparisons). */
  recombination?: boolean;
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

/** Steps a recombination costs per unit of the pair: on Java at res 7 one costs about 290 ns a unit, a boundary move 170 ns. */
export const RECOM_STEPS_PER_UNIT = 2;
/** After this many recombinations in a row that are not kept, the wait before the next stops doubling (2⁴ × its cost). */
const RECOM_BACKOFF = 4;
/** Steps between progress calls (the stop flag is read at each). */
const REPORT_EVERY = 5000;
/** Steps between reads of the clock (and temperature updates). */
const CLOCK_EVERY = 1000;

export function balance(p: BalanceProblem): BalanceResult {
  const part = new Partition(p);
  const { n, T, owner, offsets, targets } = part;
  const contiguous = p.contiguous ?? true;
  const rnd = mulberry32(p.seed ?? 42);
  const now = p.now ?? (() => performance.now());
  const began = now();
  const startObjective = part.objective;
  const startCut = part.cut;
  const startDeviations = deviationsOf(part.sums, part.goals);
  const check = new ArticulationCheck(offsets, targets);
  const recom = p.recombination === false || T < 2 ? null : new Recombination(part);

  // The best assignment is copied only when a worsening step leaves it (O(n) a copy, rare once it cools).
  let best = Int32Array.from(owner);
  let bestObjective = part.objective;
  let bestIsCurrent = false;
  const leaving = (delta: number): void => {
    if (delta > 0 && bestIsCurrent) {
      best = Int32Array.from(owner);
      bestIsCurrent = false;
    }
  };
  const arrived = (): void => {
    if (part.objective < bestObjective - 1e-15) {
      bestObjective = part.objective;
      bestIsCurrent = true;
    }
  };

  const t0 = startTemperature(part, rnd);
  const tEnd = t0 * 1e-3;
  let ended: BalanceResult["ended"] = "steps";
  let step = 0;
  /** How far through its budget the run is: steps, or time when that runs out first. */
  let done = 0;
  let temperature = t0;
  let nextClock = 0;
  let nextReport = REPORT_EVERY;
  let nextRecom = 0;
  let refused = 0;
  while (step < p.steps && part.boundary.length > 0) {
    if (step >= nextClock) {
      nextClock = (Math.floor(step / CLOCK_EVERY) + 1) * CLOCK_EVERY;
      const elapsed = p.timeMs !== undefined ? (now() - began) / p.timeMs : 0;
      done = Math.max(step / p.steps, elapsed);
      temperature = t0 > 0 ? t0 * (tEnd / t0) ** Math.min(1, done) : 0;
    }
    if (step >= nextReport) {
      nextReport = (Math.floor(step / REPORT_EVERY) + 1) * REPORT_EVERY;
      if (done >= 1) {
        ended = "time";
        break;
      }
      if (p.onProgress) {
        const sums = bestIsCurrent ? part.sums : sumsOf(best, p, T);
        const go = p.onProgress({
          done,
          steps: step,
          objective: bestObjective,
          maxDeviation: maxAbs(deviationsOf(sums, part.goals), part.weights),
        });
        if (go === false) {
          ended = "stopped";
          break;
        }
      }
    }
    if (recom && step >= nextRecom) {
      const pair = recom.pickPair(rnd);
      // Sampling pairs costs about a step a sample; a step, a few a unit of the pair.
      let cost = PAIR_SAMPLES;
      let kept = false;
      if (pair) {
        const s = recom.propose(pair[0], pair[1], rnd);
        cost += s.units * RECOM_STEPS_PER_UNIT;
        // Judged without its border (see recom.ts); the best kept is judged by all of F.
        if (s.cut && s.fairer < 0) {
          leaving(s.delta);
          recom.applyStep(s);
          arrived();
          kept = true;
        }
      }
      step += cost;
      refused = kept ? 0 : Math.min(RECOM_BACKOFF, refused + 1);
      nextRecom = step + cost * 2 ** refused;
      continue;
    }
    step++;
    const u = part.boundary[Math.floor(rnd() * part.boundary.length)] as number;
    const a = owner[u] as number;
    const k0 = offsets[u] as number;
    const deg = (offsets[u + 1] as number) - k0;
    const b = owner[targets[k0 + Math.floor(rnd() * deg)] as number] as number;
    if (b < 0 || b === a || part.lockedSlot[b]) continue;
    if ((part.size[a] as number) <= 1) continue;
    if (owner[u] === part.start[u] && part.moved >= part.maxMoved) continue;
    const delta = part.deltaOf(u, a, b);
    if (delta > 0 && (temperature <= 0 || rnd() >= Math.exp(-delta / temperature))) continue;
    if (contiguous && !check.staysWhole(owner, u, a)) continue;
    leaving(delta);
    part.apply(u, a, b);
    part.objective += delta;
    arrived();
  }
  if (bestIsCurrent) best = Int32Array.from(owner);
  const endDeviations = deviationsOf(sumsOf(best, p, T), part.goals);
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
    maxDeviation: maxAbs(endDeviations, part.weights),
    granularity: granularityOf(part),
  };
}

/** The typical size of a boundary move's change at the start: the median over 400 random ones. */
function startTemperature(part: Partition, rnd: () => number): number {
  const { owner, offsets, targets } = part;
  const candidates: number[] = [];
  for (let u = 0; u < part.n; u++) if (part.movable[u]) candidates.push(u);
  const sample: number[] = [];
  for (let i = 0; i < 400 && candidates.length > 0; i++) {
    const u = candidates[Math.floor(rnd() * candidates.length)] as number;
    const a = owner[u] as number;
    const k0 = offsets[u] as number;
    const deg = (offsets[u + 1] as number) - k0;
    if (deg === 0) continue;
    const b = owner[targets[k0 + Math.floor(rnd() * deg)] as number] as number;
    if (b < 0 || b === a) continue;
    sample.push(Math.abs(part.deltaOf(u, a, b)));
  }
  sample.sort((x, y) => x - y);
  return sample.length > 0 ? (sample[Math.floor(sample.length / 2)] as number) : 0;
}

/** Per metric, half the heaviest assigned unit's amount over the smallest goal. */
function granularityOf(part: Partition): number[] {
  return part.values.map((values, m) => {
    let heaviest = 0;
    for (let u = 0; u < part.n; u++)
      if ((part.start[u] as number) >= 0) heaviest = Math.max(heaviest, values[u] as number);
    let smallest = Number.POSITIVE_INFINITY;
    for (const g of part.goals[m] as Float64Array) if (g > 0) smallest = Math.min(smallest, g);
    return Number.isFinite(smallest) ? heaviest / (2 * smallest) : 0;
  });
}

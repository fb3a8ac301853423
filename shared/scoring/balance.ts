import type { Balance, DeviationLevel, MetricBalance, MetricName, ReferenceSource } from "./types.ts";

/** One territory's input to the balance: its metric values and targets. */
export interface BalanceRow {
  id: string;
  /** Value of each balance metric. */
  values: Record<MetricName, number>;
  /** The territory's targets; a metric's target is used when it is a number > 0. */
  targets: Readonly<Record<string, number>>;
}

/** One territory's output of the balance. */
export interface RowBalance {
  deviations: Record<MetricName, number>;
  references: Record<MetricName, number>;
  referenceSources: Record<MetricName, ReferenceSource>;
  levels: Record<MetricName, DeviationLevel>;
}

/**
 * How much of a metric the plan has in all, and how much of it no territory
 * covers (accounts in no territory, units assigned to none).
 */
export interface Coverage {
  /** The plan's whole amount of the metric, covered or not (every account's revenue, say). */
  whole: number;
  /** The part of `whole` that no territory holds. */
  uncovered: number;
}

/**
 * Balance of a plan (the formulas and the proof are in shared/scoring/README.md):
 *
 * - the fair share of T territories is the plan's **whole** amount G_m
 *   (covered or not) ÷ T, so leaving accounts out does not lower the bar;
 * - reference r_t,m = the territory's target for m when it is > 0, else G_m / T;
 * - deviation d_t,m = (v_t,m − r_t,m) / r_t,m, and 0 when r_t,m = 0;
 * - level: "ok" when |d| ≤ allowed, "warning" up to 2 × allowed, "error" beyond;
 * - coverage penalty p_m = u_m · max_t 1 / (r_t,m · √T), u_m the uncovered
 *   amount (√T · u / G when every reference is the fair share);
 * - metric score S_m = 100 / (1 + rms_m + p_m), rms_m = √(Σ_t d_t,m² / T):
 *   100 only when balanced and complete; an edit that only takes accounts out
 *   of territories never raises it (the rms falls by at most what p rises);
 * - plan score = mean of S_m over the balance metrics; null with no
 *   territory (`empty: true`: nothing to score yet).
 *
 * A metric without coverage (area) is its territories' sum, all covered.
 * Sums run in the order of `rows`, so the same rows give bit-identical results.
 *
 * @example
 * computeBalance([{ id: "a", values: { accounts: 12 }, targets: {} }, { id: "b", values: { accounts: 8 }, targets: {} }], ["accounts"], 0.15)
 * // fair share 10, deviations +0.2 and −0.2, metric score 100 / 1.2 ≈ 83.3, plan score ≈ 83.3
 * computeBalance(rows, ["accounts"], 0.15, { accounts: { whole: 30, uncovered: 10 } })
 * // fair share 15: deviations −0.2 and −0.47, and a penalty of √2 · 10 / 30 ≈ 0.47
 */
export function computeBalance(
  rows: readonly BalanceRow[],
  metrics: readonly MetricName[],
  allowedDeviation: number,
  coverage: Readonly<Record<MetricName, Coverage>> = {},
): { balance: Balance; rows: RowBalance[] } {
  const out: RowBalance[] = rows.map(() => ({ deviations: {}, references: {}, referenceSources: {}, levels: {} }));
  const perMetric: Record<MetricName, MetricBalance> = {};
  const n = rows.length;
  if (n === 0) {
    return {
      balance: {
        score: null,
        empty: true,
        complete: Object.values(coverage).every((c) => c.uncovered <= 0),
        allowedDeviation,
        metricNames: [],
        metrics: {},
      },
      rows: out,
    };
  }
  let scoreSum = 0;
  let complete = true;
  for (const m of metrics) {
    let sum = 0;
    for (const row of rows) sum += row.values[m] ?? 0;
    const cov = coverage[m];
    const whole = cov ? cov.whole : sum;
    const uncovered = cov ? Math.max(0, cov.uncovered) : 0;
    if (uncovered > 0) complete = false;
    const share = whole / n;
    let sq = 0;
    let within = 0;
    /** max_t 1 / r_t: the coverage penalty's rate (see README). */
    let maxInverseRef = 0;
    let worst: MetricBalance["worst"] = null;
    for (let i = 0; i < n; i++) {
      const row = rows[i] as BalanceRow;
      const o = out[i] as RowBalance;
      const target = row.targets[m];
      const useTarget = typeof target === "number" && Number.isFinite(target) && target > 0;
      const ref = useTarget ? target : share;
      const v = row.values[m] ?? 0;
      const d = ref !== 0 ? (v - ref) / ref : 0;
      if (ref > 0) maxInverseRef = Math.max(maxInverseRef, 1 / ref);
      o.deviations[m] = d;
      o.references[m] = ref;
      o.referenceSources[m] = useTarget ? "target" : "mean";
      o.levels[m] = deviationLevel(d, allowedDeviation);
      sq += d * d;
      if (o.levels[m] === "ok") within++;
      if (worst === null || Math.abs(d) > Math.abs(worst.deviation)) worst = { territoryId: row.id, deviation: d };
    }
    const rms = Math.sqrt(sq / n);
    const penalty = (uncovered * maxInverseRef) / Math.sqrt(n);
    const score = 100 / (1 + rms + penalty);
    perMetric[m] = {
      total: sum,
      whole,
      uncovered,
      mean: share,
      rmsDeviation: rms,
      coveragePenalty: penalty,
      score,
      withinAllowed: within,
      worst,
    };
    scoreSum += score;
  }
  const score = metrics.length > 0 ? scoreSum / metrics.length : 100;
  return {
    balance: { score, empty: false, complete, allowedDeviation, metricNames: [...metrics], metrics: perMetric },
    rows: out,
  };
}

/**
 * "ok" within ±allowed, "warning" up to twice that, "error" beyond.
 *
 * @example deviationLevel(0.2, 0.15) // "warning"
 */
export function deviationLevel(deviation: number, allowed: number): DeviationLevel {
  const a = Math.abs(deviation);
  // A hair of slack so that 0.15 computed as (115 − 100) / 100 = 0.15000000000000002 is still "ok".
  const eps = 1e-12;
  if (a <= allowed + eps) return "ok";
  return a <= 2 * allowed + eps ? "warning" : "error";
}

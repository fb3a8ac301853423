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
 * Balance of a plan (the formulas are in shared/scoring/README.md):
 *
 * - mean_m = Σ_t v_t,m / T over the T territories;
 * - reference r_t,m = the territory's target for m when it is > 0, else mean_m;
 * - deviation d_t,m = (v_t,m − r_t,m) / r_t,m, and 0 when r_t,m = 0 (all values 0);
 * - level: "ok" when |d| ≤ allowed, "warning" up to 2 × allowed, "error" beyond;
 * - metric score S_m = 100 / (1 + √(Σ_t d_t,m² / T)): 100 when balanced, 50
 *   at a root-mean-square deviation of 100 %; never flat at 0, so every
 *   boundary move on a badly unbalanced plan still shows in the score;
 * - plan score = mean of S_m over the balance metrics; 100 with no
 *   territory or no metric.
 *
 * Sums run in the order of `rows`, so the same rows give bit-identical results.
 *
 * @example
 * computeBalance([{ id: "a", values: { accounts: 12 }, targets: {} }, { id: "b", values: { accounts: 8 }, targets: {} }], ["accounts"], 0.15)
 * // mean 10, deviations +0.2 and −0.2, metric score 100 / 1.2 ≈ 83.3, plan score ≈ 83.3
 */
export function computeBalance(
  rows: readonly BalanceRow[],
  metrics: readonly MetricName[],
  allowedDeviation: number,
): { balance: Balance; rows: RowBalance[] } {
  const out: RowBalance[] = rows.map(() => ({ deviations: {}, references: {}, referenceSources: {}, levels: {} }));
  const perMetric: Record<MetricName, MetricBalance> = {};
  const n = rows.length;
  let scoreSum = 0;
  for (const m of metrics) {
    let total = 0;
    for (const row of rows) total += row.values[m] ?? 0;
    const mean = n > 0 ? total / n : 0;
    let sq = 0;
    let within = 0;
    let worst: MetricBalance["worst"] = null;
    for (let i = 0; i < n; i++) {
      const row = rows[i] as BalanceRow;
      const o = out[i] as RowBalance;
      const target = row.targets[m];
      const useTarget = typeof target === "number" && Number.isFinite(target) && target > 0;
      const ref = useTarget ? target : mean;
      const v = row.values[m] ?? 0;
      const d = ref !== 0 ? (v - ref) / ref : 0;
      o.deviations[m] = d;
      o.references[m] = ref;
      o.referenceSources[m] = useTarget ? "target" : "mean";
      o.levels[m] = deviationLevel(d, allowedDeviation);
      sq += d * d;
      if (o.levels[m] === "ok") within++;
      if (worst === null || Math.abs(d) > Math.abs(worst.deviation)) worst = { territoryId: row.id, deviation: d };
    }
    const rms = n > 0 ? Math.sqrt(sq / n) : 0;
    const score = 100 / (1 + rms);
    perMetric[m] = { total, mean, rmsDeviation: rms, score, withinAllowed: within, worst };
    scoreSum += score;
  }
  const score = metrics.length > 0 && n > 0 ? scoreSum / metrics.length : 100;
  return {
    balance: { score, allowedDeviation, metricNames: [...metrics], metrics: perMetric },
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

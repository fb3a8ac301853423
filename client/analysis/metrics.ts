import type { DeviationLevel, TerritoryMetrics } from "../../shared/scoring/types.ts";
import { deviationLevel } from "./colors.ts";

/** One territory's figure on the chosen metric, as the table, the chart and the choropleth show it. */
export interface MetricFigure {
  id: string;
  value: number;
  /** What the value is compared with: the plan mean or the territory's target. */
  reference: number;
  /** (value − reference) / reference; 0 when the reference is 0. */
  deviation: number;
  level: DeviationLevel;
  /** The server scores this metric (its deviation and level are the server's). */
  scored: boolean;
}

/** A territory's value of a metric: the account count, area, compactness, or the sum of an attribute. */
export function metricValue(t: TerritoryMetrics, metric: string): number {
  if (metric === "accounts") return t.accounts;
  if (metric === "areaKm2") return t.areaKm2;
  if (metric === "compactness") return t.compactness;
  return t.sums?.[metric] ?? 0;
}

/**
 * Every territory's figure on one metric. For a metric the server scores,
 * deviation, reference and level are the server's (so everyone sees the
 * same); for one shown only for comparison (area, compactness) the
 * deviation is from the plan mean, with the same level rule, flagged
 * `scored: false`.
 *
 * @example metricFigures(analysis.territories, "revenue", ["accounts", "revenue"], 0.15).get("t1")?.deviation
 */
export function metricFigures(
  territories: readonly TerritoryMetrics[],
  metric: string,
  scoredMetrics: readonly string[],
  allowed: number,
): Map<string, MetricFigure> {
  const out = new Map<string, MetricFigure>();
  const scored = scoredMetrics.includes(metric);
  let mean = 0;
  if (!scored && territories.length > 0) {
    for (const t of territories) mean += metricValue(t, metric);
    mean /= territories.length;
  }
  for (const t of territories) {
    const value = metricValue(t, metric);
    if (scored && t.deviations && metric in t.deviations) {
      const deviation = t.deviations[metric] as number;
      out.set(t.id, {
        id: t.id,
        value,
        reference: t.references?.[metric] ?? value,
        deviation,
        level: t.levels?.[metric] ?? deviationLevel(deviation, allowed),
        scored: true,
      });
    } else {
      const deviation = mean !== 0 ? (value - mean) / mean : 0;
      out.set(t.id, { id: t.id, value, reference: mean, deviation, level: deviationLevel(deviation, allowed), scored });
    }
  }
  return out;
}

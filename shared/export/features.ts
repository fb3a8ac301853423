import type { TerritoryMetrics } from "../scoring/types.ts";
import { achievementOf } from "./tables.ts";

/** A territory feature as GeoJSON exports carry it: an id and properties holding its targets. */
interface MeasuredFeature {
  id: string;
  properties: { targets: Readonly<Record<string, number>> };
}

/**
 * Adds each feature's metrics (accounts, sums, competitors, area,
 * compactness, parts), units and achievement from an analysis, as
 * `GET …/territories` answers them, for the plan now and for a version
 * (issue 14) alike.
 *
 * @example addMetrics(fc.features, analysis.territories)
 */
export function addMetrics(features: readonly MeasuredFeature[], analysed: readonly TerritoryMetrics[]): void {
  const metrics = new Map(analysed.map((t) => [t.id, t]));
  for (const f of features) {
    const m = metrics.get(f.id);
    if (!m) continue;
    const props = f.properties as Record<string, unknown>;
    props.metrics = {
      accounts: m.accounts,
      ...m.sums,
      ...(m.competitors !== undefined ? { competitors: m.competitors } : {}),
      areaKm2: m.areaKm2,
      compactness: m.compactness,
      parts: m.parts,
    };
    if (m.units !== undefined) props.units = m.units;
    props.achievement = achievementOf(m, f.properties.targets);
  }
}

import type { TerritoryGeometry } from "../geometry/types.ts";
import type { Analyzer, ScoredTerritory } from "../scoring/analyzer.ts";
import { withCompetitorCounts } from "../scoring/competitors.ts";
import type { Analysis } from "../scoring/types.ts";
import type { UnitAnalyzer } from "../units/analyzer.ts";
import { effectOf, type SuggestionEffect } from "./effect.ts";

/**
 * The effect of giving a drawn territory another shape, worked out on the
 * plan's live analyzers (the scoring worker's): the analysis now, then with
 * the shape set as accepting would set it, and the analyzers left as they
 * were. `competitors` is a drawn plan's second analyzer counting competing
 * outlets, when it has one. `proposed` must already be what the document
 * will hold (quantised by the codec), so the "after" side equals the
 * analysis after accepting.
 *
 * @example shapeEffect(analyzer, null, current, proposed).after.score
 */
export function shapeEffect(
  analyzer: Analyzer,
  competitors: Analyzer | null,
  current: ScoredTerritory,
  proposed: TerritoryGeometry,
): SuggestionEffect {
  const run = (): Analysis =>
    competitors ? withCompetitorCounts(analyzer.analyze(), competitors.analyze()) : analyzer.analyze();
  const set = (geometry: TerritoryGeometry) => {
    analyzer.setTerritory({ ...current, geometry });
    competitors?.setTerritory({ ...current, geometry });
  };
  const before = run();
  set(proposed);
  try {
    return effectOf(before, run(), [current.id]);
  } finally {
    set(current.geometry);
  }
}

/**
 * The effect of some units changing territory in a unit plan (unit index →
 * territory id or null), on the live UnitAnalyzer (`whatIf`, as a proposal's
 * "after" is worked out); `focus` lists the territories the suggestion names.
 */
export function unitsEffect(
  analyzer: UnitAnalyzer,
  moves: readonly (readonly [number, string | null])[],
  focus: readonly string[],
): SuggestionEffect {
  const before = analyzer.analyze();
  return effectOf(before, analyzer.whatIf(moves), focus);
}

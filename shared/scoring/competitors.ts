import type { Analysis } from "./types.ts";

/**
 * A drawn plan's competitors are counted by a second Analyzer over the same
 * territories (a unit plan's UnitAnalyzer counts them itself); their count
 * and column sums join each territory's metrics in `analysis`. They are
 * shown, not balanced.
 *
 * @example withCompetitorCounts(plan.analyze(), competitors.analyze())
 */
export function withCompetitorCounts(analysis: Analysis, counted: Analysis): Analysis {
  const byId = new Map(counted.territories.map((t) => [t.id, t]));
  for (const t of analysis.territories) {
    const m = byId.get(t.id);
    t.competitors = m?.accounts ?? 0;
    t.competitorSums = { ...(m?.sums ?? {}) };
  }
  return analysis;
}

import type { Analysis, Issue, TerritoryMetrics } from "./types.ts";

/** An {@link Analysis} with plain arrays only, for JSON (REST answers, fixtures, logs). */
export interface AnalysisJSON extends Omit<Analysis, "accountTerritory"> {
  /** As in Analysis: index in `territories`, -1 in none, -2 in several. */
  accountTerritory: number[];
}

/**
 * The analysis as JSON-ready data: `JSON.stringify` would write the
 * Int32Array as an object keyed "0", "1", …; this turns it into an array.
 * Everything else in an Analysis is already plain.
 *
 * @example JSON.stringify(analysisToJSON(analyzer.analyze()))
 */
export function analysisToJSON(a: Analysis): AnalysisJSON {
  return { ...a, accountTerritory: Array.from(a.accountTerritory) };
}

/** What `GET /api/plans/:id/analysis` answers per the issue: territories, balance, issues (no per-account data). */
export function analysisSummary(a: Analysis): {
  territories: TerritoryMetrics[];
  balance: Analysis["balance"];
  issues: Issue[];
} {
  return { territories: a.territories, balance: a.balance, issues: a.issues };
}

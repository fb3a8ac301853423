import type { Analysis } from "../scoring/types.ts";

/**
 * What the server sends (message `analysis`) after each recompute, and what
 * `GET /api/plans/:id/analysis` answers (without `accountTerritory`).
 */
export interface AnalysisMessage extends Omit<Analysis, "accountTerritory"> {
  /** Increases with every analysis of the plan while it is loaded. */
  seq: number;
  /** The accounts version this analysis used (see `readAccountsVersion`). */
  accountsVersion: number;
  /** How long the recompute took in the scoring worker, ms. */
  computeMs: number;
  /**
   * Per account, in the order `GET /api/plans/:id/accounts` lists them: the
   * index in `territories` of its territory, -1 when in none, -2 when in
   * several. Sent only when it or the list of territories changed since the
   * previous message (always in the first one a client gets); keep the last.
   */
  accountTerritory?: number[];
}

import type { Author } from "../comments/comments.ts";
import type { Analysis, MetricName, TerritoryMetrics } from "../scoring/types.ts";

/**
 * A proposal (issue 13): the optimizer's answer to "make this fairer", seen
 * by everyone in the plan, accepted by a manager. What the server keeps, what
 * `GET /api/plans/:id/proposals[/:pid]` answers and, without its moves and
 * tables, what message 23 streams while it runs.
 */
export type ProposalStatus = "running" | "ready" | "failed" | "stopped" | "accepted" | "discarded";

/** What was asked for, with every default filled in. */
export interface ProposalSettings {
  /** Metric name (as the analysis names it) → weight > 0. */
  metrics: Record<MetricName, number>;
  /** Territory id → relative share (1 = equal); territories not listed have 1. */
  shares: Record<string, number>;
  contiguous: boolean;
  /** 0 "balance first" … 1 "shape first". */
  compactness: number;
  /** Territories that neither give nor take units. */
  locked: string[];
  /** Units (the layer's ids) that stay where they are. */
  lockedUnits: string[];
  /** Most units that may change territory, as a share of the assigned units; null: no cap. */
  maxMoved: number | null;
  /** Only these territories and their neighbours move (the others are locked); null: all. */
  scope: string[] | null;
  /** Time budget, 1–120 s. */
  seconds: number;
  seed: number;
}

/** One unit that changes territory: `from` its territory when the run started (null: none), `to` where it ends. */
export interface ProposalMove {
  unit: string;
  from: string | null;
  to: string;
}

/** The plan's balance score and each territory's value of each chosen metric, before or after. */
export interface ProposalSide {
  score: number | null;
  territories: Record<string, Record<MetricName, number>>;
}

/** The best the run has found so far (the optimizer's own measures). */
export interface ProposalBest {
  /** Largest |relative deviation| from its share over the territories and weighted metrics. */
  maxDeviation: number;
  /** The optimizer's objective (lower is better): balance + border length + a little for each unit moved. */
  objective: number;
}

export interface Proposal {
  id: string;
  status: ProposalStatus;
  /** 0–1: how far through its budget the run is (1 once it ended). */
  progress: number;
  /** Who started it. */
  by: Author;
  /** ISO 8601. */
  createdAt: string;
  /** When it ended (ready, failed, stopped); null while running. */
  endedAt: string | null;
  settings: ProposalSettings;
  /** The unit layer version it ran on: its moves mean nothing on another layer. */
  layerVersion: number;
  best: ProposalBest | null;
  /** Per metric: the best deviation the heaviest unit allows (below it ±x % may be impossible). */
  granularity: Record<MetricName, number>;
  /** Net moves, one per unit that changes territory. */
  moves: ProposalMove[];
  /** Accounts in the moved units (accounts pinned by hand never move). */
  accountsMoved: number;
  before: ProposalSide | null;
  after: ProposalSide | null;
  /**
   * Units among the moves whose territory is no longer the one the run
   * started from (someone painted them since): accepting leaves them as they
   * are. For an accepted proposal, those it left.
   */
  stale: string[];
  /** Why it failed, as a sentence; null otherwise. */
  error: string | null;
  accepted: { by: Author; at: string; applied: number; skipped: SkippedMove[] } | null;
  undone: { by: Author; at: string; reverted: number; kept: string[] } | null;
}

/** A move accepting left out, and why: its unit changed since the run started, it would split a territory, or its territory is gone. */
export interface SkippedMove {
  unit: string;
  reason: "stale" | "split" | "gone";
}

/** A proposal without its moves and tables: what message 23 carries. */
export type ProposalSummary = Omit<Proposal, "moves" | "before" | "after" | "stale"> & {
  /** How many units move, and how many of those are stale. */
  moveCount: number;
  staleCount: number;
  /** The plan's score before → after, when known. */
  score: { before: number | null; after: number | null } | null;
};

/**
 * Server → client (message 23): proposals started, progressing, ended or
 * changed (accepted, discarded, undone), as summaries; the first message a
 * socket gets lists every proposal of the plan. Fetch
 * `GET …/proposals/:pid` for the moves and tables once one is ready.
 */
export interface ProposalsMessage {
  proposals: ProposalSummary[];
}

export function summaryOf(p: Proposal): ProposalSummary {
  const { moves, before, after, stale, ...rest } = p;
  return {
    ...rest,
    moveCount: moves.length,
    staleCount: stale.length,
    score: before || after ? { before: before?.score ?? null, after: after?.score ?? null } : null,
  };
}

/**
 * A territory's value of a metric as the analysis reports it: `accounts`,
 * `areaKm2`, `competitors`, a sum (account column or unit attribute), or
 * `competitor_<column>`.
 *
 * @example metricValue(t, "revenue") // t.sums.revenue
 */
export function metricValue(t: TerritoryMetrics, metric: MetricName): number {
  if (metric === "accounts") return t.accounts;
  if (metric === "areaKm2") return t.areaKm2;
  if (metric === "competitors") return t.competitors ?? 0;
  const sum = t.sums[metric];
  if (sum !== undefined) return sum;
  if (metric.startsWith("competitor_")) return t.competitorSums?.[metric.slice("competitor_".length)] ?? 0;
  return 0;
}

/** The plan's score and each territory's value of each of `metrics`, from an analysis. */
export function sideOf(
  analysis: Pick<Analysis, "balance" | "territories">,
  metrics: readonly MetricName[],
): ProposalSide {
  const territories: ProposalSide["territories"] = {};
  for (const t of analysis.territories) {
    const row: Record<MetricName, number> = {};
    for (const m of metrics) row[m] = metricValue(t, m);
    territories[t.id] = row;
  }
  return { score: analysis.balance.score, territories };
}

import type { Position, TerritoryGeometry } from "../geometry/types.ts";

/** [minLon, minLat, maxLon, maxLat]. */
export type BBox = [number, number, number, number];

/**
 * A metric's name: `"accounts"` (how many accounts a territory has),
 * `"areaKm2"`, or the name of an account attribute (its sum, e.g. `"revenue"`).
 */
export type MetricName = string;

/** Plan-wide settings of the analysis. */
export interface AnalysisSettings {
  /** Allowed deviation from the reference, as a fraction: 0.15 means ±15 %. */
  allowedDeviation: number;
  /**
   * Metrics the balance is scored on, in display order. Default: `"accounts"`
   * then every account attribute (sorted). Names that are neither a metric
   * nor an attribute of these accounts are left out.
   */
  balanceMetrics?: MetricName[];
  /**
   * Borders closer than this, in degrees, count as touching, not overlapping
   * (default {@link OVERLAP_TOLERANCE_DEG}, about 11 cm).
   */
  touchTolerance?: number;
}

export const DEFAULT_SETTINGS: AnalysisSettings = { allowedDeviation: 0.15 };

/** How far a deviation is from the allowed one: within it, beyond it, or beyond twice it. */
export type DeviationLevel = "ok" | "warning" | "error";

/** What a territory's metrics are compared with. */
export type ReferenceSource = "mean" | "target";

export interface TerritoryMetrics {
  id: string;
  name: string;
  /** Accounts counted in the territory: inside it (unless pinned to another territory) or pinned to it. */
  accounts: number;
  /** Of those, how many are also counted in another territory (overlap conflicts). */
  sharedAccounts: number;
  /** Sum of each account attribute over the territory's accounts. */
  sums: Record<string, number>;
  /** Area on the WGS84 ellipsoid, km². */
  areaKm2: number;
  /** Length of all rings (holes included), km. */
  perimeterKm: number;
  /** Polsby–Popper 4πA/P²: 1 for a circle, π/4 for a square, near 0 for ragged or stringy shapes. */
  compactness: number;
  /** Number of separate parts (polygons). */
  parts: number;
  /** Number of vertices (closing positions excluded). */
  vertices: number;
  /** Whether the geometry is topologically valid (see the invalid-geometry issue when not). */
  valid: boolean;
  /** Per balance metric: (value − reference) / reference. */
  deviations: Record<MetricName, number>;
  /** Per balance metric: the reference compared with: the plan mean, or the territory's target. */
  references: Record<MetricName, number>;
  referenceSources: Record<MetricName, ReferenceSource>;
  /** Per balance metric: within the allowed deviation, beyond it, or beyond twice it. */
  levels: Record<MetricName, DeviationLevel>;
  /** A point inside the territory (its largest part), for a label or a zoom. */
  at: Position;
  bbox: BBox;
}

export interface MetricBalance {
  /** Sum over all territories (an account in two territories counts twice). */
  total: number;
  /** The plan's whole amount, covered by a territory or not (every account's value). */
  whole: number;
  /** The part of `whole` in no territory (accounts outside every territory). */
  uncovered: number;
  /** The fair share: whole / number of territories (the reference where no target is set). */
  mean: number;
  /** Root mean square of the territories' deviations. */
  rmsDeviation: number;
  /** What the uncovered part costs the score (see shared/scoring/README.md). */
  coveragePenalty: number;
  /** 100 / (1 + rmsDeviation + coveragePenalty). */
  score: number;
  /** How many territories are within the allowed deviation. */
  withinAllowed: number;
  /** The territory furthest from its reference (ties: lowest id); null without territories. */
  worst: { territoryId: string; deviation: number } | null;
}

export interface Balance {
  /**
   * Mean of the balance metrics' scores, 0–100; null when the plan has no
   * territory (nothing to score yet); 100 with territories but no metric.
   */
  score: number | null;
  /** True when the plan has no territory. */
  empty: boolean;
  /** Whether every account (and unit) is in a territory: a plan is only "balanced" when complete. */
  complete: boolean;
  allowedDeviation: number;
  /** Balance metrics, in order (none when empty). */
  metricNames: MetricName[];
  metrics: Record<MetricName, MetricBalance>;
}

export type IssueKind = "invalid-geometry" | "overlap" | "unassigned-accounts" | "disconnected" | "deviation";
export type Severity = "error" | "warning" | "info";

/** A validation finding, with what a client needs to show, translate and zoom to it. */
export interface Issue {
  /** Stable key: the same problem keeps its id across analyses (e.g. `overlap:a:b`). */
  id: string;
  kind: IssueKind;
  severity: Severity;
  territoryIds: string[];
  /** An English sentence a person understands. */
  message: string;
  /** The values in the message, so a client can build the sentence in another language. */
  params: Record<string, string | number>;
  /** Where to put a marker, [lon, lat]. */
  at: Position;
  /** What to zoom to. */
  bbox: BBox;
  /** The overlapping area (overlap issues). */
  geometry?: TerritoryGeometry;
  /** Size of the overlapping area (overlap issues), km². */
  areaKm2?: number;
  /** Accounts concerned (at most {@link ACCOUNT_ID_CAP}; `params.accounts` has the full count). */
  accountIds?: string[];
}

/** At most this many account ids are listed in one issue. */
export const ACCOUNT_ID_CAP = 100;

export interface Analysis {
  /** One row per territory, sorted by id. */
  territories: TerritoryMetrics[];
  balance: Balance;
  /** Sorted by severity (errors first), then kind, then id. */
  issues: Issue[];
  /** Accounts in no territory (and not pinned), in account order. */
  unassignedAccountIds: string[];
  /** Accounts counted in two or more territories, in account order. */
  overlapAccountIds: string[];
  /**
   * Per account (in AccountIndex order): the index in `territories` of the
   * territory it belongs to, -1 when in none, -2 when in several. A typed
   * array, so 100,000 accounts cost 400 KB and cross to another thread in
   * one copy. See `territoriesOfAccount` on the Analyzer for the several.
   */
  accountTerritory: Int32Array;
  /** Counts for a summary line. */
  totals: { territories: number; accounts: number; unassigned: number; overlapping: number };
}

import type { MetricName, TerritoryMetrics } from "./types.ts";

/**
 * Target achievement: how far each territory's actual figure (the sum of an
 * account attribute over its accounts, e.g. revenue) is along its target, and
 * the plan's total. The monitoring view that sales-territory platforms are
 * bought for (issue 5). Pure: the client derives it from the live analysis and
 * the territories' targets on every change, so it follows edits and imports.
 */

/**
 * - `no-target`: no target on this metric (or a target of 0, which cannot be
 *   achieved "by a share"), or not scored yet;
 * - `behind`: actual < {@link ON_TRACK_FROM} × target;
 * - `on-track`: from {@link ON_TRACK_FROM} up to the target;
 * - `achieved`: actual ≥ target.
 */
export type AchievementStatus = "no-target" | "behind" | "on-track" | "achieved";

/** Order for sorting and legends: worst first. */
export const ACHIEVEMENT_STATUSES: readonly AchievementStatus[] = ["behind", "on-track", "achieved", "no-target"];

/**
 * Below 80 % of the target a territory is behind. 80 % is the usual "amber"
 * line of sales scorecards: close enough that the gap can be closed within the
 * period, far enough that it needs attention now.
 */
export const ON_TRACK_FROM = 0.8;
/** From 100 % on, the target is achieved. */
export const ACHIEVED_FROM = 1;

export interface TerritoryAchievement {
  id: string;
  name: string;
  /** The territory's figure on the metric; null while the server has not scored the territory yet. */
  actual: number | null;
  /** Its target on the metric; null when none is set (or it is 0). */
  target: number | null;
  /** actual / target; null without a target or an actual. */
  ratio: number | null;
  status: AchievementStatus;
}

export interface PlanAchievement {
  metric: MetricName;
  /** One row per territory given, in the order given. */
  territories: TerritoryAchievement[];
  /** Sum of the actuals of the territories that have a target (and are scored). */
  actual: number;
  /** Sum of those targets. */
  target: number;
  /** actual / target over those territories; null when none has a target. */
  ratio: number | null;
  status: AchievementStatus;
  /** How many territories have a target (and are scored). */
  withTarget: number;
  /** Territories per status. */
  counts: Record<AchievementStatus, number>;
}

/** What achievement needs of a territory: its id, name and targets (a TerritoryProps does). */
export interface TargetedTerritory {
  id: string;
  name: string;
  targets: Readonly<Record<string, number>>;
}

/** The status of a ratio actual / target (null: no target). */
export function achievementStatus(ratio: number | null): AchievementStatus {
  if (ratio === null || !Number.isFinite(ratio)) return "no-target";
  if (ratio >= ACHIEVED_FROM) return "achieved";
  if (ratio >= ON_TRACK_FROM) return "on-track";
  return "behind";
}

/** A territory's actual figure on a metric: the account count, the area, or the sum of an account attribute. */
export function actualOf(m: TerritoryMetrics, metric: MetricName): number {
  if (metric === "accounts") return m.accounts;
  if (metric === "areaKm2") return m.areaKm2;
  return m.sums[metric] ?? 0;
}

/**
 * Achievement on one metric, per territory and for the plan.
 *
 * `territories` are the plan's territories (from the document: names and
 * targets as they are now); `metrics` the latest analysis's rows. A territory
 * the analysis does not have yet (just drawn) has a null actual and counts as
 * no-target until it is scored. The plan total is Σ actual / Σ target over the
 * territories that have a target, so a territory without one neither helps
 * nor hurts it.
 *
 * @example
 * planAchievement([{ id: "a", name: "A", targets: { revenue: 100 } }], [metricsOfA], "revenue")
 * // → { ratio: 0.9, status: "on-track", … } when A's accounts sum to 90 revenue
 */
export function planAchievement(
  territories: readonly TargetedTerritory[],
  metrics: readonly TerritoryMetrics[],
  metric: MetricName,
): PlanAchievement {
  const byId = new Map<string, TerritoryMetrics>();
  for (const m of metrics) byId.set(m.id, m);
  const counts: Record<AchievementStatus, number> = { behind: 0, "on-track": 0, achieved: 0, "no-target": 0 };
  let actual = 0;
  let target = 0;
  let withTarget = 0;
  const rows = territories.map((t): TerritoryAchievement => {
    const m = byId.get(t.id);
    const a = m ? actualOf(m, metric) : null;
    const raw = t.targets[metric];
    const goal = typeof raw === "number" && Number.isFinite(raw) && raw > 0 ? raw : null;
    const ratio = a !== null && goal !== null ? a / goal : null;
    const status = achievementStatus(ratio);
    counts[status]++;
    if (ratio !== null) {
      actual += a as number;
      target += goal as number;
      withTarget++;
    }
    return { id: t.id, name: t.name, actual: a, target: goal, ratio, status };
  });
  const ratio = withTarget > 0 ? actual / target : null;
  return { metric, territories: rows, actual, target, ratio, status: achievementStatus(ratio), withTarget, counts };
}

/**
 * The metrics that have a target on at least one territory: revenue first
 * (the target every plan sets), then the others by name.
 *
 * @example targetMetrics([{ targets: { visits: 40, revenue: 1e6 } }]) // ["revenue", "visits"]
 */
export function targetMetrics(territories: readonly Pick<TargetedTerritory, "targets">[]): MetricName[] {
  const names = new Set<string>();
  for (const t of territories) {
    for (const [metric, value] of Object.entries(t.targets)) if (value > 0) names.add(metric);
  }
  return [...names].sort((a, b) => (a === "revenue" ? -1 : b === "revenue" ? 1 : a.localeCompare(b)));
}

import type { Analysis, MetricName, TerritoryMetrics } from "../scoring/types.ts";

/**
 * A suggestion's effect (issue 15): every territory it changes, with its
 * metrics before → after, the plan's balance score before → after and the
 * overlaps among them — what the manager reads to decide. Worked out in the
 * scoring worker from the live analyzer, the "after" side with the change
 * applied exactly as accepting applies it, so it equals the analysis after
 * accepting (while nothing else changes meanwhile).
 */
export interface SuggestionEffect {
  /** The plan's balance metrics (the table's columns), in order. */
  metrics: MetricName[];
  before: EffectSide;
  after: EffectSide;
}

export interface EffectSide {
  /** The plan's balance score, 0–100 (null without territories). */
  score: number | null;
  /** Each affected territory (null where it does not exist on this side). */
  territories: Record<string, EffectTerritory | null>;
  /** Overlaps that involve an affected territory. */
  overlaps: { territoryIds: string[]; areaKm2: number }[];
}

/** A territory's figures as the analysis gives them (shared/scoring/types.ts), without its place. */
export interface EffectTerritory {
  name: string;
  accounts: number;
  sharedAccounts: number;
  sums: Record<string, number>;
  areaKm2: number;
  compactness: number;
  parts: number;
  /** Per balance metric: (value − reference) / reference. */
  deviations: Record<MetricName, number>;
  units?: number;
  competitors?: number;
  competitorSums?: Record<string, number>;
}

type AnalysisLike = Pick<Analysis, "territories" | "balance" | "issues">;

/**
 * The figures of a territory an effect shows, picked from the analysis (the
 * integration test compares an effect with the analysis after accepting
 * through this very function).
 */
export function effectTerritory(t: TerritoryMetrics): EffectTerritory {
  return {
    name: t.name,
    accounts: t.accounts,
    sharedAccounts: t.sharedAccounts,
    sums: { ...t.sums },
    areaKm2: t.areaKm2,
    compactness: t.compactness,
    parts: t.parts,
    deviations: { ...t.deviations },
    ...(t.units !== undefined ? { units: t.units } : {}),
    ...(t.competitors !== undefined ? { competitors: t.competitors } : {}),
    ...(t.competitorSums !== undefined ? { competitorSums: { ...t.competitorSums } } : {}),
  };
}

/** Whether a territory's own figures differ (deviations follow from them and the plan). */
function differs(a: TerritoryMetrics | undefined, b: TerritoryMetrics | undefined): boolean {
  if (!a || !b) return a !== b;
  if (
    a.accounts !== b.accounts ||
    a.sharedAccounts !== b.sharedAccounts ||
    a.areaKm2 !== b.areaKm2 ||
    a.parts !== b.parts ||
    a.compactness !== b.compactness ||
    a.units !== b.units ||
    a.competitors !== b.competitors
  ) {
    return true;
  }
  const keys = new Set([...Object.keys(a.sums), ...Object.keys(b.sums)]);
  for (const k of keys) if (a.sums[k] !== b.sums[k]) return true;
  return false;
}

/**
 * The effect of a change, from the analysis before it and the analysis
 * with it: the territories in `focus` (the suggestion's own and those its
 * units come from or go to) and every other territory whose figures differ
 * (a neighbour that now overlaps it, say).
 *
 * @example effectOf(before, after, ["bogor"]).after.territories.bogor.accounts // 412
 */
export function effectOf(before: AnalysisLike, after: AnalysisLike, focus: readonly string[]): SuggestionEffect {
  const b = new Map(before.territories.map((t) => [t.id, t]));
  const a = new Map(after.territories.map((t) => [t.id, t]));
  const affected = new Set(focus);
  for (const id of new Set([...b.keys(), ...a.keys()])) if (differs(b.get(id), a.get(id))) affected.add(id);
  const ids = [...affected].sort();
  const side = (analysis: AnalysisLike, byId: Map<string, TerritoryMetrics>): EffectSide => {
    const territories: EffectSide["territories"] = {};
    for (const id of ids) {
      const t = byId.get(id);
      territories[id] = t ? effectTerritory(t) : null;
    }
    const overlaps = analysis.issues
      .filter((i) => i.kind === "overlap" && i.territoryIds.some((id) => affected.has(id)))
      .map((i) => ({ territoryIds: [...i.territoryIds], areaKm2: i.areaKm2 ?? 0 }));
    return { score: analysis.balance.score, territories, overlaps };
  };
  return {
    metrics: [...after.balance.metricNames],
    before: side(before, b),
    after: side(after, a),
  };
}

/** The territories an effect lists. */
export function effectTerritoryIds(effect: SuggestionEffect): string[] {
  return [...new Set([...Object.keys(effect.before.territories), ...Object.keys(effect.after.territories)])].sort();
}

/**
 * A territory's value of a metric in an effect: `accounts`, `areaKm2`,
 * `competitors`, or a sum; null where the territory does not exist.
 */
export function effectValue(t: EffectTerritory | null | undefined, metric: MetricName): number | null {
  if (!t) return null;
  if (metric === "accounts") return t.accounts;
  if (metric === "areaKm2") return t.areaKm2;
  if (metric === "competitors") return t.competitors ?? 0;
  if (metric === "units") return t.units ?? 0;
  return t.sums[metric] ?? 0;
}

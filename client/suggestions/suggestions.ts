import type { SuggestionEffect } from "../../shared/suggestions/effect.ts";
import { effectTerritoryIds, effectValue } from "../../shared/suggestions/effect.ts";
import type { StoredSuggestion, SuggestionStatus } from "../../shared/suggestions/suggestion.ts";
import type { BeforeAfterRow, TableTerritory } from "../balance/proposals.ts";

/**
 * Suggestions in the browser (issue 15), pure so they are tested without a
 * server: the newest suggestion of each thread, counts per territory, an
 * effect as the before → after table's rows, and a unit suggestion's moves
 * for the map.
 */

/** The newest suggestion of each thread (a redrawn one replaces the one before it). */
export function latestByThread(list: readonly StoredSuggestion[]): Map<string, StoredSuggestion> {
  const out = new Map<string, StoredSuggestion>();
  for (const s of list) {
    const prev = out.get(s.threadId);
    if (!prev || prev.createdAt <= s.createdAt) out.set(s.threadId, s);
  }
  return out;
}

/** Open suggestions per territory id (the newest of each thread). */
export function openSuggestionsByTerritory(list: readonly StoredSuggestion[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of latestByThread(list).values()) {
    if (s.status !== "open") continue;
    out.set(s.territoryId, (out.get(s.territoryId) ?? 0) + 1);
  }
  return out;
}

/** A status's colour on the card and the map: open teal, accepted green, declined grey, outdated amber. */
export const STATUS_COLORS: Record<SuggestionStatus, { ink: string; soft: string }> = {
  open: { ink: "#0f766e", soft: "#e6f6f3" },
  accepted: { ink: "#15803d", soft: "#e8f6ec" },
  declined: { ink: "#6b7280", soft: "#f1f2f4" },
  outdated: { ink: "#b45309", soft: "#fdf3e2" },
};

/**
 * One row per territory the effect lists, for a metric: its value before
 * and after and its deviation (from the analysis: against its target or the
 * plan's mean), sorted by name.
 *
 * @example effectRows(effect, "revenue", territories) // [{ id: "west", before: 800, after: 960, … }]
 */
export function effectRows(
  effect: SuggestionEffect,
  metric: string,
  territories: readonly TableTerritory[],
): BeforeAfterRow[] {
  const byId = new Map(territories.map((t) => [t.id, t]));
  return effectTerritoryIds(effect)
    .map((id) => {
      const b = effect.before.territories[id] ?? null;
      const a = effect.after.territories[id] ?? null;
      const t = byId.get(id);
      return {
        id,
        name: t?.name || a?.name || b?.name || id,
        color: t?.color ?? null,
        before: effectValue(b, metric),
        after: effectValue(a, metric),
        deviationBefore: b?.deviations[metric] ?? null,
        deviationAfter: a?.deviations[metric] ?? null,
      };
    })
    .sort((x, y) => x.name.localeCompare(y.name, undefined, { numeric: true }) || x.id.localeCompare(y.id));
}

/** The metrics an effect's table offers: the plan's balance metrics, then the area. */
export function effectMetrics(effect: SuggestionEffect): string[] {
  return [...new Set([...effect.metrics, "areaKm2"])];
}

/**
 * A unit suggestion's moves for the map: unit index (in the layer's order,
 * `ids`) → the territory it would go to ("" for none, drawn as taken out).
 */
export function suggestedUnitTargets(moves: StoredSuggestion["moves"], ids: readonly string[]): Map<number, string> {
  const index = new Map<string, number>();
  for (let u = 0; u < ids.length; u++) index.set(ids[u] as string, u);
  const out = new Map<number, string>();
  for (const m of moves ?? []) {
    const u = index.get(m.unit);
    if (u !== undefined) out.set(u, m.to ?? "");
  }
  return out;
}

import { type OutdatedInfo, SUGGESTION_LIMITS, type StoredSuggestion } from "./suggestion.ts";

/** What {@link outdatedBy} needs to know of the plan as it is now. */
export interface PlanNow {
  hasTerritory(id: string): boolean;
  /** The fingerprint of a drawn territory's shape now (null: it has none). */
  shapeFingerprint(id: string): string | null;
  /** The territory a unit (the layer's id) belongs to now; undefined when the layer has no such unit. */
  unitOwner(unit: string): string | null | undefined;
  /** The plan's unit layer version; null for a drawn plan. */
  layerVersion: number | null;
}

/** What changed since a suggestion was made: {@link OutdatedInfo} without when and by whom. */
export type Outdated = Omit<OutdatedInfo, "at" | "by">;

/**
 * Whether a suggestion still fits the plan: null when it does, else what
 * changed — its territory reshaped or deleted, some of its units painted
 * elsewhere, the unit layer replaced (or the plan turned from drawn to
 * units or back). A suggestion made against the plan as it is now is never
 * outdated, so undoing the change that outdated it makes it fit again.
 *
 * @example outdatedBy(s, plan) // { what: "reshaped" } after someone dragged the border
 */
export function outdatedBy(
  s: Pick<StoredSuggestion, "kind" | "territoryId" | "moves" | "base">,
  plan: PlanNow,
): Outdated | null {
  if (s.kind === "shape") {
    if (plan.layerVersion !== null) return { what: "layer" };
    if (!plan.hasTerritory(s.territoryId)) return { what: "deleted" };
    return plan.shapeFingerprint(s.territoryId) === s.base.geometry ? null : { what: "reshaped" };
  }
  if (plan.layerVersion === null || plan.layerVersion !== s.base.layerVersion) return { what: "layer" };
  if (!plan.hasTerritory(s.territoryId)) return { what: "deleted" };
  const changed: string[] = [];
  for (const m of s.moves ?? []) {
    if (m.to !== null && !plan.hasTerritory(m.to)) return { what: "deleted" };
    if (plan.unitOwner(m.unit) !== m.from) changed.push(m.unit);
  }
  if (changed.length === 0) return null;
  return { what: "units", units: changed.slice(0, SUGGESTION_LIMITS.listed), count: changed.length };
}

/** The status a suggestion has now: decided ones keep theirs; open and outdated follow the plan. */
export function statusNow(
  s: Pick<StoredSuggestion, "status" | "outdated">,
  outdated: Outdated | null,
): "open" | "outdated" | "accepted" | "declined" {
  if (s.status === "accepted" || s.status === "declined") return s.status;
  // A suggestion replaced by a newer one in its thread stays out of date whatever the plan does.
  if (s.outdated?.what === "redrawn") return "outdated";
  return outdated ? "outdated" : "open";
}

import type { ProposalSide } from "../../shared/balance/proposal.ts";
import type { TerritoryGeometry } from "../../shared/geometry/types.ts";
import type { Comparison } from "../../shared/versions/compare.ts";
import { type BeforeAfterRow, beforeAfterRows, type TableTerritory } from "../balance/proposals.ts";

/**
 * A comparison of two versions in the browser (issue 14), pure: a
 * version's territories read from its GeoJSON, what to draw on the map for
 * each side (added, removed, reshaped, …), the before → after table per
 * metric (the auto-balance table's rows), and the counts the panel says.
 */

/** A territory of a version (or of the plan now) as `GET …/territories` gives it. */
export interface VersionTerritory {
  id: string;
  name: string;
  color: string;
  geometry: TerritoryGeometry | null;
  /** Its metrics as scored then (accounts, sums, competitors, areaKm2, …). */
  metrics: Record<string, number>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function geometryOf(v: unknown): TerritoryGeometry | null {
  if (!isObject(v) || !Array.isArray(v.coordinates)) return null;
  if (v.type === "Polygon" || v.type === "MultiPolygon") return v as unknown as TerritoryGeometry;
  return null;
}

/**
 * A FeatureCollection of territories (a version's, or the plan's now), by name.
 *
 * @example parseTerritories({type: "FeatureCollection", features: [{id: "a", geometry, properties: {name: "A", color: "#f00"}}]})
 * // [{id: "a", name: "A", color: "#f00", geometry, metrics: {}}]
 */
export function parseTerritories(body: unknown): VersionTerritory[] {
  const features = isObject(body) && Array.isArray(body.features) ? body.features : [];
  const out: VersionTerritory[] = [];
  for (const f of features) {
    if (!isObject(f)) continue;
    const p = isObject(f.properties) ? f.properties : {};
    const id = typeof f.id === "string" ? f.id : typeof p.id === "string" ? p.id : null;
    if (!id) continue;
    const metrics: Record<string, number> = {};
    if (isObject(p.metrics)) {
      for (const [k, v] of Object.entries(p.metrics)) if (typeof v === "number" && Number.isFinite(v)) metrics[k] = v;
    }
    out.push({
      id,
      name: typeof p.name === "string" ? p.name : id,
      color: typeof p.color === "string" && /^#[0-9a-f]{6}$/i.test(p.color) ? p.color : "#888888",
      geometry: geometryOf(f.geometry),
      metrics,
    });
  }
  return out;
}

/**
 * How a territory is drawn in a comparison:
 * - `added`: only after (filled, a strong outline);
 * - `removed`: only before (hatched, dashed red outline);
 * - `reshaped`: on both sides with another shape (after filled; before as a dashed outline, side `before`);
 * - `changed`: other fields changed (name, colour, reps, targets), drawn like `same`;
 * - `same`: faint, for context.
 */
export type CompareKind = "added" | "removed" | "reshaped" | "changed" | "same";

export interface CompareShape {
  id: string;
  name: string;
  color: string;
  geometry: TerritoryGeometry;
  side: "before" | "after";
  kind: CompareKind;
}

/**
 * What the map draws for a comparison, in drawing order: every territory
 * of the later side (filled by kind), then the earlier side's removed
 * territories and the outlines reshaped ones had.
 *
 * @example compareShapes(c, before, after).map((s) => `${s.side}:${s.kind}:${s.id}`)
 * // ["after:same:a", "after:reshaped:b", "after:added:c", "before:reshaped:b", "before:removed:d"]
 */
export function compareShapes(
  c: Pick<Comparison, "territories">,
  before: readonly VersionTerritory[],
  after: readonly VersionTerritory[],
): CompareShape[] {
  const added = new Set(c.territories.added.map((t) => t.id));
  const removed = new Set(c.territories.removed.map((t) => t.id));
  const fields = new Map(c.territories.changed.map((t) => [t.id, t.fields as string[]]));
  const reshaped = (id: string) => {
    const f = fields.get(id);
    return !!f && (f.includes("geometry") || f.includes("units"));
  };
  const out: CompareShape[] = [];
  for (const t of after) {
    if (!t.geometry) continue;
    const kind: CompareKind = added.has(t.id)
      ? "added"
      : reshaped(t.id)
        ? "reshaped"
        : fields.has(t.id)
          ? "changed"
          : "same";
    out.push({ id: t.id, name: t.name, color: t.color, geometry: t.geometry, side: "after", kind });
  }
  for (const t of before) {
    if (!t.geometry) continue;
    if (removed.has(t.id)) out.push({ ...pick(t), geometry: t.geometry, side: "before", kind: "removed" });
    else if (reshaped(t.id)) out.push({ ...pick(t), geometry: t.geometry, side: "before", kind: "reshaped" });
  }
  return out;
}

function pick(t: VersionTerritory): { id: string; name: string; color: string } {
  return { id: t.id, name: t.name, color: t.color };
}

/** The metrics a comparison has a value for, in a stable order: accounts first, then sums, then the rest. */
export function compareMetrics(c: Pick<Comparison, "metrics">): string[] {
  const seen = new Set<string>();
  for (const row of Object.values(c.metrics)) for (const m of Object.keys(row)) seen.add(m);
  const LAST = ["competitors", "units", "areaKm2", "compactness"];
  const head = seen.has("accounts") ? ["accounts"] : [];
  const sums = [...seen].filter((m) => m !== "accounts" && !LAST.includes(m)).sort();
  return [...head, ...sums, ...LAST.filter((m) => seen.has(m))];
}

/**
 * The before → after table of one metric, as the auto-balance proposal's
 * table shows it (each value with its deviation from an equal share of the
 * total on its side). Territories are named from the later side, else the earlier.
 *
 * @example compareRows(c, "accounts", before, after)[0] // {id: "a", name: "A", before: 120, after: 134, …}
 */
export function compareRows(
  c: Pick<Comparison, "metrics">,
  metric: string,
  before: readonly VersionTerritory[],
  after: readonly VersionTerritory[],
): BeforeAfterRow[] {
  const side = (pick: "from" | "to"): ProposalSide => {
    const territories: ProposalSide["territories"] = {};
    for (const [id, row] of Object.entries(c.metrics)) {
      const v = row[metric]?.[pick];
      if (v !== null && v !== undefined) territories[id] = { [metric]: v };
    }
    return { score: null, territories };
  };
  const named = new Map<string, TableTerritory>();
  for (const t of before) named.set(t.id, { id: t.id, name: t.name, color: t.color });
  for (const t of after) named.set(t.id, { id: t.id, name: t.name, color: t.color });
  return beforeAfterRows({ before: side("from"), after: side("to"), settings: { shares: {} } } as never, metric, [
    ...named.values(),
  ]);
}

/** The headline counts of a comparison. */
export interface CompareCounts {
  added: number;
  removed: number;
  reshaped: number;
  /** Territories whose other fields changed (name, colour, reps, targets, parent). */
  edited: number;
  units: number;
  accounts: number;
  accountsAdded: number;
  accountsRemoved: number;
}

export function compareCounts(c: Comparison): CompareCounts {
  let reshaped = 0;
  let edited = 0;
  for (const t of c.territories.changed) {
    const f = t.fields as string[];
    if (f.includes("geometry") || f.includes("units")) reshaped++;
    if (f.some((x) => x !== "geometry" && x !== "units")) edited++;
  }
  return {
    added: c.territories.added.length,
    removed: c.territories.removed.length,
    reshaped,
    edited,
    units: c.unitsMoved.length,
    accounts: c.accountsMoved.length,
    accountsAdded: c.accounts.added,
    accountsRemoved: c.accounts.removed,
  };
}

/** Whether a comparison found nothing at all that differs. */
export function isIdentical(c: Comparison): boolean {
  const n = compareCounts(c);
  return (
    n.added + n.removed + n.reshaped + n.edited + n.units + n.accounts + n.accountsAdded + n.accountsRemoved === 0 &&
    Object.keys(c.settings ?? {}).length === 0 &&
    !c.layerChanged
  );
}

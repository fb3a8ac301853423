/**
 * Pure helpers of the Units dialog (issue 12): the hexagon sizes a manager
 * picks from, the server's answers read defensively, and which of its
 * refusals are said in our own words. No DOM, no Svelte: unit-tested.
 */

/** The H3 resolutions a plan may be built from (shared/units/layer.ts's H3_RESOLUTIONS). */
export const HEX_RESOLUTIONS = [5, 6, 7, 8] as const;
export type HexResolution = (typeof HEX_RESOLUTIONS)[number];

/**
 * How big a hexagon is at each resolution, rounded for people: the average
 * hexagon area (h3geo.org's table of cell areas: 252.9, 36.13, 5.16 and
 * 0.737 km²) and the distance across it, flat side to flat side (√3 × the
 * average edge h3-js 4 gives: 9.85, 3.72, 1.41 and 0.53 km). The unit test
 * checks both against h3-js.
 */
export const HEX_SIZES: Record<HexResolution, { areaKm2: number; acrossKm: number }> = {
  5: { areaKm2: 250, acrossKm: 17 },
  6: { areaKm2: 36, acrossKm: 6.5 },
  7: { areaKm2: 5, acrossKm: 2.4 },
  8: { areaKm2: 0.7, acrossKm: 0.9 },
};

export function isHexResolution(n: unknown): n is HexResolution {
  return typeof n === "number" && (HEX_RESOLUTIONS as readonly number[]).includes(n);
}

function num(v: unknown, fallback: number): number {
  return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}

/** An admin-area file's dry run: how many areas, which cannot be used (by feature), what was read from where. */
export interface AreasPreview {
  /** Features in the file. */
  total: number;
  /** Areas that can become units. */
  count: number;
  /** `row`: the feature's number in the file, from 1 (the server's `index` + 1, as the territories import says it). */
  problems: { row: number; name: string | null; reason: string }[];
  problemCount: number;
  /** Numeric properties kept as unit attributes (metrics), under the names they are kept as. */
  attributes: string[];
  /** The property the ids and names were read from. */
  idKey: string | null;
  nameKey: string | null;
}

/**
 * Reads `POST …/units?dryRun=1`'s answer to an admin-area file (or the
 * body of its 400, which carries the same summary). Null when it is not one.
 *
 * @example readAreasPreview({ kind: "admin", total: 4, count: 3, problems: [{ index: 2, name: "Rusak", reason: "geometry is missing" }] })
 * // { total: 4, count: 3, problems: [{ row: 3, name: "Rusak", reason: "geometry is missing" }], problemCount: 1, … }
 */
export function readAreasPreview(body: unknown): AreasPreview | null {
  if (typeof body !== "object" || body === null) return null;
  const b = body as Record<string, unknown>;
  if (typeof b.count !== "number" && typeof b.total !== "number") return null;
  const problems = (Array.isArray(b.problems) ? b.problems : [])
    .filter((p): p is Record<string, unknown> => typeof p === "object" && p !== null)
    .map((p) => ({
      row: typeof p.index === "number" ? p.index + 1 : num(p.row, 0),
      name: typeof p.name === "string" && p.name ? p.name : null,
      reason: String(p.reason ?? ""),
    }));
  const count = num(b.count, 0);
  return {
    total: num(b.total, count + problems.length),
    count,
    problems,
    problemCount: num(b.problemCount, problems.length),
    attributes: Array.isArray(b.attributes) ? b.attributes.filter((a): a is string => typeof a === "string") : [],
    idKey: typeof b.idKey === "string" ? b.idKey : null,
    nameKey: typeof b.nameKey === "string" ? b.nameKey : null,
  };
}

/** What a unit layer's creation answered: how many units, and how many went to a territory. */
export interface UnitsResult {
  kind: "h3" | "admin";
  count: number;
  assigned: number;
  unassigned: number;
}

export function readUnitsResult(body: unknown): UnitsResult | null {
  if (typeof body !== "object" || body === null) return null;
  const b = body as Record<string, unknown>;
  if (typeof b.count !== "number") return null;
  const assigned = num(b.assigned, 0);
  return {
    kind: b.kind === "admin" ? "admin" : "h3",
    count: b.count,
    assigned,
    unassigned: num(b.unassigned, Math.max(0, b.count - assigned)),
  };
}

/** The plan's current layer, from `GET …/units?format=compact` (null: a drawn plan). */
export interface LayerSummary {
  kind: "h3" | "admin";
  resolution: number | null;
  count: number;
}

export function readLayerSummary(body: unknown): LayerSummary | null {
  if (typeof body !== "object" || body === null) return null;
  const b = body as Record<string, unknown>;
  const count = typeof b.count === "number" ? b.count : Array.isArray(b.ids) ? b.ids.length : null;
  if (count === null) return null;
  return {
    kind: b.kind === "admin" ? "admin" : "h3",
    resolution: typeof b.resolution === "number" ? b.resolution : null,
    count,
  };
}

/**
 * Whether a refusal of `POST …/units` means "this file is not a GeoJSON
 * FeatureCollection": the server then answers with how to call the API
 * ("Send JSON: {…}"), words meant for a programmer; the dialog says it in
 * a manager's words instead. Every other refusal is a sentence for people
 * already (a problem feature, a projected CRS, too many units).
 */
export function isNotAreasFile(status: number, error: string | null): boolean {
  return status === 400 && error !== null && /^Send (JSON|\{)/.test(error);
}

/**
 * Territories that hold no unit: removing the unit layer deletes them (they
 * have no shape to keep), so the confirmation names how many.
 *
 * @example territoriesWithoutUnits(["a", "b", "c"], ["a", "a", "c"]) // 1
 */
export function territoriesWithoutUnits(territoryIds: Iterable<string>, owners: Iterable<string>): number {
  const owning = new Set(owners);
  let n = 0;
  for (const id of territoryIds) if (!owning.has(id)) n++;
  return n;
}

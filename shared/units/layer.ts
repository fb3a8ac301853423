import type { TerritoryGeometry } from "../geometry/types.ts";

/**
 * A plan's unit layer: the building blocks its territories are made of
 * (H3 hexagons, or admin areas such as kabupaten and kecamatan). Reference
 * data like accounts: stored beside the plan, served over HTTP, never in the
 * Yjs document. Only which unit belongs to which territory is co-edited
 * (shared/doc/schema.ts, root `units`).
 *
 * Units are addressed in the document by their **index** in the layer,
 * written in base 36 ({@link unitKey}): "a1" rather than a 15-character H3
 * index keeps 27,000 assignment entries well under 2 MB.
 */
export type UnitKind = "h3" | "admin";

export interface UnitLayer {
  kind: UnitKind;
  /** H3 resolution (5–8) for hexagons; null for admin areas. */
  resolution: number | null;
  /** Increases each time the plan's layer is replaced; the document carries it too. */
  version: number;
  /** Each unit's id: the H3 index, or the file's id or code as written (BPS codes keep their dots). */
  ids: string[];
  names: string[];
  /** A point inside each unit (the H3 centre; a label point for admin areas), lon/lat. */
  lon: Float64Array;
  lat: Float64Array;
  /** Each unit's area on the WGS84 ellipsoid, km². */
  areaKm2: Float64Array;
  /** Each unit's shape: a Polygon or MultiPolygon (admin areas keep theirs; hexagons have theirs from H3). */
  geometries: TerritoryGeometry[];
  /** Numeric attributes, sorted by name (population, …); NaN where a unit has no value. */
  attributes: string[];
  values: Record<string, Float64Array>;
  /**
   * Neighbours as compressed sparse rows: unit u's neighbours are
   * `targets[offsets[u] … offsets[u + 1] - 1]`, sorted. Shared boundaries
   * only (what a border is drawn along); see `bridges` for islands.
   */
  offsets: Int32Array;
  targets: Int32Array;
  /** Length of the border shared with each neighbour, km (parallel to `targets`). */
  sharedKm: Float64Array;
  /** Each unit's own perimeter, km: a territory's is the sum of its units' less twice their shared borders. */
  perimeterKm: Float64Array;
  /**
   * Links across water between land components (pairs of unit indices,
   * flattened): each joins a component to its nearest other, so a territory
   * across a strait is one piece and the optimizer can balance it. See
   * shared/units/neighbours.ts for the rule.
   */
  bridges: Int32Array;
  /** Where the population estimate (or other attributes) come from, for the UI's credit line. */
  credits?: string;
}

/** Most units a plan may hold. */
export const MAX_UNITS = 100_000;

/** H3 resolutions a manager may pick. */
export const H3_RESOLUTIONS = [5, 6, 7, 8] as const;

/**
 * A unit's key in the document: its index in the layer, base 36.
 *
 * @example unitKey(0) // "0"; unitKey(27_000) // "ku0"
 */
export function unitKey(index: number): string {
  return index.toString(36);
}

/** The index a key stands for, or -1 when it is not a key of a layer of `count` units. */
export function unitIndex(key: string, count: number): number {
  if (key.length === 0 || key.length > 4 || !/^[0-9a-z]+$/.test(key)) return -1;
  const i = Number.parseInt(key, 36);
  // One spelling per index: no leading zeros.
  if (!Number.isInteger(i) || i >= count || unitKey(i) !== key) return -1;
  return i;
}

/** Each unit's neighbours including bridges (what contiguity uses), as CSR. */
export function contiguityGraph(layer: Pick<UnitLayer, "offsets" | "targets" | "bridges" | "ids">): {
  offsets: Int32Array;
  targets: Int32Array;
} {
  const n = layer.ids.length;
  const deg = new Int32Array(n);
  for (let u = 0; u < n; u++) deg[u] = (layer.offsets[u + 1] as number) - (layer.offsets[u] as number);
  for (let k = 0; k < layer.bridges.length; k += 2) {
    deg[layer.bridges[k] as number]++;
    deg[layer.bridges[k + 1] as number]++;
  }
  const offsets = new Int32Array(n + 1);
  for (let u = 0; u < n; u++) offsets[u + 1] = (offsets[u] as number) + (deg[u] as number);
  const targets = new Int32Array(offsets[n] as number);
  const fill = offsets.slice(0, n);
  for (let u = 0; u < n; u++) {
    for (let k = layer.offsets[u] as number; k < (layer.offsets[u + 1] as number); k++) {
      targets[fill[u]++] = layer.targets[k] as number;
    }
  }
  for (let k = 0; k < layer.bridges.length; k += 2) {
    const a = layer.bridges[k] as number;
    const b = layer.bridges[k + 1] as number;
    targets[fill[a]++] = b;
    targets[fill[b]++] = a;
  }
  return { offsets, targets };
}

/** Builds CSR rows from neighbour lists (each list deduplicated and sorted). */
export function toCsr(lists: readonly (readonly number[])[]): { offsets: Int32Array; targets: Int32Array } {
  const n = lists.length;
  const offsets = new Int32Array(n + 1);
  const sorted = lists.map((l) => [...new Set(l)].sort((a, b) => a - b));
  for (let u = 0; u < n; u++) offsets[u + 1] = (offsets[u] as number) + (sorted[u] as number[]).length;
  const targets = new Int32Array(offsets[n] as number);
  for (let u = 0; u < n; u++) targets.set(sorted[u] as number[], offsets[u] as number);
  return { offsets, targets };
}

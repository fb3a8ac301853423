import { EdgeIndex } from "../geometry/edge-index.ts";
import { flatten } from "../geometry/flat.ts";
import type { TerritoryGeometry } from "../geometry/types.ts";

/**
 * Turning drawn territories into unit territories and back (issue 12):
 * pure, so the server's conversion and its tests run the same code.
 */

/**
 * Each unit to the territory that holds its centre (the first by id when a
 * centre lies in an overlap), or none.
 *
 * @example assignByCentre(lon, lat, [{ id: "bogor", geometry }]) // Map { 0 => "bogor", 5 => "bogor" }
 */
export function assignByCentre(
  lon: Float64Array,
  lat: Float64Array,
  territories: readonly { id: string; geometry: TerritoryGeometry }[],
): Map<number, string> {
  const sorted = [...territories].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const indexes = sorted.map((t) => ({ id: t.id, index: new EdgeIndex(flatten(t.geometry)) }));
  const out = new Map<number, string>();
  for (let u = 0; u < lon.length; u++) {
    const x = lon[u] as number;
    const y = lat[u] as number;
    for (const t of indexes) {
      if (t.index.contains(x, y)) {
        out.set(u, t.id);
        break;
      }
    }
  }
  return out;
}

/**
 * A plan's assignment carried over to a new layer: units whose id survives
 * keep their territory; the others are unassigned.
 *
 * @example carryOver(["a", "b"], new Map([[1, "t"]]), ["b", "c"]) // Map { 0 => "t" }
 */
export function carryOver(
  oldIds: readonly string[],
  assignment: ReadonlyMap<number, string>,
  newIds: readonly string[],
): Map<number, string> {
  const next = new Map(newIds.map((id, i) => [id, i]));
  const out = new Map<number, string>();
  for (const [u, territory] of assignment) {
    const id = oldIds[u];
    const v = id === undefined ? undefined : next.get(id);
    if (v !== undefined) out.set(v, territory);
  }
  return out;
}

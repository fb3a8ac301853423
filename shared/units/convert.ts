import { EdgeIndex } from "../geometry/edge-index.ts";
import { flatten } from "../geometry/flat.ts";
import type { TerritoryGeometry } from "../geometry/types.ts";
import type * as Y from "yjs";
import { TERRITORY_KEYS, territoriesMap, unitsMap, writeUnitAssignments, writeUnitsVersion } from "../doc/schema.ts";
import { unitKey } from "./layer.ts";

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

/**
 * Makes a document a unit plan of layer `version`: the unit entries are
 * `assignment` (unit index → territory id) and nothing else, every
 * territory's drawn shape goes (its units are its truth now), and the
 * layer version is written last. Call inside one transaction.
 */
export function writeUnitLayer(doc: Y.Doc, assignment: ReadonlyMap<number, string>, version: number): void {
  unitsMap(doc).clear();
  writeUnitAssignments(
    doc,
    [...assignment].map(([u, t]) => [unitKey(u), t] as const),
  );
  territoriesMap(doc).forEach((map) => {
    if (map.has(TERRITORY_KEYS.geometry)) map.delete(TERRITORY_KEYS.geometry);
  });
  writeUnitsVersion(doc, version);
}

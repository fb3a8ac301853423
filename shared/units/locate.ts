import { latLngToCell } from "h3-js";
import { EdgeIndex } from "../geometry/edge-index.ts";
import { flatten } from "../geometry/flat.ts";
import { bboxOf, type TerritoryGeometry } from "../geometry/types.ts";
import type { UnitLayer } from "./layer.ts";

/**
 * Which unit holds each point (accounts, competitors): computed once per
 * import or layer change, so a paint stroke never touches a point.
 *
 * Hexagons: H3's own `latLngToCell` (one call, no geometry), then a lookup.
 * Admin areas: a grid over the areas' boxes, then point in polygon on the
 * few candidates. -1 where no unit holds the point.
 *
 * @example locatePoints(layer, Float64Array.of(106.8), Float64Array.of(-6.2)) // Int32Array [1234]
 */
export function locatePoints(
  layer: Pick<UnitLayer, "kind" | "resolution" | "ids" | "geometries">,
  lon: Float64Array,
  lat: Float64Array,
): Int32Array {
  const n = lon.length;
  const out = new Int32Array(n).fill(-1);
  if (layer.ids.length === 0) return out;
  if (layer.kind === "h3" && layer.resolution !== null) {
    const index = new Map(layer.ids.map((id, i) => [id, i]));
    const res = layer.resolution;
    for (let a = 0; a < n; a++) {
      const x = lon[a] as number;
      const y = lat[a] as number;
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      out[a] = index.get(latLngToCell(y, x, res)) ?? -1;
    }
    return out;
  }
  const grid = new AreaGrid(layer.geometries);
  for (let a = 0; a < n; a++) out[a] = grid.find(lon[a] as number, lat[a] as number);
  return out;
}

/** Admin areas in a uniform grid of their boxes, each area's edge index built when first needed. */
class AreaGrid {
  private readonly cells = new Map<string, number[]>();
  private readonly size: number;
  private readonly indexes: (EdgeIndex | null)[];

  constructor(private readonly geometries: readonly TerritoryGeometry[]) {
    this.indexes = geometries.map(() => null);
    // About as many grid cells as areas: mean box side as the cell size.
    let side = 0;
    const boxes = geometries.map((g) => {
      const box = bboxOf(g);
      side += Math.max(box[2] - box[0], box[3] - box[1]);
      return box;
    });
    this.size = Math.max(1e-3, side / Math.max(1, geometries.length));
    boxes.forEach(([minX, minY, maxX, maxY], u) => {
      for (let i = Math.floor(minX / this.size); i <= Math.floor(maxX / this.size); i++) {
        for (let j = Math.floor(minY / this.size); j <= Math.floor(maxY / this.size); j++) {
          const k = `${i},${j}`;
          const list = this.cells.get(k);
          if (list) list.push(u);
          else this.cells.set(k, [u]);
        }
      }
    });
  }

  find(x: number, y: number): number {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return -1;
    const list = this.cells.get(`${Math.floor(x / this.size)},${Math.floor(y / this.size)}`);
    if (!list) return -1;
    for (const u of list) {
      let ix = this.indexes[u];
      if (!ix) {
        ix = new EdgeIndex(flatten(this.geometries[u] as TerritoryGeometry));
        this.indexes[u] = ix;
      }
      if (ix.contains(x, y)) return u;
    }
    return -1;
  }
}

import { cellToBoundary, cellToLatLng, getHexagonAreaAvg, latLngToCell, polygonToCells } from "h3-js";
import { areaKm2, segmentM } from "../geometry/area.ts";
import { EdgeIndex } from "../geometry/edge-index.ts";
import { flatten } from "../geometry/flat.ts";
import type { Position, TerritoryGeometry } from "../geometry/types.ts";
import { H3_RESOLUTIONS, MAX_UNITS, type UnitLayer } from "./layer.ts";
import { bridgeIslands, h3Neighbours } from "./neighbours.ts";

/**
 * Hexagon layers: H3 cells (Uber's hierarchical hexagonal grid, via h3-js)
 * at a resolution a manager picks, covering an area, with the sea left out.
 * h3-js takes [lat, lng] unless told the input is GeoJSON; every call here
 * passes GeoJSON order ([lng, lat]) with `isGeoJson` set.
 */

/** Where there is land: a point test over the polygons that matter for an area. */
export interface LandMask {
  contains(lon: number, lat: number): boolean;
}

/**
 * A land mask from land polygons (the bundled Natural Earth land), keeping
 * only the parts whose box meets `bbox`, each with its own edge index.
 */
export function landMask(land: readonly TerritoryGeometry[], bbox: [number, number, number, number]): LandMask {
  const parts: EdgeIndex[] = [];
  for (const g of land) {
    const polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
    for (const poly of polys) {
      const ring = poly[0];
      if (!ring) continue;
      let minX = Number.POSITIVE_INFINITY;
      let minY = Number.POSITIVE_INFINITY;
      let maxX = Number.NEGATIVE_INFINITY;
      let maxY = Number.NEGATIVE_INFINITY;
      for (const [x, y] of ring) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
      if (maxX < bbox[0] || minX > bbox[2] || maxY < bbox[1] || minY > bbox[3]) continue;
      parts.push(new EdgeIndex(flatten({ type: "Polygon", coordinates: poly })));
    }
  }
  return { contains: (lon, lat) => parts.some((p) => p.contains(lon, lat)) };
}

/** A sentence for a cover that cannot be made (too many units, a bad resolution). */
export class CoverError extends Error {}

export interface CoverOptions {
  /** The area to cover: polygons (the plan's territories, a drawn ring, a GeoJSON polygon). */
  areas: readonly TerritoryGeometry[];
  resolution: number;
  /** Cells whose centre is not on land are left out… */
  land: LandMask | null;
  /** …unless they hold one of these points (accounts, competitors) inside the area. */
  keep: readonly Position[];
}

/**
 * The H3 cells covering `areas`: those whose centre lies inside (H3's own
 * polygon fill), less those whose centre is in the sea, plus the cell of
 * every kept point inside the area, so every account inside belongs to a
 * unit. Sorted, so the same input gives the same layer.
 *
 * @example coverH3({ areas: [bogor], resolution: 7, land: null, keep: [] }).length // ≈ 580
 */
export function coverH3(opts: CoverOptions): string[] {
  const { resolution } = opts;
  if (!(H3_RESOLUTIONS as readonly number[]).includes(resolution)) {
    throw new CoverError(`The resolution must be one of ${H3_RESOLUTIONS.join(", ")}; it was ${resolution}.`);
  }
  let area = 0;
  for (const g of opts.areas) area += areaKm2(g);
  const estimate = Math.round(area / getHexagonAreaAvg(resolution, "km2"));
  if (estimate > MAX_UNITS * 1.5) {
    throw new CoverError(
      `At resolution ${resolution} this area (${Math.round(area).toLocaleString("en-US")} km²) would make about ${estimate.toLocaleString("en-US")} units; a plan holds at most ${MAX_UNITS.toLocaleString("en-US")}. Pick a coarser resolution or a smaller area.`,
    );
  }
  const cells = new Set<string>();
  for (const g of opts.areas) {
    const polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
    for (const poly of polys) {
      for (const c of polygonToCells(poly as number[][][], resolution, true)) {
        if (!opts.land) {
          cells.add(c);
          continue;
        }
        const [lat, lon] = cellToLatLng(c);
        if (opts.land.contains(lon, lat)) cells.add(c);
      }
    }
  }
  if (opts.keep.length > 0) {
    const inside = opts.areas.map((g) => new EdgeIndex(flatten(g)));
    for (const [lon, lat] of opts.keep) {
      if (inside.some((ix) => ix.contains(lon, lat))) cells.add(latLngToCell(lat, lon, resolution));
    }
  }
  if (cells.size > MAX_UNITS) {
    throw new CoverError(
      `At resolution ${resolution} this area makes ${cells.size.toLocaleString("en-US")} units; a plan holds at most ${MAX_UNITS.toLocaleString("en-US")}. Pick a coarser resolution or a smaller area.`,
    );
  }
  return [...cells].sort();
}

/**
 * The layer of a set of H3 cells: shapes, centres, areas, neighbours with
 * the length of each shared edge, perimeters, and bridges between islands.
 */
export function h3Layer(ids: readonly string[], resolution: number, version: number): UnitLayer {
  const n = ids.length;
  const lon = new Float64Array(n);
  const lat = new Float64Array(n);
  const area = new Float64Array(n);
  const perimeterKm = new Float64Array(n);
  const geometries: TerritoryGeometry[] = new Array(n);
  const vertexKeys: string[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const id = ids[i] as string;
    const [la, lo] = cellToLatLng(id);
    lon[i] = lo;
    lat[i] = la;
    const ring = cellToBoundary(id, true) as Position[];
    const g: TerritoryGeometry = { type: "Polygon", coordinates: [ring] };
    geometries[i] = g;
    area[i] = areaKm2(g);
    let p = 0;
    for (let k = 0; k + 1 < ring.length; k++) {
      const [x1, y1] = ring[k] as Position;
      const [x2, y2] = ring[k + 1] as Position;
      p += segmentM(x1, y1, x2, y2);
    }
    perimeterKm[i] = p / 1000;
    vertexKeys[i] = ring.slice(0, -1).map(([x, y]) => `${Math.round(x * 1e9)},${Math.round(y * 1e9)}`);
  }
  const { offsets, targets } = h3Neighbours(ids);
  const sharedKm = new Float64Array(targets.length);
  for (let u = 0; u < n; u++) {
    const mine = vertexKeys[u] as string[];
    const ring = (geometries[u] as { coordinates: Position[][] }).coordinates[0] as Position[];
    for (let k = offsets[u] as number; k < (offsets[u + 1] as number); k++) {
      const theirs = new Set(vertexKeys[targets[k] as number]);
      const common: Position[] = [];
      mine.forEach((key, i) => {
        if (theirs.has(key)) common.push(ring[i] as Position);
      });
      if (common.length >= 2) {
        const [a, b] = common as [Position, Position];
        sharedKm[k] = segmentM(a[0], a[1], b[0], b[1]) / 1000;
      }
    }
  }
  return {
    kind: "h3",
    resolution,
    version,
    ids: [...ids],
    names: ids.map(() => ""),
    lon,
    lat,
    areaKm2: area,
    geometries,
    attributes: [],
    values: {},
    offsets,
    targets,
    sharedKm,
    perimeterKm,
    bridges: bridgeIslands(offsets, targets, lon, lat),
  };
}

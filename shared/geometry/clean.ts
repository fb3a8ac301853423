import { area } from "@turf/turf";
import type { Feature, MultiPolygon, Polygon } from "geojson";
import type { Ring, TerritoryGeometry } from "./types.ts";

/**
 * Turns a turf overlay result into a territory geometry: drops parts and holes
 * that are slivers (area below `minRelativeArea` of the whole), which
 * polygon clipping leaves behind where two borders almost coincide, and
 * returns a Polygon when one part is left.
 */
export function cleanOverlayResult(
  result: Feature<Polygon | MultiPolygon> | Polygon | MultiPolygon | null,
  minRelativeArea = 1e-7,
): TerritoryGeometry | null {
  if (!result) return null;
  const g = "geometry" in result ? result.geometry : result;
  const polys = (g.type === "Polygon" ? [g.coordinates] : g.coordinates) as Ring[][];
  const total = polys.reduce((sum, p) => sum + ringArea(p[0] ?? []), 0);
  if (!(total > 0)) return null;
  const kept: Ring[][] = [];
  for (const poly of polys) {
    const [outer, ...holes] = poly;
    if (!outer || ringArea(outer) < total * minRelativeArea) continue;
    kept.push([outer, ...holes.filter((h) => ringArea(h) >= total * minRelativeArea)]);
  }
  if (kept.length === 0) return null;
  return kept.length === 1
    ? { type: "Polygon", coordinates: kept[0] as Ring[] }
    : { type: "MultiPolygon", coordinates: kept };
}

/** Geodesic area of one ring in m² (turf's spherical formula). */
export function ringArea(ring: Ring): number {
  if (ring.length < 4) return 0;
  return area({ type: "Polygon", coordinates: [ring] });
}

/** Geodesic area of a territory geometry in m². */
export function geometryArea(g: TerritoryGeometry): number {
  return area(g as Polygon | MultiPolygon);
}

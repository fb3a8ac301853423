import { booleanIntersects, union } from "@turf/turf";
import type { MultiPolygon, Polygon } from "geojson";
import { cleanOverlayResult } from "./clean.ts";
import { bboxOf, polygonsOf, type Position, type Ring, type TerritoryGeometry } from "./types.ts";

export type MergeFailure =
  /** The two territories neither touch nor overlap (nor come within the tolerance). */
  "not-touching";

export type MergeResult = { ok: true; value: TerritoryGeometry } | { ok: false; reason: MergeFailure; error: string };

/**
 * About one metre, in degrees. Borders drawn with snapping meet exactly at
 * shared vertices, but a vertex snapped onto a neighbour's edge lands on the
 * straight segment in Web Mercator, which is a few millimetres off the
 * straight segment in lon/lat, and the codec rounds to 1e-7°. Within this
 * distance two territories count as touching.
 */
export const TOUCH_TOLERANCE_DEGREES = 1e-5;

/**
 * Merges two territories that touch or overlap into one (turf `union`).
 *
 * When they only come within {@link TOUCH_TOLERANCE_DEGREES} of each other,
 * the vertices of `a` that lie that close to `b`'s border are moved onto it
 * first, so the union is one piece instead of two with a hairline gap.
 *
 * @example mergeGeometries(westHalf, eastHalf) // ok: the whole square
 */
export function mergeGeometries(
  a: TerritoryGeometry,
  b: TerritoryGeometry,
  tolerance = TOUCH_TOLERANCE_DEGREES,
): MergeResult {
  let left = a;
  if (!booleanIntersects(a as Polygon | MultiPolygon, b as Polygon | MultiPolygon)) {
    const snapped = snapOnto(a, b, tolerance);
    if (!snapped) return { ok: false, reason: "not-touching", error: "the two territories do not touch" };
    left = snapped;
  }
  const merged = cleanOverlayResult(
    union({
      type: "FeatureCollection",
      features: [
        { type: "Feature", properties: {}, geometry: left as Polygon | MultiPolygon },
        { type: "Feature", properties: {}, geometry: b as Polygon | MultiPolygon },
      ],
    }),
  );
  if (!merged) return { ok: false, reason: "not-touching", error: "the two territories do not touch" };
  return { ok: true, value: merged };
}

/**
 * `a` with every vertex that lies within `tolerance` of `b`'s border moved
 * onto it; null when no vertex is that close.
 */
function snapOnto(a: TerritoryGeometry, b: TerritoryGeometry, tolerance: number): TerritoryGeometry | null {
  const [bx0, by0, bx1, by1] = bboxOf(b);
  const segments: [Position, Position][] = [];
  for (const poly of polygonsOf(b)) {
    for (const ring of poly) {
      for (let i = 1; i < ring.length; i++) segments.push([ring[i - 1] as Position, ring[i] as Position]);
    }
  }
  let moved = 0;
  const snapRing = (ring: Ring): Ring =>
    ring.map((p) => {
      if (p[0] < bx0 - tolerance || p[0] > bx1 + tolerance || p[1] < by0 - tolerance || p[1] > by1 + tolerance)
        return p;
      let best: Position | null = null;
      let bestD = tolerance * tolerance;
      for (const [s, e] of segments) {
        const q = closestOnSegment(p, s, e);
        const d = (q[0] - p[0]) ** 2 + (q[1] - p[1]) ** 2;
        if (d <= bestD) {
          bestD = d;
          best = q;
        }
      }
      if (!best) return p;
      moved++;
      return best;
    });
  const polys = polygonsOf(a).map((poly) =>
    poly.map((ring) => {
      const r = snapRing(ring);
      r[r.length - 1] = r[0] as Position;
      return r;
    }),
  );
  if (moved === 0) return null;
  return a.type === "Polygon"
    ? { type: "Polygon", coordinates: polys[0] as Ring[] }
    : { type: "MultiPolygon", coordinates: polys };
}

function closestOnSegment(p: Position, s: Position, e: Position): Position {
  const dx = e[0] - s[0];
  const dy = e[1] - s[1];
  const len2 = dx * dx + dy * dy;
  if (len2 === 0) return s;
  const t = Math.max(0, Math.min(1, ((p[0] - s[0]) * dx + (p[1] - s[1]) * dy) / len2));
  if (t === 0) return s;
  if (t === 1) return e;
  return [s[0] + t * dx, s[1] + t * dy];
}

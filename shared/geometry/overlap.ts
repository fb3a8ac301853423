import { bboxClip, intersect } from "@turf/turf";
import type { Feature, MultiPolygon, Polygon } from "geojson";
import { cleanOverlayResult } from "./clean.ts";
import { INSIDE, type EdgeIndex } from "./edge-index.ts";
import type { Position, TerritoryGeometry } from "./types.ts";

/**
 * Default tolerance of overlap detection, in degrees (about 11 cm). A vertex
 * snapped onto a neighbour's edge lands up to a few millimetres off it (the
 * edge is straight in Web Mercator, not in lon/lat) and the document's codec
 * rounds to 1e-7°; within this distance two borders count as touching.
 */
export const OVERLAP_TOLERANCE_DEG = 1e-6;

export interface OverlapWitness {
  /** Whether the interiors of the two territories overlap (beyond the tolerance). */
  overlaps: boolean;
  /** One point of the overlap (a vertex inside the other territory, or a crossing). */
  at: Position | null;
  /**
   * A box holding every edge that bounds the overlap, [minX, minY, maxX,
   * maxY]: clipping both territories to it first leaves the overlap
   * unchanged and makes polygon clipping cheap (see {@link overlapGeometry}).
   */
  box: [number, number, number, number] | null;
  /** How many witnesses were found (vertices inside, crossings, shared edges on the same side). */
  witnesses: number;
}

/**
 * Whether two territories overlap, by segment-level tests only, tolerant of
 * what snapping produces (shared edges, shared vertices, vertices on a
 * neighbour's edge):
 * 1. a vertex of one lies strictly inside the other (farther than `tol` from its boundary);
 * 2. two edges cross properly (each edge's ends lie beyond `tol` on either side of the other);
 * 3. two edges run along each other (within `tol`) in the same direction
 *    once rings are oriented interior-on-the-left: both interiors lie on the
 *    same side, as when a territory is duplicated.
 * Two snapped neighbours share edges in opposite directions and pass all
 * three, so the polygon clipping that the issue measured at ~10 ms per
 * neighbour pair runs only for pairs that really overlap. Without one of
 * these, the interiors are disjoint (if the interior of A meets B's, then
 * A's boundary enters B's interior or the two coincide), except in
 * pathological cases where that boundary enters only between vertices that
 * all lie on the other's boundary.
 *
 * @example
 * detectOverlap(new EdgeIndex(flatten(west)), new EdgeIndex(flatten(east))).overlaps // false when snapped
 */
export function detectOverlap(a: EdgeIndex, b: EdgeIndex, tol = OVERLAP_TOLERANCE_DEG): OverlapWitness {
  const [ax0, ay0, ax1, ay1] = a.flat.bbox;
  const [bx0, by0, bx1, by1] = b.flat.bbox;
  const minX = Math.max(ax0, bx0) - tol;
  const minY = Math.max(ay0, by0) - tol;
  const maxX = Math.min(ax1, bx1) + tol;
  const maxY = Math.min(ay1, by1) + tol;
  const w: OverlapWitness = { overlaps: false, at: null, box: null, witnesses: 0 };
  if (!(minX <= maxX && minY <= maxY)) return w;
  const box: [number, number, number, number] = [
    Number.POSITIVE_INFINITY,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ];
  const add = (xy: Float64Array, v: number) => {
    const x = xy[2 * v];
    const y = xy[2 * v + 1];
    if (x < box[0]) box[0] = x;
    if (y < box[1]) box[1] = y;
    if (x > box[2]) box[2] = x;
    if (y > box[3]) box[3] = y;
  };
  const witness = (x: number, y: number) => {
    if (w.witnesses++ === 0) w.at = [x, y];
  };

  // 1. Vertices strictly inside the other territory; the overlap's boundary
  // then runs along both edges at that vertex, so both neighbours go in the box.
  for (const [p, q] of [
    [a, b],
    [b, a],
  ] as const) {
    const { xy, prev, next } = p.flat;
    const n = next.length;
    for (let v = 0; v < n; v++) {
      const x = xy[2 * v];
      const y = xy[2 * v + 1];
      if (x < minX || x > maxX || y < minY || y > maxY) continue;
      if (q.classify(x, y, tol) !== INSIDE) continue;
      witness(x, y);
      add(xy, v);
      add(xy, prev[v]);
      add(xy, next[v]);
    }
  }

  // 2 and 3. Edge pairs: proper crossings and same-side shared edges.
  const { xy: axy, next: anext, vertexRing: aring, ringSign: asign } = a.flat;
  const { xy: bxy, next: bnext, vertexRing: bring, ringSign: bsign } = b.flat;
  const found: number[] = [];
  const n = anext.length;
  for (let i = 0; i < n; i++) {
    const i2 = anext[i];
    const px = axy[2 * i];
    const py = axy[2 * i + 1];
    const qx = axy[2 * i2];
    const qy = axy[2 * i2 + 1];
    const eminX = Math.min(px, qx);
    const emaxX = Math.max(px, qx);
    const eminY = Math.min(py, qy);
    const emaxY = Math.max(py, qy);
    if (emaxX < minX || eminX > maxX || emaxY < minY || eminY > maxY) continue;
    const k = b.search(eminX - tol, eminY - tol, emaxX + tol, emaxY + tol, found);
    if (k === 0) continue;
    const ex = qx - px;
    const ey = qy - py;
    const elen = Math.sqrt(ex * ex + ey * ey);
    if (elen === 0) continue;
    for (let c = 0; c < k; c++) {
      const j = found[c] as number;
      const j2 = bnext[j];
      const rx = bxy[2 * j];
      const ry = bxy[2 * j + 1];
      const sx = bxy[2 * j2];
      const sy = bxy[2 * j2 + 1];
      const fx = sx - rx;
      const fy = sy - ry;
      const flen = Math.sqrt(fx * fx + fy * fy);
      if (flen === 0) continue;
      // Signed distances of each edge's ends from the other edge's line.
      const dr = (ex * (ry - py) - ey * (rx - px)) / elen;
      const ds = (ex * (sy - py) - ey * (sx - px)) / elen;
      const dp = (fx * (py - ry) - fy * (px - rx)) / flen;
      const dq = (fx * (qy - ry) - fy * (qx - rx)) / flen;
      if (Math.abs(dr) <= tol && Math.abs(ds) <= tol) {
        // Along each other: shared piece longer than tol, and interiors on the same side?
        const tr = (ex * (rx - px) + ey * (ry - py)) / elen;
        const ts = (ex * (sx - px) + ey * (sy - py)) / elen;
        const lo = Math.max(0, Math.min(tr, ts));
        const hi = Math.min(elen, Math.max(tr, ts));
        if (hi - lo <= tol) continue;
        const sa = asign[aring[i]];
        const sb = bsign[bring[j]];
        if (sa === 0 || sb === 0 || sa * sb * (ex * fx + ey * fy) <= 0) continue;
        const t = (lo + hi) / 2 / elen;
        witness(px + t * ex, py + t * ey);
      } else if (
        ((dr > tol && ds < -tol) || (dr < -tol && ds > tol)) &&
        ((dp > tol && dq < -tol) || (dp < -tol && dq > tol))
      ) {
        const t = dp / (dp - dq);
        witness(px + t * ex, py + t * ey);
      } else {
        continue;
      }
      add(axy, i);
      add(axy, i2);
      add(bxy, j);
      add(bxy, j2);
    }
  }
  if (w.witnesses > 0) {
    w.overlaps = true;
    w.box = box;
  }
  return w;
}

/**
 * The overlap of two territories as a geometry (turf `intersect`, i.e.
 * polyclip-ts), after clipping both to `box` (turf `bboxClip`,
 * Sutherland–Hodgman) when one is given: clipping cost grows with the
 * vertices and the shared edges of the inputs, and the box from
 * {@link detectOverlap} holds the whole overlap, so the result is the same
 * for a fraction of the work. Parts thinner than clipping noise are dropped
 * (clean.ts). Null when nothing is left, or when clipping fails on an
 * invalid input.
 *
 * @example overlapGeometry(a, b, detectOverlap(ia, ib).box) // Polygon of the shared area
 */
export function overlapGeometry(
  a: TerritoryGeometry,
  b: TerritoryGeometry,
  box: [number, number, number, number] | null = null,
): TerritoryGeometry | null {
  let ga = a as Polygon | MultiPolygon;
  let gb = b as Polygon | MultiPolygon;
  if (box) {
    // A margin, so that no clipped edge lies exactly on an edge of the overlap.
    const m = Math.max(1e-7, (box[2] - box[0] + box[3] - box[1]) * 0.01);
    const bb: [number, number, number, number] = [box[0] - m, box[1] - m, box[2] + m, box[3] + m];
    ga = bboxClip(ga, bb).geometry as Polygon | MultiPolygon;
    gb = bboxClip(gb, bb).geometry as Polygon | MultiPolygon;
    if (isEmpty(ga) || isEmpty(gb)) return null;
  }
  try {
    const result = intersect({ type: "FeatureCollection", features: [feature(ga), feature(gb)] });
    return cleanOverlayResult(result);
  } catch {
    return null;
  }
}

function feature(geometry: Polygon | MultiPolygon): Feature<Polygon | MultiPolygon> {
  return { type: "Feature", properties: {}, geometry };
}

function isEmpty(g: Polygon | MultiPolygon): boolean {
  return g.type === "Polygon" ? g.coordinates.length === 0 : g.coordinates.every((p) => p.length === 0);
}

import type { Position, TerritoryGeometry } from "./types.ts";

/**
 * A territory geometry flattened into typed arrays, the form every fast
 * geometry routine here (point in polygon, self-intersection, overlap, area)
 * works on: no per-vertex objects, cache-friendly loops, and cheap to send
 * to a worker thread (structured clone copies typed arrays as one block).
 *
 * Rings keep their vertices without the closing position and without
 * consecutive duplicates, so "edge i" is always the segment from vertex i to
 * vertex `next[i]` and never has zero length (unless a ring collapsed to one
 * point, which validation reports).
 */
export interface FlatGeometry {
  /** x (longitude), y (latitude) interleaved: vertex i is at `xy[2i], xy[2i+1]`. */
  xy: Float64Array;
  /** Vertex offsets of the rings: ring r is vertices `ringStart[r] … ringStart[r+1]-1`. Length rings + 1. */
  ringStart: Int32Array;
  /** Ring offsets of the parts (polygons): part p is rings `partStart[p] …`, its first ring the outer one. Length parts + 1. */
  partStart: Int32Array;
  /** Part (polygon) index of each ring. */
  ringPart: Int32Array;
  /**
   * +1 when walking the ring forward keeps the territory's interior on the
   * left (outer ring counter-clockwise, hole clockwise), -1 when backwards,
   * 0 when the ring has no area. Overlap detection uses it to tell two
   * neighbours sharing an edge (interiors on opposite sides) from two
   * territories lying on the same side of it.
   */
  ringSign: Int8Array;
  /** Index of the vertex after vertex i in its ring (wrapping to the ring's first vertex). */
  next: Int32Array;
  /** Index of the vertex before vertex i in its ring. */
  prev: Int32Array;
  /** Ring index of each vertex. */
  vertexRing: Int32Array;
  /** [minX, minY, maxX, maxY] over all vertices; all NaN when the geometry has no vertex. */
  bbox: [number, number, number, number];
}

/**
 * Flattens a Polygon or MultiPolygon (closing positions and consecutive
 * duplicates dropped). Expects structurally valid input (shared/geometry/validate.ts).
 *
 * @example
 * const f = flatten({ type: "Polygon", coordinates: [[[0,0],[1,0],[1,1],[0,0]]] });
 * f.xy // Float64Array [0,0, 1,0, 1,1]; f.ringStart // [0, 3]
 */
export function flatten(g: TerritoryGeometry): FlatGeometry {
  const polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
  let total = 0;
  let rings = 0;
  for (const poly of polys) {
    rings += poly.length;
    for (const ring of poly) total += ring.length;
  }
  const xy = new Float64Array(total * 2);
  const ringStart = new Int32Array(rings + 1);
  const partStart = new Int32Array(polys.length + 1);
  const ringPart = new Int32Array(rings);
  const ringSign = new Int8Array(rings);
  let n = 0;
  let r = 0;
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (let p = 0; p < polys.length; p++) {
    partStart[p] = r;
    const poly = polys[p] as Position[][];
    for (let k = 0; k < poly.length; k++) {
      const ring = poly[k] as Position[];
      ringStart[r] = n;
      ringPart[r] = p;
      const start = n;
      for (let i = 0; i < ring.length; i++) {
        const pos = ring[i] as Position;
        const x = pos[0];
        const y = pos[1];
        if (n > start && xy[2 * n - 2] === x && xy[2 * n - 1] === y) continue;
        xy[2 * n] = x;
        xy[2 * n + 1] = y;
        n++;
        if (x < minX) minX = x;
        if (y < minY) minY = y;
        if (x > maxX) maxX = x;
        if (y > maxY) maxY = y;
      }
      // Drop the closing position (and any run equal to the first vertex).
      while (n - start > 1 && xy[2 * n - 2] === xy[2 * start] && xy[2 * n - 1] === xy[2 * start + 1]) n--;
      const area2 = signedArea2(xy, start, n);
      const wantPositive = k === 0; // outer rings counter-clockwise, holes clockwise
      ringSign[r] = area2 === 0 ? 0 : area2 > 0 === wantPositive ? 1 : -1;
      r++;
    }
  }
  partStart[polys.length] = r;
  ringStart[rings] = n;
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  const vertexRing = new Int32Array(n);
  for (let k = 0; k < rings; k++) {
    const s = ringStart[k];
    const e = ringStart[k + 1];
    for (let i = s; i < e; i++) {
      next[i] = i + 1 < e ? i + 1 : s;
      prev[i] = i > s ? i - 1 : e - 1;
      vertexRing[i] = k;
    }
  }
  const bbox: [number, number, number, number] =
    n === 0 ? [Number.NaN, Number.NaN, Number.NaN, Number.NaN] : [minX, minY, maxX, maxY];
  return { xy: xy.slice(0, 2 * n), ringStart, partStart, ringPart, ringSign, next, prev, vertexRing, bbox };
}

/**
 * Twice the signed planar area (shoelace, in degrees²) of vertices `start…end-1`
 * of `xy` taken as a closed ring; positive when counter-clockwise. Coordinates
 * are taken relative to the first vertex so that small rings far from (0, 0)
 * keep their precision.
 */
export function signedArea2(xy: Float64Array, start: number, end: number): number {
  if (end - start < 3) return 0;
  const x0 = xy[2 * start];
  const y0 = xy[2 * start + 1];
  let sum = 0;
  let px = 0;
  let py = 0;
  for (let i = start + 1; i < end; i++) {
    const x = xy[2 * i] - x0;
    const y = xy[2 * i + 1] - y0;
    sum += px * y - x * py;
    px = x;
    py = y;
  }
  return sum; // the closing edge back to the first vertex (0, 0) adds px·0 − 0·py = 0
}

/** Number of rings in a flat geometry. */
export function ringCount(f: FlatGeometry): number {
  return f.ringStart.length - 1;
}

/** Number of parts (polygons) in a flat geometry. */
export function partCount(f: FlatGeometry): number {
  return f.partStart.length - 1;
}

/** Number of vertices (closing positions and duplicates excluded). */
export function vertexCount(f: FlatGeometry): number {
  return f.xy.length / 2;
}

/**
 * Back to GeoJSON (closing positions restored): a Polygon for one part, a
 * MultiPolygon otherwise.
 *
 * @example unflatten(flatten(g)) // g without consecutive duplicate positions
 */
export function unflatten(f: FlatGeometry): TerritoryGeometry {
  const polys: Position[][][] = [];
  for (let p = 0; p + 1 < f.partStart.length; p++) {
    const rings: Position[][] = [];
    for (let r = f.partStart[p]; r < f.partStart[p + 1]; r++) {
      const ring: Position[] = [];
      for (let i = f.ringStart[r]; i < f.ringStart[r + 1]; i++) ring.push([f.xy[2 * i], f.xy[2 * i + 1]]);
      if (ring.length > 0) ring.push([ring[0]?.[0] as number, ring[0]?.[1] as number]);
      rings.push(ring);
    }
    polys.push(rings);
  }
  return polys.length === 1
    ? { type: "Polygon", coordinates: polys[0] as Position[][] }
    : { type: "MultiPolygon", coordinates: polys };
}

/** Whether two flat geometries have the same rings, parts and coordinates, bit for bit. */
export function sameFlat(a: FlatGeometry, b: FlatGeometry): boolean {
  return sameArray(a.xy, b.xy) && sameArray(a.ringStart, b.ringStart) && sameArray(a.partStart, b.partStart);
}

function sameArray(a: Float64Array | Int32Array, b: Float64Array | Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

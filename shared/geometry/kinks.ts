import { EdgeIndex } from "./edge-index.ts";
import { type FlatGeometry, flatten } from "./flat.ts";
import { meetingPoint, orient, SEG_CROSS, SEG_DISJOINT, SEG_OVERLAP, segmentRelation } from "./segments.ts";
import type { Position, TerritoryGeometry } from "./types.ts";

/**
 * Why a geometry is topologically invalid (structure is validate.ts's job):
 * - `too-few-points`: a ring with fewer than 3 distinct corners;
 * - `zero-area`: a ring whose corners lie on one line;
 * - `self-intersection`: a ring crosses or touches itself (a bow-tie, a
 *   figure eight, a spike that doubles back), or two rings cross or run
 *   along each other;
 * - `hole-outside`: a hole that is not inside its polygon's outer ring;
 * - `parts-overlap`: one part of a MultiPolygon lies inside another.
 */
export type TopologyProblem = "too-few-points" | "zero-area" | "self-intersection" | "hole-outside" | "parts-overlap";

export interface TopologyReport {
  valid: boolean;
  /** The first problem found, in the order of {@link TopologyProblem}'s list; null when valid. */
  problem: TopologyProblem | null;
  /** Where the first problem is, [lon, lat]; null when valid. */
  at: Position | null;
  /** Points where the boundary crosses or touches itself, at most `limit` of them. */
  intersections: Position[];
  /** How many such points there are in all. */
  intersectionCount: number;
}

/**
 * Checks that a geometry is a valid polygon in the OGC Simple Features sense
 * (simple rings, holes inside their shell, parts apart), reporting where it is not.
 *
 * Self-intersection uses the slab index of edge-index.ts: each pair of
 * edges that share a slab is tested once (in the first slab they share), so
 * the cost is about n·k for k edges per slab instead of turf `kinks`'s n²/2
 * pair tests (a Bentley–Ottmann sweep would give O((n + i) log n) in the
 * worst case; slabs are simpler and faster on territory boundaries).
 * Touching is exact (shared vertices are compared bit for bit), as validity
 * must not depend on a tolerance.
 *
 * @example
 * const bowTie = { type: "Polygon", coordinates: [[[0,0],[1,1],[1,0],[0,1],[0,0]]] };
 * checkTopology(flatten(bowTie)) // { valid: false, problem: "self-intersection", at: [0.5, 0.5], … }
 */
export function checkTopology(flat: FlatGeometry, index: EdgeIndex = new EdgeIndex(flat), limit = 50): TopologyReport {
  const { xy, ringStart, next, vertexRing } = flat;
  const rings = ringStart.length - 1;
  let problem: TopologyProblem | null = null;
  let at: Position | null = null;
  const note = (p: TopologyProblem, x: number, y: number) => {
    if (problem === null || rank(p) < rank(problem)) {
      problem = p;
      at = [x, y];
    }
  };

  for (let r = 0; r < rings; r++) {
    const s = ringStart[r];
    const e = ringStart[r + 1];
    if (e - s < 3) {
      note("too-few-points", e > s ? xy[2 * s] : Number.NaN, e > s ? xy[2 * s + 1] : Number.NaN);
      continue;
    }
    if (isZeroArea(xy, s, e)) note("zero-area", xy[2 * s], xy[2 * s + 1]);
  }

  const intersections: Position[] = [];
  let intersectionCount = 0;
  const pt: [number, number] = [0, 0];
  const { slabStart, slabEdges, edgeLo } = index;
  // Rings that cross another ring: their nesting is then meaningless, skip that check for them.
  const crossedRings = new Set<number>();
  for (let s = 0; s < index.slabs; s++) {
    const end = slabStart[s + 1];
    for (let a = slabStart[s]; a < end; a++) {
      const i = slabEdges[a];
      const i2 = next[i];
      const ax = xy[2 * i];
      const ay = xy[2 * i + 1];
      const bx = xy[2 * i2];
      const by = xy[2 * i2 + 1];
      const iminX = Math.min(ax, bx);
      const imaxX = Math.max(ax, bx);
      const iminY = Math.min(ay, by);
      const imaxY = Math.max(ay, by);
      for (let b = a + 1; b < end; b++) {
        const j = slabEdges[b];
        // Test each pair once: in the first slab both edges are in.
        if (Math.max(edgeLo[i], edgeLo[j]) !== s) continue;
        const j2 = next[j];
        const cx = xy[2 * j];
        const cy = xy[2 * j + 1];
        const dx = xy[2 * j2];
        const dy = xy[2 * j2 + 1];
        if (Math.max(cx, dx) < iminX || Math.min(cx, dx) > imaxX) continue;
        if (Math.max(cy, dy) < iminY || Math.min(cy, dy) > imaxY) continue;
        const sameRing = vertexRing[i] === vertexRing[j];
        let bad = false;
        if (sameRing && (i2 === j || j2 === i)) {
          if (i2 === j && j2 === i) continue; // a two-vertex ring: reported as zero area
          // Adjacent edges meet at their shared vertex; only a spike (doubling back) is wrong.
          const [p, q, r2] = i2 === j ? [i, j, j2] : [j, i, i2];
          const px = xy[2 * p];
          const py = xy[2 * p + 1];
          const qx = xy[2 * q];
          const qy = xy[2 * q + 1];
          const rx = xy[2 * r2];
          const ry = xy[2 * r2 + 1];
          if (orient(px, py, qx, qy, rx, ry) === 0 && (qx - px) * (rx - qx) + (qy - py) * (ry - qy) < 0) {
            bad = true;
            pt[0] = qx;
            pt[1] = qy;
          }
        } else {
          const rel = segmentRelation(ax, ay, bx, by, cx, cy, dx, dy);
          if (rel !== SEG_DISJOINT && (sameRing || rel === SEG_CROSS || rel === SEG_OVERLAP)) {
            bad = true;
            meetingPoint(ax, ay, bx, by, cx, cy, dx, dy, pt);
            if (!sameRing) {
              crossedRings.add(vertexRing[i]);
              crossedRings.add(vertexRing[j]);
            }
          }
        }
        if (bad) {
          intersectionCount++;
          if (intersections.length < limit) intersections.push([pt[0], pt[1]]);
          note("self-intersection", pt[0], pt[1]);
        }
      }
    }
  }

  checkNesting(flat, crossedRings, note);
  return { valid: problem === null, problem, at, intersections, intersectionCount };
}

/**
 * Self-intersection points of a geometry, like turf `kinks` but without its
 * quadratic cost; an empty list when the boundary is simple.
 *
 * @example
 * selfIntersections({ type: "Polygon", coordinates: [[[0,0],[1,1],[1,0],[0,1],[0,0]]] }) // [[0.5, 0.5]]
 */
export function selfIntersections(g: TerritoryGeometry, limit = 1000): Position[] {
  return checkTopology(flatten(g), undefined, limit).intersections;
}

const ORDER: TopologyProblem[] = ["too-few-points", "zero-area", "self-intersection", "hole-outside", "parts-overlap"];
function rank(p: TopologyProblem): number {
  return ORDER.indexOf(p);
}

/**
 * Whether a ring's corners lie on one line (so it encloses nothing): every
 * vertex is within 1e-9 of the ring's length scale from the line through
 * the first vertex and the vertex farthest from it. A bow-tie's signed area
 * is 0 as well, but it is reported as the self-intersection it is.
 */
function isZeroArea(xy: Float64Array, s: number, e: number): boolean {
  const x0 = xy[2 * s];
  const y0 = xy[2 * s + 1];
  let far = s;
  let farD = 0;
  for (let i = s + 1; i < e; i++) {
    const d = (xy[2 * i] - x0) ** 2 + (xy[2 * i + 1] - y0) ** 2;
    if (d > farD) {
      farD = d;
      far = i;
    }
  }
  if (farD === 0) return true;
  const fx = xy[2 * far];
  const fy = xy[2 * far + 1];
  const limit = 1e-9 * farD; // |orient| / |f − p0| ≤ 1e-9 · |f − p0|
  for (let i = s + 1; i < e; i++) {
    if (Math.abs(orient(x0, y0, fx, fy, xy[2 * i], xy[2 * i + 1])) > limit) return false;
  }
  return true;
}

/**
 * Holes inside their outer ring, parts not inside one another. Only rings
 * that do not cross anything are checked (a crossing is already reported),
 * so one vertex of a ring tells on which side the whole ring is.
 */
function checkNesting(
  flat: FlatGeometry,
  crossed: Set<number>,
  note: (p: TopologyProblem, x: number, y: number) => void,
): void {
  const { xy, ringStart, partStart } = flat;
  const parts = partStart.length - 1;
  for (let p = 0; p < parts; p++) {
    const outer = partStart[p];
    if (crossed.has(outer) || ringStart[outer + 1] - ringStart[outer] < 3) continue;
    for (let h = outer + 1; h < partStart[p + 1]; h++) {
      if (crossed.has(h)) continue;
      const v = vertexOffRing(flat, h, outer);
      if (v >= 0 && !ringContains(xy, ringStart[outer], ringStart[outer + 1], xy[2 * v], xy[2 * v + 1])) {
        note("hole-outside", xy[2 * v], xy[2 * v + 1]);
      }
    }
  }
  if (parts < 2) return;
  const boxes = Array.from({ length: parts }, (_, p) =>
    ringBox(xy, ringStart[partStart[p]], ringStart[partStart[p] + 1]),
  );
  for (let p = 0; p < parts; p++) {
    for (let q = 0; q < parts; q++) {
      if (p === q) continue;
      const op = partStart[p];
      const oq = partStart[q];
      if (crossed.has(op) || crossed.has(oq)) continue;
      const bp = boxes[p] as number[];
      const bq = boxes[q] as number[];
      if (bq[0] < bp[0] || bq[1] < bp[1] || bq[2] > bp[2] || bq[3] > bp[3]) continue; // q's box must fit in p's
      const v = vertexOffRing(flat, oq, op);
      if (v < 0) continue;
      const x = xy[2 * v];
      const y = xy[2 * v + 1];
      if (!ringContains(xy, ringStart[op], ringStart[op + 1], x, y)) continue;
      // Inside p's shell: fine only when it sits in one of p's holes (an island in a lake).
      let inHole = false;
      for (let h = op + 1; h < partStart[p + 1] && !inHole; h++) {
        inHole = ringContains(xy, ringStart[h], ringStart[h + 1], x, y);
      }
      if (!inHole) note("parts-overlap", x, y);
    }
  }
}

/** A vertex of ring `r` that is not a vertex of ring `other` (touching rings share some), or -1. */
function vertexOffRing(flat: FlatGeometry, r: number, other: number): number {
  const { xy, ringStart } = flat;
  const os = ringStart[other];
  const oe = ringStart[other + 1];
  for (let v = ringStart[r]; v < ringStart[r + 1]; v++) {
    let shared = false;
    for (let w = os; w < oe && !shared; w++) shared = xy[2 * w] === xy[2 * v] && xy[2 * w + 1] === xy[2 * v + 1];
    if (!shared) return v;
  }
  return -1;
}

/** Crossing-number test against one ring (vertices s…e-1). */
function ringContains(xy: Float64Array, s: number, e: number, x: number, y: number): boolean {
  let inside = false;
  for (let i = s, j = e - 1; i < e; j = i++) {
    const yi = xy[2 * i + 1];
    const yj = xy[2 * j + 1];
    if (yi > y !== yj > y) {
      const xi = xy[2 * i];
      const xj = xy[2 * j];
      if (x < xi + ((y - yi) * (xj - xi)) / (yj - yi)) inside = !inside;
    }
  }
  return inside;
}

function ringBox(xy: Float64Array, s: number, e: number): number[] {
  const box = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (let i = s; i < e; i++) {
    box[0] = Math.min(box[0] as number, xy[2 * i]);
    box[1] = Math.min(box[1] as number, xy[2 * i + 1]);
    box[2] = Math.max(box[2] as number, xy[2 * i]);
    box[3] = Math.max(box[3] as number, xy[2 * i + 1]);
  }
  return box;
}

/**
 * Segment predicates on plain numbers (no allocation), shared by the
 * self-intersection check (kinks.ts) and overlap detection (overlap.ts).
 */

/** How two closed segments meet. */
export const SEG_DISJOINT = 0;
/** Their interiors cross at one point (neither endpoint on the other segment). */
export const SEG_CROSS = 1;
/** They meet at one point that is an endpoint of at least one of them. */
export const SEG_TOUCH = 2;
/** They are collinear and share a piece of positive length. */
export const SEG_OVERLAP = 3;
export type SegmentRelation = typeof SEG_DISJOINT | typeof SEG_CROSS | typeof SEG_TOUCH | typeof SEG_OVERLAP;

/**
 * Twice the signed area of triangle a, b, c: > 0 when c is left of a→b.
 * Exactly 0 when c equals a or b (bit for bit), which is what snapped
 * neighbours' shared vertices need; near-collinear cases are left to the
 * callers' tolerances.
 */
export function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

/**
 * Exact relation of closed segments a–b and c–d (the classic orientation
 * test, Cormen et al., Introduction to Algorithms, §33.1), with collinear
 * pieces told apart from single touching points.
 *
 * @example
 * segmentRelation(0,0, 2,2, 0,2, 2,0) // SEG_CROSS
 * segmentRelation(0,0, 2,0, 1,0, 3,0) // SEG_OVERLAP
 */
export function segmentRelation(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
): SegmentRelation {
  if (Math.max(ax, bx) < Math.min(cx, dx) || Math.max(cx, dx) < Math.min(ax, bx)) return SEG_DISJOINT;
  if (Math.max(ay, by) < Math.min(cy, dy) || Math.max(cy, dy) < Math.min(ay, by)) return SEG_DISJOINT;
  const o1 = orient(ax, ay, bx, by, cx, cy);
  const o2 = orient(ax, ay, bx, by, dx, dy);
  const o3 = orient(cx, cy, dx, dy, ax, ay);
  const o4 = orient(cx, cy, dx, dy, bx, by);
  if (o1 === 0 && o2 === 0) {
    // Collinear: compare positions along the longer axis of a–b.
    const useX = Math.abs(bx - ax) >= Math.abs(by - ay);
    const a = useX ? ax : ay;
    const b = useX ? bx : by;
    const c = useX ? cx : cy;
    const d = useX ? dx : dy;
    const lo = Math.max(Math.min(a, b), Math.min(c, d));
    const hi = Math.min(Math.max(a, b), Math.max(c, d));
    if (hi > lo) return SEG_OVERLAP;
    return hi === lo ? SEG_TOUCH : SEG_DISJOINT;
  }
  if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) return SEG_CROSS;
  if (o1 === 0 && onSegment(ax, ay, bx, by, cx, cy)) return SEG_TOUCH;
  if (o2 === 0 && onSegment(ax, ay, bx, by, dx, dy)) return SEG_TOUCH;
  if (o3 === 0 && onSegment(cx, cy, dx, dy, ax, ay)) return SEG_TOUCH;
  if (o4 === 0 && onSegment(cx, cy, dx, dy, bx, by)) return SEG_TOUCH;
  return SEG_DISJOINT;
}

/** Whether p, known to be collinear with a–b, lies within the segment's box. */
function onSegment(ax: number, ay: number, bx: number, by: number, px: number, py: number): boolean {
  return px >= Math.min(ax, bx) && px <= Math.max(ax, bx) && py >= Math.min(ay, by) && py <= Math.max(ay, by);
}

/**
 * Where lines a–b and c–d meet, written to `out` as [x, y]; for parallel
 * lines, the midpoint of the collinear overlap's ends (a meaningful place to
 * point at). Call after a relation other than SEG_DISJOINT.
 */
export function meetingPoint(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
  out: [number, number],
): [number, number] {
  const rx = bx - ax;
  const ry = by - ay;
  const sx = dx - cx;
  const sy = dy - cy;
  const den = rx * sy - ry * sx;
  if (den !== 0) {
    const t = ((cx - ax) * sy - (cy - ay) * sx) / den;
    const tt = t < 0 ? 0 : Math.min(t, 1);
    out[0] = ax + tt * rx;
    out[1] = ay + tt * ry;
    return out;
  }
  // Collinear or parallel: the middle of the part of c–d that projects onto a–b.
  const len2 = rx * rx + ry * ry || 1;
  let t0 = ((cx - ax) * rx + (cy - ay) * ry) / len2;
  let t1 = ((dx - ax) * rx + (dy - ay) * ry) / len2;
  if (t1 < t0) [t0, t1] = [t1, t0];
  const lo = Math.max(0, t0);
  const hi = Math.min(1, t1);
  const t = hi >= lo ? (lo + hi) / 2 : 0;
  out[0] = ax + t * rx;
  out[1] = ay + t * ry;
  return out;
}

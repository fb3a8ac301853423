import { pointSegmentDist2 } from "./edge-index.ts";
import { type Position, polygonsOf, type TerritoryGeometry } from "./types.ts";

/** Even–odd ray casting over every ring (holes count as outside). */
function inside(rings: Position[][], x: number, y: number): boolean {
  let odd = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i] as Position;
      const [xj, yj] = ring[j] as Position;
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) odd = !odd;
    }
  }
  return odd;
}

/** Squared distance (degrees²) from a point to a geometry's nearest edge. */
function edgeDist2(g: TerritoryGeometry, x: number, y: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (const poly of polygonsOf(g)) {
    for (const ring of poly) {
      for (let i = 1; i < ring.length; i++) {
        const [ax, ay] = ring[i - 1] as Position;
        const [bx, by] = ring[i] as Position;
        const d = pointSegmentDist2(x, y, ax, ay, bx, by);
        if (d < best) best = d;
      }
    }
  }
  return best;
}

/**
 * The territory a map point belongs to: the one containing it, else the one
 * whose boundary is nearest within `toleranceDeg` (a comment pinned on a
 * boundary, or just outside it), else null.
 *
 * @example territoryAt([{ id: "a", geometry: square }], [0.5, 0.5]) // "a"
 */
export function territoryAt(
  territories: readonly { id: string; geometry: TerritoryGeometry }[],
  [x, y]: Position,
  toleranceDeg = 0.02,
): string | null {
  for (const t of territories) {
    if (polygonsOf(t.geometry).some((poly) => inside(poly, x, y))) return t.id;
  }
  let best: string | null = null;
  let bestD = toleranceDeg * toleranceDeg;
  for (const t of territories) {
    const d = edgeDist2(t.geometry, x, y);
    if (d <= bestD) {
      bestD = d;
      best = t.id;
    }
  }
  return best;
}

import { type FlatGeometry, signedArea2 } from "./flat.ts";
import type { Position } from "./types.ts";

/**
 * A point inside a part of the geometry, for labels and zoom targets (a
 * centroid can fall outside a crescent-shaped territory). JTS's
 * InteriorPointArea method (M. Davis, 2019): cut the part with a horizontal
 * line between two vertex latitudes near its middle and take the middle of
 * the widest inside stretch. O(n).
 *
 * @param part index of the part; by default the largest (planar area).
 * @example interiorPoint(flatten(square)) // [0.5, 0.5]
 */
export function interiorPoint(f: FlatGeometry, part = largestPart(f)): Position {
  const { xy, ringStart, partStart, next } = f;
  const r0 = partStart[part];
  const r1 = partStart[part + 1];
  const v0 = ringStart[r0];
  const v1 = ringStart[r1];
  if (v1 <= v0) return [Number.NaN, Number.NaN];
  let minY = Number.POSITIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (let i = ringStart[r0]; i < ringStart[r0 + 1]; i++) {
    const y = xy[2 * i + 1];
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  // A scan line that passes through no vertex: halfway between the vertex latitudes nearest the middle.
  const mid = (minY + maxY) / 2;
  let below = minY;
  let above = maxY;
  for (let i = v0; i < v1; i++) {
    const y = xy[2 * i + 1];
    if (y <= mid && y > below) below = y;
    if (y > mid && y < above) above = y;
  }
  const scanY = (below + above) / 2;
  const xs: number[] = [];
  for (let i = v0; i < v1; i++) {
    const j = next[i];
    const yi = xy[2 * i + 1];
    const yj = xy[2 * j + 1];
    if (yi > scanY !== yj > scanY) {
      const xi = xy[2 * i];
      xs.push(xi + ((scanY - yi) * (xy[2 * j] - xi)) / (yj - yi));
    }
  }
  if (xs.length < 2) return [xy[2 * v0], xy[2 * v0 + 1]];
  xs.sort((a, b) => a - b);
  let best = 0;
  let bestW = -1;
  for (let k = 0; k + 1 < xs.length; k += 2) {
    const w = (xs[k + 1] as number) - (xs[k] as number);
    if (w > bestW) {
      bestW = w;
      best = k;
    }
  }
  return [((xs[best] as number) + (xs[best + 1] as number)) / 2, scanY];
}

/** Index of the part whose outer ring has the largest planar area. */
export function largestPart(f: FlatGeometry): number {
  return partByArea(f, 1);
}

/** Index of the part whose outer ring has the smallest planar area. */
export function smallestPart(f: FlatGeometry): number {
  return partByArea(f, -1);
}

function partByArea(f: FlatGeometry, sign: 1 | -1): number {
  const parts = f.partStart.length - 1;
  let best = 0;
  let bestA = Number.NEGATIVE_INFINITY;
  for (let p = 0; p < parts; p++) {
    const r = f.partStart[p];
    const a = sign * Math.abs(signedArea2(f.xy, f.ringStart[r], f.ringStart[r + 1]));
    if (a > bestA) {
      bestA = a;
      best = p;
    }
  }
  return best;
}

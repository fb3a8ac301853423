import type { Position, Ring, TerritoryGeometry } from "../geometry/types.ts";
import type { UnitsData } from "./compact.ts";
import { assembleRings } from "./outline.ts";

/** Coordinates are 1e-5° integers in the compact form: a vertex's key is exact. */
const Q = 1e5;
const OFFSET = 2 ** 25;
const ROW = 2 ** 26;

function vertexKey(x: number, y: number): number {
  return (Math.round(x * Q) + OFFSET) * ROW + (Math.round(y * Q) + OFFSET);
}

/**
 * The outline of a group of hexagon units, read off the compact layer: an
 * edge is on the outline when the unit across it (`across`, which the
 * server worked out once) is not in the group; those edges, each walked
 * with its unit on the left, are chained into rings by their end points and
 * sorted into shells and holes. The same rings as {@link outlineOfCells}'s
 * edge cancellation over the group's cells, without building and hashing a
 * string for every edge of every member: a few milliseconds for Java's
 * 27,000 resolution-7 hexagons, where the cells' way took 150 ms in the
 * browser (tests/bench/units-browser.ts).
 *
 * `undefined` when the edges do not chain (two outline edges leaving one
 * vertex, one leading nowhere: cells that do not share their edges
 * exactly); the caller then takes the general union.
 *
 * @example
 * outlineOfUnits(data, [3, 4, 9], (u) => u === 3 || u === 4 || u === 9)
 * // → { type: "Polygon", coordinates: [[…]] }
 */
export function outlineOfUnits(
  d: Pick<UnitsData, "unitRings" | "ringStart" | "xy" | "across">,
  units: Iterable<number>,
  member: (u: number) => boolean,
): TerritoryGeometry | null | undefined {
  const xy = d.xy;
  const fromV: number[] = [];
  const toV: number[] = [];
  /** Vertex key → the outline edge leaving it. */
  const leaving = new Map<number, number>();
  for (const u of units) {
    for (let r = d.unitRings[u] as number; r < (d.unitRings[u + 1] as number); r++) {
      const a = d.ringStart[r] as number;
      const b = d.ringStart[r + 1] as number;
      if (b - a < 3) continue;
      let area = 0;
      for (let i = a; i < b; i++) {
        const j = i + 1 < b ? i + 1 : a;
        area += (xy[2 * i] as number) * (xy[2 * j + 1] as number) - (xy[2 * j] as number) * (xy[2 * i + 1] as number);
      }
      const ccw = area > 0;
      for (let i = a; i < b; i++) {
        const w = d.across[i] as number;
        if (w >= 0 && member(w)) continue;
        const j = i + 1 < b ? i + 1 : a;
        const f = ccw ? i : j;
        const k = vertexKey(xy[2 * f] as number, xy[2 * f + 1] as number);
        if (leaving.has(k)) return undefined;
        leaving.set(k, fromV.length);
        fromV.push(f);
        toV.push(ccw ? j : i);
      }
    }
  }
  const used = new Uint8Array(fromV.length);
  const rings: Ring[] = [];
  for (let first = 0; first < fromV.length; first++) {
    if (used[first]) continue;
    const ring: Position[] = [];
    for (let e = first; ; ) {
      used[e] = 1;
      const f = fromV[e] as number;
      ring.push([xy[2 * f] as number, xy[2 * f + 1] as number]);
      const t = toV[e] as number;
      const next = leaving.get(vertexKey(xy[2 * t] as number, xy[2 * t + 1] as number));
      if (next === undefined) return undefined;
      if (next === first) break;
      if (used[next]) return undefined;
      e = next;
    }
    ring.push(ring[0] as Position);
    if (ring.length >= 4) rings.push(ring);
  }
  return assembleRings(rings);
}

import { gridDisk } from "h3-js";
import KDBush from "kdbush";
import { segmentM } from "../geometry/area.ts";
import { pointSegmentDist2 } from "../geometry/edge-index.ts";
import type { Position, TerritoryGeometry } from "../geometry/types.ts";
import { toCsr } from "./layer.ts";

/**
 * Which units touch which: the graph borders are drawn along, contiguity is
 * checked on and the optimizer moves units across.
 */

/** Hexagons: the cells of the layer among each cell's six neighbours. */
export function h3Neighbours(ids: readonly string[]): { offsets: Int32Array; targets: Int32Array } {
  const index = new Map(ids.map((id, i) => [id, i]));
  const lists = ids.map((id) => {
    const out: number[] = [];
    for (const n of gridDisk(id, 1)) {
      if (n === id) continue;
      const j = index.get(n);
      if (j !== undefined) out.push(j);
    }
    return out;
  });
  return toCsr(lists);
}

export interface AdminNeighbourOptions {
  /**
   * Largest gap (or overlap) between two boundaries that still makes them one
   * border, in degrees. Real boundary files (BPS, geoBoundaries) were drawn
   * area by area: neighbouring kecamatan leave slivers and gaps of metres to
   * tens of metres. Default 0.001° (about 110 m).
   */
  gap?: number;
  /** Boundary points are checked every `step` degrees along each edge. Default 0.002° (about 220 m). */
  step?: number;
  /**
   * Points of one boundary within `gap` of the other needed for a border:
   * two areas that meet only at a corner are not neighbours. Default 2 (so
   * about 200–400 m of common boundary).
   */
  contacts?: number;
}

/**
 * Admin areas: two areas are neighbours when, walking one's boundary in steps
 * of `step`, at least `contacts` points lie within `gap` of the other's
 * boundary, in either direction. Tolerant of the slivers, gaps and unequal
 * vertex spacing real files have, and blind to areas that only touch at a
 * corner (rook contiguity, as districting tools use).
 *
 * Cost: the boundaries' total length ÷ `step` point queries on a grid of
 * segments; Java's kecamatan (≈ 7,000 areas) take about a second.
 */
export function adminNeighbours(
  geometries: readonly TerritoryGeometry[],
  opts: AdminNeighbourOptions = {},
): { offsets: Int32Array; targets: Int32Array; sharedKm: Float64Array } {
  const gap = opts.gap ?? 0.001;
  const step = opts.step ?? 0.002;
  const need = opts.contacts ?? 2;
  const cell = Math.max(gap * 4, step * 2);
  // A grid of segments: cell key → [unit, ax, ay, bx, by] per segment.
  const grid = new Map<string, number[]>();
  const key = (i: number, j: number) => `${i},${j}`;
  const rings: { unit: number; ring: Position[] }[] = [];
  geometries.forEach((g, unit) => {
    const polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
    for (const poly of polys) for (const ring of poly) rings.push({ unit, ring });
  });
  for (const { unit, ring } of rings) {
    for (let k = 0; k + 1 < ring.length; k++) {
      const [ax, ay] = ring[k] as Position;
      const [bx, by] = ring[k + 1] as Position;
      const i0 = Math.floor((Math.min(ax, bx) - gap) / cell);
      const i1 = Math.floor((Math.max(ax, bx) + gap) / cell);
      const j0 = Math.floor((Math.min(ay, by) - gap) / cell);
      const j1 = Math.floor((Math.max(ay, by) + gap) / cell);
      for (let i = i0; i <= i1; i++) {
        for (let j = j0; j <= j1; j++) {
          const k2 = key(i, j);
          let list = grid.get(k2);
          if (!list) {
            list = [];
            grid.set(k2, list);
          }
          list.push(unit, ax, ay, bx, by);
        }
      }
    }
  }
  const gap2 = gap * gap;
  /** Contacts per pair "a,b" (a < b) and direction (the larger counts), and a latitude to measure at. */
  const contacts = new Map<string, [number, number, number]>();
  const seen = new Set<number>();
  const touch = (from: number, x: number, y: number) => {
    const list = grid.get(key(Math.floor(x / cell), Math.floor(y / cell)));
    if (!list) return;
    seen.clear();
    for (let k = 0; k < list.length; k += 5) {
      const other = list[k] as number;
      if (other === from || seen.has(other)) continue;
      const d2 = pointSegmentDist2(
        x,
        y,
        list[k + 1] as number,
        list[k + 2] as number,
        list[k + 3] as number,
        list[k + 4] as number,
      );
      if (d2 > gap2) continue;
      seen.add(other);
      const [a, b] = from < other ? [from, other] : [other, from];
      const pair = `${a},${b}`;
      const c = contacts.get(pair) ?? [0, 0, y];
      c[from < other ? 0 : 1]++;
      contacts.set(pair, c);
    }
  };
  for (const { unit, ring } of rings) {
    for (let k = 0; k + 1 < ring.length; k++) {
      const [ax, ay] = ring[k] as Position;
      const [bx, by] = ring[k + 1] as Position;
      const len = Math.hypot(bx - ax, by - ay);
      const n = Math.max(1, Math.ceil(len / step));
      for (let s = 0; s < n; s++) touch(unit, ax + ((bx - ax) * s) / n, ay + ((by - ay) * s) / n);
    }
  }
  const lists: number[][] = geometries.map(() => []);
  const lengths = new Map<string, number>();
  for (const [pair, [ab, ba, y]] of contacts) {
    const count = Math.max(ab, ba);
    if (count < need) continue;
    const [a, b] = pair.split(",").map(Number) as [number, number];
    (lists[a] as number[]).push(b);
    (lists[b] as number[]).push(a);
    // About `step` of border per contact point (a north–south step at this latitude).
    lengths.set(pair, (count * segmentM(0, y, 0, y + step)) / 1000);
  }
  const { offsets, targets } = toCsr(lists);
  const sharedKm = new Float64Array(targets.length);
  for (let u = 0; u < lists.length; u++) {
    for (let k = offsets[u] as number; k < (offsets[u + 1] as number); k++) {
      const v = targets[k] as number;
      sharedKm[k] = lengths.get(u < v ? `${u},${v}` : `${v},${u}`) ?? 0;
    }
  }
  return { offsets, targets, sharedKm };
}

/** Connected components of a CSR graph: the component of each unit, and how many there are. */
export function components(
  n: number,
  offsets: Int32Array,
  targets: Int32Array,
  extra?: Int32Array,
): { of: Int32Array; count: number } {
  const of = new Int32Array(n).fill(-1);
  const adjExtra: number[][] | null = extra ? Array.from({ length: n }, () => []) : null;
  if (extra && adjExtra) {
    for (let k = 0; k < extra.length; k += 2) {
      (adjExtra[extra[k] as number] as number[]).push(extra[k + 1] as number);
      (adjExtra[extra[k + 1] as number] as number[]).push(extra[k] as number);
    }
  }
  let count = 0;
  const stack: number[] = [];
  for (let s = 0; s < n; s++) {
    if (of[s] !== -1) continue;
    of[s] = count;
    stack.push(s);
    while (stack.length) {
      const u = stack.pop() as number;
      for (let k = offsets[u] as number; k < (offsets[u + 1] as number); k++) {
        const v = targets[k] as number;
        if (of[v] === -1) {
          of[v] = count;
          stack.push(v);
        }
      }
      if (adjExtra) {
        for (const v of adjExtra[u] as number[]) {
          if (of[v] === -1) {
            of[v] = count;
            stack.push(v);
          }
        }
      }
    }
    count++;
  }
  return { of, count };
}

/**
 * Links across water: the land components (connected groups of units) are
 * joined by their shortest links until they form one, as a minimum spanning
 * tree over the components would (Borůvka, 1926: each component links to its
 * nearest other component, components merge, repeat). So Madura joins Java
 * at the Suramadu strait and the Thousand Islands join Jakarta's coast,
 * never a far shore. Distances between unit centres, longitudes scaled by
 * cos(latitude).
 *
 * Returns pairs of unit indices, flattened.
 *
 * @example bridgeIslands(offsets, targets, lon, lat) // Int32Array [a0, b0, a1, b1, …]
 */
export function bridgeIslands(
  offsets: Int32Array,
  targets: Int32Array,
  lon: Float64Array,
  lat: Float64Array,
): Int32Array {
  const n = lon.length;
  if (n < 2) return new Int32Array(0);
  let meanLat = 0;
  for (let i = 0; i < n; i++) meanLat += lat[i] as number;
  const k = Math.cos(((meanLat / n) * Math.PI) / 180);
  const tree = new KDBush(n, 64, Float64Array);
  for (let i = 0; i < n; i++) tree.add((lon[i] as number) * k, lat[i] as number);
  tree.finish();
  const bridges: number[] = [];
  for (;;) {
    const { of, count } = components(n, offsets, targets, Int32Array.from(bridges));
    if (count <= 1) break;
    const members: number[][] = Array.from({ length: count }, () => []);
    for (let i = 0; i < n; i++) (members[of[i] as number] as number[]).push(i);
    const best = new Array<{ d: number; a: number; b: number } | null>(count).fill(null);
    // Every component but the largest looks for its nearest other; the largest is found from the others' side,
    // also when there are only two (the nearest pair is the same from either side). Letting the largest look
    // too cost each of its units a search of growing radius: 20 s for Java + Madura at resolution 7
    // (tests/bench/units.ts), against milliseconds for Madura's side alone.
    let largest = 0;
    for (let c = 1; c < count; c++)
      if ((members[c] as number[]).length > (members[largest] as number[]).length) largest = c;
    for (let c = 0; c < count; c++) {
      if (c === largest) continue;
      for (const a of members[c] as number[]) {
        const found = nearestOutside(tree, lon, lat, k, a, (j) => of[j] !== c, best[c]?.d ?? Number.POSITIVE_INFINITY);
        if (found && (!best[c] || found.d < (best[c] as { d: number }).d)) best[c] = { d: found.d, a, b: found.b };
      }
    }
    const added = new Set<string>();
    for (const link of best) {
      if (!link) continue;
      const id = link.a < link.b ? `${link.a},${link.b}` : `${link.b},${link.a}`;
      if (added.has(id)) continue;
      added.add(id);
      bridges.push(link.a, link.b);
    }
    if (added.size === 0) break;
  }
  return Int32Array.from(bridges);
}

/** The nearest unit accepted by `other`, closer than `limit`, by growing radius. */
function nearestOutside(
  tree: KDBush,
  lon: Float64Array,
  lat: Float64Array,
  k: number,
  a: number,
  other: (j: number) => boolean,
  limit: number,
): { b: number; d: number } | null {
  const x = (lon[a] as number) * k;
  const y = lat[a] as number;
  for (let r = 0.05; r < 64 && r / 2 < limit; r *= 2) {
    let best: { b: number; d: number } | null = null;
    for (const j of tree.range(x - r, y - r, x + r, y + r)) {
      if (!other(j)) continue;
      const d = Math.hypot((lon[j] as number) * k - x, (lat[j] as number) - y);
      if (d <= r && d < limit && (!best || d < best.d)) best = { b: j, d };
    }
    if (best) return best;
  }
  return null;
}

import * as polyclip from "polyclip-ts";
import type { Position, Ring, TerritoryGeometry } from "../geometry/types.ts";

/**
 * The outline of a group of units: their union, with no internal edges,
 * holes where units inside are missing, a MultiPolygon when the group is in
 * pieces.
 *
 * Hexagons share their edges exactly (H3 computes a shared vertex the same
 * way for both cells), so the union is **edge cancellation**: every unit's
 * boundary is walked with its interior on the left; an edge walked both ways
 * lies between two members and cancels; what is left are the outline's
 * rings, which are then chained and sorted into shells and holes. Linear in
 * the number of edges: a 3,000-hexagon territory takes a few milliseconds,
 * where a polygon-clipping union of the same cells (turf `union`) takes
 * about a second (tests/bench/units.ts).
 *
 * Admin areas from real files do not share their vertices (slivers, gaps,
 * T-junctions), so {@link outlineOfAreas} takes the clipping union instead.
 */
export function outlineOfCells(cells: readonly Ring[]): TerritoryGeometry | null {
  /** Directed edges left after cancellation: "from|to" → [from, to]. */
  const edges = new Map<string, [Position, Position]>();
  for (const raw of cells) {
    const ring = openRing(raw);
    const ccw = signedArea(ring) > 0;
    const n = ring.length;
    for (let i = 0; i < n; i++) {
      const a = ring[ccw ? i : (n - i) % n] as Position;
      const b = ring[ccw ? (i + 1) % n : (n - i - 1 + n) % n] as Position;
      const ka = vertexKey(a);
      const kb = vertexKey(b);
      const back = `${kb}|${ka}`;
      if (edges.has(back)) edges.delete(back);
      else edges.set(`${ka}|${kb}`, [a, b]);
    }
  }
  if (edges.size === 0) return null;
  // Chain the edges into rings: each vertex of the outline starts exactly one
  // remaining edge (hexagons never meet at a single corner).
  const from = new Map<string, [Position, Position][]>();
  for (const e of edges.values()) {
    const k = vertexKey(e[0]);
    const list = from.get(k);
    if (list) list.push(e);
    else from.set(k, [e]);
  }
  const rings: Ring[] = [];
  for (const start of edges.values()) {
    const startKey = vertexKey(start[0]);
    const list = from.get(startKey);
    if (!list?.includes(start)) continue;
    const ring: Position[] = [start[0]];
    let edge = start;
    for (;;) {
      const out = from.get(vertexKey(edge[0])) as [Position, Position][];
      out.splice(out.indexOf(edge), 1);
      const nextKey = vertexKey(edge[1]);
      if (nextKey === startKey) break;
      ring.push(edge[1]);
      const next = from.get(nextKey);
      if (!next || next.length === 0) break; // cannot happen for cells sharing exact edges
      edge = next[0] as [Position, Position];
    }
    ring.push(ring[0] as Position);
    if (ring.length >= 4) rings.push(ring);
  }
  return assembleRings(rings);
}

/**
 * Sorts closed rings into shells (counter-clockwise) and the holes
 * (clockwise) inside them: a union's boundary rings, walked with the
 * interior on the left, as a Polygon or MultiPolygon (null: no shell).
 */
export function assembleRings(rings: Ring[]): TerritoryGeometry | null {
  const shells: { ring: Ring; area: number; holes: Ring[] }[] = [];
  const holes: Ring[] = [];
  for (const r of rings) {
    const a = signedArea(r);
    if (a > 0) shells.push({ ring: r, area: a, holes: [] });
    else if (a < 0) holes.push(r);
  }
  if (shells.length === 0) return null;
  shells.sort((x, y) => x.area - y.area);
  for (const h of holes) {
    const p = h[0] as Position;
    // The smallest shell holding the hole.
    const owner = shells.find((s) => pointInRing(p, s.ring)) ?? shells[shells.length - 1];
    owner?.holes.push(h);
  }
  shells.sort((x, y) => y.area - x.area);
  const polys = shells.map((s) => [s.ring, ...s.holes]);
  return polys.length === 1
    ? { type: "Polygon", coordinates: polys[0] as Ring[] }
    : { type: "MultiPolygon", coordinates: polys };
}

/**
 * The union of admin areas by polygon clipping (polyclip-ts, Martinez–Rueda
 * style sweep): robust to shared borders that do not share vertices.
 */
export function outlineOfAreas(areas: readonly TerritoryGeometry[]): TerritoryGeometry | null {
  if (areas.length === 0) return null;
  const geoms = areas.map((g) => (g.type === "Polygon" ? [g.coordinates] : g.coordinates)) as polyclip.Geom[];
  const [first, ...rest] = geoms;
  const result = polyclip.union(first as polyclip.Geom, ...rest) as Position[][][];
  if (result.length === 0) return null;
  return result.length === 1
    ? { type: "Polygon", coordinates: result[0] as Ring[] }
    : { type: "MultiPolygon", coordinates: result as Ring[][] };
}

/** Quantised to 1e-9°, so a vertex computed twice the same way is one key. */
function vertexKey(p: Position): string {
  return `${Math.round(p[0] * 1e9)},${Math.round(p[1] * 1e9)}`;
}

/** The ring without its closing position. */
function openRing(r: Ring): Ring {
  const first = r[0];
  const last = r[r.length - 1];
  return first && last && first[0] === last[0] && first[1] === last[1] ? r.slice(0, -1) : r;
}

/** Twice the signed area (shoelace, degrees²); > 0 counter-clockwise. */
function signedArea(r: Ring): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) {
    const [x1, y1] = r[i] as Position;
    const [x2, y2] = r[(i + 1) % r.length] as Position;
    s += x1 * y2 - x2 * y1;
  }
  return s;
}

function pointInRing(p: Position, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as Position;
    const [xj, yj] = ring[j] as Position;
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

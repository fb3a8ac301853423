/**
 * Deterministic shapes for the benchmarks: a ~200-vertex territory that a
 * "drag" reshapes one vertex at a time, and a grid of edge-to-edge
 * territories over Java for the client.
 */
import type { Territory } from "../../../shared/doc/territory.ts";
import { mulberry32 } from "../../../shared/scoring/synthetic.ts";

export type Pos = [number, number];
export interface Polygon {
  type: "Polygon";
  coordinates: Pos[][];
}

/** A territory of this shape with a name and a colour, and nothing else set (no reps, targets or parent). */
export function benchTerritory(id: string, name: string, color: string, geometry: Polygon): Territory {
  return { id, name, color, reps: [], targets: {}, parent: null, geometry };
}

/** An irregular ring of `n` distinct vertices around a centre (plus the closing one). */
export function blobRing(center: Pos, radiusDeg: number, n = 200, seed = 1): Pos[] {
  const r = mulberry32(seed); // the same PRNG as shared/scoring's synthetic plans
  const ring: Pos[] = [];
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    const rad = radiusDeg * (0.85 + 0.15 * Math.sin(5 * a) + 0.03 * r());
    ring.push([center[0] + rad * Math.cos(a), center[1] + rad * Math.sin(a)]);
  }
  ring.push([...(ring[0] as Pos)]);
  return ring;
}

export function polygon(ring: Pos[]): Polygon {
  return { type: "Polygon", coordinates: [ring.map((p) => [p[0], p[1]] as Pos)] };
}

/**
 * A drag: a person grabs vertex k and moves it in small steps, then the next
 * vertex. Edit `i` moves vertex ⌊i/stepsPerVertex⌋ mod n by about 10 m.
 * Mutates `ring` (keeps it closed) and returns a fresh Polygon of it.
 */
export function dragStep(ring: Pos[], i: number, stepsPerVertex = 100): Polygon {
  const n = ring.length - 1;
  const k = Math.floor(i / stepsPerVertex) % n;
  const v = ring[k] as Pos;
  const a = i * 0.7;
  v[0] += 1e-4 * Math.cos(a);
  v[1] += 1e-4 * Math.sin(a);
  if (k === 0) ring[n] = [v[0], v[1]];
  return polygon(ring);
}

/** Java's rough bounding box (lon/lat). */
export const JAVA = { west: 105.2, east: 114.6, south: -8.7, north: -5.9 } as const;

/**
 * `cols × rows` territories tiling Java edge to edge, each a ring of
 * 4·perSide vertices whose edges wiggle; neighbours share their edge
 * vertices exactly (the wiggle depends only on the edge's own position).
 */
export function javaGrid(cols: number, rows: number, perSide = 50): Polygon[] {
  const w = (JAVA.east - JAVA.west) / cols;
  const h = (JAVA.north - JAVA.south) / rows;
  const x = (c: number) => JAVA.west + c * w;
  const y = (r: number) => JAVA.south + r * h;
  // A point along a vertical edge at column line c, between row lines r and r+1, fraction f.
  const vEdge = (c: number, r: number, f: number): Pos => {
    const interior = c > 0 && c < cols;
    const off = interior ? 0.12 * w * Math.sin(Math.PI * f) * Math.sin(3 * Math.PI * f + c + r) : 0;
    return [x(c) + off, y(r) + f * h];
  };
  const hEdge = (c: number, r: number, f: number): Pos => {
    const interior = r > 0 && r < rows;
    const off = interior ? 0.12 * h * Math.sin(Math.PI * f) * Math.sin(3 * Math.PI * f + 2 * c + r) : 0;
    return [x(c) + f * w, y(r) + off];
  };
  const out: Polygon[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const ring: Pos[] = [];
      for (let i = 0; i < perSide; i++) ring.push(hEdge(c, r, i / perSide)); // bottom, west → east
      for (let i = 0; i < perSide; i++) ring.push(vEdge(c + 1, r, i / perSide)); // east, south → north
      for (let i = perSide; i > 0; i--) ring.push(hEdge(c, r + 1, i / perSide)); // top, east → west
      for (let i = perSide; i > 0; i--) ring.push(vEdge(c, r, i / perSide)); // west, north → south
      ring.push([...(ring[0] as Pos)]);
      out.push({ type: "Polygon", coordinates: [ring] });
    }
  }
  return out;
}

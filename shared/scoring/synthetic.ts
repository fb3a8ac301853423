import type { Position, TerritoryGeometry } from "../geometry/types.ts";
import type { Account } from "./accounts.ts";

/**
 * Reproducible synthetic plans for tests and benchmarks: a grid of
 * territories snapped edge to edge (neighbours share every vertex of their
 * common edge, as the map's snapping makes them) and clustered accounts.
 */

/** Small seeded PRNG (mulberry32, T. Ettinger), so every run builds the same plan. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GridOptions {
  cols: number;
  rows: number;
  /** Vertices inside each shared edge, drawn uniformly from [min, max]. Default [35, 65] (≈ 200 per territory). */
  edgeVertices?: [number, number];
  /** [minLon, minLat, maxLon, maxLat] the grid covers. Default a 5° × 5° square over Java. */
  bbox?: [number, number, number, number];
  seed?: number;
}

export interface GridTerritory {
  id: string;
  name: string;
  targets: Record<string, number>;
  geometry: TerritoryGeometry & { type: "Polygon" };
}

/**
 * `cols × rows` territories tiling `bbox`: the grid's inner corners are
 * jittered by up to 20 % of a cell, and every edge between two corners is a
 * wiggly line (a tapering sine plus noise, at most ~8 % of a cell off the
 * straight line, so edges never cross) generated once and used by both
 * neighbours, the second in reverse. Ids are `t00`, `t01`, … in row-major
 * order (zero-padded so they sort in that order).
 *
 * @example snappedGrid({ cols: 10, rows: 10, seed: 1 }).length // 100
 */
export function snappedGrid(opts: GridOptions): GridTerritory[] {
  const { cols, rows } = opts;
  const [lo, hi] = opts.edgeVertices ?? [35, 65];
  const [x0, y0, x1, y1] = opts.bbox ?? [106, -9, 111, -4];
  const rnd = mulberry32(opts.seed ?? 1);
  const w = (x1 - x0) / cols;
  const h = (y1 - y0) / rows;
  // Corner (i, j): column line i, row line j; the border of the grid stays straight.
  const corner: Position[][] = [];
  for (let i = 0; i <= cols; i++) {
    corner.push([]);
    for (let j = 0; j <= rows; j++) {
      const jx = i > 0 && i < cols ? (rnd() - 0.5) * 0.4 * w : 0;
      const jy = j > 0 && j < rows ? (rnd() - 0.5) * 0.4 * h : 0;
      (corner[i] as Position[]).push([x0 + i * w + jx, y0 + j * h + jy]);
    }
  }
  const edge = (a: Position, b: Position, border: boolean): Position[] => {
    // Vertices strictly between a and b.
    const k = lo + Math.floor(rnd() * (hi - lo + 1));
    const dx = b[0] - a[0];
    const dy = b[1] - a[1];
    const len = Math.hypot(dx, dy);
    const nx = -dy / len;
    const ny = dx / len;
    const amp = border ? 0 : 0.06 * Math.min(w, h);
    const phase = rnd() * Math.PI * 2;
    const out: Position[] = [];
    for (let s = 1; s <= k; s++) {
      const f = s / (k + 1);
      const off = amp * Math.sin(Math.PI * f) * (0.8 * Math.sin(3 * Math.PI * f + phase) + 0.2 * (rnd() - 0.5));
      out.push([a[0] + f * dx + off * nx, a[1] + f * dy + off * ny]);
    }
    return out;
  };
  // Horizontal edges h[i][j]: from corner (i, j) to (i+1, j); vertical v[i][j]: from (i, j) to (i, j+1).
  const hEdges: Position[][][] = [];
  const vEdges: Position[][][] = [];
  for (let i = 0; i < cols; i++) {
    hEdges.push([]);
    for (let j = 0; j <= rows; j++) {
      (hEdges[i] as Position[][]).push(
        edge(corner[i]?.[j] as Position, corner[i + 1]?.[j] as Position, j === 0 || j === rows),
      );
    }
  }
  for (let i = 0; i <= cols; i++) {
    vEdges.push([]);
    for (let j = 0; j < rows; j++) {
      (vEdges[i] as Position[][]).push(
        edge(corner[i]?.[j] as Position, corner[i]?.[j + 1] as Position, i === 0 || i === cols),
      );
    }
  }
  const digits = String(cols * rows - 1).length;
  const out: GridTerritory[] = [];
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      const c = (a: number, b: number) => (corner[a] as Position[])[b] as Position;
      const he = (a: number, b: number) => (hEdges[a] as Position[][])[b] as Position[];
      const ve = (a: number, b: number) => (vEdges[a] as Position[][])[b] as Position[];
      const ring: Position[] = [
        c(i, j),
        ...he(i, j),
        c(i + 1, j),
        ...ve(i + 1, j),
        c(i + 1, j + 1),
        ...[...he(i, j + 1)].reverse(),
        c(i, j + 1),
        ...[...ve(i, j)].reverse(),
        c(i, j),
      ];
      const n = j * cols + i;
      out.push({
        id: `t${String(n).padStart(digits, "0")}`,
        name: `Territory ${n + 1}`,
        targets: {},
        geometry: { type: "Polygon", coordinates: [ring.map((p) => [p[0], p[1]] as Position)] },
      });
    }
  }
  return out;
}

export interface AccountOptions {
  count: number;
  bbox?: [number, number, number, number];
  /** Number of towns the accounts cluster around (70 % of accounts); the rest are spread evenly. */
  towns?: number;
  seed?: number;
}

/**
 * Accounts clustered around random towns (70 %, normally distributed, about
 * 15 km spread) plus a uniform background, inside `bbox`, with `revenue`
 * (log-normal), `potential` and `visits` (1–8 a month). Ids `a0`, `a1`, …
 *
 * @example syntheticAccounts({ count: 50_000, seed: 2 }).length // 50000
 */
export function syntheticAccounts(opts: AccountOptions): Account[] {
  const [x0, y0, x1, y1] = opts.bbox ?? [106, -9, 111, -4];
  const rnd = mulberry32(opts.seed ?? 2);
  const gauss = () => {
    // Box–Muller
    const u = 1 - rnd();
    const v = rnd();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const towns: Position[] = [];
  for (let t = 0; t < (opts.towns ?? 60); t++) towns.push([x0 + rnd() * (x1 - x0), y0 + rnd() * (y1 - y0)]);
  const out: Account[] = [];
  for (let i = 0; i < opts.count; i++) {
    let lon: number;
    let lat: number;
    do {
      if (rnd() < 0.7) {
        const t = towns[Math.floor(rnd() * towns.length)] as Position;
        lon = t[0] + gauss() * 0.15;
        lat = t[1] + gauss() * 0.15;
      } else {
        lon = x0 + rnd() * (x1 - x0);
        lat = y0 + rnd() * (y1 - y0);
      }
    } while (!(lon > x0 && lon < x1 && lat > y0 && lat < y1)); // strictly inside: none on the plan's outer border
    const revenue = Math.round(Math.exp(10 + gauss()));
    out.push({
      id: `a${i}`,
      name: `Account ${i + 1}`,
      lon,
      lat,
      attrs: { revenue, potential: Math.round(revenue * (1 + 2 * rnd())), visits: 1 + Math.floor(rnd() * 8) },
    });
  }
  return out;
}

import { type FlatGeometry, flatten } from "./flat.ts";
import type { TerritoryGeometry } from "./types.ts";

/** WGS84 semi-major axis, metres. */
export const WGS84_A = 6_378_137;
/** WGS84 flattening. */
export const WGS84_F = 1 / 298.257223563;
const E2 = WGS84_F * (2 - WGS84_F);
const E = Math.sqrt(E2);
const RAD = Math.PI / 180;

/**
 * Snyder's q(φ) (Map Projections — A Working Manual, USGS 1987, eq. 3-12):
 * the ellipsoid's area from the equator to latitude φ over one radian of
 * longitude is a²·q(φ)/2. So (λ, q) is an equal-area map of the WGS84
 * ellipsoid (Lambert's cylindrical equal-area projection, ibid. §10), and the
 * shoelace formula in it gives areas on the ellipsoid.
 */
export function authalicQ(latDeg: number): number {
  const s = Math.sin(latDeg * RAD);
  const es = E * s;
  return (1 - E2) * (s / (1 - es * es) - (1 / (2 * E)) * Math.log((1 - es) / (1 + es)));
}

/**
 * Area of ring `r` of a flat geometry in m², on the WGS84 ellipsoid, with
 * edges taken as straight lines in the equal-area cylindrical projection
 * (for a lon/lat rectangle that is exact: its sides are meridians and
 * parallels). For territory-sized edges the difference from geodesic edges
 * is far below a digitising error; the difference from turf `area` (a
 * sphere of radius 6,371,008.8 m) is up to ±0.5 % (+0.45 % at the equator):
 * the earth is not a sphere.
 */
export function ringAreaM2(f: FlatGeometry, r: number): number {
  const xy = f.xy;
  const s = f.ringStart[r];
  const e = f.ringStart[r + 1];
  if (e - s < 3) return 0;
  // Relative to the first vertex, so a small ring far from (0, 0) keeps its digits.
  const l0 = xy[2 * s];
  const q0 = authalicQ(xy[2 * s + 1]);
  let sum = 0;
  let pl = 0;
  let pq = 0;
  for (let i = s + 1; i < e; i++) {
    const l = (xy[2 * i] - l0) * RAD;
    const q = authalicQ(xy[2 * i + 1]) - q0;
    sum += pl * q - l * pq;
    pl = l;
    pq = q;
  }
  return (Math.abs(sum) / 2) * ((WGS84_A * WGS84_A) / 2);
}

/**
 * Area of a flat geometry in m²: for each part, its outer ring less its holes.
 *
 * @example
 * areaM2(flatten({ type: "Polygon", coordinates: [[[0,0],[1,0],[1,1],[0,1],[0,0]]] })) / 1e6 // ≈ 12,308.46 km²
 */
export function areaM2(f: FlatGeometry): number {
  let total = 0;
  const parts = f.partStart.length - 1;
  for (let p = 0; p < parts; p++) {
    const first = f.partStart[p];
    let a = ringAreaM2(f, first);
    for (let r = first + 1; r < f.partStart[p + 1]; r++) a -= ringAreaM2(f, r);
    total += a;
  }
  return total;
}

/**
 * Length of every ring (holes included) in metres, on the WGS84 ellipsoid:
 * each edge measured with the meridional and prime-vertical radii of
 * curvature at its mid-latitude (the ellipsoidal "flat earth" formula; the
 * error is below 1e-4 for edges under 100 km).
 */
export function perimeterM(f: FlatGeometry): number {
  const { xy, next } = f;
  let total = 0;
  for (let i = 0; i < next.length; i++) {
    const j = next[i];
    if (j === i) continue;
    total += segmentM(xy[2 * i], xy[2 * i + 1], xy[2 * j], xy[2 * j + 1]);
  }
  return total;
}

/**
 * Length of one short segment in metres on the WGS84 ellipsoid, by the
 * radii of curvature at its mid-latitude (see {@link perimeterM}).
 *
 * @example segmentM(106, -6, 107, -6) // ≈ 110,730
 */
export function segmentM(lon1: number, lat1Deg: number, lon2: number, lat2Deg: number): number {
  const lat1 = lat1Deg * RAD;
  const lat2 = lat2Deg * RAD;
  const mid = (lat1 + lat2) / 2;
  const s = Math.sin(mid);
  const w2 = 1 - E2 * s * s;
  const w = Math.sqrt(w2);
  const n = WGS84_A / w; // prime vertical radius of curvature
  const m = (WGS84_A * (1 - E2)) / (w2 * w); // meridional radius of curvature
  const dy = m * (lat2 - lat1);
  const dx = n * Math.cos(mid) * (lon2 - lon1) * RAD;
  return Math.sqrt(dx * dx + dy * dy);
}

/**
 * Polsby–Popper compactness 4πA/P² (Polsby & Popper, 1991): 1 for a
 * circle, π/4 ≈ 0.785 for a square, towards 0 for long or ragged shapes.
 * 0 when the perimeter is 0.
 *
 * @example polsbyPopper(1, 4) // π/4
 */
export function polsbyPopper(area: number, perimeter: number): number {
  return perimeter > 0 ? (4 * Math.PI * area) / (perimeter * perimeter) : 0;
}

/**
 * Area of a Polygon or MultiPolygon in km² on the WGS84 ellipsoid.
 *
 * @example areaKm2({ type: "Polygon", coordinates: [[[0,0],[1,0],[1,1],[0,1],[0,0]]] }) // ≈ 12,308.46
 */
export function areaKm2(g: TerritoryGeometry): number {
  return areaM2(flatten(g)) / 1e6;
}

import { booleanIntersects, booleanPointInPolygon, difference, intersect } from "@turf/turf";
import type { MultiPolygon, Polygon } from "geojson";
import { cleanOverlayResult, geometryArea } from "./clean.ts";
import { bboxOf, type Position, type TerritoryGeometry } from "./types.ts";

/** Why a split was refused; a UI translates these, `error` is the English sentence. */
export type SplitFailure =
  /** Fewer than two distinct points. */
  | "bad-line"
  /** The line does not touch the territory, or cuts nothing off it. */
  | "not-crossing"
  /** The line starts or ends inside the territory, so it does not cut all the way across. */
  | "ends-inside";

export type SplitResult =
  | { ok: true; value: [TerritoryGeometry, TerritoryGeometry] }
  | { ok: false; reason: SplitFailure; error: string };

/**
 * Splits a territory along a polyline drawn across it.
 *
 * The line must start and end outside the territory (or on its border). Its
 * first and last segments are extended to a box around the territory, the
 * polygon on the line's left is closed along that box, and the territory is
 * cut with turf `intersect` (left piece) and `difference` (right piece) — the
 * usual "split polygon by line" construction (see turf issue #852), which
 * handles lines that cross several times and multipolygons.
 *
 * @example
 * splitGeometry(square, [[-1, 0.5], [2, 0.5]]) // ok: [upper half, lower half]
 */
export function splitGeometry(geometry: TerritoryGeometry, line: Position[]): SplitResult {
  const pts = dedupe(line);
  if (pts.length < 2) return refuse("bad-line", "draw a line of at least two points across the territory");
  const poly = geometry as Polygon | MultiPolygon;
  const lineGeom = { type: "LineString" as const, coordinates: pts };
  if (!booleanIntersects(lineGeom, poly)) {
    return refuse("not-crossing", "the line does not cross the territory");
  }
  const first = pts[0] as Position;
  const last = pts[pts.length - 1] as Position;
  if (
    booleanPointInPolygon(first, poly, { ignoreBoundary: true }) ||
    booleanPointInPolygon(last, poly, { ignoreBoundary: true })
  ) {
    return refuse("ends-inside", "start and end the line outside the territory so that it cuts all the way across");
  }

  const side = leftSidePolygon(pts, bboxOf(geometry));
  const left = cleanOverlayResult(intersect({ type: "FeatureCollection", features: [feature(poly), feature(side)] }));
  const right = cleanOverlayResult(difference({ type: "FeatureCollection", features: [feature(poly), feature(side)] }));
  const whole = geometryArea(geometry);
  const minArea = whole * 1e-6;
  if (!left || !right || geometryArea(left) < minArea || geometryArea(right) < minArea) {
    return refuse("not-crossing", "the line does not cut the territory in two");
  }
  return { ok: true, value: [left, right] };
}

function refuse(reason: SplitFailure, error: string): SplitResult {
  return { ok: false, reason, error };
}

function feature<G extends Polygon | MultiPolygon>(geometry: G) {
  return { type: "Feature" as const, properties: {}, geometry };
}

function dedupe(line: Position[]): Position[] {
  const out: Position[] = [];
  for (const p of line) {
    const prev = out[out.length - 1];
    if (!prev || prev[0] !== p[0] || prev[1] !== p[1]) out.push([p[0], p[1]]);
  }
  return out;
}

type Box = [number, number, number, number];

/**
 * The polygon to the left of the line, inside a box that holds the territory
 * and the whole line with a margin: the line, extended at both ends to the
 * box's edge, then back along the box counter-clockwise.
 */
export function leftSidePolygon(pts: Position[], territoryBox: Box): Polygon {
  let [minX, minY, maxX, maxY] = territoryBox;
  for (const [x, y] of pts) {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  const margin = Math.max(maxX - minX, maxY - minY, 1e-6) * 0.1;
  const box: Box = [minX - margin, minY - margin, maxX + margin, maxY + margin];
  const p0 = pts[0] as Position;
  const p1 = pts[1] as Position;
  const pn = pts[pts.length - 1] as Position;
  const pm = pts[pts.length - 2] as Position;
  const start = rayToBox(p0, [p0[0] - p1[0], p0[1] - p1[1]], box);
  const end = rayToBox(pn, [pn[0] - pm[0], pn[1] - pm[1]], box);

  const ring: Position[] = [start.point, ...pts, end.point];
  // Walk counter-clockwise from where the line leaves the box back to where it enters.
  const from = end.t;
  const to = start.t > end.t ? start.t : start.t + 4;
  const corners: Position[] = [
    [box[0], box[1]],
    [box[2], box[1]],
    [box[2], box[3]],
    [box[0], box[3]],
  ];
  for (let k = Math.floor(from) + 1; k < to; k++) ring.push(corners[k % 4] as Position);
  ring.push(start.point);
  return { type: "Polygon", coordinates: [ring] };
}

/**
 * Where a ray from a point inside the box leaves it, and that exit's position
 * along the box's perimeter: 0–1 bottom edge (west → east), 1–2 east edge
 * (south → north), 2–3 top edge (east → west), 3–4 west edge (north → south).
 */
function rayToBox(o: Position, d: [number, number], box: Box): { point: Position; t: number } {
  const [minX, minY, maxX, maxY] = box;
  const tx = d[0] > 0 ? (maxX - o[0]) / d[0] : d[0] < 0 ? (minX - o[0]) / d[0] : Number.POSITIVE_INFINITY;
  const ty = d[1] > 0 ? (maxY - o[1]) / d[1] : d[1] < 0 ? (minY - o[1]) / d[1] : Number.POSITIVE_INFINITY;
  const w = maxX - minX;
  const h = maxY - minY;
  if (tx <= ty) {
    const y = Math.min(maxY, Math.max(minY, o[1] + tx * d[1]));
    return d[0] > 0 ? { point: [maxX, y], t: 1 + (y - minY) / h } : { point: [minX, y], t: 3 + (maxY - y) / h };
  }
  const x = Math.min(maxX, Math.max(minX, o[0] + ty * d[0]));
  return d[1] > 0 ? { point: [x, maxY], t: 2 + (maxX - x) / w } : { point: [x, minY], t: (x - minX) / w };
}

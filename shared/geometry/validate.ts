import type { Position, Ring, TerritoryGeometry } from "./types.ts";

/** Outcome of a structural check: the cleaned value, or a sentence saying what is wrong. */
export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Upper bound on positions in one territory. Large enough for detailed
 * administrative boundaries, small enough that one edit cannot flood a room.
 */
export const MAX_VERTICES_PER_TERRITORY = 50_000;

/**
 * Structural validation of a territory geometry, the same rules for the UI,
 * the REST API and the sync socket: GeoJSON Polygon or MultiPolygon, finite
 * lon/lat in range, rings of at least four positions that close.
 *
 * Topological problems (self-intersection, overlap with a neighbour) are *not*
 * refused here: two valid concurrent edits can merge into them, so the
 * document must be able to hold them; scoring reports them instead.
 *
 * Positions with an altitude are accepted and the altitude is dropped.
 *
 * @example
 * validateGeometry({ type: "Polygon", coordinates: [[[0,0],[1,0],[1,1],[0,0]]] }).ok // true
 */
export function validateGeometry(input: unknown): Checked<TerritoryGeometry> {
  if (typeof input !== "object" || input === null) return fail("geometry is missing");
  const g = input as { type?: unknown; coordinates?: unknown };
  if (g.type !== "Polygon" && g.type !== "MultiPolygon") {
    return fail(`geometry must be a Polygon or MultiPolygon, not ${describeValue(g.type)}`);
  }
  if (!Array.isArray(g.coordinates)) return fail(`${g.type} has no coordinates array`);
  const budget = { left: MAX_VERTICES_PER_TERRITORY };
  if (g.type === "Polygon") {
    const poly = checkPolygon(g.coordinates, "polygon", budget);
    return poly.ok ? { ok: true, value: { type: "Polygon", coordinates: poly.value } } : poly;
  }
  if (g.coordinates.length === 0) return fail("MultiPolygon has no polygons");
  const polys: Ring[][] = [];
  for (let i = 0; i < g.coordinates.length; i++) {
    const poly = checkPolygon(g.coordinates[i], `polygon ${i + 1}`, budget);
    if (!poly.ok) return poly;
    polys.push(poly.value);
  }
  return { ok: true, value: { type: "MultiPolygon", coordinates: polys } };
}

function checkPolygon(input: unknown, where: string, budget: { left: number }): Checked<Ring[]> {
  if (!Array.isArray(input) || input.length === 0) return fail(`${where} has no rings`);
  const rings: Ring[] = [];
  for (let r = 0; r < input.length; r++) {
    const label = r === 0 ? `${where}, outer ring` : `${where}, hole ${r}`;
    const ring = checkRing(input[r], label, budget);
    if (!ring.ok) return ring;
    rings.push(ring.value);
  }
  return { ok: true, value: rings };
}

function checkRing(input: unknown, where: string, budget: { left: number }): Checked<Ring> {
  if (!Array.isArray(input)) return fail(`${where} is not a list of positions`);
  if (input.length < 4) {
    return fail(`${where} has ${input.length} positions; a ring needs at least 4 (3 corners and the closing one)`);
  }
  budget.left -= input.length;
  if (budget.left < 0) {
    return fail(`territory has more than ${MAX_VERTICES_PER_TERRITORY} vertices; simplify it first`);
  }
  const ring: Ring = [];
  for (let i = 0; i < input.length; i++) {
    const p = checkPosition(input[i], `${where}, position ${i + 1}`);
    if (!p.ok) return p;
    ring.push(p.value);
  }
  const first = ring[0] as Position;
  const last = ring[ring.length - 1] as Position;
  if (first[0] !== last[0] || first[1] !== last[1]) {
    return fail(`${where} is not closed: its last position must equal its first`);
  }
  return { ok: true, value: ring };
}

function checkPosition(input: unknown, where: string): Checked<Position> {
  if (!Array.isArray(input) || input.length < 2 || input.length > 3) {
    return fail(`${where} must be [longitude, latitude]`);
  }
  const [lon, lat] = input as unknown[];
  if (typeof lon !== "number" || typeof lat !== "number" || !Number.isFinite(lon) || !Number.isFinite(lat)) {
    return fail(`${where} has a coordinate that is not a finite number`);
  }
  if (lon < -180 || lon > 180) return fail(`${where} has longitude ${lon}, outside -180…180`);
  if (lat < -90 || lat > 90) return fail(`${where} has latitude ${lat}, outside -90…90`);
  return { ok: true, value: [lon, lat] };
}

function describeValue(v: unknown): string {
  if (typeof v === "string") return `"${v.slice(0, 40)}"`;
  return v === undefined ? "nothing" : typeof v;
}

export function fail<T>(error: string): Checked<T> {
  return { ok: false, error };
}

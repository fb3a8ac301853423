import type { Position } from "../geometry/types.ts";
import type { UnitKind, UnitLayer } from "./layer.ts";

/**
 * A unit layer as the browser takes it (`GET …/units?format=compact`): one
 * outer ring per unit part, coordinates as integers of 1e-5° (about 1 m),
 * delta-encoded, and for every edge the unit on the other side of it, so the
 * map draws each border between two territories once and never between two
 * units of one territory. Java at resolution 7 (27,000 hexagons) is about a
 * megabyte gzipped, against several for GeoJSON.
 */
export interface UnitsCompactJson {
  format: "compact";
  kind: UnitKind;
  resolution: number | null;
  version: number;
  count: number;
  ids: string[];
  names: string[];
  /** Centres, 1e-5° integers. */
  lon: number[];
  lat: number[];
  areaKm2: number[];
  /** Accounts in each unit. */
  accounts: number[];
  attributes: string[];
  /** null where a unit has no value. */
  values: Record<string, (number | null)[]>;
  /** Ring r of unit u: rings `ringStart[unitRings[u]] …`. */
  unitRings: number[];
  /** Vertex offsets of each ring (rings + 1 entries). */
  ringStart: number[];
  /** Vertices (closing vertex left out), x then y, 1e-5° integers, each the difference from the previous vertex of its ring. */
  coords: number[];
  /**
   * For vertex i of a ring (the edge from it to the next): the unit on the
   * other side of that edge, -1 for none (the layer's edge, or an admin
   * border that does not share its vertices exactly).
   */
  across: number[];
  credits?: string;
}

const Q = 1e5;

/** The compact form of a layer, with each unit's account count. */
export function toCompact(layer: UnitLayer, accounts: ArrayLike<number>): UnitsCompactJson {
  const n = layer.ids.length;
  const unitRings: number[] = [0];
  const ringStart: number[] = [0];
  const rings: Position[][] = [];
  const ringUnit: number[] = [];
  for (let u = 0; u < n; u++) {
    const g = layer.geometries[u];
    const polys = g ? (g.type === "Polygon" ? [g.coordinates] : g.coordinates) : [];
    for (const poly of polys) {
      const outer = poly[0];
      if (!outer || outer.length < 4) continue;
      rings.push(outer.slice(0, -1));
      ringUnit.push(u);
    }
    unitRings.push(rings.length);
  }
  // Edges by their two quantised end points, to find who is across each one.
  const key = (a: Position, b: Position) => {
    const ka = `${Math.round(a[0] * Q)},${Math.round(a[1] * Q)}`;
    const kb = `${Math.round(b[0] * Q)},${Math.round(b[1] * Q)}`;
    return ka < kb ? `${ka}|${kb}` : `${kb}|${ka}`;
  };
  const owners = new Map<string, number[]>();
  rings.forEach((ring, r) => {
    for (let i = 0; i < ring.length; i++) {
      const k = key(ring[i] as Position, ring[(i + 1) % ring.length] as Position);
      const list = owners.get(k);
      if (list) list.push(ringUnit[r] as number);
      else owners.set(k, [ringUnit[r] as number]);
    }
  });
  const coords: number[] = [];
  const across: number[] = [];
  rings.forEach((ring, r) => {
    const u = ringUnit[r] as number;
    let px = 0;
    let py = 0;
    for (let i = 0; i < ring.length; i++) {
      const [x, y] = ring[i] as Position;
      const qx = Math.round(x * Q);
      const qy = Math.round(y * Q);
      coords.push(i === 0 ? qx : qx - px, i === 0 ? qy : qy - py);
      px = qx;
      py = qy;
      const list = owners.get(key(ring[i] as Position, ring[(i + 1) % ring.length] as Position)) ?? [];
      across.push(list.find((o) => o !== u) ?? -1);
    }
    ringStart.push(coords.length / 2);
  });
  const out: UnitsCompactJson = {
    format: "compact",
    kind: layer.kind,
    resolution: layer.resolution,
    version: layer.version,
    count: n,
    ids: layer.ids,
    names: layer.names,
    lon: Array.from(layer.lon, (v) => Math.round(v * Q)),
    lat: Array.from(layer.lat, (v) => Math.round(v * Q)),
    areaKm2: Array.from(layer.areaKm2, (v) => Math.round(v * 1000) / 1000),
    accounts: Array.from(accounts),
    attributes: layer.attributes,
    values: Object.fromEntries(
      layer.attributes.map((a) => [a, Array.from(layer.values[a] ?? [], (v) => (Number.isNaN(v) ? null : v))]),
    ),
    unitRings,
    ringStart,
    coords,
    across,
  };
  if (layer.credits) out.credits = layer.credits;
  return out;
}

/** The browser's side: a compact layer as flat typed arrays, coordinates in degrees. */
export interface UnitsData {
  kind: UnitKind;
  version: number;
  count: number;
  ids: string[];
  names: string[];
  lon: Float64Array;
  lat: Float64Array;
  areaKm2: Float64Array;
  accounts: Int32Array;
  attributes: string[];
  values: Record<string, Float64Array>;
  unitRings: Int32Array;
  ringStart: Int32Array;
  /** Vertices in degrees, x then y. */
  xy: Float64Array;
  across: Int32Array;
  credits: string | null;
}

/**
 * Each unit's bounding box over `xy` (the layer's vertices, or the same
 * vertices projected): `[minX, minY, maxX, maxY]` for unit `u` at `4u`.
 */
export function unitBoxes(
  d: Pick<UnitsData, "count" | "unitRings" | "ringStart">,
  xy: ArrayLike<number>,
): Float64Array {
  const boxes = new Float64Array(d.count * 4);
  for (let u = 0; u < d.count; u++) {
    let minX = Number.POSITIVE_INFINITY;
    let minY = Number.POSITIVE_INFINITY;
    let maxX = Number.NEGATIVE_INFINITY;
    let maxY = Number.NEGATIVE_INFINITY;
    for (let r = d.unitRings[u] as number; r < (d.unitRings[u + 1] as number); r++) {
      for (let i = d.ringStart[r] as number; i < (d.ringStart[r + 1] as number); i++) {
        const x = xy[2 * i] as number;
        const y = xy[2 * i + 1] as number;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
    boxes[u * 4] = minX;
    boxes[u * 4 + 1] = minY;
    boxes[u * 4 + 2] = maxX;
    boxes[u * 4 + 3] = maxY;
  }
  return boxes;
}

/** Decodes the compact answer; throws on one whose arrays do not hold together. */
export function fromCompact(j: UnitsCompactJson): UnitsData {
  const n = j.count;
  if (j.ids.length !== n || j.lon.length !== n || j.unitRings.length !== n + 1) {
    throw new Error("the unit layer's answer does not hold together");
  }
  const xy = new Float64Array(j.coords.length);
  for (let r = 0; r + 1 < j.ringStart.length; r++) {
    let x = 0;
    let y = 0;
    for (let i = j.ringStart[r] as number; i < (j.ringStart[r + 1] as number); i++) {
      const dx = j.coords[2 * i] as number;
      const dy = j.coords[2 * i + 1] as number;
      x = i === j.ringStart[r] ? dx : x + dx;
      y = i === j.ringStart[r] ? dy : y + dy;
      xy[2 * i] = x / Q;
      xy[2 * i + 1] = y / Q;
    }
  }
  return {
    kind: j.kind,
    version: j.version,
    count: n,
    ids: j.ids,
    names: j.names,
    lon: Float64Array.from(j.lon, (v) => v / Q),
    lat: Float64Array.from(j.lat, (v) => v / Q),
    areaKm2: Float64Array.from(j.areaKm2),
    accounts: Int32Array.from(j.accounts),
    attributes: j.attributes,
    values: Object.fromEntries(
      j.attributes.map((a) => [
        a,
        Float64Array.from(j.values[a] ?? [], (v) => (typeof v === "number" ? v : Number.NaN)),
      ]),
    ),
    unitRings: Int32Array.from(j.unitRings),
    ringStart: Int32Array.from(j.ringStart),
    xy,
    across: Int32Array.from(j.across),
    credits: j.credits ?? null,
  };
}

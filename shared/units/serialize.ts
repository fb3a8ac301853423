import { cellToBoundary } from "h3-js";
import type { Position, TerritoryGeometry } from "../geometry/types.ts";
import type { UnitKind, UnitLayer } from "./layer.ts";

/**
 * A unit layer as stored (and as sent to a worker): plain JSON, typed
 * arrays as number arrays, coordinates rounded to 1e-6° (about 11 cm).
 * Hexagons store no shapes: H3 gives them back from the ids.
 */
export interface UnitLayerJson {
  kind: UnitKind;
  resolution: number | null;
  version: number;
  ids: string[];
  names: string[];
  lon: number[];
  lat: number[];
  areaKm2: number[];
  /** Admin areas only: each unit's Polygon or MultiPolygon coordinates. */
  geometries?: (Position[][] | Position[][][])[];
  attributes: string[];
  /** One array per attribute; null where a unit has no value. */
  values: Record<string, (number | null)[]>;
  offsets: number[];
  targets: number[];
  sharedKm: number[];
  perimeterKm: number[];
  bridges: number[];
  credits?: string;
}

const r6 = (v: number) => Math.round(v * 1e6) / 1e6;
const r4 = (v: number) => Math.round(v * 1e4) / 1e4;

export function layerToJson(layer: UnitLayer): UnitLayerJson {
  const out: UnitLayerJson = {
    kind: layer.kind,
    resolution: layer.resolution,
    version: layer.version,
    ids: layer.ids,
    names: layer.names,
    lon: Array.from(layer.lon, r6),
    lat: Array.from(layer.lat, r6),
    areaKm2: Array.from(layer.areaKm2, r4),
    attributes: layer.attributes,
    values: Object.fromEntries(
      layer.attributes.map((a) => [a, Array.from(layer.values[a] ?? [], (v) => (Number.isNaN(v) ? null : v))]),
    ),
    offsets: Array.from(layer.offsets),
    targets: Array.from(layer.targets),
    sharedKm: Array.from(layer.sharedKm, r4),
    perimeterKm: Array.from(layer.perimeterKm, r4),
    bridges: Array.from(layer.bridges),
  };
  if (layer.kind === "admin") {
    out.geometries = layer.geometries.map((g) =>
      g.type === "Polygon"
        ? g.coordinates.map((ring) => ring.map(([x, y]) => [r6(x), r6(y)] as Position))
        : g.coordinates.map((poly) => poly.map((ring) => ring.map(([x, y]) => [r6(x), r6(y)] as Position))),
    );
  }
  if (layer.credits) out.credits = layer.credits;
  return out;
}

/** Reads a stored layer back; throws on one that does not hold together (lengths, kinds). */
export function layerFromJson(j: UnitLayerJson): UnitLayer {
  const n = j.ids.length;
  const same = (what: string, len: number) => {
    if (len !== n) throw new Error(`unit layer: ${what} has ${len} entries for ${n} units`);
  };
  same("names", j.names.length);
  same("lon", j.lon.length);
  same("lat", j.lat.length);
  same("areaKm2", j.areaKm2.length);
  same("perimeterKm", j.perimeterKm.length);
  if (j.offsets.length !== n + 1 || j.targets.length !== j.sharedKm.length) {
    throw new Error("unit layer: the neighbour table does not hold together");
  }
  let geometries: TerritoryGeometry[];
  if (j.kind === "h3") {
    geometries = j.ids.map((id) => ({ type: "Polygon", coordinates: [cellToBoundary(id, true) as Position[]] }));
  } else {
    const raw = j.geometries ?? [];
    same("geometries", raw.length);
    geometries = raw.map((c) =>
      Array.isArray(c[0]?.[0]?.[0])
        ? { type: "MultiPolygon", coordinates: c as Position[][][] }
        : { type: "Polygon", coordinates: c as Position[][] },
    );
  }
  const values: Record<string, Float64Array> = {};
  for (const a of j.attributes) {
    const v = j.values[a] ?? [];
    same(`values of ${a}`, v.length);
    values[a] = Float64Array.from(v, (x) => (typeof x === "number" ? x : Number.NaN));
  }
  const layer: UnitLayer = {
    kind: j.kind,
    resolution: j.resolution,
    version: j.version,
    ids: j.ids,
    names: j.names,
    lon: Float64Array.from(j.lon),
    lat: Float64Array.from(j.lat),
    areaKm2: Float64Array.from(j.areaKm2),
    geometries,
    attributes: j.attributes,
    values,
    offsets: Int32Array.from(j.offsets),
    targets: Int32Array.from(j.targets),
    sharedKm: Float64Array.from(j.sharedKm),
    perimeterKm: Float64Array.from(j.perimeterKm),
    bridges: Int32Array.from(j.bridges),
  };
  if (j.credits) layer.credits = j.credits;
  return layer;
}

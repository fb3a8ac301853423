import { areaKm2, segmentM } from "../geometry/area.ts";
import { flatten } from "../geometry/flat.ts";
import { interiorPoint } from "../geometry/label.ts";
import type { TerritoryGeometry } from "../geometry/types.ts";
import { validateGeometry } from "../geometry/validate.ts";
import { featuresOf, MAX_LISTED, TerritoryFileError } from "../territories/import.ts";
import { MAX_UNITS, type UnitLayer } from "./layer.ts";
import { adminNeighbours, bridgeIslands } from "./neighbours.ts";

/**
 * Admin areas as units, from the GeoJSON files people have: BPS's
 * kabupaten/kota and kecamatan, geoBoundaries' ADM2/ADM3, a company's GIS
 * export. Each feature is checked with the rules of a territory import
 * (validateGeometry); bad ones are named by index. A declared projected
 * coordinate system is refused (featuresOf).
 */

/** Property keys read as the unit's id, compared ignoring case; the first present wins. */
export const UNIT_ID_KEYS = [
  "id",
  "code",
  "kode",
  "kode_bps",
  "kdcpum",
  "kdepum",
  "kdppum",
  "kdbbps",
  "kdcbps",
  "kdebps",
  "adm3_pcode",
  "adm2_pcode",
  "adm1_pcode",
  "shapeid",
  "gid_3",
  "gid_2",
  "postal_code",
  "kodepos",
] as const;

/** …as its name. */
export const UNIT_NAME_KEYS = [
  "name",
  "nama",
  "namobj",
  "wadmkc",
  "wadmkk",
  "wadmpr",
  "adm3_en",
  "adm2_en",
  "adm1_en",
  "shapename",
  "name_3",
  "name_2",
  "kecamatan",
  "kabupaten",
] as const;

/** Attribute names read under their English name, so targets and balances find them. */
const ATTRIBUTE_ALIASES: Record<string, string> = {
  penduduk: "population",
  jumlah_penduduk: "population",
  jml_penduduk: "population",
  jiwa: "population",
  population: "population",
  pop: "population",
};

/** Codes that are numbers but are not quantities (never summed). */
const NOT_ATTRIBUTES = new Set(["objectid", "fid", "shape_leng", "shape_area", "shape_length", "luas", "area"]);

export interface AdminUnit {
  id: string;
  name: string;
  geometry: TerritoryGeometry;
  attributes: Record<string, number>;
}

export interface AdminProblem {
  /** The feature's position in the file, from 0. */
  index: number;
  name?: string;
  reason: string;
}

export interface ParsedAdminUnits {
  total: number;
  units: AdminUnit[];
  problems: AdminProblem[];
  problemCount: number;
  /** Numeric attributes found, under the names they are kept as. */
  attributes: string[];
  /** The property each role was read from, to show in the preview. */
  idKey: string | null;
  nameKey: string | null;
}

/**
 * Reads admin areas from a GeoJSON FeatureCollection.
 *
 * @example parseAdminUnits(bpsKecamatan).units[0] // { id: "32.01.010", name: "Nanggung", attributes: { population: 92301 }, … }
 */
export function parseAdminUnits(input: unknown): ParsedAdminUnits {
  const features = featuresOf(input) as { type?: unknown; id?: unknown; properties?: unknown; geometry?: unknown }[];
  if (features.length > MAX_UNITS) {
    throw new TerritoryFileError(`The file has ${features.length} areas; a plan holds at most ${MAX_UNITS} units.`);
  }
  const keys = new Map<string, string>();
  for (const f of features.slice(0, 50)) {
    const p = f?.properties;
    if (p && typeof p === "object")
      for (const k of Object.keys(p)) if (!keys.has(k.toLowerCase())) keys.set(k.toLowerCase(), k);
  }
  const pick = (wanted: readonly string[]) => {
    for (const w of wanted) {
      const k = keys.get(w);
      if (k !== undefined) return k;
    }
    return null;
  };
  const idKey = pick(UNIT_ID_KEYS);
  const nameKey = pick(UNIT_NAME_KEYS);
  const units: AdminUnit[] = [];
  const problems: AdminProblem[] = [];
  let problemCount = 0;
  const problem = (p: AdminProblem) => {
    problemCount++;
    if (problems.length < MAX_LISTED) problems.push(p);
  };
  const seen = new Map<string, number>();
  const attributeNames = new Set<string>();
  features.forEach((f, index) => {
    const props = (f?.properties && typeof f.properties === "object" ? f.properties : {}) as Record<string, unknown>;
    const rawName = nameKey ? props[nameKey] : undefined;
    const name = typeof rawName === "string" && rawName.trim() ? rawName.trim().slice(0, 120) : undefined;
    if (f?.type !== "Feature") {
      problem({ index, name, reason: "not a GeoJSON Feature" });
      return;
    }
    const g = validateGeometry(f.geometry);
    if (!g.ok) {
      problem({ index, name, reason: g.error });
      return;
    }
    const rawId = idKey ? props[idKey] : f.id;
    const id = typeof rawId === "string" || typeof rawId === "number" ? String(rawId).trim() : "";
    if (id === "" || id.length > 64) {
      problem({ index, name, reason: id === "" ? "has no id or code" : "its id is longer than 64 characters" });
      return;
    }
    const first = seen.get(id);
    if (first !== undefined) {
      problem({ index, name, reason: `id "${id}" appears twice: also feature ${first + 1} (index ${first})` });
      return;
    }
    seen.set(id, index);
    const attributes: Record<string, number> = {};
    for (const [k, v] of Object.entries(props)) {
      if (k === idKey || k === nameKey) continue;
      const lower = k.toLowerCase();
      if (NOT_ATTRIBUTES.has(lower) || (UNIT_ID_KEYS as readonly string[]).includes(lower)) continue;
      const n =
        typeof v === "number" ? v : typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : Number.NaN;
      if (!Number.isFinite(n)) continue;
      const key = ATTRIBUTE_ALIASES[lower] ?? k.slice(0, 64);
      attributes[key] = n;
      attributeNames.add(key);
    }
    units.push({ id, name: name ?? id, geometry: g.value, attributes });
  });
  return {
    total: features.length,
    units,
    problems,
    problemCount,
    attributes: [...attributeNames].sort(),
    idKey,
    nameKey,
  };
}

/** The layer of admin areas: shapes kept, label points, areas, neighbours (sliver-tolerant), bridges. */
export function adminLayer(units: readonly AdminUnit[], version: number): UnitLayer {
  const n = units.length;
  const lon = new Float64Array(n);
  const lat = new Float64Array(n);
  const area = new Float64Array(n);
  const perimeterKm = new Float64Array(n);
  const attributes = [...new Set(units.flatMap((u) => Object.keys(u.attributes)))].sort();
  const values: Record<string, Float64Array> = {};
  for (const a of attributes) values[a] = new Float64Array(n).fill(Number.NaN);
  units.forEach((u, i) => {
    const flat = flatten(u.geometry);
    const [x, y] = interiorPoint(flat);
    lon[i] = x;
    lat[i] = y;
    area[i] = areaKm2(u.geometry);
    for (const a of attributes) {
      const v = u.attributes[a];
      if (v !== undefined) (values[a] as Float64Array)[i] = v;
    }
  });
  const geometries = units.map((u) => u.geometry);
  const { offsets, targets, sharedKm } = adminNeighbours(geometries);
  for (let i = 0; i < n; i++) perimeterKm[i] = perimeterOf(geometries[i] as TerritoryGeometry);
  return {
    kind: "admin",
    resolution: null,
    version,
    ids: units.map((u) => u.id),
    names: units.map((u) => u.name),
    lon,
    lat,
    areaKm2: area,
    geometries,
    attributes,
    values,
    offsets,
    targets,
    sharedKm,
    perimeterKm,
    bridges: bridgeIslands(offsets, targets, lon, lat),
  };
}

function perimeterOf(g: TerritoryGeometry): number {
  const polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
  let m = 0;
  for (const poly of polys) {
    for (const ring of poly) {
      for (let k = 0; k + 1 < ring.length; k++) {
        const [x1, y1] = ring[k] as [number, number];
        const [x2, y2] = ring[k + 1] as [number, number];
        m += segmentM(x1, y1, x2, y2) / 1000;
      }
    }
  }
  return m;
}

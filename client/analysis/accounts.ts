import { isAccountColumns } from "../../shared/accounts/columns.ts";
import type { AccountColumns } from "../../shared/scoring/accounts.ts";

/**
 * The plan's accounts as the client keeps them: columns of typed arrays
 * (50,000 accounts are a handful of arrays, not 50,000 reactive objects),
 * numbered in the order `GET /api/plans/:id/accounts` lists them, which is
 * the order the analysis's `accountTerritory` is indexed by.
 */
export interface PlanAccounts extends AccountColumns {
  /** The accounts version they were fetched at (`readAccountsVersion`). */
  version: number;
  count: number;
  /** Attribute names, sorted (the same order the server's metrics use). */
  attributes: string[];
}

interface PointFeature {
  id?: unknown;
  geometry?: { type?: unknown; coordinates?: unknown } | null;
  properties?: Record<string, unknown> | null;
}

/** The accounts from `GET …/accounts?format=columns` (or, from older servers, GeoJSON). */
export function accountsFromAnswer(body: unknown): PlanAccounts {
  if (!isAccountColumns(body)) return accountsFromGeoJson(body);
  const attrs: Record<string, Float64Array> = {};
  // null is a blank cell: a missing value, NaN here (never 0).
  for (const a of body.attributes) {
    attrs[a] = Float64Array.from(body.values[a] ?? [], (v) => (typeof v === "number" ? v : Number.NaN));
  }
  return {
    version: body.version,
    count: body.count,
    ids: body.ids.map(String),
    names: body.names.map((n) => (typeof n === "string" ? n : "")),
    lon: Float64Array.from(body.lon, (v) => (typeof v === "number" ? v : Number.NaN)),
    lat: Float64Array.from(body.lat, (v) => (typeof v === "number" ? v : Number.NaN)),
    attrs,
    attributes: [...body.attributes].sort(),
  };
}

/**
 * GeoJSON from `GET /api/plans/:id/accounts` → columns. A feature that is
 * not a point keeps its slot (NaN position) so indices still line up with
 * `accountTerritory`; the server never sends one.
 *
 * @example accountsFromGeoJson({type: "FeatureCollection", version: 3, features: [...]}).lon[0]
 */
export function accountsFromGeoJson(body: unknown): PlanAccounts {
  const fc = (typeof body === "object" && body !== null ? body : {}) as { version?: unknown; features?: unknown };
  const features = (Array.isArray(fc.features) ? fc.features : []) as PointFeature[];
  const n = features.length;
  const ids = new Array<string>(n);
  const names = new Array<string>(n);
  const lon = new Float64Array(n);
  const lat = new Float64Array(n);
  const attrNames = new Set<string>();
  for (const f of features) {
    const p = f?.properties;
    if (!p) continue;
    for (const key in p) if (key !== "id" && key !== "name" && typeof p[key] === "number") attrNames.add(key);
  }
  const attributes = [...attrNames].sort();
  const attrs: Record<string, Float64Array> = {};
  for (const a of attributes) attrs[a] = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const f = features[i];
    const p = f?.properties ?? {};
    ids[i] = String(p.id ?? f?.id ?? i);
    names[i] = typeof p.name === "string" ? p.name : "";
    const c = f?.geometry?.type === "Point" && Array.isArray(f.geometry.coordinates) ? f.geometry.coordinates : null;
    lon[i] = typeof c?.[0] === "number" ? c[0] : Number.NaN;
    lat[i] = typeof c?.[1] === "number" ? c[1] : Number.NaN;
    for (const a of attributes) {
      const v = p[a];
      (attrs[a] as Float64Array)[i] = typeof v === "number" && Number.isFinite(v) ? v : Number.NaN;
    }
  }
  const version = typeof fc.version === "number" ? fc.version : 0;
  return { version, count: n, ids, names, lon, lat, attrs, attributes };
}

export const NO_ACCOUNTS: PlanAccounts = Object.freeze({
  version: 0,
  count: 0,
  ids: [],
  names: [],
  lon: new Float64Array(0),
  lat: new Float64Array(0),
  attrs: {},
  attributes: [],
});

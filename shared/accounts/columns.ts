import type { Account } from "../scoring/accounts.ts";

/**
 * The accounts as columns (`GET /api/plans/:id/accounts?format=columns`):
 * the same content as the GeoJSON answer, one array per field. 50,000
 * accounts as GeoJSON are ~10 MB of nested objects for the browser to parse;
 * as columns they are a few flat arrays, parsed several times faster and
 * copied straight into typed arrays.
 *
 * ```
 * { format: "columns", version: 3, count: 2, ids: ["a1", "a2"], names: ["Toko A", "Toko B"],
 *   lon: [106.8, 107.6], lat: [-6.2, -6.9], attributes: ["revenue"], values: { revenue: [100, 250] } }
 * ```
 */
export interface AccountColumnsJson {
  format: "columns";
  version: number;
  count: number;
  ids: string[];
  names: string[];
  lon: number[];
  lat: number[];
  /** Attribute names, sorted. */
  attributes: string[];
  /** One array per attribute, `count` long; null where an account has no value (a blank cell). */
  values: Record<string, (number | null)[]>;
}

/** Builds the columns answer from stored accounts. */
export function toAccountColumns(accounts: readonly Account[], version: number): AccountColumnsJson {
  const attributes = [...new Set(accounts.flatMap((a) => Object.keys(a.attrs)))].sort();
  const values: Record<string, (number | null)[]> = {};
  for (const name of attributes) values[name] = accounts.map((a) => a.attrs[name] ?? null);
  return {
    format: "columns",
    version,
    count: accounts.length,
    ids: accounts.map((a) => a.id),
    names: accounts.map((a) => a.name),
    lon: accounts.map((a) => a.lon),
    lat: accounts.map((a) => a.lat),
    attributes,
    values,
  };
}

/** Whether a parsed answer is the columns format, with arrays of the stated length. */
export function isAccountColumns(body: unknown): body is AccountColumnsJson {
  if (typeof body !== "object" || body === null) return false;
  const b = body as Partial<AccountColumnsJson>;
  const n = b.count;
  return (
    b.format === "columns" &&
    typeof n === "number" &&
    typeof b.version === "number" &&
    [b.ids, b.names, b.lon, b.lat].every((a) => Array.isArray(a) && a.length === n) &&
    Array.isArray(b.attributes) &&
    typeof b.values === "object" &&
    b.values !== null &&
    b.attributes.every((name) => Array.isArray(b.values?.[name]) && b.values[name].length === n)
  );
}

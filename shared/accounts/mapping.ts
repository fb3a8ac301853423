import { RESERVED_METRICS } from "../scoring/accounts.ts";
import { columnDecimal, type Decimal, Evidence, numberEvidence } from "./numbers.ts";

/**
 * Which source column becomes what. The importer detects one
 * ({@link detectMapping}); a person may correct it ({@link MappingOverride}).
 */
export interface ColumnMapping {
  id: string | null;
  name: string | null;
  lat: string | null;
  lon: string | null;
  /**
   * Every other column: the attribute (metric) it becomes, or null when it
   * is not imported (a text column, or one the person turned off).
   */
  attributes: Record<string, string | null>;
}

/**
 * A person's corrections to the detected mapping; what is left out stays as
 * detected. `id`/`name` may be null (none: ids are then made from line
 * numbers). In `attributes`, a column → a name imports it under that name,
 * → null leaves it out; columns not named keep their detected fate.
 *
 * @example
 * { lat: "Lintang", lon: "Bujur", attributes: { "Omzet 2024": "revenue", "Kode Pos": null } }
 */
export interface MappingOverride {
  id?: string | null;
  name?: string | null;
  lat?: string;
  lon?: string;
  attributes?: Record<string, string | null>;
}

/** A mapping that cannot be used: names a column the file lacks, uses one column twice, an attribute name twice. */
export class MappingError extends Error {}

const MAX_NAME = 64;

/** Lower case, letters and digits only: "Nama Outlet" and "nama_outlet" both read "namaoutlet". */
export function normalizeHeader(h: string): string {
  let out = "";
  const s = h.toLowerCase();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) out += s[i];
  }
  return out;
}

/** Header names (normalized) of each role, English then Indonesian, most specific first. */
const ROLE_NAMES = {
  id: [
    "id",
    "accountid",
    "outletid",
    "customerid",
    "storeid",
    "code",
    "kode",
    "kodeoutlet",
    "kodetoko",
    "kodepelanggan",
    "idoutlet",
    "idpelanggan",
  ],
  name: [
    "name",
    "nama",
    "accountname",
    "outletname",
    "customername",
    "storename",
    "namaoutlet",
    "namatoko",
    "namapelanggan",
    "account",
    "outlet",
    "customer",
    "store",
    "toko",
    "pelanggan",
  ],
  lat: ["lat", "latitude", "lintang", "y"],
  lon: ["lon", "lng", "long", "longitude", "bujur", "x"],
} as const;

/** Prefixes that name a coordinate even with a suffix: "Latitude (WGS84)", "lintang_outlet". */
const ROLE_PREFIXES = { lat: ["latitude", "lintang"], lon: ["longitude", "bujur"] } as const;

/**
 * Attribute columns known by name, renamed to the English name so targets
 * and dashboards find them whatever the file called them. A column already
 * named so (any case) keeps its spelling.
 */
const ATTRIBUTE_NAMES: Record<string, string> = {
  revenue: "revenue",
  omzet: "revenue",
  omset: "revenue",
  penjualan: "revenue",
  sales: "revenue",
  potential: "potential",
  potensi: "potential",
  visits: "visits",
  kunjungan: "visits",
  visitspermonth: "visits",
  kunjunganperbulan: "visits",
};

/** Numeric columns that are codes or counters, not quantities to sum: never detected as attributes. */
const NOT_ATTRIBUTES = new Set([
  "no",
  "nomor",
  "nourut",
  "row",
  "index",
  "zip",
  "zipcode",
  "postcode",
  "postalcode",
  "kodepos",
  "phone",
  "telp",
  "telepon",
  "hp",
  "nohp",
]);

/** Cells of one column, tallied: how many are filled, how many numbers, which convention they show. */
export interface ColumnStats {
  filled: number;
  numeric: number;
  dot: number;
  comma: number;
}

/** A column is numeric when at least this share of its filled cells are numbers (then a cell that is not is a bad row). */
export const NUMERIC_SHARE = 0.8;

/** Tallies each column of `rows` (cells as strings, or numbers from GeoJSON). */
export function columnStats(width: number, rows: readonly (readonly unknown[])[]): ColumnStats[] {
  const stats: ColumnStats[] = [];
  for (let c = 0; c < width; c++) stats.push({ filled: 0, numeric: 0, dot: 0, comma: 0 });
  for (const row of rows) {
    const n = Math.min(width, row.length);
    for (let c = 0; c < n; c++) {
      const v = row[c];
      const st = stats[c] as ColumnStats;
      if (typeof v === "number") {
        st.filled++;
        if (Number.isFinite(v)) st.numeric++;
        continue;
      }
      if (typeof v !== "string" || v.length === 0) continue;
      const ev = numberEvidence(v);
      if (ev === Evidence.none) {
        if (v.trim() !== "") st.filled++;
        continue;
      }
      st.filled++;
      st.numeric++;
      if (ev === Evidence.dot) st.dot++;
      else if (ev === Evidence.comma) st.comma++;
    }
  }
  return stats;
}

export function isNumericColumn(st: ColumnStats | undefined): boolean {
  return st !== undefined && st.filled > 0 && st.numeric / st.filled >= NUMERIC_SHARE;
}

/**
 * The decimal separator of each column. A column whose cells show a
 * convention (`-6,2001`, `1.250.000`, `12.5`) uses the one most of them
 * show. A column that shows none (only `12` or `1.250`-like cells) takes the
 * file's: the convention most cells of the whole file show, and when the
 * file shows none either, `,` for a `;`-separated file (how Excel writes
 * CSV with Indonesian or European settings) and `.` otherwise. So `1.250`
 * is 1250 in an Indonesian `;` file and 1.25 in a `,` file.
 */
export function decimals(stats: readonly ColumnStats[], delimiter: string | null): Decimal[] {
  let dot = 0;
  let comma = 0;
  for (const st of stats) {
    dot += st.dot;
    comma += st.comma;
  }
  const fileDecimal = columnDecimal(dot, comma, delimiter === ";" ? "," : ".");
  return stats.map((st) => columnDecimal(st.dot, st.comma, fileDecimal));
}

function findRole(normalized: readonly string[], taken: Set<number>, role: keyof typeof ROLE_NAMES): number {
  for (const name of ROLE_NAMES[role]) {
    const k = normalized.findIndex((h, i) => h === name && !taken.has(i));
    if (k >= 0) return k;
  }
  if (role === "lat" || role === "lon") {
    for (const prefix of ROLE_PREFIXES[role]) {
      const k = normalized.findIndex((h, i) => h.startsWith(prefix) && !taken.has(i));
      if (k >= 0) return k;
    }
  }
  return -1;
}

/** Attribute key for a detected column: its English name when known, else the header; never a reserved metric name. */
function attributeName(header: string, used: Set<string>): string {
  const normalized = normalizeHeader(header);
  const known = ATTRIBUTE_NAMES[normalized];
  let key = known && normalized !== known ? known : header.trim().slice(0, MAX_NAME) || "value";
  if (used.has(key)) key = header.trim().slice(0, MAX_NAME) || "value";
  if ((RESERVED_METRICS as readonly string[]).includes(key)) key = `${key}_column`;
  let unique = key;
  for (let copy = 2; used.has(unique); copy++) unique = `${key}_${copy}`;
  used.add(unique);
  return unique;
}

/**
 * Guesses which column is what from the header names (English and
 * Indonesian; case, spaces and underscores ignored) and, for attributes,
 * from the values: every other column whose filled cells are mostly
 * numbers becomes an attribute.
 *
 * @example
 * detectMapping(["Kode", "Nama Outlet", "Lintang", "Bujur", "Omzet", "Kota"], [["A1", "Toko", "-6,2", "106,8", "1.250.000", "Bogor"]])
 * // { id: "Kode", name: "Nama Outlet", lat: "Lintang", lon: "Bujur", attributes: { Omzet: "revenue", Kota: null } }
 */
export function detectMapping(
  headers: readonly string[],
  sampleRows: readonly (readonly unknown[])[],
  stats: readonly ColumnStats[] = columnStats(headers.length, sampleRows),
): ColumnMapping {
  const normalized = headers.map(normalizeHeader);
  const taken = new Set<number>();
  const role = (r: keyof typeof ROLE_NAMES): string | null => {
    const k = findRole(normalized, taken, r);
    if (k < 0) return null;
    taken.add(k);
    return headers[k] as string;
  };
  // Coordinates first: "x"/"y" and "long" are theirs before anything else's.
  const lat = role("lat");
  const lon = role("lon");
  const id = role("id");
  const name = role("name");
  const attributes: Record<string, string | null> = {};
  const used = new Set<string>();
  headers.forEach((h, k) => {
    if (taken.has(k)) return;
    const numeric = isNumericColumn(stats[k]) && !NOT_ATTRIBUTES.has(normalized[k] as string);
    attributes[h] = numeric ? attributeName(h, used) : null;
  });
  return { id, name, lat, lon, attributes };
}

/**
 * The detected mapping with a person's corrections applied, checked: every
 * column named exists, no column has two roles, attribute names are unique,
 * at most 64 characters and not a built-in metric. A column moved to a role
 * leaves the attributes; one moved out of a role gets its detected fate.
 */
export function applyMapping(
  headers: readonly string[],
  detected: ColumnMapping,
  stats: readonly ColumnStats[],
  override: MappingOverride | undefined,
): ColumnMapping {
  if (!override) return detected;
  const has = new Set(headers);
  const list = () => headers.map((h) => `"${h}"`).join(", ");
  const column = (what: string, v: string | null | undefined, current: string | null): string | null => {
    if (v === undefined) return current;
    if (v === null) return null;
    if (!has.has(v)) throw new MappingError(`The mapping names column "${v}" for ${what}, but the file has ${list()}.`);
    return v;
  };
  const id = column("the id", override.id, detected.id);
  const name = column("the name", override.name, detected.name);
  const lat = column("latitude", override.lat, detected.lat);
  const lon = column("longitude", override.lon, detected.lon);
  const roles = [
    ["id", id],
    ["name", name],
    ["latitude", lat],
    ["longitude", lon],
  ] as const;
  for (let a = 0; a < roles.length; a++) {
    for (let b = a + 1; b < roles.length; b++) {
      const [ra, ca] = roles[a] as readonly [string, string | null];
      const [rb, cb] = roles[b] as readonly [string, string | null];
      if (ca !== null && ca === cb) throw new MappingError(`Column "${ca}" cannot be both the ${ra} and the ${rb}.`);
    }
  }
  const inRole = new Set([id, name, lat, lon].filter((c): c is string => c !== null));
  const wanted = override.attributes ?? {};
  for (const c of Object.keys(wanted)) {
    if (!has.has(c)) throw new MappingError(`The mapping names column "${c}", but the file has ${list()}.`);
    if (inRole.has(c) && wanted[c] !== null) {
      throw new MappingError(
        `Column "${c}" is already mapped as an id, name or coordinate; it cannot also be a metric.`,
      );
    }
  }
  // Names given by the person are kept as given; detected names make way for them.
  const chosen = new Set<string>();
  for (const c of Object.keys(wanted)) {
    const key = wanted[c];
    if (key === null || key === undefined || inRole.has(c)) continue;
    const k = key.trim();
    if (k === "" || k.length > MAX_NAME) throw new MappingError(`The metric name for "${c}" must be 1–64 characters.`);
    if ((RESERVED_METRICS as readonly string[]).includes(k)) {
      throw new MappingError(`"${k}" is a built-in metric; choose another name for column "${c}".`);
    }
    if (chosen.has(k)) throw new MappingError(`Two columns are mapped to the metric "${k}".`);
    chosen.add(k);
  }
  const normalized = headers.map(normalizeHeader);
  const used = new Set(chosen);
  const attributes: Record<string, string | null> = {};
  headers.forEach((h, k) => {
    if (inRole.has(h)) return;
    if (Object.hasOwn(wanted, h)) {
      const key = wanted[h];
      attributes[h] = key === null || key === undefined ? null : key.trim();
      return;
    }
    const before = detected.attributes[h];
    if (typeof before === "string") {
      attributes[h] = used.has(before) ? attributeName(h, used) : before;
      used.add(attributes[h] as string);
    } else if (before === undefined && isNumericColumn(stats[k]) && !NOT_ATTRIBUTES.has(normalized[k] as string)) {
      // A column detected as id, name or coordinate that the person moved out of that role.
      attributes[h] = attributeName(h, used);
    } else {
      attributes[h] = null;
    }
  });
  return { id, name, lat, lon, attributes };
}

/**
 * Checks a mapping override that came as JSON (a query parameter, a
 * message): the right shape, or a MappingError saying what is wrong.
 */
export function parseMappingOverride(value: unknown): MappingOverride {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new MappingError('The mapping must be a JSON object such as {"lat": "Lintang", "lon": "Bujur"}.');
  }
  const v = value as Record<string, unknown>;
  const out: MappingOverride = {};
  for (const key of Object.keys(v)) {
    const x = v[key];
    if (key === "id" || key === "name") {
      if (x !== null && typeof x !== "string") throw new MappingError(`mapping.${key} must be a column name or null.`);
      out[key] = x;
    } else if (key === "lat" || key === "lon") {
      if (typeof x !== "string") throw new MappingError(`mapping.${key} must be a column name.`);
      out[key] = x;
    } else if (key === "attributes") {
      if (typeof x !== "object" || x === null || Array.isArray(x)) {
        throw new MappingError("mapping.attributes must be an object of column → metric name (or null).");
      }
      const attrs: Record<string, string | null> = {};
      for (const [c, k] of Object.entries(x as Record<string, unknown>)) {
        if (k !== null && typeof k !== "string") {
          throw new MappingError(`mapping.attributes["${c}"] must be a metric name or null.`);
        }
        attrs[c] = k;
      }
      out.attributes = attrs;
    } else {
      throw new MappingError(`mapping has an unknown key "${key}"; use id, name, lat, lon and attributes.`);
    }
  }
  return out;
}

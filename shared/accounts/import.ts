import Papa from "papaparse";
import { ID_PATTERN } from "../ids.ts";
import { type Account, RESERVED_METRICS } from "../scoring/accounts.ts";

/** Most accounts one plan may hold. */
export const MAX_ACCOUNTS = 200_000;
/** Most numeric columns kept (each becomes a metric). */
export const MAX_METRIC_COLUMNS = 30;
const MAX_TEXT = 200;
const MAX_PROBLEMS_LISTED = 200;

/** One refused row: `row` is its line number in the file (the header is line 1), or its feature number. */
export interface RowProblem {
  row: number;
  reason: string;
}

/** What an import found: the preview (`dryRun`) and the input of a real import. */
export interface ParsedAccounts {
  format: "csv" | "geojson";
  /** Which source column became what. */
  columns: { id: string | null; name: string | null; lon: string; lat: string; metrics: string[]; ignored: string[] };
  /** Rows in the file (excluding the header). */
  total: number;
  accounts: Account[];
  /** Rows refused, with why (at most 200 listed; `problemCount` has them all). */
  problems: RowProblem[];
  problemCount: number;
}

/** A file that cannot be imported at all (no coordinates column, not CSV…). */
export class ImportError extends Error {}

const LAT = ["lat", "latitude", "y"];
const LON = ["lon", "lng", "long", "longitude", "x"];
const ID = ["id", "account_id", "accountid", "outlet_id", "code"];
const NAME = ["name", "account", "account_name", "outlet", "outlet_name", "nama"];

function pick(headers: string[], names: string[]): string | null {
  for (const n of names) {
    const found = headers.find((h) => h.trim().toLowerCase() === n);
    if (found !== undefined) return found;
  }
  return null;
}

/** Parses "1234.5", " -3 ", "1e3"; not "", "12abc", "1,5". */
function parseNumber(raw: unknown): number | null {
  if (typeof raw === "number") return Number.isFinite(raw) ? raw : null;
  if (typeof raw !== "string") return null;
  const s = raw.trim();
  if (s === "" || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return null;
  return Number(s);
}

/**
 * Reads accounts from CSV. Headers are matched case-insensitively:
 * lat/latitude, lon/lng/long/longitude, id, name; every other column whose
 * values are numbers is kept as a metric, text columns are ignored (and
 * listed). A row with a bad value is reported with its line number.
 *
 * @example
 * parseAccountsCsv("id,name,lat,lon,revenue\na1,Toko Maju,-6.2,106.8,1200").accounts[0]
 * // { id: "a1", name: "Toko Maju", lon: 106.8, lat: -6.2, attrs: { revenue: 1200 } }
 */
export function parseAccountsCsv(text: string): ParsedAccounts {
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ""), {
    header: true,
    skipEmptyLines: "greedy",
    delimitersToGuess: [",", ";", "\t", "|"],
  });
  const headers = (parsed.meta.fields ?? []).filter((h) => h !== "");
  if (headers.length === 0) throw new ImportError("The file has no header row; the first line must name the columns.");
  const lat = pick(headers, LAT);
  const lon = pick(headers, LON);
  if (!lat || !lon) {
    throw new ImportError(
      `The file needs a latitude and a longitude column (lat/latitude and lon/lng/longitude); it has ${headers.map((h) => `"${h}"`).join(", ")}.`,
    );
  }
  const rows = parsed.data;
  if (rows.length > MAX_ACCOUNTS)
    throw new ImportError(`The file has ${rows.length} rows; a plan holds at most ${MAX_ACCOUNTS} accounts.`);
  const id = pick(headers, ID);
  const name = pick(headers, NAME);
  // A column is a metric when most of its filled cells are numbers; then a
  // cell that is not a number is a bad row, not a reason to drop the column.
  const others = headers.filter((h) => h !== lat && h !== lon && h !== id && h !== name);
  const metrics: string[] = [];
  const ignored: string[] = [];
  for (const h of others) {
    let filled = 0;
    let numeric = 0;
    for (const row of rows) {
      const v = row[h];
      if (v === undefined || v.trim() === "") continue;
      filled++;
      if (parseNumber(v) !== null) numeric++;
    }
    if (filled > 0 && numeric / filled >= 0.8) metrics.push(h);
    else ignored.push(h);
  }
  if (metrics.length > MAX_METRIC_COLUMNS) {
    throw new ImportError(
      `The file has ${metrics.length} numeric columns; at most ${MAX_METRIC_COLUMNS} can become metrics.`,
    );
  }
  const metricKeys = metricNamesFor(metrics);
  // Line numbers: papaparse reports rows, not lines; count the lines of the
  // raw rows instead so a quoted multi-line cell does not shift the rest.
  const lines = lineNumbers(text, rows.length);
  const problems = new Problems();
  const accounts: Lined[] = [];
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    const line = lines[i] ?? i + 2;
    const r = toAccount(
      {
        id: id ? row[id] : undefined,
        name: name ? row[name] : undefined,
        lat: row[lat],
        lon: row[lon],
        attrs: metrics.map((m, k) => [metricKeys[k] as string, row[m]] as const),
      },
      line,
      seen,
    );
    if (typeof r === "string") problems.add(line, r);
    else accounts.push(r);
  });
  for (const e of parsed.errors) {
    if (e.type === "Quotes" || e.type === "FieldMismatch") {
      const line = e.row !== undefined ? (lines[e.row] ?? e.row + 2) : 0;
      problems.add(line, e.message);
    }
  }
  return {
    format: "csv",
    columns: { id, name, lon, lat, metrics: metricKeys, ignored },
    total: rows.length,
    // Rows papaparse flagged (stray quotes, missing cells) go too.
    accounts: accounts.filter((a) => !problems.rows.has(a._line)).map(strip),
    problems: problems.list(),
    problemCount: problems.count,
  };
}

/**
 * Reads accounts from a GeoJSON FeatureCollection of Points. Properties are
 * treated like CSV columns (id, name, numeric → metrics); `row` in problems
 * is the feature's number, from 1.
 */
export function parseAccountsGeoJson(input: unknown): ParsedAccounts {
  const fc = input as { type?: unknown; features?: unknown };
  if (fc?.type !== "FeatureCollection" || !Array.isArray(fc.features)) {
    throw new ImportError("Send a GeoJSON FeatureCollection of Point features.");
  }
  const features = fc.features as { type?: unknown; id?: unknown; geometry?: unknown; properties?: unknown }[];
  if (features.length > MAX_ACCOUNTS) throw new ImportError(`At most ${MAX_ACCOUNTS} accounts per plan.`);
  const keys = new Set<string>();
  for (const f of features) {
    if (f && typeof f.properties === "object" && f.properties) for (const k of Object.keys(f.properties)) keys.add(k);
  }
  const headers = [...keys];
  const id = pick(headers, ID);
  const name = pick(headers, NAME);
  const metrics: string[] = [];
  const ignored: string[] = [];
  for (const h of headers) {
    if (h === id || h === name) continue;
    let filled = 0;
    let numeric = 0;
    for (const f of features) {
      const v = (f?.properties as Record<string, unknown> | undefined)?.[h];
      if (v === undefined || v === null || v === "") continue;
      filled++;
      if (parseNumber(v) !== null) numeric++;
    }
    if (filled > 0 && numeric / filled >= 0.8) metrics.push(h);
    else ignored.push(h);
  }
  if (metrics.length > MAX_METRIC_COLUMNS)
    throw new ImportError(`At most ${MAX_METRIC_COLUMNS} numeric properties can become metrics.`);
  const metricKeys = metricNamesFor(metrics);
  const problems = new Problems();
  const accounts: Account[] = [];
  const seen = new Set<string>();
  features.forEach((f, i) => {
    const row = i + 1;
    const g = f?.geometry as { type?: unknown; coordinates?: unknown } | null | undefined;
    if (f?.type !== "Feature" || g?.type !== "Point" || !Array.isArray(g.coordinates)) {
      problems.add(row, "not a Point feature");
      return;
    }
    const props = (f.properties ?? {}) as Record<string, unknown>;
    const [lonValue, latValue] = g.coordinates as unknown[];
    const r = toAccount(
      {
        id: id ? props[id] : f.id,
        name: name ? props[name] : undefined,
        lat: latValue,
        lon: lonValue,
        attrs: metrics.map((m, k) => [metricKeys[k] as string, props[m]] as const),
      },
      row,
      seen,
    );
    if (typeof r === "string") problems.add(row, r);
    else accounts.push(r);
  });
  return {
    format: "geojson",
    columns: { id, name, lon: "geometry", lat: "geometry", metrics: metricKeys, ignored },
    total: features.length,
    accounts: accounts.map(strip),
    problems: problems.list(),
    problemCount: problems.count,
  };
}

type Lined = Account & { _line: number };

function toAccount(
  raw: { id: unknown; name: unknown; lat: unknown; lon: unknown; attrs: (readonly [string, unknown])[] },
  line: number,
  seen: Set<string>,
): Lined | string {
  const lat = parseNumber(raw.lat);
  const lon = parseNumber(raw.lon);
  if (lat === null) return `latitude ${show(raw.lat)} is not a number`;
  if (lon === null) return `longitude ${show(raw.lon)} is not a number`;
  if (lat < -90 || lat > 90) return `latitude ${lat} is outside -90…90`;
  if (lon < -180 || lon > 180) return `longitude ${lon} is outside -180…180`;
  let id =
    raw.id === undefined || raw.id === null || String(raw.id).trim() === "" ? `row-${line}` : String(raw.id).trim();
  if (!ID_PATTERN.test(id)) {
    if (id.length > 64) return "id is longer than 64 characters";
    id = id.replace(/[^A-Za-z0-9_-]/g, "_");
  }
  if (seen.has(id)) return `id "${id}" appears twice`;
  seen.add(id);
  const name = raw.name === undefined || raw.name === null ? id : String(raw.name).trim().slice(0, MAX_TEXT) || id;
  const attrs: Record<string, number> = {};
  for (const [key, value] of raw.attrs) {
    if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) {
      attrs[key] = 0;
      continue;
    }
    const n = parseNumber(value);
    if (n === null) return `${key} ${show(value)} is not a number`;
    attrs[key] = n;
  }
  return { id, name, lon, lat, attrs, _line: line };
}

function strip(a: Lined | Account): Account {
  const { id, name, lon, lat, attrs } = a;
  return { id, name, lon, lat, attrs };
}

/** Metric keys for source columns: trimmed, and renamed when they clash with a reserved metric. */
function metricNamesFor(columns: string[]): string[] {
  return columns.map((c) => {
    const key = c.trim().slice(0, 64) || "value";
    return (RESERVED_METRICS as readonly string[]).includes(key) ? `${key}_column` : key;
  });
}

function show(v: unknown): string {
  if (v === undefined || v === null || v === "") return "(empty)";
  return `"${String(v).slice(0, 40)}"`;
}

/** Line on which each record starts (header excluded), minding quoted line breaks and skipped blank lines. */
function lineNumbers(text: string, count: number): number[] {
  const out: number[] = [];
  let line = 1;
  let inQuotes = false;
  let recordStart: number | null = null;
  let header = true;
  for (let i = 0; i <= text.length && out.length < count; i++) {
    const ch = text[i];
    const newline = ch === "\n" || ch === "\r";
    if (ch === undefined || (newline && !inQuotes)) {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      if (recordStart !== null) {
        if (header) header = false;
        else out.push(recordStart);
      }
      recordStart = null;
      line++;
      continue;
    }
    if (newline) {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      line++;
      continue;
    }
    if (ch === '"') inQuotes = !inQuotes;
    if (recordStart === null && ch.trim() !== "") recordStart = line;
  }
  return out;
}

class Problems {
  readonly rows = new Set<number>();
  private readonly items: RowProblem[] = [];
  count = 0;
  add(row: number, reason: string): void {
    if (this.rows.has(row)) return;
    this.rows.add(row);
    this.count++;
    if (this.items.length < MAX_PROBLEMS_LISTED) this.items.push({ row, reason });
  }
  list(): RowProblem[] {
    return [...this.items].sort((a, b) => a.row - b.row);
  }
}

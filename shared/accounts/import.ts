import { ID_PATTERN } from "../ids.ts";
import type { Account } from "../scoring/accounts.ts";
import { type Delimiter, readCsv } from "./csv.ts";
import {
  applyMapping,
  type ColumnMapping,
  type ColumnStats,
  columnStats,
  decimals,
  detectMapping,
  isNumericColumn,
  MappingError,
  type MappingOverride,
} from "./mapping.ts";
import { type Decimal, parseLocaleNumber } from "./numbers.ts";

export type { ColumnMapping, MappingOverride } from "./mapping.ts";
export { detectMapping, MappingError, parseMappingOverride } from "./mapping.ts";
export { type Decimal, parseLocaleNumber } from "./numbers.ts";

/** Most accounts one plan may hold. */
export const MAX_ACCOUNTS = 200_000;
/** Most numeric columns kept (each becomes a metric). */
export const MAX_METRIC_COLUMNS = 30;
/** Rows shown in a preview. */
export const PREVIEW_ROWS = 10;
/**
 * How far outside the plan's area (the box around its territories), in
 * degrees, a point may lie before it is flagged: 2° is about 220 km, so
 * outlets just past the drawn edge of a region are fine, a point in another
 * province or country (a typo, a sign lost, a default 0,0) is not.
 */
export const FAR_DEGREES = 2;
const MAX_TEXT = 200;
const MAX_LISTED = 200;

/** [minLon, minLat, maxLon, maxLat], WGS84 degrees. */
export type BBox = [number, number, number, number];

export interface ImportOptions {
  /** Corrections to the detected column mapping (the mapping step of the UI). */
  mapping?: MappingOverride;
  /** The plan's area; points far outside it (or inside it only with lat and lon exchanged) are flagged. */
  area?: BBox | null;
}

/**
 * Why a row was refused, as a code a client translates with `params`
 * (`reason` is the English sentence, for API clients and logs):
 *
 * | code | params |
 * | --- | --- |
 * | `csv` | `detail` (the CSV reader's own words) |
 * | `cell-count` | `cells`, `columns`, `separator` when an unquoted separator is the likely cause |
 * | `not-point` | |
 * | `lat-not-number`, `lon-not-number` | `value` |
 * | `lat-range` | `value`, `swapped` (true when latitude and longitude look exchanged) |
 * | `lon-range` | `value` |
 * | `id-long` | |
 * | `id-twice` | `id`, `first` (the line or feature it is also on) |
 * | `value-not-number` | `column`, `value` |
 * | `id-in-plan` | `id` (an append whose id the plan already has; row 0) |
 */
export type ProblemCode =
  | "csv"
  | "cell-count"
  | "not-point"
  | "lat-not-number"
  | "lon-not-number"
  | "lat-range"
  | "lon-range"
  | "id-long"
  | "id-twice"
  | "value-not-number"
  | "id-in-plan";

export type ProblemParams = Record<string, string | number | boolean>;

/** One refused row: `row` is its line number in the file (the header is line 1), or its feature number. */
export interface RowProblem {
  row: number;
  code: ProblemCode;
  params: ProblemParams;
  reason: string;
}

/**
 * Why a row was accepted but deserves a look: coordinates that look
 * exchanged, a point far outside the plan, a row without an id (it gets
 * `row-<line>`, which then reaches the CRM export).
 */
export type WarningKind = "swapped" | "outside" | "no-id";

/** One accepted but suspicious row, by line number like {@link RowProblem}; `params` as for problems. */
export interface RowWarning {
  row: number;
  kind: WarningKind;
  params: ProblemParams;
  reason: string;
}

/** A row as it stands in the file, for a preview: one cell per header. */
export interface PreviewRow {
  row: number;
  cells: string[];
}

/** What an import found: the preview (`dryRun`) and the input of a real import. */
export interface ParsedAccounts {
  format: "csv" | "geojson";
  /** The CSV separator found (null for GeoJSON). */
  delimiter: Delimiter | null;
  /** The file's column names (GeoJSON: the properties' names). */
  headers: string[];
  /** The mapping detected from the names and values… */
  detected: ColumnMapping;
  /** …and the one used: `detected` with the caller's corrections. GeoJSON's coordinates are "geometry". */
  mapping: ColumnMapping;
  /** Decimal separator used for each numeric column read (lat, lon, attributes), by header. */
  decimals: Record<string, Decimal>;
  /**
   * Blank cells of each metric column, by header, among the accepted rows: a
   * blank is a missing value (not summed, blank in exports), not a 0.
   */
  blanks: Record<string, number>;
  /**
   * Columns whose filled cells are mostly numbers: the only ones that may
   * become metrics (a text column such as Kota is never offered as one).
   */
  numeric: string[];
  /** Which source column became what, the short form (kept for existing API clients). */
  columns: { id: string | null; name: string | null; lon: string; lat: string; metrics: string[]; ignored: string[] };
  /** Rows in the file (excluding the header and blank lines). */
  total: number;
  /** The valid rows' accounts, in file order. */
  accounts: Account[];
  /** Line (CSV) or feature number (GeoJSON) of each account. */
  lines: number[];
  /** Rows refused, with why, by line (at most 200 listed; `problemCount` has them all). */
  problems: RowProblem[];
  problemCount: number;
  /** Rows accepted but suspicious (at most 200 listed; `warningCount` and `warningCounts` have them all). */
  warnings: RowWarning[];
  warningCount: number;
  warningCounts: Record<WarningKind, number>;
  /** The first rows as they are in the file. */
  preview: PreviewRow[];
}

/** What the caller can show when a whole file is refused: enough to let a person fix the mapping. */
export interface ImportErrorDetails {
  format: "csv" | "geojson";
  delimiter: Delimiter | null;
  headers: string[];
  detected: ColumnMapping;
  preview: PreviewRow[];
}

/** A file that cannot be imported at all (no coordinates column, not CSV, a mapping that does not fit…). */
export class ImportError extends Error {
  constructor(
    message: string,
    readonly details?: ImportErrorDetails,
  ) {
    super(message);
  }
}

/**
 * Reads accounts from an upload: GeoJSON when it looks like JSON, CSV
 * otherwise.
 *
 * @example
 * parseAccounts('{"type":"FeatureCollection","features":[]}').format // "geojson"
 */
export function parseAccounts(text: string, options: ImportOptions = {}): ParsedAccounts {
  let k = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (k < text.length && text.charCodeAt(k) <= 32) k++;
  const first = text[k];
  if (first === "{" || first === "[") {
    let body: unknown;
    try {
      body = JSON.parse(k === 0 ? text : text.slice(k));
    } catch (e) {
      throw new ImportError(`The upload is not valid JSON: ${(e as Error).message}`);
    }
    return parseAccountsGeoJson(body, options);
  }
  return parseAccountsCsv(text, options);
}

/**
 * Reads accounts from CSV as real files come (see csv.ts for separators,
 * quoting, BOM and line ends; numbers.ts for `1.250.000,50`). Columns are
 * detected by name, English or Indonesian ({@link detectMapping}), and
 * `options.mapping` corrects them. Each bad row is refused with its line
 * number and why; suspicious rows are accepted and listed as warnings.
 *
 * @example
 * parseAccountsCsv("Kode;Nama;Lintang;Bujur;Omzet\nA1;Toko Maju;-6,2;106,8;1.250.000,50").accounts[0]
 * // { id: "A1", name: "Toko Maju", lon: 106.8, lat: -6.2, attrs: { revenue: 1250000.5 } }
 */
export function parseAccountsCsv(text: string, options: ImportOptions = {}): ParsedAccounts {
  const table = readCsv(text);
  const headers = table.headers;
  if (headers.length === 0) throw new ImportError("The file has no header row; the first line must name the columns.");
  if (table.rows.length > MAX_ACCOUNTS) {
    throw new ImportError(`The file has ${table.rows.length} rows; a plan holds at most ${MAX_ACCOUNTS} accounts.`);
  }
  return build({
    format: "csv",
    delimiter: table.delimiter,
    headers,
    rows: table.rows,
    lines: table.lines,
    points: null,
    readerErrors: table.errors,
    options,
  });
}

/**
 * Reads accounts from a GeoJSON FeatureCollection of Points. Properties are
 * treated like CSV columns (id, name, numeric → attributes, the same
 * mapping override); `row` in problems is the feature's number, from 1.
 */
export function parseAccountsGeoJson(input: unknown, options: ImportOptions = {}): ParsedAccounts {
  const fc = input as { type?: unknown; features?: unknown };
  if (fc?.type !== "FeatureCollection" || !Array.isArray(fc.features)) {
    throw new ImportError("Send a GeoJSON FeatureCollection of Point features.");
  }
  const features = fc.features as { type?: unknown; id?: unknown; geometry?: unknown; properties?: unknown }[];
  if (features.length > MAX_ACCOUNTS) throw new ImportError(`At most ${MAX_ACCOUNTS} accounts per plan.`);
  const keys = new Map<string, number>();
  for (const f of features) {
    const p = f?.properties;
    if (p && typeof p === "object") for (const k of Object.keys(p)) if (!keys.has(k)) keys.set(k, keys.size);
  }
  const headers = [...keys.keys()];
  const rows: unknown[][] = [];
  const lines: number[] = [];
  const points: (readonly unknown[] | null)[] = [];
  features.forEach((f, i) => {
    const props = (f?.properties && typeof f.properties === "object" ? f.properties : {}) as Record<string, unknown>;
    const row: unknown[] = new Array(headers.length);
    for (const k of Object.keys(props)) row[keys.get(k) as number] = props[k];
    rows.push(row);
    lines.push(i + 1);
    const g = f?.geometry as { type?: unknown; coordinates?: unknown } | null | undefined;
    points.push(
      f?.type === "Feature" && g?.type === "Point" && Array.isArray(g.coordinates)
        ? (g.coordinates as unknown[])
        : null,
    );
  });
  return build({
    format: "geojson",
    delimiter: null,
    headers,
    rows,
    lines,
    points,
    readerErrors: [],
    options,
    featureIds: features.map((f) => f?.id),
  });
}

interface Source {
  format: "csv" | "geojson";
  delimiter: Delimiter | null;
  headers: string[];
  rows: readonly (readonly unknown[])[];
  lines: number[];
  /** GeoJSON: each feature's coordinates, or null when it is not a Point feature. */
  points: (readonly unknown[] | null)[] | null;
  readerErrors: { line: number; reason: string }[];
  options: ImportOptions;
  /** GeoJSON: each feature's own id, used when no id property is mapped. */
  featureIds?: unknown[];
}

/**
 * The whole import: the mapping (detected, then corrected), the columns it
 * names, each row read by a {@link RowReader} (refused with why, or
 * accepted with its warnings), and what the preview shows.
 */
function build(src: Source): ParsedAccounts {
  const { headers, rows, lines, format } = src;
  const stats = columnStats(headers.length, rows);
  const preview = previewRows(headers.length, rows, lines, src.points);
  const found = detectMapping(headers, rows, stats);
  const detected = src.points ? geometryMapping(found) : found;
  const details: ImportErrorDetails = { format, delimiter: src.delimiter, headers, detected, preview };
  const mapping = mappingOf(src, found, stats, details);
  const columns = columnsOf(src, mapping, stats, details);

  const reader = new RowReader(src, columns);
  for (let i = 0; i < rows.length; i++) reader.read(i);

  const { attrCols, attrKeys } = columns;
  return {
    format,
    delimiter: src.delimiter,
    headers,
    detected,
    mapping,
    decimals: columns.usedDecimals,
    blanks: Object.fromEntries(attrCols.map((k, a) => [headers[k] as string, reader.blankCounts[a] as number])),
    numeric: headers.filter((_, k) => isNumericColumn(stats[k])),
    columns: {
      id: mapping.id,
      name: mapping.name,
      lon: mapping.lon ?? "geometry",
      lat: mapping.lat ?? "geometry",
      metrics: attrKeys,
      ignored: headers.filter((h) => mapping.attributes[h] === null),
    },
    total: rows.length,
    accounts: reader.accounts,
    lines: reader.accountLines,
    problems: reader.problems.sorted(),
    problemCount: reader.problems.count,
    warnings: reader.warnings.sorted(),
    warningCount: reader.warnings.count,
    warningCounts: reader.warningCounts,
    preview,
  };
}

/** The detected mapping with the caller's corrections (GeoJSON: coordinates from the geometry, whatever they say). */
function mappingOf(
  src: Source,
  found: ColumnMapping,
  stats: readonly ColumnStats[],
  details: ImportErrorDetails,
): ColumnMapping {
  let mapping: ColumnMapping;
  try {
    const override =
      src.points && src.options.mapping
        ? { ...src.options.mapping, lat: undefined, lon: undefined }
        : src.options.mapping;
    mapping = applyMapping(src.headers, found, stats, override);
  } catch (e) {
    if (e instanceof MappingError) throw new ImportError(e.message, details);
    throw e;
  }
  return src.points ? geometryMapping(mapping) : mapping;
}

/** Where a mapping's columns are in each row (-1: none), and how their numbers are written. */
interface Columns {
  latCol: number;
  lonCol: number;
  idCol: number;
  nameCol: number;
  /** The metric columns, and the attribute each becomes. */
  attrCols: number[];
  attrKeys: string[];
  latDec: Decimal;
  lonDec: Decimal;
  attrDecs: Decimal[];
  /** Decimal separator of each numeric column read, by header. */
  usedDecimals: Record<string, Decimal>;
}

/** The mapping's columns; refuses a file without coordinates or with too many metrics. */
function columnsOf(
  src: Source,
  mapping: ColumnMapping,
  stats: readonly ColumnStats[],
  details: ImportErrorDetails,
): Columns {
  const { headers } = src;
  const col = (h: string | null) => (h === null ? -1 : headers.indexOf(h));
  const latCol = col(mapping.lat);
  const lonCol = col(mapping.lon);
  if (!src.points && (latCol < 0 || lonCol < 0)) {
    throw new ImportError(
      `The file needs a latitude and a longitude column (lat/latitude/lintang and lon/lng/longitude/bujur); it has ${headers
        .map((h) => `"${h}"`)
        .join(", ")}. Choose them in the column mapping.`,
      details,
    );
  }
  const attrCols: number[] = [];
  const attrKeys: string[] = [];
  headers.forEach((h, k) => {
    const key = mapping.attributes[h];
    if (typeof key === "string") {
      attrCols.push(k);
      attrKeys.push(key);
    }
  });
  if (attrCols.length > MAX_METRIC_COLUMNS) {
    throw new ImportError(
      `The file has ${attrCols.length} numeric columns; at most ${MAX_METRIC_COLUMNS} can become metrics. Turn some off in the column mapping.`,
      details,
    );
  }
  const dec = decimals(stats, src.delimiter);
  const usedDecimals: Record<string, Decimal> = {};
  for (const k of [latCol, lonCol, ...attrCols]) if (k >= 0) usedDecimals[headers[k] as string] = dec[k] as Decimal;
  return {
    latCol,
    lonCol,
    idCol: col(mapping.id),
    nameCol: col(mapping.name),
    attrCols,
    attrKeys,
    latDec: latCol >= 0 ? (dec[latCol] as Decimal) : ".",
    lonDec: lonCol >= 0 ? (dec[lonCol] as Decimal) : ".",
    attrDecs: attrCols.map((k) => dec[k] as Decimal),
    usedDecimals,
  };
}

/**
 * Reads the rows one by one, in file order: each check refuses the row with
 * its problem (and the row goes no further) or hands on what it read. An
 * accepted row becomes an account, with its warnings (no id, then a point
 * far outside the plan's area or with its coordinates exchanged).
 */
class RowReader {
  readonly problems = new Problems();
  readonly warnings = new Listed<RowWarning>();
  readonly warningCounts: Record<WarningKind, number> = { swapped: 0, outside: 0, "no-id": 0 };
  readonly accounts: Account[] = [];
  readonly accountLines: number[] = [];
  /** Blank cells of each metric column among the accepted rows. */
  readonly blankCounts: number[];
  /** Lines the CSV reader already refused. */
  private readonly refused = new Set<number>();
  /** Each accepted id and its line. */
  private readonly seen = new Map<string, number>();
  private readonly area: BBox | null;

  constructor(
    private readonly src: Source,
    private readonly columns: Columns,
  ) {
    this.area = src.options.area ?? null;
    this.blankCounts = new Array<number>(columns.attrCols.length).fill(0);
    for (const e of src.readerErrors) {
      this.problems.problem(e.line, "csv", { detail: e.reason }, e.reason);
      this.refused.add(e.line);
    }
  }

  /** Row `i`: an account, or a problem. */
  read(i: number): void {
    const row = this.src.rows[i] as readonly unknown[];
    const line = this.src.lines[i] as number;
    if (this.refused.size > 0 && this.refused.has(line)) return;
    if (!this.cellsFit(row, line)) return;
    const position = this.position(i, row, line);
    if (!position) return;
    const identity = this.id(i, row, line);
    if (!identity) return;
    const attrs = this.attributes(row, line);
    if (!attrs) return;
    const { id, madeUp } = identity;
    const { lon, lat } = position;
    if (madeUp) {
      this.warn({
        row: line,
        kind: "no-id",
        params: { id },
        reason: `has no id: it gets "${id}", which the CRM export will carry; choose an id column in the mapping if the file has one`,
      });
    }
    this.seen.set(id, line);
    const nameCol = this.columns.nameCol;
    const nameRaw = nameCol >= 0 ? row[nameCol] : undefined;
    const name = isBlank(nameRaw) ? id : String(nameRaw).trim().slice(0, MAX_TEXT);
    this.accounts.push({ id, name, lon, lat, attrs });
    this.accountLines.push(line);
    this.placeWarning(line, lon, lat);
  }

  /**
   * A CSV row has as many cells as the header: fewer is refused, more only
   * when the extra ones hold something (an unquoted separator inside a cell).
   */
  private cellsFit(row: readonly unknown[], line: number): boolean {
    const width = this.src.headers.length;
    if (this.src.points || row.length === width) return true;
    if (row.length < width) {
      this.problems.problem(
        line,
        "cell-count",
        { cells: row.length, columns: width },
        `has ${row.length} cells where the header has ${width} columns`,
      );
      return false;
    }
    for (let k = width; k < row.length; k++) {
      if (!isBlank(row[k])) {
        const delimiter = this.src.delimiter;
        const sep = delimiter === "\t" ? "tab" : `"${delimiter}"`;
        this.problems.problem(
          line,
          "cell-count",
          { cells: row.length, columns: width, separator: delimiter ?? "," },
          `has ${row.length} cells where the header has ${width} columns: is there an unquoted ${sep} inside a cell?`,
        );
        return false;
      }
    }
    return true;
  }

  /** The row's coordinates (GeoJSON: its Point's), as numbers within range. */
  private position(i: number, row: readonly unknown[], line: number): { lon: number; lat: number } | null {
    let latRaw: unknown;
    let lonRaw: unknown;
    const points = this.src.points;
    if (points) {
      const p = points[i];
      if (!p) {
        this.problems.problem(line, "not-point", {}, "not a Point feature");
        return null;
      }
      lonRaw = p[0];
      latRaw = p[1];
    } else {
      latRaw = row[this.columns.latCol];
      lonRaw = row[this.columns.lonCol];
    }
    const lat = toNumber(latRaw, this.columns.latDec);
    const lon = toNumber(lonRaw, this.columns.lonDec);
    if (Number.isNaN(lat)) {
      this.problems.problem(
        line,
        "lat-not-number",
        { value: shown(latRaw) },
        `latitude ${show(latRaw)} is not a number`,
      );
      return null;
    }
    if (Number.isNaN(lon)) {
      this.problems.problem(
        line,
        "lon-not-number",
        { value: shown(lonRaw) },
        `longitude ${show(lonRaw)} is not a number`,
      );
      return null;
    }
    if (lat < -90 || lat > 90) {
      // Swapped columns show here first: Indonesia's longitudes (95…141) are no latitudes.
      const area = this.area;
      const swapped = lon >= -90 && lon <= 90 && lat >= -180 && lat <= 180 && (!area || near(area, lat, lon));
      this.problems.problem(
        line,
        "lat-range",
        { value: lat, swapped },
        `latitude ${lat} is outside -90…90${swapped ? " (latitude and longitude look swapped)" : ""}`,
      );
      return null;
    }
    if (lon < -180 || lon > 180) {
      this.problems.problem(line, "lon-range", { value: lon }, `longitude ${lon} is outside -180…180`);
      return null;
    }
    return { lon, lat };
  }

  /**
   * The row's id: its cell (GeoJSON: the feature's id when no property is
   * mapped), made safe, or `row-<line>` when blank; refused when too long or
   * already taken by an earlier row.
   */
  private id(i: number, row: readonly unknown[], line: number): { id: string; madeUp: boolean } | null {
    const idCol = this.columns.idCol;
    const idRaw = idCol >= 0 ? row[idCol] : this.src.points ? this.src.featureIds?.[i] : undefined;
    const madeUp = isBlank(idRaw);
    let id = madeUp ? `row-${line}` : String(idRaw).trim();
    if (!ID_PATTERN.test(id)) {
      if (id.length > 64) {
        this.problems.problem(line, "id-long", {}, "id is longer than 64 characters");
        return null;
      }
      id = id.replace(/[^A-Za-z0-9_-]/g, "_");
    }
    const first = this.seen.get(id);
    if (first !== undefined) {
      this.problems.problem(
        line,
        "id-twice",
        { id, first },
        `id "${id}" appears twice: also on ${this.src.format === "csv" ? "line" : "feature"} ${first}`,
      );
      return null;
    }
    return { id, madeUp };
  }

  /** The row's metric values; a blank cell is a missing value (no key, counted in `blankCounts`), never 0. */
  private attributes(row: readonly unknown[], line: number): Record<string, number> | null {
    const { attrCols, attrKeys, attrDecs } = this.columns;
    const attrs: Record<string, number> = {};
    const blanksHere: number[] = [];
    for (let a = 0; a < attrCols.length; a++) {
      const v = row[attrCols[a] as number];
      if (isBlank(v)) {
        blanksHere.push(a);
        continue;
      }
      const n = toNumber(v, attrDecs[a] as Decimal);
      if (Number.isNaN(n)) {
        const column = this.src.headers[attrCols[a] as number] as string;
        this.problems.problem(
          line,
          "value-not-number",
          { column, value: shown(v) },
          `${column} ${show(v)} is not a number`,
        );
        return null;
      }
      attrs[attrKeys[a] as string] = n;
    }
    for (const a of blanksHere) this.blankCounts[a] = (this.blankCounts[a] as number) + 1;
    return attrs;
  }

  /** A point far outside the plan's area: its coordinates exchanged when that puts it inside, else just far. */
  private placeWarning(line: number, lon: number, lat: number): void {
    const area = this.area;
    if (!area) return;
    const out = outside(area, lon, lat);
    if (out <= FAR_DEGREES) return;
    if (near(area, lat, lon)) {
      this.warn({
        row: line,
        kind: "swapped",
        params: { lat, lon, degrees: round(out) },
        reason: `latitude and longitude look swapped: (lat ${lat}, lon ${lon}) is ${round(out)}° outside the plan's area, but inside it with the two exchanged`,
      });
    } else {
      this.warn({
        row: line,
        kind: "outside",
        params: { lat, lon, degrees: round(out) },
        reason: `(lat ${lat}, lon ${lon}) is ${round(out)}° outside the plan's area`,
      });
    }
  }

  private warn(w: RowWarning): void {
    this.warningCounts[w.kind]++;
    this.warnings.add(w);
  }
}

/** GeoJSON: coordinates come from the geometry; properties named like coordinates are not summed. */
function geometryMapping(m: ColumnMapping): ColumnMapping {
  const attributes = { ...m.attributes };
  for (const c of [m.lat, m.lon]) if (c !== null && c !== "geometry") attributes[c] = null;
  return { ...m, lat: "geometry", lon: "geometry", attributes };
}

function previewRows(
  width: number,
  rows: readonly (readonly unknown[])[],
  lines: number[],
  points: (readonly unknown[] | null)[] | null,
): PreviewRow[] {
  const out: PreviewRow[] = [];
  for (let i = 0; i < rows.length && out.length < PREVIEW_ROWS; i++) {
    const row = rows[i] as readonly unknown[];
    const cells: string[] = [];
    for (let k = 0; k < width; k++) cells.push(cellText(row[k]));
    if (points) cells.push(points[i] ? JSON.stringify(points[i]) : "");
    out.push({ row: lines[i] as number, cells });
  }
  return out;
}

function cellText(v: unknown): string {
  if (v === undefined || v === null) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** Degrees by which (lon, lat) lies outside the box; 0 inside. */
function outside(area: BBox, lon: number, lat: number): number {
  return Math.max(area[0] - lon, lon - area[2], area[1] - lat, lat - area[3], 0);
}

/** True when (lon, lat) lies within {@link FAR_DEGREES} of the area. */
function near(area: BBox, lon: number, lat: number): boolean {
  return outside(area, lon, lat) <= FAR_DEGREES;
}

function round(d: number): number {
  return Math.round(d * 10) / 10;
}

function toNumber(v: unknown, decimal: Decimal): number {
  if (typeof v === "string") return parseLocaleNumber(v, decimal);
  if (typeof v === "number") return Number.isFinite(v) ? v : Number.NaN;
  return Number.NaN;
}

function isBlank(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v !== "string") return false;
  const n = v.length;
  if (n === 0) return true;
  const a = v.charCodeAt(0);
  const b = v.charCodeAt(n - 1);
  if (a > 32 && a !== 160 && b > 32 && b !== 160) return false;
  return v.trim() === "";
}

function show(v: unknown): string {
  if (isBlank(v)) return "(empty)";
  return `"${String(v).slice(0, 40)}"`;
}

/** A cell as a problem's parameter: its first 40 characters, "" for a blank. */
function shown(v: unknown): string {
  return isBlank(v) ? "" : String(v).slice(0, 40);
}

/** A capped list and the full count. */
class Listed<T extends { row: number }> {
  private readonly items: T[] = [];
  count = 0;
  add(item: T): void {
    this.count++;
    if (this.items.length < MAX_LISTED) this.items.push(item);
  }
  sorted(): T[] {
    return [...this.items].sort((a, b) => a.row - b.row);
  }
}

class Problems extends Listed<RowProblem> {
  problem(row: number, code: ProblemCode, params: ProblemParams, reason: string): void {
    this.add({ row, code, params, reason });
  }
}

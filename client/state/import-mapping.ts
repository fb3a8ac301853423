/**
 * Pure helpers of the import dialog: the column mapping a person edits, the
 * `?mapping=` override it becomes, the server's preview read defensively,
 * and the upload's progress in words. No DOM, no Svelte: unit-tested.
 */

import type { ColumnMapping, MappingOverride } from "../../shared/accounts/mapping.ts";
import type { UploadProgress } from "../lib/upload.ts";

export type { ColumnMapping, MappingOverride, UploadProgress };

/** The four roles a column can take; id and name may be left empty, the coordinates may not. */
export const ROLES = ["id", "name", "lat", "lon"] as const;
export type MappingRole = (typeof ROLES)[number];

/** Metric names offered for an attribute column besides its own (the names targets and dashboards know). */
export const KNOWN_METRICS = ["revenue", "potential", "visits"] as const;

/** Parameters of a problem or warning, to build its sentence in the person's language. */
export type ProblemParams = Record<string, string | number | boolean>;

/**
 * One refused row: its line in the file (0: a clash with the plan), why as
 * a code with parameters (shared/accounts/import.ts lists them), and the
 * server's English sentence for codes this client does not know.
 */
export interface PreviewProblem {
  row: number;
  code: string | null;
  params: ProblemParams;
  reason: string;
}

export type WarningKind = "swapped" | "outside" | "no-id";

export interface PreviewWarning {
  row: number;
  kind: WarningKind;
  params: ProblemParams;
  reason: string;
}

/** Problem codes this client can say in words (shared/accounts/import.ts's ProblemCode). */
const PROBLEM_CODES = new Set([
  "csv",
  "cell-count",
  "not-point",
  "lat-not-number",
  "lon-not-number",
  "lat-range",
  "lon-range",
  "id-long",
  "id-twice",
  "value-not-number",
  "id-in-plan",
]);

/**
 * The message key (in client/i18n) and parameters that say a problem in the
 * person's language, or null to show the server's sentence as it is.
 *
 * @example problemMessage({ row: 3, code: "lat-range", params: { value: 106.8, swapped: true }, reason: "…" })
 * // { key: "import.problem.lat-range-swapped", params: { value: 106.8 } }
 */
export function problemMessage(
  p: Pick<PreviewProblem, "code" | "params">,
): { key: string; params: Record<string, string | number> } | null {
  if (p.code === null || !PROBLEM_CODES.has(p.code)) return null;
  const params: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(p.params)) if (typeof v !== "boolean") params[k] = v;
  let key = `import.problem.${p.code}`;
  if (p.code === "lat-range" && p.params.swapped === true) key += "-swapped";
  if (p.code === "cell-count" && p.params.separator !== undefined) {
    key += "-separator";
    params.separator = p.params.separator === "\t" ? "tab" : `"${p.params.separator}"`;
  }
  if (
    (p.code === "lat-not-number" || p.code === "lon-not-number" || p.code === "value-not-number") &&
    params.value === ""
  ) {
    key += "-empty";
  }
  return { key, params };
}

function params(v: unknown): ProblemParams {
  const out: ProblemParams = {};
  if (typeof v !== "object" || v === null) return out;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x === "string" || typeof x === "number" || typeof x === "boolean") out[k] = x;
  }
  return out;
}

/** What a dry run answered (or, for a file that cannot be read, the part of a 400 the mapping step needs). */
export interface AccountsPreview {
  headers: string[];
  detected: ColumnMapping;
  /** Absent when the file could not be read with the mapping asked for. */
  mapping: ColumnMapping | null;
  preview: { row: number; cells: string[] }[];
  total: number;
  valid: number;
  problems: PreviewProblem[];
  problemCount: number;
  warnings: PreviewWarning[];
  warningCount: number;
  /** Blank cells per metric column (a blank is a missing value, not 0). */
  blanks: Record<string, number>;
  /** Columns of numbers: the only ones offered as metrics (null from an older server: any). */
  numeric: string[] | null;
  /** The sentence the real import would answer with, or null when it would import. */
  refused: string | null;
  /** The server's sentence when the file could not be read (a 400 of the dry run). */
  error: string | null;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => (typeof x === "string" ? x : String(x ?? ""))) : [];
}

function column(v: unknown): string | null {
  return typeof v === "string" ? v : null;
}

/** A mapping as the server sent it, or null when it is not one. */
export function readMapping(v: unknown): ColumnMapping | null {
  if (typeof v !== "object" || v === null) return null;
  const m = v as Record<string, unknown>;
  const attributes: Record<string, string | null> = {};
  if (typeof m.attributes === "object" && m.attributes !== null) {
    for (const [k, x] of Object.entries(m.attributes as Record<string, unknown>)) attributes[k] = column(x);
  }
  return { id: column(m.id), name: column(m.name), lat: column(m.lat), lon: column(m.lon), attributes };
}

function count(v: unknown, fallback: number): number {
  return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}

/**
 * Reads a dry run's answer: a 200 (the preview) or a 400 whose body still
 * carries headers, detected mapping and preview rows. Null when the body
 * has no headers at all (then only the error sentence can be shown).
 */
export function readPreview(body: unknown, error: string | null = null): AccountsPreview | null {
  if (typeof body !== "object" || body === null) return null;
  const b = body as Record<string, unknown>;
  const headers = strings(b.headers);
  const detected = readMapping(b.detected);
  if (headers.length === 0 || !detected) return null;
  const problemsIn = Array.isArray(b.problems) ? b.problems : Array.isArray(b.rows) ? b.rows : [];
  const problems = problemsIn
    .filter(
      (p): p is { row: unknown; code: unknown; params: unknown; reason: unknown } =>
        typeof p === "object" && p !== null,
    )
    .map((p) => ({
      row: count(p.row, 0),
      code: typeof p.code === "string" ? p.code : null,
      params: params(p.params),
      reason: String(p.reason ?? ""),
    }));
  const warnings = (Array.isArray(b.warnings) ? b.warnings : [])
    .filter(
      (w): w is { row: unknown; kind: unknown; params: unknown; reason: unknown } =>
        typeof w === "object" && w !== null,
    )
    .map((w) => ({
      row: count(w.row, 0),
      kind: (w.kind === "swapped" || w.kind === "no-id" ? w.kind : "outside") as WarningKind,
      params: params(w.params),
      reason: String(w.reason ?? ""),
    }));
  const blanks: Record<string, number> = {};
  if (typeof b.blanks === "object" && b.blanks !== null) {
    for (const [k, v] of Object.entries(b.blanks as Record<string, unknown>)) {
      if (typeof v === "number" && v > 0) blanks[k] = v;
    }
  }
  const preview = (Array.isArray(b.preview) ? b.preview : [])
    .filter((r): r is { row: unknown; cells: unknown } => typeof r === "object" && r !== null)
    .map((r) => ({ row: count(r.row, 0), cells: strings(r.cells) }));
  const total = count(b.total, 0);
  return {
    headers,
    detected,
    mapping: error ? null : readMapping(b.mapping),
    preview,
    total,
    valid: count(b.valid, 0),
    problems,
    problemCount: count(b.problemCount, problems.length),
    warnings,
    warningCount: count(b.warningCount, warnings.length),
    blanks,
    numeric: Array.isArray(b.numeric) ? strings(b.numeric) : null,
    refused: typeof b.refused === "string" ? b.refused : null,
    error,
  };
}

/** A territories dry run: how many, their names, where, what is wrong and what will be taken differently. */
export interface TerritoriesPreview {
  /** Features in the file. */
  total: number;
  /** Features that can be imported. */
  valid: number;
  names: string[];
  bbox: [number, number, number, number] | null;
  /** Territories the import removes (replace). */
  replaced: number;
  /** `row`: the feature's number in the file, from 1. */
  problems: { row: number; name: string | null; reason: string }[];
  problemCount: number;
  warnings: { row: number; reason: string }[];
  warningCount: number;
  refused: string | null;
}

function featureList(v: unknown): { row: number; name: string | null; reason: string }[] {
  return (Array.isArray(v) ? v : [])
    .filter((p): p is Record<string, unknown> => typeof p === "object" && p !== null)
    .map((p) => ({
      row: typeof p.index === "number" ? p.index + 1 : typeof p.row === "number" ? p.row : 0,
      name: typeof p.name === "string" && p.name ? p.name : null,
      reason: String(p.reason ?? ""),
    }));
}

/** Reads `POST …/territories/import?dryRun=1`'s answer; null when it is not one. */
export function readTerritoriesPreview(body: unknown): TerritoriesPreview | null {
  if (typeof body !== "object" || body === null) return null;
  const b = body as Record<string, unknown>;
  const num = (v: unknown, fallback: number) => (typeof v === "number" && Number.isFinite(v) ? v : fallback);
  if (typeof b.total !== "number" && typeof b.valid !== "number") return null;
  const names = Array.isArray(b.names) ? b.names.map((n) => String(n ?? "")) : [];
  const bbox =
    Array.isArray(b.bbox) && b.bbox.length === 4 && b.bbox.every((x) => typeof x === "number")
      ? (b.bbox as [number, number, number, number])
      : null;
  const problems = featureList(b.problems);
  const warnings = featureList(b.warnings).map(({ row, reason }) => ({ row, reason }));
  return {
    total: num(b.total, names.length),
    valid: num(b.valid, names.length),
    names,
    bbox,
    replaced: num(b.replaced, 0),
    problems,
    problemCount: num(b.problemCount, problems.length),
    warnings,
    warningCount: num(b.warningCount, warnings.length),
    refused: typeof b.refused === "string" ? b.refused : null,
  };
}

/** An empty mapping for a file whose columns are known (every column ignored). */
export function blankMapping(headers: readonly string[]): ColumnMapping {
  return { id: null, name: null, lat: null, lon: null, attributes: Object.fromEntries(headers.map((h) => [h, null])) };
}

/** The role a column holds in `m`, or null. */
export function roleOf(m: ColumnMapping, header: string): MappingRole | null {
  for (const r of ROLES) if (m[r] === header) return r;
  return null;
}

/**
 * Gives `role` to `header` (null: no column, for id and name). A column
 * taken from another role hands that role this role's old column, so
 * picking the longitude column for latitude swaps the two, as a person
 * fixing swapped coordinates means. The column leaves the attributes; a
 * column that leaves a role is not imported (the person may give it a
 * metric name afterwards).
 */
export function assignRole(m: ColumnMapping, role: MappingRole, header: string | null): ColumnMapping {
  const next: ColumnMapping = { ...m, attributes: { ...m.attributes } };
  const old = m[role];
  if (old === header) return m;
  if (header !== null) {
    const other = roleOf(m, header);
    if (other) next[other] = old;
    delete next.attributes[header];
  }
  next[role] = header;
  if (old !== null && roleOf(next, old) === null) next.attributes[old] = null;
  return next;
}

/** Sets what an attribute column becomes: a metric name, or null (not imported). */
export function assignAttribute(m: ColumnMapping, header: string, metric: string | null): ColumnMapping {
  return { ...m, attributes: { ...m.attributes, [header]: metric } };
}

/**
 * The `?mapping=` override that turns `detected` into `chosen`: only what
 * differs, so the server's detection stays in charge of the rest. Null when
 * nothing differs. Coordinates still unchosen are left out (the server
 * then says which is missing); columns in a role never appear among the
 * attributes (the server refuses a column that is both).
 *
 * @example
 * buildOverride({id: "Kode", name: null, lat: null, lon: null, attributes: {"Y": "Y", "X": "X"}},
 *               {id: "Kode", name: null, lat: "Y", lon: "X", attributes: {}})
 * // { lat: "Y", lon: "X" }
 */
export function buildOverride(detected: ColumnMapping, chosen: ColumnMapping): MappingOverride | null {
  const out: MappingOverride = {};
  if (chosen.id !== detected.id) out.id = chosen.id;
  if (chosen.name !== detected.name) out.name = chosen.name;
  if (chosen.lat !== null && chosen.lat !== detected.lat) out.lat = chosen.lat;
  if (chosen.lon !== null && chosen.lon !== detected.lon) out.lon = chosen.lon;
  const attributes: Record<string, string | null> = {};
  for (const [header, metric] of Object.entries(chosen.attributes)) {
    if (roleOf(chosen, header) !== null) continue;
    const wanted = metric === null || metric.trim() === "" ? null : metric.trim();
    // A column detection had in a role has no detected fate as an attribute: always say what it becomes.
    if (!Object.hasOwn(detected.attributes, header) || wanted !== detected.attributes[header]) {
      attributes[header] = wanted;
    }
  }
  if (Object.keys(attributes).length > 0) out.attributes = attributes;
  return Object.keys(out).length > 0 ? out : null;
}

/**
 * The metric names a select offers for one attribute column: its current
 * name, the column's own name, then the known metrics (none for
 * competitors: the known names are the accounts' targets); no duplicates.
 */
export function metricChoices(
  header: string,
  current: string | null,
  known: readonly string[] = KNOWN_METRICS,
): string[] {
  const names = [current, header.trim().slice(0, 64), ...known].filter(
    (n): n is string => typeof n === "string" && n.length > 0,
  );
  return [...new Set(names)];
}

/** Whether the mapping can be sent for a real import: both coordinates chosen. */
export function mappingComplete(m: ColumnMapping): boolean {
  return m.lat !== null && m.lon !== null;
}

// ——— upload ———

/** The content type the server reads a file as: GeoJSON by name or by its first character, CSV otherwise. */
export function contentTypeFor(name: string, firstChar = ""): string {
  const lower = name.toLowerCase();
  if (lower.endsWith(".geojson") || lower.endsWith(".json") || firstChar === "{") return "application/json";
  return "text/csv";
}

/** File types the picker offers. */
export const ACCOUNT_FILES = ".csv,.tsv,.txt,.geojson,.json,text/csv,text/plain,application/json,application/geo+json";
export const TERRITORY_FILES = ".geojson,.json,application/json,application/geo+json";

/** Whether a file's name looks like one the accounts import reads. */
export function isAccountsFile(name: string): boolean {
  return /\.(csv|tsv|txt|geojson|json)$/i.test(name);
}

export function isTerritoriesFile(name: string): boolean {
  return /\.(geojson|json)$/i.test(name);
}

/** The files an import takes: what the picker offers, the types a refusal names, and the test of a dropped file's name. */
export interface FileKind {
  accept: string;
  types: string;
  isAccepted: (name: string) => boolean;
}

/** Accounts and competitors: tables or points. */
export const POINT_FILES: FileKind = {
  accept: ACCOUNT_FILES,
  types: "CSV, TSV, TXT, GeoJSON",
  isAccepted: isAccountsFile,
};
/** Territories and admin areas. */
export const GEOJSON_FILES: FileKind = { accept: TERRITORY_FILES, types: "GeoJSON", isAccepted: isTerritoriesFile };

/** A byte count for people: "812 B", "14.2 KB", "8.1 MB" (decimal units, locale digits). */
export function formatBytes(bytes: number, locale: string): string {
  const fmt = (n: number, digits: number) =>
    n.toLocaleString(locale, { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  if (bytes < 1000) return `${fmt(bytes, 0)} B`;
  if (bytes < 1_000_000) return `${fmt(bytes / 1000, bytes < 10_000 ? 1 : 0)} KB`;
  if (bytes < 1_000_000_000) return `${fmt(bytes / 1_000_000, 1)} MB`;
  return `${fmt(bytes / 1_000_000_000, 1)} GB`;
}

/** The share sent, 0–1, or null while processing (an indeterminate bar). */
export function progressFraction(p: UploadProgress): number | null {
  if (p.phase !== "sending") return null;
  if (p.total <= 0) return 0;
  return Math.min(1, Math.max(0, p.loaded / p.total));
}

/** "3.2 MB of 8.1 MB" while sending; null while processing. */
export function progressText(p: UploadProgress, locale: string): string | null {
  if (p.phase !== "sending") return null;
  return `${formatBytes(p.loaded, locale)} / ${formatBytes(p.total, locale)}`;
}

import { COLOR_PATTERN, type Territory, validateNewTerritory } from "../doc/territory.ts";
import { bboxOf, countVertices } from "../geometry/types.ts";
import { ID_PATTERN, newId } from "../ids.ts";

/**
 * Territories from a GeoJSON file as they come from GIS tools, BPS/GADM
 * boundary downloads and other planners (issue 5): a FeatureCollection of
 * Polygon/MultiPolygon features whose properties name the territory in one
 * of several common ways. Pure: the server checks sizes and stores; the UI
 * can run the same code for its preview.
 *
 * Every feature is checked with the rules of a territory drawn on the map
 * (validateNewTerritory, shared/geometry/validate.ts); a bad one is reported
 * with its index and the reason, and the caller decides (all or nothing, or
 * skip the bad ones). Properties we do not know (metrics of an earlier
 * export, GADM codes, …) are ignored, so an exported file imports again.
 */

/** [minLon, minLat, maxLon, maxLat]. */
export type BBox = [number, number, number, number];

/** Property keys read as the territory's name, compared ignoring case; the first present wins. */
export const NAME_KEYS = [
  "name",
  "nama",
  "territory",
  "territory_name",
  "wilayah",
  "nama_wilayah",
  "region",
  "namobj",
  "title",
  "label",
] as const;
/** …as its colour (`fill` is simplestyle-spec's, which geojson.io and GitHub use). */
export const COLOR_KEYS = ["color", "colour", "fill", "warna"] as const;
/** …as its rep(s): a list of names or {name, email}, or one name, or names separated by `;`. */
export const REPS_KEYS = ["reps", "rep", "sales_rep", "salesperson"] as const;
/** …as its targets: an object of metric → number. `target_<metric>` keys are read too. */
export const TARGETS_KEYS = ["targets", "target"] as const;

/** Problems and warnings listed in an answer (all are counted). */
export const MAX_LISTED = 200;

/** A feature that cannot be imported. `index` is its position in `features`, from 0. */
export interface FeatureProblem {
  index: number;
  /** The name the feature gave, when it gave one, to find it in a GIS tool. */
  name?: string;
  reason: string;
}

/** Something taken differently from how the file says (an id already in use, a colour we cannot read). */
export interface FeatureWarning {
  index: number;
  reason: string;
}

export interface ParsedTerritories {
  /** Features in the file. */
  total: number;
  /** The features that can be imported, validated, with their ids decided. */
  territories: Territory[];
  /** Index in `features` of each of `territories`. */
  indices: number[];
  problems: FeatureProblem[];
  problemCount: number;
  warnings: FeatureWarning[];
  warningCount: number;
  /** Around the importable territories; null when there is none. */
  bbox: BBox | null;
  /** Positions in the importable territories. */
  vertices: number;
}

export interface TerritoryImportOptions {
  /** Ids that stay in the plan (mode add): a feature asking for one gets a fresh id, with a warning. */
  takenIds?: ReadonlySet<string>;
  /** Territories that stay in the plan: default names and colours continue after them. */
  existingCount?: number;
  /** Makes ids for features without a usable one (tests pass a counter). */
  makeId?: () => string;
}

/** The file as a whole is not a territory file; `message` says what to send instead. */
export class TerritoryFileError extends Error {}

/**
 * The features of a territory file: a FeatureCollection's, or a lone
 * Feature. Throws {@link TerritoryFileError} for anything else, or for a
 * declared coordinate system that is not lon/lat WGS84.
 */
export function featuresOf(input: unknown): unknown[] {
  const b = input as { type?: unknown; features?: unknown; crs?: unknown } | null;
  if (typeof b !== "object" || b === null || Array.isArray(b)) {
    throw new TerritoryFileError("Send a GeoJSON FeatureCollection of Polygon/MultiPolygon territories.");
  }
  const crs = crsName(b.crs);
  if (crs !== null && !/CRS84|4326|WGS\s*84/i.test(crs)) {
    throw new TerritoryFileError(
      `The file's coordinates are in ${crs.slice(0, 60)}; send them as longitude/latitude (WGS84, EPSG:4326), e.g. exported from QGIS with that CRS.`,
    );
  }
  if (b.type === "Feature") return [input];
  if (b.type !== "FeatureCollection" || !Array.isArray(b.features)) {
    throw new TerritoryFileError(
      `Send a GeoJSON FeatureCollection of Polygon/MultiPolygon territories, not ${describeType(b.type)}.`,
    );
  }
  if (b.features.length === 0) throw new TerritoryFileError("The FeatureCollection has no features.");
  return b.features;
}

/** The name of a (pre-2016 GeoJSON) `crs` member, when there is one. */
function crsName(crs: unknown): string | null {
  const name = (crs as { properties?: { name?: unknown } } | null)?.properties?.name;
  return typeof name === "string" ? name : null;
}

/**
 * Reads the features of a territory file into territories, feature by
 * feature; a feature that fails is listed in `problems` and left out.
 *
 * @example
 * parseTerritoryFeatures([{ type: "Feature", properties: { nama: "Bogor", fill: "#0a0" }, geometry }])
 * // → territories: [{ name: "Bogor", color: "#00aa00", … }], problems: []
 */
export function parseTerritoryFeatures(
  features: readonly unknown[],
  opts: TerritoryImportOptions = {},
): ParsedTerritories {
  const taken = opts.takenIds ?? new Set<string>();
  const makeId = opts.makeId ?? (() => newId());
  const existing = opts.existingCount ?? 0;
  const out: ParsedTerritories = {
    total: features.length,
    territories: [],
    indices: [],
    problems: [],
    problemCount: 0,
    warnings: [],
    warningCount: 0,
    bbox: null,
    vertices: 0,
  };
  const seen = new Set<string>();
  const warn = (index: number, reason: string) => {
    out.warningCount++;
    if (out.warnings.length < MAX_LISTED) out.warnings.push({ index, reason });
  };
  for (let index = 0; index < features.length; index++) {
    const f = features[index] as { type?: unknown; id?: unknown; geometry?: unknown; properties?: unknown } | null;
    const problem = (reason: string, name?: string) => {
      out.problemCount++;
      if (out.problems.length < MAX_LISTED) out.problems.push({ index, ...(name ? { name } : {}), reason });
    };
    if (typeof f !== "object" || f === null || f.type !== "Feature") {
      problem("not a GeoJSON Feature");
      continue;
    }
    const raw = f.properties ?? {};
    if (typeof raw !== "object" || Array.isArray(raw)) {
      problem("properties must be an object");
      continue;
    }
    const props = lowerKeys(raw as Record<string, unknown>);
    const name = pick(props, NAME_KEYS);
    const nameText = typeof name === "string" || typeof name === "number" ? String(name).trim() : undefined;
    const fields: Record<string, unknown> = {};
    if (nameText) fields.name = nameText;

    const color = pick(props, COLOR_KEYS);
    if (color !== undefined && color !== null && color !== "") {
      const hex = normalizeColor(color);
      if (hex) fields.color = hex;
      else
        warn(
          index,
          `color ${JSON.stringify(color).slice(0, 40)} is not a hex colour like #1b9e77; a palette colour was used`,
        );
    }

    const reps = pick(props, REPS_KEYS);
    if (typeof reps === "string") {
      fields.reps = reps
        .split(";")
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    } else if (Array.isArray(reps)) {
      fields.reps = reps;
    } else if (typeof reps === "object" && reps !== null) {
      fields.reps = [reps];
    } else if (reps !== undefined && reps !== null) {
      warn(index, "reps is neither a name nor a list of names; it was left out");
    }

    const targets: Record<string, unknown> = {};
    const targetObject = pick(props, TARGETS_KEYS);
    if (typeof targetObject === "object" && targetObject !== null && !Array.isArray(targetObject)) {
      Object.assign(targets, targetObject);
    } else if (targetObject !== undefined && targetObject !== null) {
      warn(index, "targets is not an object of metric → number; it was left out");
    }
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
      const m = /^target[_:](.+)$/i.exec(key);
      if (m && value !== null && value !== "") targets[m[1] as string] = value;
    }
    if (Object.keys(targets).length > 0) fields.targets = targets;

    const parent = props.get("parent");
    if (typeof parent === "string" && ID_PATTERN.test(parent)) fields.parent = parent;
    else if (parent !== undefined && parent !== null && parent !== "") {
      warn(index, `parent ${JSON.stringify(parent).slice(0, 40)} is not a territory id; it was left out`);
    }

    const t = validateNewTerritory("pending", f.geometry, fields, existing + out.territories.length);
    if (!t.ok) {
      problem(t.error, nameText);
      continue;
    }
    const id = chooseId(props.get("id") ?? f.id, taken, seen, makeId, (reason) => warn(index, reason));
    seen.add(id);
    const territory = { ...t.value, id };
    out.territories.push(territory);
    out.indices.push(index);
    out.vertices += countVertices(territory.geometry);
    const b = bboxOf(territory.geometry);
    out.bbox = out.bbox
      ? [
          Math.min(out.bbox[0], b[0]),
          Math.min(out.bbox[1], b[1]),
          Math.max(out.bbox[2], b[2]),
          Math.max(out.bbox[3], b[3]),
        ]
      : b;
  }
  return out;
}

/** The feature's own id when it is a usable territory id and free, else a fresh one. */
function chooseId(
  requested: unknown,
  taken: ReadonlySet<string>,
  seen: ReadonlySet<string>,
  makeId: () => string,
  warn: (reason: string) => void,
): string {
  const text = typeof requested === "string" || typeof requested === "number" ? String(requested) : null;
  if (text !== null && ID_PATTERN.test(text)) {
    if (!taken.has(text) && !seen.has(text)) return text;
    const fresh = freshId(makeId, taken, seen);
    warn(
      `id "${text}" is ${seen.has(text) ? "used by an earlier feature" : "already in the plan"}; it was given the id "${fresh}"`,
    );
    return fresh;
  }
  // Ids of other systems ("ID.1.2_1", numbers with decimals) are no territory ids; they are not an error either.
  return freshId(makeId, taken, seen);
}

function freshId(makeId: () => string, taken: ReadonlySet<string>, seen: ReadonlySet<string>): string {
  for (;;) {
    const id = makeId();
    if (!taken.has(id) && !seen.has(id)) return id;
  }
}

/** Properties by lower-cased key; of keys differing only in case, the first wins. */
function lowerKeys(props: Record<string, unknown>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(props)) {
    const key = k.toLowerCase();
    if (!out.has(key)) out.set(key, v);
  }
  return out;
}

function pick(props: Map<string, unknown>, keys: readonly string[]): unknown {
  for (const k of keys) {
    const v = props.get(k);
    if (v !== undefined && v !== null && v !== "") return v;
  }
  return undefined;
}

/**
 * `#rrggbb` from the forms colours take in GeoJSON files: `#rrggbb`,
 * `#rgb`, or either without the `#`; null for anything else (named colours,
 * rgb(), numbers).
 *
 * @example normalizeColor("0A0") // "#00aa00"
 */
export function normalizeColor(value: unknown): string | null {
  if (typeof value !== "string") return null;
  let s = value.trim();
  if (!s.startsWith("#")) s = `#${s}`;
  if (/^#[0-9a-fA-F]{3}$/.test(s)) s = `#${s[1]}${s[1]}${s[2]}${s[2]}${s[3]}${s[3]}`;
  return COLOR_PATTERN.test(s) ? s.toLowerCase() : null;
}

function describeType(v: unknown): string {
  if (typeof v === "string") return `a "${v.slice(0, 40)}"`;
  return v === undefined ? "a JSON value without a type" : typeof v;
}

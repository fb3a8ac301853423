import { fromBase64, toBase64 } from "lib0/buffer";
import type * as Y from "yjs";
import {
  PLAN_KEYS,
  planMap,
  readPins,
  readTerritoryProps,
  readUnitAssignment,
  readUnitsVersion,
  TERRITORY_KEYS,
  territoriesMap,
} from "../doc/schema.ts";
import type { TerritoryProps } from "../doc/territory.ts";
import { unitIndex } from "../units/layer.ts";

/** The shape of a version's content; bumped when it changes (readers refuse what they do not know). */
export const VERSION_FORMAT = 1;

/**
 * A territory as a version keeps it: every attribute, and in a drawn plan
 * its geometry in the document's own binary form (shared/geometry/codec.ts,
 * 4–6 bytes a vertex) as base64, copied without decoding. A unit plan's
 * territories have no geometry: their units are their shape.
 */
export interface VersionTerritory extends TerritoryProps {
  id: string;
  /** Base64 of the codec's bytes; absent in a unit plan. */
  geometry?: string;
}

/**
 * A unit plan's assignment: for unit `u` of the layer, 1 + the index in
 * `territories` of its territory (0: unassigned), as little-endian unsigned
 * integers of `width` bytes, base64. 3,832 units of ten territories are
 * 3,832 bytes before gzip and a few hundred after, where the document's
 * own entries (a key and an id each) are about 60 KB.
 */
export interface PackedUnits {
  width: 1 | 2 | 4;
  /** Units covered (the highest assigned index + 1). */
  count: number;
  data: string;
}

/**
 * What a version keeps of a plan (issue 14): everything needed to show it,
 * score it and bring it back, and nothing of its history. Accounts,
 * competitors and the unit layer are not copied into every version: each is
 * kept once per import beside the plan, and the version names the one it
 * was made with. Comments are not part of a version.
 *
 * Plain JSON, so it can be stored (gzipped), sent to a worker and compared.
 */
export interface VersionContent {
  format: typeof VERSION_FORMAT;
  /** The plan's name in the document ("" when unset). */
  name: string;
  /** The allowed deviation as set; null when never set (the default applies). */
  allowedDeviation: number | null;
  /** The accounts version it was made with (0: none imported). */
  accountsVersion: number;
  /** The competitors version (0: none). */
  competitorsVersion: number;
  /** The unit layer version (0: a drawn plan). */
  unitsVersion: number;
  /** Sorted by id. */
  territories: VersionTerritory[];
  /** Unit plans: which unit is whose; null in a drawn plan. */
  units: PackedUnits | null;
  /** Accounts pinned by hand: account id → territory id. */
  pins: Record<string, string>;
}

/** The versions of the data a plan refers to, as they are stored (the stored files decide, not the document's copies). */
export interface DataVersions {
  accounts: number;
  competitors: number;
  units: number;
}

/**
 * The content of a version of the plan as the document has it now. Reads
 * each territory's geometry bytes as stored, without decoding them, so a
 * plan of 500 territories and 100,000 vertices is read in a few
 * milliseconds. Territories that do not read as well formed are left out.
 *
 * @example
 * const content = contentOf(room.doc, { accounts: 3, competitors: 0, units: 0 });
 * content.territories.length;
 */
export function contentOf(doc: Y.Doc, refs: DataVersions): VersionContent {
  const territories: VersionTerritory[] = [];
  const maps = territoriesMap(doc);
  const unitPlan = readUnitsVersion(doc) > 0;
  for (const id of [...maps.keys()].sort()) {
    const props = readTerritoryProps(doc, id);
    if (!props) continue;
    const t: VersionTerritory = { id, ...props };
    const bytes = maps.get(id)?.get(TERRITORY_KEYS.geometry);
    if (!unitPlan) {
      if (!(bytes instanceof Uint8Array)) continue;
      t.geometry = toBase64(bytes);
    }
    territories.push(t);
  }
  const plan = planMap(doc);
  const name = plan.get(PLAN_KEYS.name);
  const deviation = plan.get(PLAN_KEYS.allowedDeviation);
  return {
    format: VERSION_FORMAT,
    name: typeof name === "string" ? name : "",
    allowedDeviation: typeof deviation === "number" ? deviation : null,
    accountsVersion: refs.accounts,
    competitorsVersion: refs.competitors,
    unitsVersion: unitPlan ? refs.units : 0,
    territories,
    units: unitPlan ? packUnits(readUnitAssignment(doc), territories) : null,
    pins: Object.fromEntries([...readPins(doc)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}

/** Unit keys (base 36 indices) the largest layer can have; bigger keys are not unit keys. */
const MAX_UNITS = 36 ** 4;

/** Packs a unit assignment (document keys → territory id) as slot indexes of `territories`. */
export function packUnits(
  assignment: ReadonlyMap<string, string>,
  territories: readonly { id: string }[],
): PackedUnits {
  const slot = new Map(territories.map((t, i) => [t.id, i + 1]));
  const entries: [number, number][] = [];
  let count = 0;
  for (const [key, id] of assignment) {
    const u = unitIndex(key, MAX_UNITS);
    const s = slot.get(id);
    if (u < 0 || s === undefined) continue;
    entries.push([u, s]);
    if (u + 1 > count) count = u + 1;
  }
  const width = territories.length < 0xff ? 1 : territories.length < 0xffff ? 2 : 4;
  const bytes = new Uint8Array(count * width);
  const view = new DataView(bytes.buffer);
  for (const [u, s] of entries) {
    if (width === 1) bytes[u] = s;
    else if (width === 2) view.setUint16(u * 2, s, true);
    else view.setUint32(u * 4, s, true);
  }
  return { width, count, data: toBase64(bytes) };
}

/**
 * A version's unit assignment: per unit index, the territory id (null: none).
 * Length `units.count`; indexes beyond it are unassigned.
 */
export function unpackUnits(content: Pick<VersionContent, "units" | "territories">): (string | null)[] {
  const packed = content.units;
  if (!packed) return [];
  const bytes = fromBase64(packed.data);
  if (bytes.length !== packed.count * packed.width) throw new Error("a version's unit assignment is cut short");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: (string | null)[] = new Array(packed.count);
  for (let u = 0; u < packed.count; u++) {
    const s =
      packed.width === 1
        ? (bytes[u] as number)
        : packed.width === 2
          ? view.getUint16(u * 2, true)
          : view.getUint32(u * 4, true);
    out[u] = s === 0 ? null : (content.territories[s - 1]?.id ?? null);
  }
  return out;
}

/** A territory's geometry bytes as the document stores them (null in a unit plan). */
export function geometryBytes(t: VersionTerritory): Uint8Array | null {
  return t.geometry === undefined ? null : fromBase64(t.geometry);
}

/**
 * Reads a content back from its JSON, checking what a version must hold;
 * throws a sentence on anything else (a version written by a newer server,
 * a file that is not a version).
 */
export function parseContent(value: unknown): VersionContent {
  const v = value as Partial<VersionContent> | null;
  if (typeof v !== "object" || v === null) throw new Error("it does not hold a version");
  if (v.format !== VERSION_FORMAT)
    throw new Error(`it is a version of format ${String(v.format)}, not ${VERSION_FORMAT}`);
  if (
    !Array.isArray(v.territories) ||
    typeof v.pins !== "object" ||
    v.pins === null ||
    typeof v.accountsVersion !== "number" ||
    typeof v.competitorsVersion !== "number" ||
    typeof v.unitsVersion !== "number"
  ) {
    throw new Error("it does not hold a version's territories, pins and data versions");
  }
  return v as VersionContent;
}

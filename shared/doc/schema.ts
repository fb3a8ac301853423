import { type CommentThread, parseThread } from "../comments/comments.ts";
import { parseSuggestion, type StoredSuggestion } from "../suggestions/suggestion.ts";
import * as Y from "yjs";
import { decodeGeometry, encodeGeometry } from "../geometry/codec.ts";
import { validateGeometry, type Checked, fail } from "../geometry/validate.ts";
import { type Territory, type TerritoryProps, validateTerritoryPatch } from "./territory.ts";

/**
 * The plan document: the one owner of how a plan lives in Yjs. Nothing else
 * calls `doc.getMap("…")`; read and write through these functions.
 *
 * ```
 * Y.Doc
 * ├─ "plan": Y.Map            plan-wide settings (name, …); one key per setting
 * ├─ "territories": Y.Map     territory id → Y.Map (one per territory)
 * │    └─ Y.Map               name, color, reps, targets, parent, geometry
 * ├─ "pins": Y.Map            account id → territory id (manual assignments)
 * ├─ "units": Y.Map           unit key → territory id (unit plans: which unit is whose)
 * ├─ "comments": Y.Map        thread id → thread (plain JSON; written by the server only)
 * └─ "suggestions": Y.Map     suggestion id → suggestion (plain JSON; written by the server only)
 * ```
 *
 * Why a Y.Map per territory, one key per field: two people renaming and
 * reshaping the same territory at once both keep their edit; only two writes
 * to the very same field race, and Yjs settles that race the same way on
 * every client.
 */
export const ROOTS = {
  /** Plan-wide settings. Keys in {@link PLAN_KEYS}. */
  plan: "plan",
  /** Territory id → territory Y.Map. */
  territories: "territories",
  /**
   * Account id → territory id: an account pinned to a territory by hand,
   * whatever contains it. One key per account, so two people pinning
   * different accounts never conflict.
   */
  pins: "pins",
  /**
   * Comment thread id → the whole thread as one plain JSON value
   * ({@link CommentThread}). Written only by the server, on the commenter's
   * behalf (REST), so it can check who may edit or resolve what; a thread is
   * replaced whole on each change because there is a single writer and no
   * concurrent edit to merge. Clients' updates touching it are refused.
   */
  comments: "comments",
  /**
   * Unit key → territory id, in a plan built from units (shared/units/):
   * one entry per assigned unit, keyed by its index in the plan's unit
   * layer in base 36 (`unitKey`), so two managers painting different units
   * never conflict, a unit belongs to at most one territory at any moment
   * (a map key holds one value), and 27,000 entries stay under 2 MB. An
   * unassigned unit has no entry. The layer itself is reference data beside
   * the document.
   */
  units: "units",
  /**
   * Suggestion id → the whole suggestion as one plain JSON value
   * (shared/suggestions/suggestion.ts; its proposed shape as the codec's
   * bytes). Written only by the server, like the comments (a suggestion is
   * a comment thread with a change attached): kept apart from the thread so
   * a reply does not rewrite the shape. Clients' updates touching it are
   * refused.
   */
  suggestions: "suggestions",
} as const;

/** Keys of a territory's Y.Map. */
export const TERRITORY_KEYS = {
  name: "name",
  color: "color",
  reps: "reps",
  targets: "targets",
  parent: "parent",
  /**
   * The whole geometry as one binary value (shared/geometry/codec.ts), written
   * whole on each reshape. Whole-value rather than a Y.Array of vertices: a
   * vertex-level CRDT can merge two concurrent reshapes into a ring no one
   * drew (crossing, duplicated corners); a whole value always holds a shape
   * someone drew, and the loser is told (see shared/README.md). Consecutive
   * overwrites by one client merge into a single tombstone when Yjs garbage
   * collects, so ten thousand drags do not grow the document ten thousand-fold.
   */
  geometry: "geometry",
} as const;

const KNOWN_TERRITORY_KEYS = new Set<string>(Object.values(TERRITORY_KEYS));

/** Keys of the plan map, with their type. */
export const PLAN_KEYS = {
  name: "name",
  /**
   * Version of the plan's accounts (stored beside the document, not in it:
   * 100,000 rows would be one 10 MB update). Written by the server only,
   * on import; clients refetch the accounts when it changes.
   */
  accountsVersion: "accountsVersion",
  /** Allowed deviation from the mean or target before a metric is flagged, as a fraction (0.15 = ±15 %). */
  allowedDeviation: "allowedDeviation",
  /**
   * Version of the plan's unit layer; absent or 0 in a drawn plan. Written by
   * the server only (creating, replacing or removing the layer), so every
   * client knows at once that territories are now painted, not drawn, and
   * which layer the unit keys index.
   */
  unitsVersion: "unitsVersion",
  /** Version of the plan's competitors (stored beside the document, like the accounts); server only. */
  competitorsVersion: "competitorsVersion",
} as const;

/** Default allowed deviation: ±15 %. */
export const DEFAULT_ALLOWED_DEVIATION = 0.15;

export type TerritoryMap = Y.Map<unknown>;

export function territoriesMap(doc: Y.Doc): Y.Map<TerritoryMap> {
  return doc.getMap<TerritoryMap>(ROOTS.territories);
}

export function planMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(ROOTS.plan);
}

/** The plan's name, or "" when unset. */
export function readPlanName(doc: Y.Doc): string {
  const name = planMap(doc).get(PLAN_KEYS.name);
  return typeof name === "string" ? name : "";
}

export function writePlanName(doc: Y.Doc, name: string): void {
  const map = planMap(doc);
  if (map.get(PLAN_KEYS.name) !== name) map.set(PLAN_KEYS.name, name);
}

export function commentsMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(ROOTS.comments);
}

export function suggestionsMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(ROOTS.suggestions);
}

/** Oldest first by `createdAt` (ISO), then by id, so that ties keep one order on every side. */
export function byCreated(a: { createdAt: string; id: string }, b: { createdAt: string; id: string }): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id.localeCompare(b.id);
}

/** Every suggestion, oldest first. */
export function readSuggestions(doc: Y.Doc): StoredSuggestion[] {
  const out: StoredSuggestion[] = [];
  for (const value of suggestionsMap(doc).values()) {
    const s = parseSuggestion(value);
    if (s) out.push(s);
  }
  return out.sort(byCreated);
}

export function readSuggestion(doc: Y.Doc, id: string): StoredSuggestion | null {
  return parseSuggestion(suggestionsMap(doc).get(id));
}

/** Server only: stores a suggestion whole (see {@link ROOTS.suggestions}). */
export function writeSuggestion(doc: Y.Doc, suggestion: StoredSuggestion): void {
  suggestionsMap(doc).set(suggestion.id, suggestion);
}

/** Every comment thread, oldest first. */
export function readThreads(doc: Y.Doc): CommentThread[] {
  const out: CommentThread[] = [];
  for (const value of commentsMap(doc).values()) {
    const thread = parseThread(value);
    if (thread) out.push(thread);
  }
  return out.sort(byCreated);
}

export function readThread(doc: Y.Doc, id: string): CommentThread | null {
  return parseThread(commentsMap(doc).get(id));
}

/** Server only: stores a thread whole (see {@link ROOTS.comments}). */
export function writeThread(doc: Y.Doc, thread: CommentThread): void {
  commentsMap(doc).set(thread.id, thread);
}

export function unitsMap(doc: Y.Doc): Y.Map<string> {
  return doc.getMap<string>(ROOTS.units);
}

/** A version counter in the plan map; 0 while it was never written. */
function readCounter(doc: Y.Doc, key: string): number {
  const v = planMap(doc).get(key);
  return typeof v === "number" ? v : 0;
}

/** Version of the plan's competitors; 0 when none were imported. */
export function readCompetitorsVersion(doc: Y.Doc): number {
  return readCounter(doc, PLAN_KEYS.competitorsVersion);
}

/** Server only: the competitors changed, so clients refetch them and the scoring reloads. */
export function writeCompetitorsVersion(doc: Y.Doc, version: number): void {
  planMap(doc).set(PLAN_KEYS.competitorsVersion, version);
}

/** Version of the plan's unit layer; 0 in a drawn plan. */
export function readUnitsVersion(doc: Y.Doc): number {
  return readCounter(doc, PLAN_KEYS.unitsVersion);
}

/** Whether the plan's territories are built from units. */
export function isUnitPlan(doc: Y.Doc): boolean {
  return readUnitsVersion(doc) > 0;
}

/** Server only: the plan's unit layer changed (0: back to drawn territories). */
export function writeUnitsVersion(doc: Y.Doc, version: number): void {
  if (version > 0) planMap(doc).set(PLAN_KEYS.unitsVersion, version);
  else planMap(doc).delete(PLAN_KEYS.unitsVersion);
}

/** Which unit is whose: unit key → territory id (unassigned units have no entry). */
export function readUnitAssignment(doc: Y.Doc): Map<string, string> {
  const out = new Map<string, string>();
  unitsMap(doc).forEach((territoryId, key) => {
    if (typeof territoryId === "string") out.set(key, territoryId);
  });
  return out;
}

/**
 * Gives units to territories (null: unassigned). Call inside `transact`,
 * so a paint stroke is one change (one undo step, one update for everyone).
 */
export function writeUnitAssignments(doc: Y.Doc, entries: Iterable<readonly [string, string | null]>): void {
  const units = unitsMap(doc);
  for (const [key, territoryId] of entries) {
    if (territoryId === null) {
      if (units.has(key)) units.delete(key);
    } else if (units.get(key) !== territoryId) units.set(key, territoryId);
  }
}

export function pinsMap(doc: Y.Doc): Y.Map<string> {
  return doc.getMap<string>(ROOTS.pins);
}

/**
 * What a person's undo reaches: their own edits of territories, pins and
 * unit assignments (a paint stroke is one step). Plan settings (the allowed
 * deviation) are set, not edited, and stay out; comments are written by the
 * server.
 */
export function undoScope(doc: Y.Doc): (Y.Map<TerritoryMap> | Y.Map<string>)[] {
  return [territoriesMap(doc), pinsMap(doc), unitsMap(doc)];
}

/** Version of the plan's accounts; 0 when none were imported. */
export function readAccountsVersion(doc: Y.Doc): number {
  return readCounter(doc, PLAN_KEYS.accountsVersion);
}

/** Server only: records that the accounts changed, so clients refetch them. */
export function writeAccountsVersion(doc: Y.Doc, version: number): void {
  planMap(doc).set(PLAN_KEYS.accountsVersion, version);
}

export function readAllowedDeviation(doc: Y.Doc): number {
  const v = planMap(doc).get(PLAN_KEYS.allowedDeviation);
  return typeof v === "number" && isAllowedDeviation(v) ? v : DEFAULT_ALLOWED_DEVIATION;
}

export function isAllowedDeviation(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && v >= 0.01 && v <= 1;
}

export function writeAllowedDeviation(doc: Y.Doc, value: number): void {
  if (!isAllowedDeviation(value)) throw new RangeError("allowed deviation must be between 0.01 and 1");
  const map = planMap(doc);
  if (map.get(PLAN_KEYS.allowedDeviation) !== value) map.set(PLAN_KEYS.allowedDeviation, value);
}

/** Manual pins: account id → territory id. */
export function readPins(doc: Y.Doc): Map<string, string> {
  const out = new Map<string, string>();
  pinsMap(doc).forEach((territoryId, accountId) => {
    if (typeof territoryId === "string") out.set(accountId, territoryId);
  });
  return out;
}

/** Pins an account to a territory, or unpins it with null. */
export function writePin(doc: Y.Doc, accountId: string, territoryId: string | null): void {
  const pins = pinsMap(doc);
  if (territoryId === null) pins.delete(accountId);
  else if (pins.get(accountId) !== territoryId) pins.set(accountId, territoryId);
}

export function hasTerritory(doc: Y.Doc, id: string): boolean {
  return territoriesMap(doc).has(id);
}

export function territoryIds(doc: Y.Doc): string[] {
  return [...territoriesMap(doc).keys()];
}

/**
 * Reads one territory and checks that it is well formed. Returns an error
 * for a territory that a client wrote wrongly (the server refuses those).
 */
export function parseTerritory(id: string, value: unknown): Checked<Territory> {
  if (!(value instanceof Y.Map)) return fail(`territory ${id} is not a map`);
  for (const key of value.keys()) {
    if (!KNOWN_TERRITORY_KEYS.has(key)) return fail(`territory ${id} has unknown field "${key.slice(0, 40)}"`);
  }
  const bytes = value.get(TERRITORY_KEYS.geometry);
  if (!(bytes instanceof Uint8Array)) return fail(`territory ${id} has no geometry`);
  let decoded: unknown;
  try {
    decoded = decodeGeometry(bytes);
  } catch (e) {
    return fail(`territory ${id} has undecodable geometry: ${(e as Error).message}`);
  }
  const geometry = validateGeometry(decoded);
  if (!geometry.ok) return fail(`territory ${id}: ${geometry.error}`);
  const raw: Record<string, unknown> = {};
  for (const key of ["name", "color", "reps", "targets", "parent"] as const) {
    const v = value.get(TERRITORY_KEYS[key]);
    if (v !== undefined) raw[key] = v;
  }
  const props = validateTerritoryPatch(raw);
  if (!props.ok) return fail(`territory ${id}: ${props.error}`);
  const p = props.value;
  if (p.name === undefined || p.color === undefined) return fail(`territory ${id} needs a name and a color`);
  return {
    ok: true,
    value: {
      id,
      name: p.name,
      color: p.color,
      reps: p.reps ?? [],
      targets: p.targets ?? {},
      parent: p.parent ?? null,
      geometry: geometry.value,
    },
  };
}

/** One territory, or null when absent or malformed. */
export function readTerritory(doc: Y.Doc, id: string): Territory | null {
  const r = parseTerritory(id, territoriesMap(doc).get(id));
  return r.ok ? r.value : null;
}

/**
 * A territory's properties without decoding its geometry: for UIs that list
 * or restyle territories on a rename or recolor, where decoding thousands of
 * vertices would be wasted. Null when absent or when the properties are
 * malformed (geometry is not checked here; readTerritory does).
 */
export function readTerritoryProps(doc: Y.Doc, id: string): TerritoryProps | null {
  const value = territoriesMap(doc).get(id);
  if (!(value instanceof Y.Map)) return null;
  const raw: Record<string, unknown> = {};
  for (const key of ["name", "color", "reps", "targets", "parent"] as const) {
    const v = value.get(TERRITORY_KEYS[key]);
    if (v !== undefined) raw[key] = v;
  }
  const props = validateTerritoryPatch(raw);
  if (!props.ok || props.value.name === undefined || props.value.color === undefined) return null;
  const p = props.value;
  return {
    name: p.name as string,
    color: p.color as string,
    reps: p.reps ?? [],
    targets: p.targets ?? {},
    parent: p.parent ?? null,
  };
}

/**
 * Every territory's properties with its id, geometry or not (a unit plan's
 * territories have none), sorted by name. Malformed ones are left out.
 */
export function readTerritoryList(doc: Y.Doc): (TerritoryProps & { id: string })[] {
  const out: (TerritoryProps & { id: string })[] = [];
  for (const id of territoriesMap(doc).keys()) {
    const p = readTerritoryProps(doc, id);
    if (p) out.push({ id, ...p });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** All well-formed territories, sorted by name for stable display. */
export function readTerritories(doc: Y.Doc): Territory[] {
  const out: Territory[] = [];
  territoriesMap(doc).forEach((value, id) => {
    const r = parseTerritory(id, value);
    if (r.ok) out.push(r.value);
  });
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

function setIfChanged(map: Y.Map<unknown>, key: string, value: unknown): void {
  const current = map.get(key);
  if (current instanceof Uint8Array && value instanceof Uint8Array) {
    if (current.length === value.length && current.every((b, i) => b === value[i])) return;
  } else if (JSON.stringify(current) === JSON.stringify(value)) {
    return;
  }
  map.set(key, value);
}

/**
 * Creates a territory, or replaces every field of an existing one. Call
 * inside `transact` so the write carries an origin. Inputs must already be
 * validated (validateNewTerritory).
 */
export function writeTerritory(doc: Y.Doc, t: Territory): void {
  const territories = territoriesMap(doc);
  let map = territories.get(t.id);
  if (!map) {
    map = new Y.Map<unknown>();
    territories.set(t.id, map);
  }
  const target = map;
  doc.transact(() => {
    setIfChanged(target, TERRITORY_KEYS.name, t.name);
    setIfChanged(target, TERRITORY_KEYS.color, t.color);
    setIfChanged(target, TERRITORY_KEYS.reps, t.reps);
    setIfChanged(target, TERRITORY_KEYS.targets, t.targets);
    setIfChanged(target, TERRITORY_KEYS.parent, t.parent);
    setIfChanged(target, TERRITORY_KEYS.geometry, encodeGeometry(t.geometry));
  });
}

/**
 * Creates (or replaces) a territory of a unit plan: its properties only,
 * since its units are its shape. Inputs must already be validated.
 */
export function writeUnitTerritory(doc: Y.Doc, t: TerritoryProps & { id: string }): void {
  const map = new Y.Map<unknown>();
  territoriesMap(doc).set(t.id, map);
  doc.transact(() => {
    map.set(TERRITORY_KEYS.name, t.name);
    map.set(TERRITORY_KEYS.color, t.color);
    map.set(TERRITORY_KEYS.reps, t.reps);
    map.set(TERRITORY_KEYS.targets, t.targets);
    map.set(TERRITORY_KEYS.parent, t.parent);
  });
}

/** Changes some fields of an existing territory; fields left out keep their value. */
export function updateTerritory(
  doc: Y.Doc,
  id: string,
  patch: Partial<TerritoryProps> & { geometry?: Territory["geometry"] },
): boolean {
  const map = territoriesMap(doc).get(id);
  if (!map) return false;
  doc.transact(() => {
    for (const key of ["name", "color", "reps", "targets", "parent"] as const) {
      if (patch[key] !== undefined) setIfChanged(map, TERRITORY_KEYS[key], patch[key]);
    }
    if (patch.geometry) setIfChanged(map, TERRITORY_KEYS.geometry, encodeGeometry(patch.geometry));
  });
  return true;
}

export function deleteTerritory(doc: Y.Doc, id: string): boolean {
  const territories = territoriesMap(doc);
  if (!territories.has(id)) return false;
  territories.delete(id);
  return true;
}

/**
 * The Yjs client id that last wrote a territory's geometry, so a UI can say
 * whose shape won when two people reshaped the same territory at once.
 */
export function geometryWriter(doc: Y.Doc, id: string): number | null {
  const map = territoriesMap(doc).get(id);
  // biome-ignore lint/suspicious/noExplicitAny: Y.Map's item table is internal but stable since Yjs 13.0.
  const item = (map as any)?._map?.get(TERRITORY_KEYS.geometry);
  return item?.id?.client ?? null;
}

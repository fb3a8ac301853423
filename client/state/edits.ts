import type * as Y from "yjs";
import { LOCAL_EDIT, transact } from "../../shared/doc/origins.ts";
import {
  deleteTerritory,
  hasTerritory,
  isAllowedDeviation,
  isUnitPlan,
  pinsMap,
  readTerritory,
  readTerritoryProps,
  territoriesMap,
  unitsMap,
  updateTerritory,
  writeAllowedDeviation,
  writePin,
  writeTerritory,
  writeUnitAssignments,
} from "../../shared/doc/schema.ts";
import {
  LIMITS,
  PALETTE,
  type Rep,
  type TerritoryProps,
  validateNewTerritory,
  validateTerritoryPatch,
} from "../../shared/doc/territory.ts";
import { type MergeFailure, mergeGeometries } from "../../shared/geometry/merge.ts";
import { type SplitFailure, splitGeometry } from "../../shared/geometry/split.ts";
import type { Position, TerritoryGeometry } from "../../shared/geometry/types.ts";
import { validateGeometry } from "../../shared/geometry/validate.ts";
import { ID_PATTERN, newId } from "../../shared/ids.ts";

/**
 * Every edit the UI makes to a plan: validated with the shared rules first
 * (the server applies the same ones), then written in one transaction tagged
 * LOCAL_EDIT so that undo sees it as ours. An invalid edit is never written;
 * the caller shows the error.
 */

export type EditError =
  | { kind: "geometry"; detail: string }
  | { kind: "props"; detail: string }
  | { kind: "gone" }
  | { kind: "split"; reason: SplitFailure }
  | { kind: "merge"; reason: MergeFailure }
  /** A unit edit: in a drawn plan, or with no unit under the shape. */
  | { kind: "units"; reason: "notUnitPlan" | "empty" };

export type EditResult<T = void> = { ok: true; value: T } | { ok: false; error: EditError };

const ok = <T>(value: T): EditResult<T> => ({ ok: true, value });
const err = <T>(error: EditError): EditResult<T> => ({ ok: false, error });

/** The palette colour used by the fewest territories (palette order breaks ties), skipping `avoid`. */
export function leastUsedColor(doc: Y.Doc, avoid: string[] = []): string {
  const counts = new Map<string, number>(PALETTE.map((c) => [c, 0]));
  for (const id of territoriesMap(doc).keys()) {
    const color = readTerritoryProps(doc, id)?.color;
    if (color && counts.has(color)) counts.set(color, (counts.get(color) ?? 0) + 1);
  }
  let best: string = PALETTE[0];
  let bestCount = Number.POSITIVE_INFINITY;
  for (const color of PALETTE) {
    if (avoid.includes(color)) continue;
    const n = counts.get(color) ?? 0;
    if (n < bestCount) {
      best = color;
      bestCount = n;
    }
  }
  return best;
}

/** "Territory n" with the smallest n ≥ count+1 that no territory uses yet. */
export function nextDefaultName(doc: Y.Doc, format: (n: number) => string): string {
  const names = new Set<string>();
  for (const id of territoriesMap(doc).keys()) {
    const name = readTerritoryProps(doc, id)?.name;
    if (name) names.add(name);
  }
  let n = names.size + 1;
  while (names.has(format(n))) n++;
  return format(n);
}

export function createTerritory(
  doc: Y.Doc,
  geometry: TerritoryGeometry,
  props: Partial<Pick<TerritoryProps, "name" | "color" | "reps" | "parent">> & { name: string },
): EditResult<string> {
  const g = validateGeometry(geometry);
  if (!g.ok) return err({ kind: "geometry", detail: g.error });
  const p = validateTerritoryPatch(props);
  if (!p.ok) return err({ kind: "props", detail: p.error });
  const checked = validateNewTerritory(newId(), g.value, { color: leastUsedColor(doc), ...p.value });
  if (!checked.ok) return err({ kind: "props", detail: checked.error });
  const id = checked.value.id;
  transact(doc, LOCAL_EDIT, () => writeTerritory(doc, checked.value));
  return ok(id);
}

export function patchTerritory(doc: Y.Doc, id: string, patch: Partial<TerritoryProps>): EditResult {
  const checked = validateTerritoryPatch(patch);
  if (!checked.ok) return err({ kind: "props", detail: checked.error });
  if (!hasTerritory(doc, id)) return err({ kind: "gone" });
  transact(doc, LOCAL_EDIT, () => updateTerritory(doc, id, checked.value));
  return ok(undefined);
}

/** Writes new geometries for several territories (a reshape, a move) as one undoable step. */
export function setGeometries(doc: Y.Doc, geometries: Map<string, TerritoryGeometry>): EditResult {
  const checked = new Map<string, TerritoryGeometry>();
  for (const [id, g] of geometries) {
    const r = validateGeometry(g);
    if (!r.ok) return err({ kind: "geometry", detail: r.error });
    if (!hasTerritory(doc, id)) return err({ kind: "gone" });
    checked.set(id, r.value);
  }
  transact(doc, LOCAL_EDIT, () => {
    for (const [id, g] of checked) updateTerritory(doc, id, { geometry: g });
  });
  return ok(undefined);
}

/** Deletes territories as one step; in a unit plan their units become unassigned in the same step. */
export function deleteTerritories(doc: Y.Doc, ids: string[]): EditResult<number> {
  let n = 0;
  const gone = new Set(ids);
  transact(doc, LOCAL_EDIT, () => {
    for (const id of ids) if (deleteTerritory(doc, id)) n++;
    if (!isUnitPlan(doc)) return;
    const released: [string, null][] = [];
    unitsMap(doc).forEach((t, key) => {
      if (gone.has(t)) released.push([key, null]);
    });
    writeUnitAssignments(doc, released);
  });
  return ok(n);
}

/**
 * Splits a territory along a line (lon/lat): the piece on one side keeps the
 * territory's id and fields, the other becomes a new territory with the same
 * reps, a fresh colour and the name `secondName`.
 */
export function splitTerritory(
  doc: Y.Doc,
  id: string,
  line: Position[],
  secondName: (name: string) => string,
): EditResult<[string, string]> {
  const t = readTerritory(doc, id);
  if (!t) return err({ kind: "gone" });
  const r = splitGeometry(t.geometry, line);
  if (!r.ok) return err({ kind: "split", reason: r.reason });
  const [a, b] = r.value;
  const ga = validateGeometry(a);
  if (!ga.ok) return err({ kind: "geometry", detail: ga.error });
  const second = validateNewTerritory(newId(), b, {
    name: secondName(t.name).slice(0, 120),
    color: leastUsedColor(doc, [t.color]),
    reps: t.reps,
    targets: t.targets,
    parent: t.parent,
  });
  if (!second.ok) return err({ kind: "geometry", detail: second.error });
  transact(doc, LOCAL_EDIT, () => {
    updateTerritory(doc, id, { geometry: ga.value });
    writeTerritory(doc, second.value);
  });
  return ok([id, second.value.id]);
}

/** The reps of two territories merged: the same person in both keeps one entry (and an email one of them had). */
export function mergeReps(a: readonly Rep[], b: readonly Rep[]): Rep[] {
  const byName = new Map<string, Rep>();
  for (const rep of [...a, ...b]) {
    const known = byName.get(rep.name);
    byName.set(rep.name, known?.email ? known : { ...known, ...rep });
  }
  return [...byName.values()].slice(0, LIMITS.reps);
}

/** Merges `otherId` into `keepId`: union of shapes, reps of both, `keepId`'s name and colour. */
export function mergeTerritories(doc: Y.Doc, keepId: string, otherId: string): EditResult<string> {
  const keep = readTerritory(doc, keepId);
  const other = readTerritory(doc, otherId);
  if (!keep || !other) return err({ kind: "gone" });
  const r = mergeGeometries(keep.geometry, other.geometry);
  if (!r.ok) return err({ kind: "merge", reason: r.reason });
  const g = validateGeometry(r.value);
  if (!g.ok) return err({ kind: "geometry", detail: g.error });
  const reps = mergeReps(keep.reps, other.reps);
  transact(doc, LOCAL_EDIT, () => {
    updateTerritory(doc, keepId, { geometry: g.value, reps });
    deleteTerritory(doc, otherId);
  });
  return ok(keepId);
}

/**
 * Sets the plan's allowed deviation for everyone, from a whole percentage
 * typed by a person (1–100). The server rescores with it; every client's
 * levels, issues and score follow.
 */
export function setAllowedDeviation(doc: Y.Doc, percent: number): EditResult<number> {
  const value = Math.round(percent) / 100;
  if (!Number.isFinite(percent) || !isAllowedDeviation(value)) {
    return err({ kind: "props", detail: "the allowed deviation must be a whole percentage from 1 to 100" });
  }
  transact(doc, LOCAL_EDIT, () => writeAllowedDeviation(doc, value));
  return ok(value);
}

/**
 * Pins an account to a territory by hand, or unpins it with null: a pinned
 * account counts in that territory wherever it lies (the server scores it so,
 * and refuses pins of accounts it does not know). One undoable step.
 */
export function pinAccount(doc: Y.Doc, accountId: string, territoryId: string | null): EditResult {
  if (!ID_PATTERN.test(accountId)) {
    return err({ kind: "props", detail: "only accounts whose id is 1–64 letters, digits, '-' or '_' can be pinned" });
  }
  if (territoryId !== null && !hasTerritory(doc, territoryId)) return err({ kind: "gone" });
  if ((pinsMap(doc).get(accountId) ?? null) === territoryId) return ok(undefined);
  transact(doc, LOCAL_EDIT, () => writePin(doc, accountId, territoryId));
  return ok(undefined);
}

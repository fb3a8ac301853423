import type * as Y from "yjs";
import { LOCAL_EDIT, transact } from "../../shared/doc/origins.ts";
import {
  deleteTerritory,
  hasTerritory,
  isUnitPlan,
  readTerritoryProps,
  unitsMap,
  updateTerritory,
  writeUnitAssignments,
  writeUnitTerritory,
} from "../../shared/doc/schema.ts";
import { LIMITS, type TerritoryProps, validateTerritoryPatch } from "../../shared/doc/territory.ts";
import { unitKey } from "../../shared/units/layer.ts";
import { newId } from "../../shared/ids.ts";
import { type EditResult, leastUsedColor, mergeReps } from "./edits.ts";

/**
 * The edits of a plan built from units (issue 12): a territory is the units
 * given to it, so painting, filling, splitting and merging all come down to
 * writing unit entries (unit key → territory id) — one transaction tagged
 * LOCAL_EDIT each, so a stroke is one undo step and one update for everyone.
 * The server checks the same rules (shared/doc/check-update.ts).
 */

const ok = <T>(value: T): EditResult<T> => ({ ok: true, value });

function unitPlanOrFail(doc: Y.Doc): EditResult<void> | null {
  return isUnitPlan(doc) ? null : { ok: false, error: { kind: "units", reason: "notUnitPlan" } };
}

/**
 * Gives units (layer indices) to a territory, or takes them out of any
 * territory with null; answers how many changed. Units already there are
 * left alone, so a stroke that changes nothing writes nothing.
 */
export function paintUnits(doc: Y.Doc, units: Iterable<number>, territoryId: string | null): EditResult<number> {
  const fail = unitPlanOrFail(doc);
  if (fail) return fail as EditResult<number>;
  if (territoryId !== null && !hasTerritory(doc, territoryId)) return { ok: false, error: { kind: "gone" } };
  const map = unitsMap(doc);
  const changes: [string, string | null][] = [];
  for (const u of new Set(units)) {
    const key = unitKey(u);
    const now = map.get(key) ?? null;
    if (now !== territoryId) changes.push([key, territoryId]);
  }
  if (changes.length > 0) transact(doc, LOCAL_EDIT, () => writeUnitAssignments(doc, changes));
  return ok(changes.length);
}

/** A new territory made of these units (taken from whichever territory had them). */
export function createUnitTerritory(
  doc: Y.Doc,
  units: readonly number[],
  props: Partial<Pick<TerritoryProps, "name" | "color" | "reps" | "targets" | "parent">> & { name: string },
): EditResult<string> {
  const fail = unitPlanOrFail(doc);
  if (fail) return fail as EditResult<string>;
  if (units.length === 0) return { ok: false, error: { kind: "units", reason: "empty" } };
  const p = validateTerritoryPatch(props);
  if (!p.ok) return { ok: false, error: { kind: "props", detail: p.error } };
  const id = newId();
  transact(doc, LOCAL_EDIT, () => {
    writeUnitTerritory(doc, {
      id,
      name: p.value.name ?? props.name,
      color: p.value.color ?? leastUsedColor(doc),
      reps: p.value.reps ?? [],
      targets: p.value.targets ?? {},
      parent: p.value.parent ?? null,
    });
    writeUnitAssignments(
      doc,
      units.map((u) => [unitKey(u), id] as const),
    );
  });
  return ok(id);
}

/**
 * Splits a unit territory: `moved` (its units on one side of the line) go to
 * a new territory with the same reps, targets and region, a fresh colour and
 * the name `secondName`; the rest stay.
 */
export function splitUnitTerritory(
  doc: Y.Doc,
  id: string,
  moved: readonly number[],
  kept: number,
  secondName: (name: string) => string,
): EditResult<[string, string]> {
  const fail = unitPlanOrFail(doc);
  if (fail) return fail as EditResult<[string, string]>;
  const t = readTerritoryProps(doc, id);
  if (!t) return { ok: false, error: { kind: "gone" } };
  if (moved.length === 0 || kept === 0) return { ok: false, error: { kind: "split", reason: "not-crossing" } };
  const r = createUnitTerritory(doc, moved, {
    name: secondName(t.name).slice(0, LIMITS.name),
    color: leastUsedColor(doc, [t.color]),
    reps: t.reps,
    targets: t.targets,
    parent: t.parent,
  });
  return r.ok ? ok([id, r.value]) : r;
}

/** Merges `otherId` into `keepId`: its units and reps go to `keepId`, which keeps its name and colour. */
export function mergeUnitTerritories(doc: Y.Doc, keepId: string, otherId: string): EditResult<string> {
  const fail = unitPlanOrFail(doc);
  if (fail) return fail as EditResult<string>;
  const keep = readTerritoryProps(doc, keepId);
  const other = readTerritoryProps(doc, otherId);
  if (!keep || !other) return { ok: false, error: { kind: "gone" } };
  const reps = mergeReps(keep.reps, other.reps);
  transact(doc, LOCAL_EDIT, () => {
    const moves: [string, string][] = [];
    unitsMap(doc).forEach((t, key) => {
      if (t === otherId) moves.push([key, keepId]);
    });
    writeUnitAssignments(doc, moves);
    updateTerritory(doc, keepId, { reps });
    deleteTerritory(doc, otherId);
  });
  return ok(keepId);
}

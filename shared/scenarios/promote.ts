import { unitKey } from "../units/layer.ts";
import { type ContentDiff, diffContents, type NamedTerritory } from "../versions/compare.ts";
import { packUnits, unpackUnits, type VersionContent, type VersionTerritory } from "../versions/content.ts";

/**
 * Promoting a scenario into its origin (issue 14) is a three-way merge of
 * versions' contents: the **base** (the origin as the scenario was forked
 * from it), the **origin** now and the **scenario** now. What the scenario
 * changed since the base goes into the origin; what the origin changed
 * since the base stays; where both changed the same thing differently, that
 * is a **conflict**, named in the preview and decided by the caller
 * ("origin": keep the origin's edit there, "scenario": take the scenario's).
 *
 * The unit of a change is the document's own (shared/doc/entries.ts): each
 * territory field (name, colour, reps, targets, parent, drawn shape), each
 * unit's territory, each pinned account's territory. So a rename in the
 * scenario and a reshape in the origin of the same territory both survive,
 * as they do when two people make them live. A territory created or
 * deleted is one change: deleted on one side while the other side touched
 * it (a field, or units or pins moved into or out of it) is a conflict of
 * the whole territory, and its units and pins follow the side chosen, so a
 * promote never leaves half a territory or a unit given to a territory
 * that is gone.
 *
 * Plan settings (the name, the allowed deviation) and data (accounts,
 * competitors, the unit layer) are not promoted: the result keeps the
 * origin's.
 */
export type ConflictChoice = "origin" | "scenario";

/** What was changed on both sides: the fields, "units" / "pins" for assignments, "deleted" for a territory one side deleted. */
export type ConflictField =
  | "name"
  | "color"
  | "reps"
  | "targets"
  | "parent"
  | "geometry"
  | "units"
  | "pins"
  | "deleted";

export interface PromoteConflict {
  /** The territory. */
  id: string;
  /** Its name on the scenario's side (else the origin's, else as it was). */
  name: string;
  /**
   * `edited`: both sides changed the same fields, units or pins differently;
   * `deleted-in-origin`: the origin deleted it, the scenario changed it;
   * `deleted-in-scenario`: the scenario deleted it, the origin changed it;
   * `created-in-both`: both made a territory of this id, differently.
   */
  kind: "edited" | "deleted-in-origin" | "deleted-in-scenario" | "created-in-both";
  fields: ConflictField[];
  /** Units both sides gave to different territories, involving this one. */
  units: number;
  /** Pinned accounts both sides pinned differently, involving this one. */
  pins: number;
}

export interface PromotePlan {
  /** The origin as the promote leaves it (its settings and data versions as they are now). */
  result: VersionContent;
  conflicts: PromoteConflict[];
  /** What the origin changed since the fork (kept, except where a conflict goes to the scenario). */
  originEdits: EditList;
  /** What the scenario changed since the fork (what promoting brings). */
  scenarioEdits: EditList;
  /** What the promote takes from the scenario, counted: territories created, deleted and changed, units and pins moved. */
  applied: { created: number; deleted: number; changed: number; units: number; pins: number };
}

/** Changes since the fork on one side, as diffContents tells them. */
export interface EditList {
  added: NamedTerritory[];
  removed: NamedTerritory[];
  changed: ContentDiff["changed"];
  unitsMoved: number;
  pinsChanged: number;
}

/** Why a promote cannot be planned at all (the unit layers differ): a sentence for the person. */
export class PromoteRefusal extends Error {}

const FIELDS = ["name", "color", "reps", "targets", "parent", "geometry"] as const;
type Field = (typeof FIELDS)[number];

/** Each territory's fields as comparable strings, worked out once (a drawn shape is compared as its base64 as it is). */
const fieldCache = new WeakMap<VersionTerritory, string[]>();

/** A territory's field as a comparable string ("" for absent). */
function fieldValue(t: VersionTerritory | undefined, f: Field): string {
  if (!t) return "";
  let values = fieldCache.get(t);
  if (!values) {
    values = FIELDS.map((k) => {
      const v = t[k];
      return v === undefined ? "" : k === "geometry" ? `b${v as string}` : JSON.stringify(v);
    });
    fieldCache.set(t, values);
  }
  return values[FIELDS.indexOf(f)] as string;
}

function sameTerritory(a: VersionTerritory | undefined, b: VersionTerritory | undefined): boolean {
  if (!a || !b) return a === b;
  return FIELDS.every((f) => fieldValue(a, f) === fieldValue(b, f));
}

/** A keyed assignment on the three sides (unit key or account id → territory id). */
interface Assignments {
  base: ReadonlyMap<string, string>;
  origin: ReadonlyMap<string, string>;
  scenario: ReadonlyMap<string, string>;
}

function unitAssignment(c: VersionContent): Map<string, string> {
  const out = new Map<string, string>();
  unpackUnits(c).forEach((id, u) => {
    if (id !== null) out.set(unitKey(u), id);
  });
  return out;
}

function editList(diff: ContentDiff): EditList {
  return {
    added: diff.added,
    removed: diff.removed,
    changed: diff.changed,
    unitsMoved: diff.unitsMoved.length,
    pinsChanged: diff.pinsChanged,
  };
}

/**
 * Plans a promote: the origin's content once the scenario's changes since
 * `base` are applied to it, and the conflicts, each decided by `choice`
 * (the origin's side unless told otherwise). Refuses (PromoteRefusal) when
 * either side replaced its unit layer since the fork, since units are then
 * not the same units.
 *
 * @example
 * const plan = planPromote(base, originNow, scenarioNow);
 * plan.conflicts // [{id: "bogor", name: "Bogor", kind: "edited", fields: ["geometry"], units: 0, pins: 0}]
 */
export function planPromote(
  base: VersionContent,
  origin: VersionContent,
  scenario: VersionContent,
  choice: ConflictChoice = "origin",
): PromotePlan {
  if (origin.unitsVersion !== base.unitsVersion) {
    throw new PromoteRefusal(
      "The origin's unit layer was replaced since this scenario was made, so its units are not the scenario's units; make a new scenario from the origin as it is now.",
    );
  }
  if (scenario.unitsVersion !== base.unitsVersion) {
    throw new PromoteRefusal(
      "This scenario's unit layer was replaced since it was made, so its units are not the origin's; a scenario can be promoted only on the layer it was made with.",
    );
  }
  const tb = new Map(base.territories.map((t) => [t.id, t]));
  const to = new Map(origin.territories.map((t) => [t.id, t]));
  const ts = new Map(scenario.territories.map((t) => [t.id, t]));
  const units: Assignments = {
    base: unitAssignment(base),
    origin: unitAssignment(origin),
    scenario: unitAssignment(scenario),
  };
  const pins: Assignments = {
    base: new Map(Object.entries(base.pins)),
    origin: new Map(Object.entries(origin.pins)),
    scenario: new Map(Object.entries(scenario.pins)),
  };

  // Which territories each side touched since the base: a field, its existence, or units and pins into or out of it.
  const touched = (side: "origin" | "scenario"): Set<string> => {
    const mine = side === "origin" ? to : ts;
    const set = new Set<string>();
    for (const id of new Set([...tb.keys(), ...mine.keys()])) if (!sameTerritory(tb.get(id), mine.get(id))) set.add(id);
    for (const a of [units, pins]) {
      for (const key of new Set([...a.base.keys(), ...a[side].keys()])) {
        const b = a.base.get(key);
        const now = a[side].get(key);
        if (b === now) continue;
        if (b !== undefined) set.add(b);
        if (now !== undefined) set.add(now);
      }
    }
    return set;
  };
  const touchedO = touched("origin");
  const touchedS = touched("scenario");

  const conflicts = new Map<string, PromoteConflict>();
  const conflictOf = (id: string, kind: PromoteConflict["kind"]): PromoteConflict => {
    let c = conflicts.get(id);
    if (!c) {
      const name = ts.get(id)?.name ?? to.get(id)?.name ?? tb.get(id)?.name ?? id;
      c = { id, name, kind, fields: [], units: 0, pins: 0 };
      conflicts.set(id, c);
    }
    return c;
  };
  const addField = (c: PromoteConflict, f: ConflictField) => {
    if (!c.fields.includes(f)) c.fields.push(f);
  };

  // Territories: whole when created or deleted on a side, field by field otherwise.
  const result = new Map<string, VersionTerritory>();
  /** Territories whose existence is in conflict: their units and pins follow the chosen side. */
  const whole = new Set<string>();
  const applied = { created: 0, deleted: 0, changed: 0, units: 0, pins: 0 };
  for (const id of [...new Set([...tb.keys(), ...to.keys(), ...ts.keys()])].sort()) {
    const b = tb.get(id);
    const o = to.get(id);
    const s = ts.get(id);
    const existenceChanged = !!o !== !!b || !!s !== !!b;
    if (existenceChanged) {
      let pick: "origin" | "scenario";
      if (sameTerritory(o, s)) pick = "origin";
      else if (!touchedS.has(id)) pick = "origin";
      else if (!touchedO.has(id)) pick = "scenario";
      else {
        const kind = !b ? "created-in-both" : !o ? "deleted-in-origin" : !s ? "deleted-in-scenario" : "edited";
        const c = conflictOf(id, kind);
        if (kind !== "created-in-both") addField(c, "deleted");
        else {
          for (const f of FIELDS) if (fieldValue(o, f) !== fieldValue(s, f)) addField(c, f);
        }
        whole.add(id);
        pick = choice;
      }
      const t = pick === "origin" ? o : s;
      if (t) result.set(id, t);
      if (pick === "scenario" && !sameTerritory(o, s)) {
        if (!o) applied.created++;
        else if (!s) applied.deleted++;
        else applied.changed++;
      }
      continue;
    }
    if (!b || !o || !s) continue;
    const merged: VersionTerritory = { ...o };
    let fromScenario = false;
    for (const f of FIELDS) {
      const vb = fieldValue(b, f);
      const vo = fieldValue(o, f);
      const vs = fieldValue(s, f);
      if (vs === vb || vs === vo) continue;
      if (vo !== vb) {
        addField(conflictOf(id, "edited"), f);
        if (choice === "origin") continue;
      }
      setField(merged, f, s);
      fromScenario = true;
    }
    if (fromScenario) applied.changed++;
    result.set(id, merged);
  }

  const merge = (a: Assignments, what: "units" | "pins"): Map<string, string> => {
    const out = new Map<string, string>();
    const keys = new Set([...a.base.keys(), ...a.origin.keys(), ...a.scenario.keys()]);
    for (const key of keys) {
      const b = a.base.get(key);
      const o = a.origin.get(key);
      const s = a.scenario.get(key);
      let r: string | undefined;
      const involved = [b, o, s].some((t) => t !== undefined && whole.has(t));
      if (involved) r = choice === "scenario" ? s : o;
      else if (s === b || s === o) r = o;
      else if (o === b) r = s;
      else {
        // Both gave it to different territories since the fork.
        for (const t of [o, s]) {
          if (t === undefined) continue;
          const c = conflictOf(t, "edited");
          addField(c, what);
          c[what]++;
        }
        r = choice === "scenario" ? s : o;
      }
      // Never to a territory the result does not have (a safety net: the rules above should not lead there).
      if (r !== undefined && !result.has(r)) r = undefined;
      if (r !== o) applied[what]++;
      if (r !== undefined) out.set(key, r);
    }
    return out;
  };
  const unitResult = merge(units, "units");
  const pinResult = merge(pins, "pins");

  const territories = [...result.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  return {
    result: {
      ...origin,
      territories,
      units: origin.units || base.units ? packUnits(unitResult, territories) : null,
      pins: Object.fromEntries([...pinResult].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))),
    },
    conflicts: [...conflicts.values()].sort((x, y) => x.name.localeCompare(y.name) || (x.id < y.id ? -1 : 1)),
    originEdits: editList(diffContents(base, origin)),
    scenarioEdits: editList(diffContents(base, scenario)),
    applied,
  };
}

function setField(target: VersionTerritory, f: Field, from: VersionTerritory): void {
  if (f === "geometry") {
    if (from.geometry === undefined) delete target.geometry;
    else target.geometry = from.geometry;
    return;
  }
  (target as unknown as Record<string, unknown>)[f] = from[f];
}

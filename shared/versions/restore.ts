import * as Y from "yjs";
import { encodeValue, type EntryAddress, readEntry, STEP_PLAN_KEYS, TERRITORY_FIELDS } from "../doc/entries.ts";
import { PLAN_KEYS, readPins, readUnitAssignment, TERRITORY_KEYS, territoriesMap } from "../doc/schema.ts";
import { unitKey } from "../units/layer.ts";
import { geometryBytes, unpackUnits, type VersionContent, type VersionTerritory } from "./content.ts";

/** One entry a restore writes (null: remove it); see shared/doc/entries.ts. */
export interface RestoreWrite extends EntryAddress {
  value: string | null;
}

/** A version territory's fields as entry values (null: the field is absent). */
function fieldValues(t: VersionTerritory): Record<string, string | null> {
  const bytes = geometryBytes(t);
  return {
    [TERRITORY_KEYS.name]: encodeValue(t.name),
    [TERRITORY_KEYS.color]: encodeValue(t.color),
    [TERRITORY_KEYS.reps]: encodeValue(t.reps),
    [TERRITORY_KEYS.targets]: encodeValue(t.targets),
    [TERRITORY_KEYS.parent]: encodeValue(t.parent),
    [TERRITORY_KEYS.geometry]: bytes ? encodeValue(bytes) : null,
  };
}

/**
 * The entries to write so that the live plan equals `content` (issue 14's
 * restore): every territory field, unit assignment, pin and plan setting
 * that differs, and nothing else, so that a restore of a version close to
 * the plan is a small change and whatever already matches is left alone
 * (edits others make meanwhile on those entries are not overwritten by a
 * no-op). Territories the version does not have lose every field (and so
 * are deleted); territories it has that the plan does not are created.
 *
 * The data versions (accounts, competitors, unit layer) are not entries:
 * bringing those back is the server's job, in the same change.
 *
 * @example
 * const writes = restoreWrites(room.doc, content);
 * transact(doc, origin, () => { for (const w of writes) writeEntry(doc, w, w.value); });
 */
export function restoreWrites(doc: Y.Doc, content: VersionContent): RestoreWrite[] {
  const writes: RestoreWrite[] = [];
  const wanted = new Map(content.territories.map((t) => [t.id, t]));
  const current = territoriesMap(doc);
  // Territories only the plan has: every field goes, so the territory goes.
  for (const id of [...current.keys()].sort()) {
    if (wanted.has(id)) continue;
    const map = current.get(id);
    const fields = map instanceof Y.Map ? [...map.keys()].sort() : [];
    for (const field of fields) writes.push({ map: "territories", key: id, field, value: null });
  }
  for (const t of content.territories) {
    const values = fieldValues(t);
    const map = current.get(t.id);
    // Fields a version never has (a field of a newer schema): removed too, so the territory equals it.
    const extra = map instanceof Y.Map ? [...map.keys()].filter((f) => !(f in values)) : [];
    for (const field of [...TERRITORY_FIELDS, ...extra]) {
      const value = values[field] ?? null;
      if (readEntry(doc, { map: "territories", key: t.id, field }) !== value) {
        writes.push({ map: "territories", key: t.id, field, value });
      }
    }
  }
  // Which unit is whose, by the index of the version's layer (the server swaps the layer first when it differs).
  const units = new Map<string, string>();
  unpackUnits(content).forEach((id, u) => {
    if (id !== null) units.set(unitKey(u), id);
  });
  const assigned = readUnitAssignment(doc);
  for (const key of [...assigned.keys()].sort()) {
    if (!units.has(key)) writes.push({ map: "units", key, value: null });
  }
  for (const [key, id] of units) if (assigned.get(key) !== id) writes.push({ map: "units", key, value: id });
  const pins = readPins(doc);
  for (const account of [...pins.keys()].sort()) {
    if (!(account in content.pins)) writes.push({ map: "pins", key: account, value: null });
  }
  for (const [account, id] of Object.entries(content.pins)) {
    if (pins.get(account) !== id) writes.push({ map: "pins", key: account, value: id });
  }
  const settings: Record<string, string | null> = {
    [PLAN_KEYS.name]: content.name === "" ? null : encodeValue(content.name),
    [PLAN_KEYS.allowedDeviation]: content.allowedDeviation === null ? null : encodeValue(content.allowedDeviation),
  };
  for (const key of STEP_PLAN_KEYS) {
    const value = settings[key] ?? null;
    if (readEntry(doc, { map: "plan", key }) !== value) writes.push({ map: "plan", key, value });
  }
  return writes;
}

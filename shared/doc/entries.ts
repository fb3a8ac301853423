import { fromBase64, toBase64 } from "lib0/buffer";
import * as Y from "yjs";
import { PLAN_KEYS, pinsMap, planMap, TERRITORY_KEYS, territoriesMap, unitsMap } from "./schema.ts";

/**
 * The plan document seen as flat entries, each addressed by a map, a key
 * and (for a territory) a field, each holding one value or none. A step the
 * server takes for a person (server/rooms/undo.ts: an accepted proposal, a
 * restored version) writes entries and keeps what each held before, so it
 * can be taken back entry by entry where nobody has changed it since; a
 * version's restore (shared/versions/restore.ts) is a list of such writes.
 *
 * Values are strings so that a step's inverse can be stored as JSON: unit
 * and pin entries hold a territory id as it is; territory fields and plan
 * settings hold an encoded value ({@link encodeValue}).
 */
export type EntryMap = "units" | "pins" | "territories" | "plan";

export interface EntryAddress {
  map: EntryMap;
  /** Unit key, account id, territory id, or plan setting. */
  key: string;
  /** A territory's field (map "territories" only). */
  field?: string;
}

/** Plan settings a step may write: the others (data versions) are the server's own bookkeeping. */
export const STEP_PLAN_KEYS: readonly string[] = [PLAN_KEYS.name, PLAN_KEYS.allowedDeviation];

/** A territory's fields, in the order a territory is written. */
export const TERRITORY_FIELDS: readonly string[] = Object.values(TERRITORY_KEYS);

/**
 * A document value as an entry string: bytes (a geometry) as "b" + base64,
 * anything else as "j" + its JSON.
 *
 * @example encodeValue("#1b9e77") // 'j"#1b9e77"'
 */
export function encodeValue(value: unknown): string {
  return value instanceof Uint8Array ? `b${toBase64(value)}` : `j${JSON.stringify(value)}`;
}

export function decodeValue(encoded: string): unknown {
  return encoded.startsWith("b") ? fromBase64(encoded.slice(1)) : JSON.parse(encoded.slice(1));
}

/** What an entry holds now (null: nothing). */
export function readEntry(doc: Y.Doc, at: EntryAddress): string | null {
  switch (at.map) {
    case "units":
    case "pins": {
      const v = (at.map === "units" ? unitsMap(doc) : pinsMap(doc)).get(at.key);
      return typeof v === "string" ? v : null;
    }
    case "territories": {
      const t = territoriesMap(doc).get(at.key);
      const v = t instanceof Y.Map ? t.get(at.field ?? "") : undefined;
      return v === undefined ? null : encodeValue(v);
    }
    case "plan": {
      const v = planMap(doc).get(at.key);
      return v === undefined ? null : encodeValue(v);
    }
  }
}

/**
 * Writes an entry (null removes it). Call inside a transaction. A territory
 * field written to a territory that does not exist creates the territory;
 * a territory left with no field is removed, so that a step's writes of all
 * of a territory's fields create or delete it whole.
 */
export function writeEntry(doc: Y.Doc, at: EntryAddress, value: string | null): void {
  switch (at.map) {
    case "units":
    case "pins": {
      const m = at.map === "units" ? unitsMap(doc) : pinsMap(doc);
      if (value === null) m.delete(at.key);
      else m.set(at.key, value);
      return;
    }
    case "territories": {
      const territories = territoriesMap(doc);
      const field = at.field ?? "";
      let t = territories.get(at.key);
      if (value === null) {
        if (!(t instanceof Y.Map)) return;
        t.delete(field);
        if (t.size === 0) territories.delete(at.key);
        return;
      }
      if (!(t instanceof Y.Map)) {
        t = new Y.Map<unknown>();
        territories.set(at.key, t);
      }
      t.set(field, decodeValue(value));
      return;
    }
    case "plan": {
      if (value === null) planMap(doc).delete(at.key);
      else planMap(doc).set(at.key, decodeValue(value));
      return;
    }
  }
}

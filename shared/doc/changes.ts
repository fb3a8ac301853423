import type * as Y from "yjs";
import { commentsMap, pinsMap, planMap, territoriesMap, unitsMap } from "./schema.ts";

/**
 * What one transaction changed in a plan document, by part: the one answer
 * to "which territories did this touch" for scoring, the activity feed, the
 * units and the client's map (issue 11: it used to be worked out four times,
 * each reading Yjs internals). Yjs internals (`_item`, `parentSub`) are read
 * here and nowhere else.
 */
export interface DocChanges {
  /**
   * Territory id → the fields written, or null when the territory itself was
   * added, deleted or replaced whole (then every field may have changed).
   */
  territories: Map<string, Set<string> | null>;
  /** Plan settings written (name, allowedDeviation, accountsVersion, unitsVersion). */
  plan: Set<string>;
  /** Accounts whose pin changed. */
  pins: Set<string>;
  /** Unit keys whose territory changed (a paint stroke). */
  units: Set<string>;
  /** Comment threads written. */
  comments: Set<string>;
}

/**
 * The changes of a transaction, from its `changed` map (in an
 * `afterTransaction` or `update` handler, or inside the transaction).
 *
 * @example
 * doc.on("afterTransaction", (tr) => {
 *   const { territories } = changesOf(doc, tr);
 *   for (const [id, fields] of territories) if (fields === null || fields.has("geometry")) rescore(id);
 * });
 */
export function changesOf(doc: Y.Doc, tr: Y.Transaction): DocChanges {
  const out: DocChanges = {
    territories: new Map(),
    plan: new Set(),
    pins: new Set(),
    units: new Set(),
    comments: new Set(),
  };
  const territories = territoriesMap(doc) as unknown;
  const roots = new Map<unknown, Set<string>>([
    [planMap(doc), out.plan],
    [pinsMap(doc), out.pins],
    [unitsMap(doc), out.units],
    [commentsMap(doc), out.comments],
  ]);
  for (const [type, keys] of tr.changed) {
    if ((type as unknown) === territories) {
      for (const key of keys) if (key !== null) out.territories.set(key, null);
      continue;
    }
    const root = roots.get(type);
    if (root) {
      for (const key of keys) if (key !== null) root.add(key);
      continue;
    }
    const item = type._item;
    if (item && (item.parent as unknown) === territories && typeof item.parentSub === "string") {
      const id = item.parentSub;
      const fields = out.territories.get(id);
      if (fields === null) continue; // replaced whole: already every field
      const set = fields ?? new Set<string>();
      for (const key of keys) if (key !== null) set.add(key);
      out.territories.set(id, set);
    }
  }
  return out;
}

/** Whether nothing of the plan changed. */
export function isEmpty(c: DocChanges): boolean {
  return c.territories.size + c.plan.size + c.pins.size + c.units.size + c.comments.size === 0;
}

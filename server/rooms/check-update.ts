import type * as Y from "yjs";
import { parseTerritory, PLAN_KEYS, planMap, territoriesMap } from "../../shared/doc/schema.ts";
import { LIMITS } from "../../shared/doc/territory.ts";

/**
 * Checks what one transaction did to a plan document: only known roots,
 * only territories that stay structurally valid, only known plan settings.
 * Returns a sentence for the sender, or null when the change is acceptable.
 *
 * Runs on the room's probe document (room.ts), inside the transaction that
 * applied the client's update, so the real document never sees a bad one.
 */
export function checkTransaction(doc: Y.Doc, tr: Y.Transaction): string | null {
  // Compared by identity with the changed types below.
  // biome-ignore lint/suspicious/noExplicitAny: Yjs types its event handlers invariantly.
  const territories: Y.AbstractType<any> = territoriesMap(doc);
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  const plan: Y.AbstractType<any> = planMap(doc);
  const touched = new Set<string>();
  for (const [changedType, keys] of tr.changed) {
    // biome-ignore lint/suspicious/noExplicitAny: as above.
    const type = changedType as Y.AbstractType<any>;
    if (type === territories) {
      for (const key of keys) {
        // Content without a key is invisible to Y.Map readers but would still be stored and relayed.
        if (key === null) return "territories must be a map";
        touched.add(key);
      }
    } else if (type === plan) {
      for (const key of keys) {
        if (key === null) return "plan settings must be a map";
        const problem = checkPlanSetting(key, planMap(doc).get(key));
        if (problem) return problem;
      }
    } else if (type._item?.parent === territories && typeof type._item.parentSub === "string") {
      touched.add(type._item.parentSub);
    } else {
      return `the update writes outside the plan's schema (${describeType(doc, type)})`;
    }
  }
  for (const id of touched) {
    const value = territoriesMap(doc).get(id);
    if (value === undefined) continue; // deleted
    const r = parseTerritory(id, value);
    if (!r.ok) return r.error;
  }
  return null;
}

function checkPlanSetting(key: string, value: unknown): string | null {
  switch (key) {
    case PLAN_KEYS.name:
      if (value === undefined) return null;
      if (typeof value !== "string" || value.trim().length === 0 || value.length > LIMITS.name) {
        return `plan name must be text of 1–${LIMITS.name} characters`;
      }
      return null;
    default:
      return `unknown plan setting "${key.slice(0, 40)}"`;
  }
}

// biome-ignore lint/suspicious/noExplicitAny: as above.
function describeType(doc: Y.Doc, type: Y.AbstractType<any>): string {
  if (type._item === null) {
    for (const [name, t] of doc.share) if (t === type) return `root "${name.slice(0, 40)}"`;
    return "unknown root";
  }
  return "nested data";
}

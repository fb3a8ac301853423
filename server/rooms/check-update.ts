import type * as Y from "yjs";
import {
  commentsMap,
  isAllowedDeviation,
  PLAN_KEYS,
  parseTerritory,
  pinsMap,
  planMap,
  territoriesMap,
} from "../../shared/doc/schema.ts";
import { ID_PATTERN } from "../../shared/ids.ts";
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
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  const pins: Y.AbstractType<any> = pinsMap(doc);
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  const comments: Y.AbstractType<any> = commentsMap(doc);
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
    } else if (type === pins) {
      for (const key of keys) {
        if (key === null) return "pins must be a map";
        const value = pinsMap(doc).get(key);
        if (!ID_PATTERN.test(key)) return "a pin needs a valid account id";
        if (value !== undefined && (typeof value !== "string" || !ID_PATTERN.test(value))) {
          return `account ${key.slice(0, 40)} must be pinned to a territory id`;
        }
      }
    } else if (type === comments) {
      return "comments are written by the server for you; post them through the comments panel or the API";
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
    case PLAN_KEYS.accountsVersion:
      return "the accounts version is set by the server when accounts are imported";
    case PLAN_KEYS.allowedDeviation:
      if (value === undefined || isAllowedDeviation(value)) return null;
      return "the allowed deviation must be a number between 0.01 and 1";
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

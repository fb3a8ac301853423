import type * as Y from "yjs";
import { TERRITORY_KEYS } from "../../shared/doc/schema.ts";

/** Which territories one Yjs transaction touched, from `observeDeep` events. */
export interface TerritoryChanges {
  /** Territories added, removed, replaced or with any field changed. */
  ids: Set<string>;
  /** The subset whose geometry may have changed (added/replaced ones included). */
  geometry: Set<string>;
}

/**
 * Reads the territory ids out of `observeDeep` events on the territories map,
 * so a consumer updates (and decodes the geometry of) only those. An event on
 * the map itself means territories were added, deleted or replaced whole; an
 * event deeper down carries the territory id as the first step of its path.
 */
export function collectChanges(
  events: Y.YEvent<Y.AbstractType<unknown>>[],
  territories: Y.Map<unknown>,
): TerritoryChanges {
  const ids = new Set<string>();
  const geometry = new Set<string>();
  for (const event of events) {
    if (event.target === territories) {
      for (const key of (event as unknown as { keysChanged: Set<string | null> }).keysChanged) {
        if (key === null) continue;
        ids.add(key);
        geometry.add(key);
      }
      continue;
    }
    const id = event.path[0];
    if (typeof id !== "string") continue;
    ids.add(id);
    const keys = (event as unknown as { keysChanged?: Set<string | null> }).keysChanged;
    if (keys?.has(TERRITORY_KEYS.geometry)) geometry.add(id);
  }
  return { ids, geometry };
}

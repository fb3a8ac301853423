import type * as Y from "yjs";
import { readTerritoryProps, territoriesMap } from "../../shared/doc/schema.ts";
import type { TerritoryProps } from "../../shared/doc/territory.ts";
import { collectChanges } from "../sync/changes.ts";

export interface TerritorySummary extends TerritoryProps {
  id: string;
}

/**
 * The territories' properties as `$state`, for the list and details panels.
 * Only territories named in a Yjs event are re-read, and geometry is never
 * decoded here (the map does that, for changed territories only).
 */
export class TerritoryList {
  items = $state.raw<TerritorySummary[]>([]);
  #byId = new Map<string, TerritorySummary>();
  #unbind: (() => void) | null = null;

  bind(doc: Y.Doc): void {
    this.#unbind?.();
    const map = territoriesMap(doc);
    this.#byId.clear();
    for (const id of map.keys()) this.#read(doc, id);
    this.#publish();
    const observer = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
      const { ids } = collectChanges(events, map as Y.Map<unknown>);
      if (ids.size === 0) return;
      for (const id of ids) this.#read(doc, id);
      this.#publish();
    };
    map.observeDeep(observer);
    this.#unbind = () => map.unobserveDeep(observer);
  }

  /** Reactive: reading it inside an effect or derived re-runs that on any territory change. */
  get(id: string): TerritorySummary | undefined {
    void this.items;
    return this.#byId.get(id);
  }

  #read(doc: Y.Doc, id: string): void {
    const props = readTerritoryProps(doc, id);
    if (props) this.#byId.set(id, { id, ...props });
    else this.#byId.delete(id);
  }

  #publish(): void {
    this.items = [...this.#byId.values()].sort(
      (a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }) || a.id.localeCompare(b.id),
    );
  }

  destroy(): void {
    this.#unbind?.();
  }
}

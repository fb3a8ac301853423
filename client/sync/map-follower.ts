import type * as Y from "yjs";

/**
 * Keeps a by-id copy of one of the document's Y.Maps (comment threads,
 * suggestions), each entry read whole by `read` (null: gone or not
 * readable), re-read only for the keys a change touched; `publish` is
 * called after the first read and after each change. `bind` again after a
 * reset; `stop` lets the map go.
 */
export class MapFollower<T> {
  readonly byId = new Map<string, T>();
  #unbind: (() => void) | null = null;

  constructor(
    private readonly read: (doc: Y.Doc, id: string) => T | null,
    private readonly publish: () => void,
  ) {}

  bind(doc: Y.Doc, map: Y.Map<unknown>): void {
    this.stop();
    this.byId.clear();
    const readOne = (id: string) => {
      const item = this.read(doc, id);
      if (item) this.byId.set(id, item);
      else this.byId.delete(id);
    };
    for (const id of map.keys()) readOne(id);
    this.publish();
    const observer = (e: Y.YMapEvent<unknown>) => {
      for (const id of e.keysChanged) readOne(id);
      this.publish();
    };
    map.observe(observer);
    this.#unbind = () => map.unobserve(observer);
  }

  stop(): void {
    this.#unbind?.();
    this.#unbind = null;
  }
}

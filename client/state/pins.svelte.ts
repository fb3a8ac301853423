import type * as Y from "yjs";
import { pinsMap, readPins } from "../../shared/doc/schema.ts";

/**
 * The plan's manual pins (account id → territory id) as `$state`, re-read
 * whenever the document's pins change (a few per plan, written by hand).
 */
export class PinList {
  byAccount = $state.raw<ReadonlyMap<string, string>>(new Map());
  #unbind: (() => void) | null = null;

  bind(doc: Y.Doc): void {
    this.#unbind?.();
    const map = pinsMap(doc);
    const read = () => {
      this.byAccount = readPins(doc);
    };
    map.observe(read);
    read();
    this.#unbind = () => map.unobserve(read);
  }

  get(accountId: string): string | undefined {
    return this.byAccount.get(accountId);
  }

  destroy(): void {
    this.#unbind?.();
  }
}

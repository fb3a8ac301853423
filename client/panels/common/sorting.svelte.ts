/**
 * A table's sort order: the column and its direction. Choosing the sorted
 * column again flips the direction; choosing another starts it in the
 * direction that column reads best in (`descendingFirst`: largest first for
 * figures, A to Z for names).
 */
export class Sorting<K extends string> {
  key: K;
  descending: boolean;
  readonly #descendingFirst: (key: K) => boolean;

  constructor(key: K, descendingFirst: (key: K) => boolean) {
    this.key = $state(key);
    this.descending = $state(descendingFirst(key));
    this.#descendingFirst = descendingFirst;
  }

  by(key: K): void {
    if (this.key === key) this.descending = !this.descending;
    else {
      this.key = key;
      this.descending = this.#descendingFirst(key);
    }
  }
}

/** Ascending order of two sort keys: strings in natural order ("T2" before "T10"), numbers by value. */
export function compareKeys(a: number | string, b: number | string): number {
  return typeof a === "string" && typeof b === "string"
    ? a.localeCompare(b, undefined, { numeric: true })
    : (a as number) - (b as number);
}

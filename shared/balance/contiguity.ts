/**
 * The donor's articulation check of a boundary move (issue 13): whether a
 * territory stays in one piece without one of its units. A breadth-first
 * search from one of the unit's neighbours in the territory that stops as
 * soon as it has reached all of them, so a unit on a straight border costs
 * a few steps and only a real cut vertex costs the whole territory.
 */
export class ArticulationCheck {
  private readonly seen: Int32Array;
  private readonly queue: Int32Array;
  private stamp = 0;

  constructor(
    private readonly offsets: Int32Array,
    private readonly targets: Int32Array,
  ) {
    const n = offsets.length - 1;
    this.seen = new Int32Array(n);
    this.queue = new Int32Array(n);
  }

  /**
   * Whether the units `owner` gives territory `a` stay connected without
   * unit `u` (u's own owner is not read).
   *
   * @example if (contiguous && !check.staysWhole(owner, u, owner[u])) skip();
   */
  staysWhole(owner: Int32Array, u: number, a: number): boolean {
    const { offsets, targets, seen, queue } = this;
    let first = -1;
    let wanted = 0;
    for (let k = offsets[u] as number; k < (offsets[u + 1] as number); k++) {
      const v = targets[k] as number;
      if (owner[v] === a) {
        if (first < 0) first = v;
        wanted++;
      }
    }
    if (wanted <= 1) return true;
    const stamp = ++this.stamp;
    seen[u] = stamp;
    seen[first] = stamp;
    let head = 0;
    let tail = 0;
    queue[tail++] = first;
    let found = 1;
    while (head < tail) {
      const x = queue[head++] as number;
      for (let k = offsets[x] as number; k < (offsets[x + 1] as number); k++) {
        const v = targets[k] as number;
        if (seen[v] === stamp || owner[v] !== a) continue;
        seen[v] = stamp;
        // One of u's neighbours in a: once all are reached, a is whole.
        for (let j = offsets[u] as number; j < (offsets[u + 1] as number); j++) {
          if (targets[j] === v) {
            found++;
            break;
          }
        }
        if (found === wanted) return true;
        queue[tail++] = v;
      }
    }
    return false;
  }
}

/**
 * Random spanning trees of a set of units, for recombination (recom.ts).
 * Kruskal's algorithm over the set's edges in a uniformly random order,
 * which is the minimum spanning tree under independent random edge
 * weights: GerryChain's `random_spanning_tree` (DeFord, Duchin & Solomon,
 * "Recombination: a family of Markov chains for redistricting", 2019). Not
 * the uniform spanning tree (Wilson's algorithm), but as good at giving
 * balanced, compact-looking cuts and its cost is predictable: O(edges).
 */
export interface SpanningTree {
  /** The number of units in the tree. */
  count: number;
  /** Units in breadth-first order from the root (order[0]). */
  order: Int32Array;
  /** Each position's parent as a position in `order` (-1 for the root); always before it. */
  parent: Int32Array;
}

export class RandomSpanningTrees {
  private readonly local: Int32Array;
  private readonly localStamp: Int32Array;
  private stamp = 0;
  private readonly edgeA: Int32Array;
  private readonly edgeB: Int32Array;
  private readonly uf: Int32Array;
  private readonly degree: Int32Array;
  private readonly treeOffsets: Int32Array;
  private readonly treeTargets: Int32Array;
  private readonly positionOf: Int32Array;
  private readonly order: Int32Array;
  private readonly parent: Int32Array;

  constructor(
    private readonly offsets: Int32Array,
    private readonly targets: Int32Array,
  ) {
    const n = offsets.length - 1;
    this.local = new Int32Array(n);
    this.localStamp = new Int32Array(n);
    // At most one entry per directed edge, so an asymmetric graph fits too.
    this.edgeA = new Int32Array(targets.length + 1);
    this.edgeB = new Int32Array(this.edgeA.length);
    this.uf = new Int32Array(n);
    this.degree = new Int32Array(n);
    this.treeOffsets = new Int32Array(n + 1);
    this.treeTargets = new Int32Array(2 * n);
    this.positionOf = new Int32Array(n);
    this.order = new Int32Array(n);
    this.parent = new Int32Array(n);
  }

  /**
   * A random spanning tree of the subgraph the units `nodes[0..count)`
   * induce, or null when they are not connected. The answer's arrays are
   * this object's scratch: read them before the next draw.
   *
   * @example const tree = trees.draw(units, units.length, rnd); // tree.order[0] is units[0]
   */
  draw(nodes: ArrayLike<number>, count: number, rnd: () => number): SpanningTree | null {
    if (count === 0) return null;
    const { offsets, targets, local, localStamp, edgeA, edgeB, uf } = this;
    const stamp = ++this.stamp;
    for (let i = 0; i < count; i++) {
      const u = nodes[i] as number;
      local[u] = i;
      localStamp[u] = stamp;
      uf[i] = i;
    }
    let edges = 0;
    for (let i = 0; i < count; i++) {
      const u = nodes[i] as number;
      for (let k = offsets[u] as number; k < (offsets[u + 1] as number); k++) {
        const v = targets[k] as number;
        if (localStamp[v] !== stamp) continue;
        const j = local[v] as number;
        if (j <= i) continue;
        // Fisher–Yates as it fills: the new edge goes to a random place, the one there to the end.
        const at = Math.floor(rnd() * (edges + 1));
        edgeA[edges] = edgeA[at] as number;
        edgeB[edges] = edgeB[at] as number;
        edgeA[at] = i;
        edgeB[at] = j;
        edges++;
      }
    }
    const find = (x: number): number => {
      let r = x;
      while (uf[r] !== r) {
        uf[r] = uf[uf[r] as number] as number;
        r = uf[r] as number;
      }
      return r;
    };
    const { degree } = this;
    degree.fill(0, 0, count);
    let joined = 0;
    // The tree's edges are written over the first `joined` places of the edge list.
    for (let e = 0; e < edges && joined < count - 1; e++) {
      const a = edgeA[e] as number;
      const b = edgeB[e] as number;
      const ra = find(a);
      const rb = find(b);
      if (ra === rb) continue;
      uf[ra] = rb;
      edgeA[joined] = a;
      edgeB[joined] = b;
      joined++;
      degree[a]++;
      degree[b]++;
    }
    if (joined < count - 1) return null;
    const { treeOffsets, treeTargets } = this;
    treeOffsets[0] = 0;
    for (let i = 0; i < count; i++) treeOffsets[i + 1] = (treeOffsets[i] as number) + (degree[i] as number);
    const fill = this.positionOf; // borrowed as each node's next free slot while filling
    for (let i = 0; i < count; i++) fill[i] = treeOffsets[i] as number;
    for (let e = 0; e < joined; e++) {
      const a = edgeA[e] as number;
      const b = edgeB[e] as number;
      treeTargets[fill[a]++] = b;
      treeTargets[fill[b]++] = a;
    }
    // Breadth-first from local 0; positionOf[i] = i's place in the order (−1 until reached).
    const { order, parent, positionOf } = this;
    positionOf.fill(-1, 0, count);
    order[0] = 0;
    parent[0] = -1;
    positionOf[0] = 0;
    let tail = 1;
    for (let head = 0; head < tail; head++) {
      const i = order[head] as number;
      for (let k = treeOffsets[i] as number; k < (treeOffsets[i + 1] as number); k++) {
        const j = treeTargets[k] as number;
        if ((positionOf[j] as number) >= 0) continue;
        positionOf[j] = tail;
        parent[tail] = head;
        order[tail++] = j;
      }
    }
    for (let p = 0; p < count; p++) order[p] = nodes[order[p] as number] as number;
    return { count, order, parent };
  }
}

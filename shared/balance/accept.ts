/**
 * Accepting a proposal while the plan kept changing (issue 13): which of its
 * moves still apply. A move whose unit someone changed since the run started
 * (its territory is no longer the move's `from`) is left as it is ("stale");
 * a move into a territory that no longer exists is left out ("gone"); and,
 * for a contiguous proposal, a move that would now split a territory — or
 * join a unit to a territory it no longer touches — is left out ("split").
 * The rest applies.
 */
export interface PendingMove {
  /** Unit index in the layer. */
  u: number;
  from: string | null;
  to: string;
}

export interface AcceptPlan {
  apply: PendingMove[];
  skipped: { move: PendingMove; reason: "stale" | "split" | "gone" }[];
}

/**
 * Sorts a proposal's moves into those that apply to the plan as it is now
 * and those skipped. When every remaining move applied together leaves no
 * territory in more pieces than now, all apply (the usual case, O(units));
 * otherwise moves are applied one at a time, each only when its donor stays
 * in one piece and its unit touches its new territory, in passes until none
 * more can, so what applies never splits anything.
 *
 * @example
 * movesToApply({ moves, current, hasTerritory: (id) => territories.has(id), graph, contiguous: true })
 * // { apply: [...], skipped: [{ move: { u: 17, from: "bogor", to: "depok" }, reason: "stale" }] }
 */
export function movesToApply(input: {
  moves: readonly PendingMove[];
  /** Each unit's territory now (null: none), indexed by unit. */
  current: readonly (string | null)[];
  hasTerritory(id: string): boolean;
  graph: { offsets: Int32Array; targets: Int32Array };
  contiguous: boolean;
}): AcceptPlan {
  const { moves, current, graph } = input;
  const skipped: AcceptPlan["skipped"] = [];
  const candidates: PendingMove[] = [];
  for (const m of moves) {
    if ((current[m.u] ?? null) !== m.from) skipped.push({ move: m, reason: "stale" });
    else if (!input.hasTerritory(m.to)) skipped.push({ move: m, reason: "gone" });
    else candidates.push(m);
  }
  if (!input.contiguous || candidates.length === 0) return { apply: candidates, skipped };

  // Territory ids as small integers.
  const index = new Map<string, number>();
  const idOf = (id: string | null): number => {
    if (id === null) return -1;
    let i = index.get(id);
    if (i === undefined) {
      i = index.size;
      index.set(id, i);
    }
    return i;
  };
  const owner = Int32Array.from(current, (t) => idOf(t ?? null));
  const involved = new Set<number>();
  for (const m of candidates) {
    involved.add(idOf(m.to));
    if (m.from !== null) involved.add(idOf(m.from));
  }
  const before = partsOf(graph, owner, involved);
  const all = Int32Array.from(owner);
  for (const m of candidates) all[m.u] = idOf(m.to);
  const after = partsOf(graph, all, involved);
  if ([...involved].every((t) => (after.get(t) ?? 0) <= Math.max(1, before.get(t) ?? 0))) {
    return { apply: candidates, skipped };
  }

  // One at a time, in passes: a move may wait for another that makes its unit touch its new territory.
  const size = new Map<number, number>();
  for (const t of owner) if (t >= 0) size.set(t, (size.get(t) ?? 0) + 1);
  const apply: PendingMove[] = [];
  let pending = candidates;
  for (let pass = 0; pass < 100 && pending.length > 0; pass++) {
    const next: PendingMove[] = [];
    for (const m of pending) {
      const a = owner[m.u] as number;
      const b = idOf(m.to);
      const joins = (size.get(b) ?? 0) === 0 || touches(graph, owner, m.u, b);
      if (joins && (a < 0 || staysWhole(graph, owner, m.u, a))) {
        owner[m.u] = b;
        if (a >= 0) size.set(a, (size.get(a) ?? 0) - 1);
        size.set(b, (size.get(b) ?? 0) + 1);
        apply.push(m);
      } else next.push(m);
    }
    if (next.length === pending.length) break;
    pending = next;
  }
  for (const m of pending) skipped.push({ move: m, reason: "split" });
  return { apply, skipped };
}

/** Pieces (connected groups of units) of each territory in `which`. */
function partsOf(
  graph: { offsets: Int32Array; targets: Int32Array },
  owner: Int32Array,
  which: ReadonlySet<number>,
): Map<number, number> {
  const parts = new Map<number, number>();
  const seen = new Uint8Array(owner.length);
  const stack: number[] = [];
  for (let s = 0; s < owner.length; s++) {
    const t = owner[s] as number;
    if (seen[s] || !which.has(t)) continue;
    parts.set(t, (parts.get(t) ?? 0) + 1);
    seen[s] = 1;
    stack.push(s);
    while (stack.length > 0) {
      const u = stack.pop() as number;
      for (let k = graph.offsets[u] as number; k < (graph.offsets[u + 1] as number); k++) {
        const v = graph.targets[k] as number;
        if (!seen[v] && owner[v] === t) {
          seen[v] = 1;
          stack.push(v);
        }
      }
    }
  }
  return parts;
}

function touches(
  graph: { offsets: Int32Array; targets: Int32Array },
  owner: Int32Array,
  u: number,
  t: number,
): boolean {
  for (let k = graph.offsets[u] as number; k < (graph.offsets[u + 1] as number); k++) {
    if (owner[graph.targets[k] as number] === t) return true;
  }
  return false;
}

/** Whether territory `a` keeps as many pieces without unit `u`: u's neighbours in a still reach each other. */
function staysWhole(
  graph: { offsets: Int32Array; targets: Int32Array },
  owner: Int32Array,
  u: number,
  a: number,
): boolean {
  const wanted = new Set<number>();
  for (let k = graph.offsets[u] as number; k < (graph.offsets[u + 1] as number); k++) {
    const v = graph.targets[k] as number;
    if (owner[v] === a) wanted.add(v);
  }
  if (wanted.size <= 1) return true;
  const first = wanted.values().next().value as number;
  const seen = new Set<number>([u, first]);
  const queue = [first];
  let found = 1;
  for (let head = 0; head < queue.length; head++) {
    const x = queue[head] as number;
    for (let k = graph.offsets[x] as number; k < (graph.offsets[x + 1] as number); k++) {
      const v = graph.targets[k] as number;
      if (seen.has(v) || owner[v] !== a) continue;
      seen.add(v);
      if (wanted.has(v) && ++found === wanted.size) return true;
      queue.push(v);
    }
  }
  return false;
}

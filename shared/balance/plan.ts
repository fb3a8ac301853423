import type { MetricName } from "../scoring/types.ts";
import type { BalanceProblem } from "./optimizer.ts";
import type { ProposalMove, ProposalSettings } from "./proposal.ts";

/**
 * What a unit plan's analysis gives auto-balance (issue 13): its
 * territories, who holds each unit, the units' adjacency, and per metric
 * each unit's amount and each territory's pinned amount. Built in the
 * scoring worker from the same sums the live analysis uses
 * (UnitAnalyzer.unitAmounts), so a proposal balances what the panel shows.
 */
export interface PlanBalanceInput {
  /** The plan's territory ids. */
  territories: string[];
  /** Each unit's territory, as an index into `territories` (-1: none). */
  owner: Int32Array;
  graph: { offsets: Int32Array; targets: Int32Array };
  /** Per metric asked for: each unit's amount, and each territory's amount pinned to it by hand. */
  amounts: Record<MetricName, { perUnit: Float64Array; pinned: Record<string, number> }>;
}

/** Optimizer steps a second of budget buys (about 4–5 million a second on one core; the time cap stops it too). */
export const STEPS_PER_SECOND = 4_000_000;

/** A problem for the optimizer, and which territory each of its slots stands for. */
export interface PlanProblem {
  problem: Omit<BalanceProblem, "onProgress" | "now">;
  /** Slot → territory id. */
  slots: string[];
}

/**
 * Turns a plan and a request into the optimizer's problem. Slots are the
 * territories holding at least one unit (a territory without units has no
 * border to grow from, so it is left out of the balance); locked
 * territories, and with a scope every territory that is neither in it nor
 * its neighbour, neither give nor take units; accounts pinned by hand are
 * their territory's fixed amount.
 *
 * @example const { problem, slots } = planProblem(input, settings, (id) => layer.indexOf.get(id) ?? -1);
 */
export function planProblem(
  input: PlanBalanceInput,
  settings: ProposalSettings,
  unitIndexOf: (unitId: string) => number,
): PlanProblem {
  const n = input.owner.length;
  const used = new Uint8Array(input.territories.length);
  for (const t of input.owner) if (t >= 0) used[t] = 1;
  const slots: string[] = [];
  const slotOf = new Int32Array(input.territories.length).fill(-1);
  input.territories.forEach((id, t) => {
    if (!used[t]) return;
    slotOf[t] = slots.length;
    slots.push(id);
  });
  const bySlotId = new Map(slots.map((id, s) => [id, s]));
  const start = Int32Array.from(input.owner, (t) => (t >= 0 ? (slotOf[t] as number) : -1));
  const T = slots.length;

  const metrics = Object.entries(settings.metrics).map(([name, weight]) => {
    const amounts = input.amounts[name];
    if (!amounts) throw new Error(`no amounts of ${name} in the balance input`);
    const fixed = new Float64Array(T);
    for (const [id, v] of Object.entries(amounts.pinned)) {
      const s = bySlotId.get(id);
      if (s !== undefined) fixed[s] = v;
    }
    return { name, weight, values: amounts.perUnit, fixed };
  });
  const shares = Float64Array.from(slots, (id) => settings.shares[id] ?? 1);

  const lockedTerritories = new Uint8Array(T);
  for (const id of settings.locked) {
    const s = bySlotId.get(id);
    if (s !== undefined) lockedTerritories[s] = 1;
  }
  if (settings.scope) {
    const free = scopeWithNeighbours(
      input.graph,
      start,
      T,
      settings.scope.map((id) => bySlotId.get(id) ?? -1),
    );
    for (let s = 0; s < T; s++) if (!free[s]) lockedTerritories[s] = 1;
  }
  const lockedUnits = new Uint8Array(n);
  for (const id of settings.lockedUnits) {
    const u = unitIndexOf(id);
    if (u >= 0 && u < n) lockedUnits[u] = 1;
  }
  return {
    slots,
    problem: {
      graph: input.graph,
      start,
      territories: T,
      metrics,
      shares,
      lockedTerritories,
      lockedUnits,
      contiguous: settings.contiguous,
      compactness: settings.compactness,
      maxMoved: settings.maxMoved ?? 1,
      seed: settings.seed,
      steps: Math.round(settings.seconds * STEPS_PER_SECOND),
      timeMs: settings.seconds * 1000,
    },
  };
}

/** The slots in `scope` and every slot holding a unit next to one of theirs. */
export function scopeWithNeighbours(
  graph: { offsets: Int32Array; targets: Int32Array },
  owner: Int32Array,
  slots: number,
  scope: readonly number[],
): Uint8Array {
  const inScope = new Uint8Array(slots);
  for (const s of scope) if (s >= 0 && s < slots) inScope[s] = 1;
  const free = Uint8Array.from(inScope);
  for (let u = 0; u < owner.length; u++) {
    const a = owner[u] as number;
    if (a < 0 || !inScope[a]) continue;
    for (let k = graph.offsets[u] as number; k < (graph.offsets[u + 1] as number); k++) {
      const b = owner[graph.targets[k] as number] as number;
      if (b >= 0) free[b] = 1;
    }
  }
  return free;
}

/**
 * The net moves between two assignments of slots: one per unit whose slot
 * differs, in unit order, with the layer's unit ids and the territories' ids.
 */
export function netMoves(
  start: Int32Array,
  end: Int32Array,
  slots: readonly string[],
  unitIds: readonly string[],
): ProposalMove[] {
  const out: ProposalMove[] = [];
  for (let u = 0; u < start.length; u++) {
    const a = start[u] as number;
    const b = end[u] as number;
    if (a === b || b < 0) continue;
    out.push({ unit: unitIds[u] as string, from: a >= 0 ? (slots[a] as string) : null, to: slots[b] as string });
  }
  return out;
}

import type { Proposal, ProposalSummary, SkippedMove } from "../../shared/balance/proposal.ts";

/**
 * Proposals in the browser (issue 13), pure so they are tested without a
 * server: the list merged from message 23, a proposal's before/after table,
 * its moves for the map, and what accepting left out.
 */

/**
 * Applies message 23: the first message of a connection lists every
 * proposal (`replace`), later ones carry the summaries that changed, merged
 * by id. Newest first. Returns the same array when nothing changed.
 *
 * @example mergeSummaries([p1], [{ ...p1, progress: 0.5 }], false) // [p1 at 50 %]
 */
export function mergeSummaries(
  list: readonly ProposalSummary[],
  incoming: readonly ProposalSummary[],
  replace: boolean,
): ProposalSummary[] {
  const byId = new Map<string, ProposalSummary>();
  if (!replace) for (const p of list) byId.set(p.id, p);
  let changed = replace && (list.length !== incoming.length || incoming.some((p, i) => p !== list[i]));
  for (const p of incoming) {
    const old = byId.get(p.id);
    if (old && JSON.stringify(old) === JSON.stringify(p)) continue;
    byId.set(p.id, p);
    changed = true;
  }
  if (!changed) return list as ProposalSummary[];
  return [...byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
}

/** Whether a proposal has moves and tables to show (the answer of `GET …/:pid` is worth fetching). */
export function hasResult(p: Pick<ProposalSummary, "status">): boolean {
  return p.status === "ready" || p.status === "stopped" || p.status === "accepted";
}

/** Whether its moves are still to be decided on (Accept / Discard). */
export function isOpen(p: Pick<ProposalSummary, "status">): boolean {
  return p.status === "ready" || p.status === "stopped";
}

/** What changes in a summary that makes its details worth fetching again (not the progress of a run). */
export function detailsKey(p: ProposalSummary): string {
  return JSON.stringify([p.status, p.endedAt, p.moveCount, p.staleCount, p.score, p.accepted, p.undone]);
}

/** A territory as the table shows it. */
export interface TableTerritory {
  id: string;
  name: string;
  color: string;
}

export interface BeforeAfterRow {
  id: string;
  name: string;
  /** The territory's colour; null when it no longer exists. */
  color: string | null;
  before: number | null;
  after: number | null;
  /** (value − goal) / goal, the goal being its share of the total; null without a value or goal. */
  deviationBefore: number | null;
  deviationAfter: number | null;
}

/**
 * One row per territory of a proposal for a metric: its value before and
 * after and its deviation from its goal (its share of the plan's total,
 * `settings.shares`, 1 for those not listed), sorted by name.
 *
 * @example beforeAfterRows(p, "revenue", territories)
 * // [{ id: "east", name: "East", before: 40, after: 140, deviationBefore: -0.71, deviationAfter: 0 }, …]
 */
export function beforeAfterRows(
  p: Pick<Proposal, "before" | "after" | "settings">,
  metric: string,
  territories: readonly TableTerritory[],
): BeforeAfterRow[] {
  const ids = new Set([...Object.keys(p.before?.territories ?? {}), ...Object.keys(p.after?.territories ?? {})]);
  const byId = new Map(territories.map((t) => [t.id, t]));
  const goals = (side: Proposal["before"]) => {
    const out = new Map<string, number>();
    if (!side) return out;
    let total = 0;
    let shares = 0;
    for (const [id, row] of Object.entries(side.territories)) {
      total += row[metric] ?? 0;
      shares += p.settings.shares[id] ?? 1;
    }
    if (shares <= 0) return out;
    for (const id of Object.keys(side.territories)) out.set(id, (total * (p.settings.shares[id] ?? 1)) / shares);
    return out;
  };
  const goalBefore = goals(p.before);
  const goalAfter = goals(p.after);
  const deviation = (value: number | null, goal: number | undefined) =>
    value === null || goal === undefined || goal <= 0 ? null : value / goal - 1;
  const rows: BeforeAfterRow[] = [...ids].map((id) => {
    const before = p.before?.territories[id]?.[metric] ?? null;
    const after = p.after?.territories[id]?.[metric] ?? null;
    const t = byId.get(id);
    return {
      id,
      name: t?.name ?? id,
      color: t?.color ?? null,
      before,
      after,
      deviationBefore: deviation(before, goalBefore.get(id)),
      deviationAfter: deviation(after, goalAfter.get(id)),
    };
  });
  return rows.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }) || a.id.localeCompare(b.id));
}

/** The largest |deviation| among rows, before and after (null when no row has one). */
export function worstDeviation(rows: readonly BeforeAfterRow[]): { before: number | null; after: number | null } {
  let before: number | null = null;
  let after: number | null = null;
  for (const r of rows) {
    if (r.deviationBefore !== null) before = Math.max(before ?? 0, Math.abs(r.deviationBefore));
    if (r.deviationAfter !== null) after = Math.max(after ?? 0, Math.abs(r.deviationAfter));
  }
  return { before, after };
}

/**
 * A proposal's moves for the map: unit index (in the layer's order, `ids`)
 * → the territory it would go to. Moves of units the layer does not have
 * are left out.
 *
 * @example moveTargets([{ unit: "87a", from: "w", to: "e" }], ["86f", "87a"]) // Map { 1 => "e" }
 */
export function moveTargets(moves: Proposal["moves"], ids: readonly string[]): Map<number, string> {
  const index = new Map<string, number>();
  for (let u = 0; u < ids.length; u++) index.set(ids[u] as string, u);
  const out = new Map<number, string>();
  for (const m of moves) {
    const u = index.get(m.unit);
    if (u !== undefined) out.set(u, m.to);
  }
  return out;
}

/** How many moves accepting left out, by why. */
export function skippedByReason(skipped: readonly SkippedMove[]): Record<SkippedMove["reason"], number> {
  const out = { stale: 0, split: 0, gone: 0 };
  for (const s of skipped) out[s.reason]++;
  return out;
}

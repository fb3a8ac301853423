import { isRole } from "../../shared/access/roles.ts";
import type {
  Proposal,
  ProposalBest,
  ProposalMove,
  ProposalSettings,
  ProposalSide,
  ProposalStatus,
  ProposalSummary,
  SkippedMove,
} from "../../shared/balance/proposal.ts";
import type { Author } from "../../shared/comments/comments.ts";

/**
 * Reads proposals from the network (message 23's summaries, `GET
 * …/proposals[/:pid]`). The server is trusted to send the shapes of
 * shared/balance/proposal.ts; this only keeps out what would break the
 * panel (a proxy's error page, a truncated frame, a field of the wrong
 * kind): a proposal without an id, a known status or its author is left
 * out, and a field of the wrong kind is read as empty rather than trusted.
 */

const STATUSES = new Set<string>([
  "running",
  "ready",
  "failed",
  "stopped",
  "accepted",
  "discarded",
] satisfies ProposalStatus[]);
const REASONS = new Set<string>(["stale", "split", "gone"] satisfies SkippedMove["reason"][]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

function numbers(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isObj(v)) return out;
  for (const [k, x] of Object.entries(v)) if (num(x) !== null) out[k] = x as number;
  return out;
}

function author(v: unknown): Author | null {
  if (!isObj(v) || typeof v.id !== "string" || typeof v.name !== "string") return null;
  return { id: v.id, name: v.name, role: isRole(v.role) ? v.role : "edit" };
}

function settings(v: unknown): ProposalSettings {
  const s = isObj(v) ? v : {};
  return {
    metrics: numbers(s.metrics),
    shares: numbers(s.shares),
    contiguous: s.contiguous !== false,
    compactness: num(s.compactness) ?? 0.6,
    locked: strings(s.locked),
    lockedUnits: strings(s.lockedUnits),
    maxMoved: num(s.maxMoved),
    scope: Array.isArray(s.scope) ? strings(s.scope) : null,
    seconds: num(s.seconds) ?? 0,
    seed: num(s.seed) ?? 0,
  };
}

function best(v: unknown): ProposalBest | null {
  if (!isObj(v)) return null;
  const maxDeviation = num(v.maxDeviation);
  const objective = num(v.objective);
  return maxDeviation === null ? null : { maxDeviation, objective: objective ?? 0 };
}

function accepted(v: unknown): Proposal["accepted"] {
  if (!isObj(v)) return null;
  const by = author(v.by);
  if (!by) return null;
  const skipped: SkippedMove[] = [];
  if (Array.isArray(v.skipped)) {
    for (const s of v.skipped) {
      if (isObj(s) && typeof s.unit === "string" && typeof s.reason === "string" && REASONS.has(s.reason)) {
        skipped.push({ unit: s.unit, reason: s.reason as SkippedMove["reason"] });
      }
    }
  }
  return { by, at: str(v.at) ?? "", applied: num(v.applied) ?? 0, skipped };
}

function undone(v: unknown): Proposal["undone"] {
  if (!isObj(v)) return null;
  const by = author(v.by);
  if (!by) return null;
  return { by, at: str(v.at) ?? "", reverted: num(v.reverted) ?? 0, kept: strings(v.kept) };
}

type Common = Omit<ProposalSummary, "moveCount" | "staleCount" | "score">;

/** The fields a summary and a whole proposal share; null when it has no id, known status or author. */
function common(v: unknown): Common | null {
  if (!isObj(v) || typeof v.id !== "string" || !v.id || typeof v.status !== "string" || !STATUSES.has(v.status)) {
    return null;
  }
  const by = author(v.by);
  if (!by) return null;
  const progress = num(v.progress) ?? 0;
  return {
    id: v.id,
    status: v.status as ProposalStatus,
    progress: Math.min(1, Math.max(0, progress)),
    by,
    createdAt: str(v.createdAt) ?? "",
    endedAt: str(v.endedAt),
    settings: settings(v.settings),
    layerVersion: num(v.layerVersion) ?? 0,
    best: best(v.best),
    granularity: numbers(v.granularity),
    accountsMoved: num(v.accountsMoved) ?? 0,
    error: str(v.error),
    accepted: accepted(v.accepted),
    undone: undone(v.undone),
  };
}

/** One summary of message 23, or null when it lacks what the panel needs. */
export function parseSummary(v: unknown): ProposalSummary | null {
  const c = common(v);
  if (!c) return null;
  const o = v as Obj;
  const score = isObj(o.score) ? { before: num(o.score.before), after: num(o.score.after) } : null;
  return { ...c, moveCount: num(o.moveCount) ?? 0, staleCount: num(o.staleCount) ?? 0, score };
}

/**
 * Message 23's body (`{proposals: […]}`, JSON) as summaries; an unreadable
 * message gives an empty list, an unreadable summary is left out.
 *
 * @example parseProposalsMessage('{"proposals":[{"id":"p-1","status":"running",…}]}') // [{ id: "p-1", … }]
 */
export function parseProposalsMessage(json: string): ProposalSummary[] {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return [];
  }
  const list = isObj(v) ? v.proposals : null;
  if (!Array.isArray(list)) return [];
  const out: ProposalSummary[] = [];
  for (const item of list) {
    const s = parseSummary(item);
    if (s) out.push(s);
  }
  return out;
}

function side(v: unknown): ProposalSide | null {
  if (!isObj(v)) return null;
  const territories: ProposalSide["territories"] = {};
  if (isObj(v.territories)) for (const [id, row] of Object.entries(v.territories)) territories[id] = numbers(row);
  return { score: num(v.score), territories };
}

/** A whole proposal (`GET …/proposals/:pid`), with its moves and tables; null when unreadable. */
export function parseProposal(v: unknown): Proposal | null {
  const c = common(v);
  if (!c) return null;
  const o = v as Obj;
  const moves: ProposalMove[] = [];
  if (Array.isArray(o.moves)) {
    for (const m of o.moves) {
      if (!isObj(m) || typeof m.unit !== "string" || typeof m.to !== "string") continue;
      moves.push({ unit: m.unit, from: typeof m.from === "string" ? m.from : null, to: m.to });
    }
  }
  return { ...c, moves, before: side(o.before), after: side(o.after), stale: strings(o.stale) };
}

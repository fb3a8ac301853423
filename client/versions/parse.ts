import type { Author } from "../../shared/comments/comments.ts";
import type {
  AccountMove,
  ChangedTerritory,
  Comparison,
  NamedTerritory,
  UnitMove,
} from "../../shared/versions/compare.ts";
import type { CheckpointReason, VersionEntry } from "../../shared/versions/entry.ts";

/**
 * The versions API's answers read defensively (issue 14): a field of the
 * wrong type is dropped or defaulted, never trusted into the UI. Pure, so
 * it is tested without a server.
 */

/**
 * A version or checkpoint as the History panel lists it: the server's entry
 * (`reason` names a checkpoint in the reader's language; `summary` is the
 * server's English), every optional field present.
 */
export type VersionItem = Pick<VersionEntry, "id" | "name" | "at" | "by" | "auto" | "reason" | "summary"> & {
  bytes: number | null;
  /** A "restored" checkpoint: the version that was brought back. */
  restoredFrom: string | null;
  /** Why the stored version cannot be read (it is listed all the same). */
  damaged: string | null;
};

/** Every reason the server gives a checkpoint (an unknown one is read as none). */
export const REASONS: readonly CheckpointReason[] = [
  "edits",
  "accounts-import",
  "competitors-import",
  "units-change",
  "territories-replace",
  "proposal-accept",
  "before-restore",
  "restored",
  "before-promote",
  "promoted",
];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown, fallback = ""): string {
  return typeof v === "string" ? v : fallback;
}

function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function author(v: unknown): Author {
  const o = isObject(v) ? v : {};
  const role = o.role === "edit" || o.role === "comment" || o.role === "view" ? o.role : "edit";
  return { id: str(o.id), name: str(o.name), role };
}

/** One entry of `GET …/versions` (or the answer of a save); null when it has no id. */
export function parseVersion(v: unknown): VersionItem | null {
  if (!isObject(v) || typeof v.id !== "string" || v.id === "") return null;
  const reason = REASONS.includes(v.reason as CheckpointReason) ? (v.reason as CheckpointReason) : null;
  return {
    id: v.id,
    name: str(v.name),
    at: str(v.at),
    by: author(v.by),
    auto: v.auto === true,
    reason,
    summary: str(v.summary),
    bytes: num(v.bytes),
    restoredFrom: typeof v.restoredFrom === "string" ? v.restoredFrom : null,
    damaged: typeof v.damaged === "string" ? v.damaged : null,
  };
}

/**
 * `GET …/versions`: newest first, as the server sorts them (sorted again by
 * time, so a merged save never lands out of place).
 *
 * @example parseVersionList({versions: [{id: "v1", name: "Q3", at: "…", auto: false}]})[0].name // "Q3"
 */
export function parseVersionList(body: unknown): VersionItem[] {
  const list = isObject(body) && Array.isArray(body.versions) ? body.versions : [];
  const out: VersionItem[] = [];
  for (const v of list) {
    const item = parseVersion(v);
    if (item) out.push(item);
  }
  return out.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

function named(v: unknown): NamedTerritory[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((t) => ({ id: str(t.id), name: str(t.name, str(t.id)) }));
}

function changed(v: unknown): ChangedTerritory[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((t) => ({
    id: str(t.id),
    name: str(t.name, str(t.id)),
    fields: Array.isArray(t.fields)
      ? (t.fields.filter((f) => typeof f === "string") as ChangedTerritory["fields"])
      : [],
  }));
}

function place(v: unknown): AccountMove["from"] {
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  return null;
}

/** `GET …/compare`; null when the answer is not a comparison. */
export function parseComparison(body: unknown): (Comparison & { from: string; to: string }) | null {
  if (!isObject(body) || !isObject(body.territories)) return null;
  const t = body.territories;
  const metrics: Comparison["metrics"] = {};
  if (isObject(body.metrics)) {
    for (const [id, row] of Object.entries(body.metrics)) {
      if (!isObject(row)) continue;
      const out: Record<string, { from: number | null; to: number | null }> = {};
      for (const [metric, pair] of Object.entries(row)) {
        if (isObject(pair)) out[metric] = { from: num(pair.from), to: num(pair.to) };
      }
      metrics[id] = out;
    }
  }
  const score = isObject(body.score)
    ? { from: num(body.score.from), to: num(body.score.to) }
    : { from: null, to: null };
  const accounts = isObject(body.accounts)
    ? { added: num(body.accounts.added) ?? 0, removed: num(body.accounts.removed) ?? 0 }
    : { added: 0, removed: 0 };
  const unitsMoved: UnitMove[] = Array.isArray(body.unitsMoved)
    ? body.unitsMoved.filter(isObject).map((m) => ({
        unit: str(m.unit),
        from: typeof m.from === "string" ? m.from : null,
        to: typeof m.to === "string" ? m.to : null,
      }))
    : [];
  const accountsMoved: AccountMove[] = Array.isArray(body.accountsMoved)
    ? body.accountsMoved
        .filter(isObject)
        .map((m) => ({ account: str(m.account), from: place(m.from), to: place(m.to) }))
    : [];
  return {
    from: str(body.from),
    to: str(body.to, "current"),
    territories: { added: named(t.added), removed: named(t.removed), changed: changed(t.changed) },
    unitsMoved,
    accountsMoved,
    accounts,
    metrics,
    score,
    settings: isObject(body.settings) ? (body.settings as Comparison["settings"]) : {},
    layerChanged: body.layerChanged === true,
  };
}

/** What a restore answered: the id to take it back with, and what it did. */
export interface RestoreAnswer {
  restoreId: string;
  version: { id: string; name: string };
  changed: number;
  data: { accounts: boolean; competitors: boolean; units: boolean };
  score: { before: number | null; after: number | null };
}

export function parseRestore(body: unknown): RestoreAnswer | null {
  if (!isObject(body) || typeof body.restoreId !== "string") return null;
  const v = isObject(body.version) ? body.version : {};
  const d = isObject(body.data) ? body.data : {};
  const s = isObject(body.score) ? body.score : {};
  return {
    restoreId: body.restoreId,
    version: { id: str(v.id), name: str(v.name) },
    changed: num(body.changed) ?? 0,
    data: { accounts: d.accounts === true, competitors: d.competitors === true, units: d.units === true },
    score: { before: num(s.before), after: num(s.after) },
  };
}

/** What taking a restore back answered: entries returned, and those left as others changed them. */
export interface RestoreUndoAnswer {
  reverted: number;
  kept: number;
  score: { before: number | null; after: number | null };
}

export function parseRestoreUndo(body: unknown): RestoreUndoAnswer {
  const o = isObject(body) ? body : {};
  const s = isObject(o.score) ? o.score : {};
  return {
    reverted: num(o.reverted) ?? 0,
    kept: num(o.kept) ?? 0,
    score: { before: num(s.before), after: num(s.after) },
  };
}

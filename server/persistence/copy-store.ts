import * as Y from "yjs";
import { PARTS } from "../../shared/protocol/rooms.ts";
import type { VersionContent } from "../../shared/versions/content.ts";
import type { VersionEntry } from "../../shared/versions/entry.ts";
import { type AccountsFile, fromAccountsFile } from "./accounts-file.ts";
import { type KeptKind, PLAN_DATA_KINDS, type PlanData, type PlanStore } from "./store.ts";

/** What was copied of one plan (or why not). */
export interface PlanCopy {
  id: string;
  name: string;
  /** Why the plan was not copied; null when it was. */
  skipped: string | null;
  /** Not copied because reading or writing it failed (damage, say), rather than by choice. */
  failed: boolean;
  /** Documents copied, with the bytes of their state. */
  documents: Record<string, number>;
  /** The accounts' version and count, null when none. */
  accounts: { version: number; count: number } | null;
  data: (keyof PlanData)[];
  versions: number;
  /** Versions left behind because their stored data is damaged. */
  damagedVersions: string[];
  kept: Partial<Record<KeptKind, number[]>>;
  activity: number;
  scores: number;
}

const KEPT_KINDS: readonly KeptKind[] = ["accounts", "competitors", "units"];

/**
 * Copies every plan whole from one store to another through the PlanStore
 * interface (issue 16's migrate-store): meta (with its hashed links), each
 * document as its current state, the accounts, every kind of plan data,
 * versions and the data kept for them, the activity feed, the scores, and
 * the server-wide data. Not carried: a document's update history before the
 * copy (replay on the target starts at the copy) — the interface gives
 * history out page by page but takes only new appends. A plan that exists
 * at the target is left alone unless `overwrite`.
 */
export async function copyStore(
  from: PlanStore,
  to: PlanStore,
  opts: { overwrite?: boolean; onPlan?: (copy: PlanCopy) => void } = {},
): Promise<{ plans: PlanCopy[]; server: string[] }> {
  const plans: PlanCopy[] = [];
  for (const id of (await from.listPlans()).sort()) {
    // One plan that cannot be read (damaged, say) is reported; the others are still copied.
    const copy = await copyPlan(from, to, id, opts.overwrite ?? false).catch(
      (e: Error): PlanCopy => ({ ...emptyCopy(id, ""), skipped: `not copied: ${e.message}`, failed: true }),
    );
    plans.push(copy);
    opts.onPlan?.(copy);
  }
  return { plans, server: await copyServerData(from, to) };
}

function emptyCopy(id: string, name: string): PlanCopy {
  return {
    id,
    name,
    skipped: null,
    failed: false,
    documents: {},
    accounts: null,
    data: [],
    versions: 0,
    damagedVersions: [],
    kept: {},
    activity: 0,
    scores: 0,
  };
}

/** Copies one plan; a failure part way removes what was written of it at the target, and is thrown. */
export async function copyPlan(from: PlanStore, to: PlanStore, id: string, overwrite: boolean): Promise<PlanCopy> {
  const meta = await from.getPlan(id);
  const copy = emptyCopy(id, meta?.name ?? "");
  if (!meta) return { ...copy, skipped: "it was deleted meanwhile" };
  if (await to.getPlan(id)) {
    if (!overwrite) return { ...copy, skipped: "a plan with this id exists at the target (--overwrite replaces it)" };
    await to.deletePlan(id);
  }
  await to.createPlan(meta);
  try {
    return await copyContents(from, to, id, copy);
  } catch (e) {
    await to.deletePlan(id).catch(() => false);
    throw e;
  }
}

async function copyContents(from: PlanStore, to: PlanStore, id: string, copy: PlanCopy): Promise<PlanCopy> {
  for (const part of PARTS) {
    const source = await from.openDocument(id, part);
    try {
      if (source.updates.length === 0) continue;
      const doc = new Y.Doc();
      for (const u of source.updates) Y.applyUpdate(doc, u);
      const state = Y.encodeStateAsUpdate(doc);
      const target = await to.openDocument(id, part);
      try {
        await target.append(state, { at: Date.now(), by: null });
      } finally {
        await target.close();
      }
      copy.documents[part === "" ? "main" : part] = state.length;
    } finally {
      await source.close();
    }
  }

  // Data kept for versions first (each made current, then kept), the current data after them.
  for (const kind of KEPT_KINDS) {
    const versions = await from.keptVersions(id, kind);
    for (const version of versions) {
      const body = await from.getKeptData(id, kind, version);
      if (body === null) continue;
      await putCurrent(to, id, kind, JSON.parse(body));
      await to.keepData(id, kind);
    }
    if (versions.length > 0) copy.kept[kind] = versions;
  }
  const accounts = await from.getAccounts(id);
  if (accounts) {
    await to.putAccounts(id, accounts);
    copy.accounts = { version: accounts.version, count: accounts.accounts.length };
  }
  for (const kind of PLAN_DATA_KINDS) {
    const value = await from.getData(id, kind);
    if (value === null && !(kind in copy.kept)) continue;
    await to.putData(id, kind, value);
    if (value !== null) copy.data.push(kind);
  }

  for (const v of await from.getVersions(id)) {
    let body: string | null = null;
    if (!v.damaged) body = await from.getVersionBody(id, v.id).catch(() => null);
    if (body === null) {
      copy.damagedVersions.push(v.id);
      continue;
    }
    const { entry, content } = JSON.parse(body) as { entry: VersionEntry; content: VersionContent };
    await to.putVersion(id, entry, content);
    copy.versions++;
  }

  const activity = await from.getActivity(id);
  if (activity.length > 0) await to.putActivity(id, activity);
  copy.activity = activity.length;
  const scores = await from.getScores(id, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  if (scores.length > 0) await to.appendScores(id, scores);
  copy.scores = scores.length;
  return copy;
}

/** A kept version's stored JSON made the plan's current data of its kind. */
async function putCurrent(store: PlanStore, id: string, kind: KeptKind, value: unknown): Promise<void> {
  if (kind === "accounts") await store.putAccounts(id, fromAccountsFile(value as AccountsFile));
  else await store.putData(id, kind, value as PlanData[typeof kind]);
}

/** The person key (only where the target has none) and the demo copies' registry (merged). */
async function copyServerData(from: PlanStore, to: PlanStore): Promise<string[]> {
  const said: string[] = [];
  const key = await from.getServerData("person-key");
  if (key) {
    const stored = await to.putServerData("person-key", key);
    said.push(
      stored.key === key.key
        ? "person key copied"
        : "person key NOT copied: the target has its own (people's secrets from the source do not prove them there)",
    );
  }
  const demo = await from.getServerData("demo-copies");
  if (demo && Object.keys(demo.copies).length > 0) {
    await to.putServerData("demo-copies", demo);
    said.push(`demo copies registry: ${Object.keys(demo.copies).length} entries merged`);
  }
  return said;
}

/** One line per plan, as the tool prints it. */
export function describeCopy(c: PlanCopy): string {
  if (c.skipped) return `${c.id} "${c.name}": skipped, ${c.skipped}`;
  const parts = [
    ...Object.entries(c.documents).map(([name, bytes]) => `document ${name} (${bytes} bytes)`),
    c.accounts ? `accounts v${c.accounts.version} (${c.accounts.count})` : null,
    c.data.length > 0 ? `data: ${c.data.join(", ")}` : null,
    c.versions > 0 ? `${c.versions} versions` : null,
    c.damagedVersions.length > 0 ? `NOT copied, damaged: ${c.damagedVersions.join(", ")}` : null,
    ...Object.entries(c.kept).map(([kind, v]) => `kept ${kind} ${v.join(",")}`),
    c.activity > 0 ? `${c.activity} activity entries` : null,
    c.scores > 0 ? `${c.scores} scores` : null,
  ].filter((p): p is string => p !== null);
  return `${c.id} "${c.name}": ${parts.length > 0 ? parts.join("; ") : "meta only"}`;
}

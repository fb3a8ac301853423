import type { ActivityEntry } from "../../shared/activity/activity.ts";
import type { Part } from "../../shared/protocol/rooms.ts";
import type { VersionContent } from "../../shared/versions/content.ts";
import type { VersionEntry } from "../../shared/versions/entry.ts";
import { type AccountsFile, fromAccountsFile, toAccountsFile } from "./accounts-file.ts";
import type { HistoryQuery } from "../../shared/history/history.ts";
import type {
  RawHistoryEntry,
  RawHistoryPage,
  ScorePoint,
  UpdateMeta,
  KeptKind,
  PlanData,
  PlanMeta,
  PlanStore,
  StoredAccounts,
  StoredDocument,
  StoredVersion,
  ServerData,
  ServerDataWrite,
} from "./store.ts";
import { mergeServerData } from "./server-data.ts";

/** Keeps everything in memory: for unit tests of room logic. Not durable. */
export class MemoryStore implements PlanStore {
  private readonly plans = new Map<string, PlanMeta>();
  private readonly docs = new Map<string, Uint8Array[]>();
  /** Every update appended to a document, with its meta: the history (never compacted here). */
  private readonly histories = new Map<string, { update: Uint8Array; meta: UpdateMeta | null }[]>();
  private readonly scores = new Map<string, ScorePoint[]>();
  private readonly accounts = new Map<string, StoredAccounts>();
  private readonly activity = new Map<string, ActivityEntry[]>();
  private readonly data = new Map<string, unknown>();
  private readonly versions = new Map<string, { entry: VersionEntry; body: string }[]>();
  /** Kept data as stored JSON, by `<plan>/<kind>/<version>`. */
  private readonly kept = new Map<string, string>();
  private readonly serverData = new Map<keyof ServerData, unknown>();

  async listPlans(): Promise<string[]> {
    return [...this.plans.keys()];
  }

  async getServerData<K extends keyof ServerData>(kind: K): Promise<ServerData[K] | null> {
    return structuredClone((this.serverData.get(kind) as ServerData[K] | undefined) ?? null);
  }

  async putServerData<K extends keyof ServerData>(kind: K, value: ServerDataWrite[K]): Promise<ServerData[K]> {
    const next = mergeServerData(kind, (this.serverData.get(kind) as ServerData[K] | undefined) ?? null, value);
    this.serverData.set(kind, next);
    return structuredClone(next);
  }

  async getVersions(planId: string): Promise<StoredVersion[]> {
    return (this.versions.get(planId) ?? []).map((v) => ({ ...v.entry }));
  }

  async putVersion(planId: string, entry: VersionEntry, content: VersionContent): Promise<number> {
    if (!this.plans.has(planId)) throw new Error(`plan ${planId} does not exist`);
    const body = JSON.stringify({ entry, content });
    const list = this.versions.get(planId) ?? [];
    list.push({ entry: { ...entry, bytes: body.length }, body });
    this.versions.set(planId, list);
    return body.length;
  }

  async getVersionBody(planId: string, id: string): Promise<string | null> {
    return this.versions.get(planId)?.find((v) => v.entry.id === id)?.body ?? null;
  }

  async deleteVersions(planId: string, ids: readonly string[]): Promise<void> {
    const list = this.versions.get(planId);
    if (list)
      this.versions.set(
        planId,
        list.filter((v) => !ids.includes(v.entry.id)),
      );
  }

  /** The current data of a kind as the lowdb store would keep it (the accounts as rows). */
  private liveData(planId: string, kind: KeptKind): { version: number; json: string } | null {
    const value =
      kind === "accounts"
        ? this.accounts.get(planId)
        : (this.data.get(`${planId}/${kind}`) as { version: number } | undefined);
    if (!value) return null;
    const json = JSON.stringify(kind === "accounts" ? toAccountsFile(value as StoredAccounts) : value);
    return { version: value.version, json };
  }

  async keepData(planId: string, kind: KeptKind): Promise<number> {
    const live = this.liveData(planId, kind);
    if (!live || live.version === 0) return 0;
    this.kept.set(`${planId}/${kind}/${live.version}`, live.json);
    return live.version;
  }

  async getKeptData(planId: string, kind: KeptKind, version: number): Promise<string | null> {
    const kept = this.kept.get(`${planId}/${kind}/${version}`);
    if (kept !== undefined) return kept;
    const live = this.liveData(planId, kind);
    return live?.version === version ? live.json : null;
  }

  async keptVersions(planId: string, kind: KeptKind): Promise<number[]> {
    const prefix = `${planId}/${kind}/`;
    return [...this.kept.keys()]
      .filter((k) => k.startsWith(prefix))
      .map((k) => Number(k.slice(prefix.length)))
      .sort((a, b) => a - b);
  }

  async dropKeptData(planId: string, kind: KeptKind, version: number): Promise<void> {
    this.kept.delete(`${planId}/${kind}/${version}`);
  }

  /** Shares the stored value itself (never changed in place: every write replaces it). */
  async shareData(from: string, to: string, kind: KeptKind, version: number): Promise<boolean> {
    const live =
      kind === "accounts" ? this.accounts.get(from) : (this.data.get(`${from}/${kind}`) as { version: number });
    if (live?.version === version) {
      if (kind === "accounts") this.accounts.set(to, live as StoredAccounts);
      else this.data.set(`${to}/${kind}`, live);
      return true;
    }
    const kept = this.kept.get(`${from}/${kind}/${version}`);
    if (kept === undefined) return false;
    const value = JSON.parse(kept) as unknown;
    if (kind === "accounts") this.accounts.set(to, fromAccountsFile(value as AccountsFile));
    else this.data.set(`${to}/${kind}`, value);
    this.kept.set(`${to}/${kind}/${version}`, kept);
    return true;
  }

  async getData<K extends keyof PlanData>(planId: string, kind: K): Promise<PlanData[K] | null> {
    return (this.data.get(`${planId}/${kind}`) as PlanData[K] | undefined) ?? null;
  }

  async putData<K extends keyof PlanData>(planId: string, kind: K, value: PlanData[K] | null): Promise<void> {
    if (!this.plans.has(planId)) throw new Error(`plan ${planId} does not exist`);
    if (value === null) this.data.delete(`${planId}/${kind}`);
    else this.data.set(`${planId}/${kind}`, structuredClone(value));
  }

  async getAccounts(planId: string): Promise<StoredAccounts | null> {
    return this.accounts.get(planId) ?? null;
  }

  async getAccountsVersion(planId: string): Promise<number> {
    return this.accounts.get(planId)?.version ?? 0;
  }

  async putAccounts(planId: string, accounts: StoredAccounts): Promise<void> {
    if (!this.plans.has(planId)) throw new Error(`plan ${planId} does not exist`);
    this.accounts.set(planId, accounts);
  }

  async createPlan(meta: PlanMeta): Promise<void> {
    if (this.plans.has(meta.id)) throw new Error(`plan ${meta.id} exists`);
    this.plans.set(meta.id, { ...meta });
  }

  async getPlan(id: string): Promise<PlanMeta | null> {
    const meta = this.plans.get(id);
    return meta ? { ...meta } : null;
  }

  async updatePlan(id: string, fn: (meta: PlanMeta) => PlanMeta): Promise<PlanMeta> {
    const meta = this.plans.get(id);
    if (!meta) throw new Error(`plan ${id} does not exist`);
    const next = fn({ ...meta });
    this.plans.set(id, next);
    return { ...next };
  }

  async deletePlan(id: string): Promise<boolean> {
    if (!this.plans.delete(id)) return false;
    this.accounts.delete(id);
    this.activity.delete(id);
    for (const key of [...this.docs.keys()]) if (key.startsWith(`${id}/`)) this.docs.delete(key);
    for (const key of [...this.histories.keys()]) if (key.startsWith(`${id}/`)) this.histories.delete(key);
    this.scores.delete(id);
    for (const key of [...this.data.keys()]) if (key.startsWith(`${id}/`)) this.data.delete(key);
    for (const key of [...this.kept.keys()]) if (key.startsWith(`${id}/`)) this.kept.delete(key);
    this.versions.delete(id);
    return true;
  }

  async getActivity(planId: string): Promise<ActivityEntry[]> {
    return [...(this.activity.get(planId) ?? [])];
  }

  async putActivity(planId: string, entries: readonly ActivityEntry[]): Promise<void> {
    this.activity.set(planId, [...entries]);
  }

  async openDocument(planId: string, part: Part): Promise<StoredDocument> {
    if (!this.plans.has(planId)) throw new Error(`plan ${planId} does not exist`);
    const key = `${planId}/${part}`;
    const list = this.docs.get(key) ?? [];
    this.docs.set(key, list);
    const history = this.histories.get(key) ?? [];
    this.histories.set(key, history);
    return {
      updates: [...list],
      get logBytes() {
        return list.reduce((n, u) => n + u.length, 0);
      },
      async append(update, meta) {
        list.push(update);
        history.push({ update, meta: meta ?? null });
      },
      async compact(state) {
        list.splice(0, list.length, state);
      },
      async close() {},
    };
  }

  /** History from the document's start (no snapshots: nothing is compacted away here), paged by index. */
  async getHistory(planId: string, part: Part, query: HistoryQuery, maxBytes: number): Promise<RawHistoryPage> {
    if (!this.plans.has(planId)) throw new Error(`plan ${planId} does not exist`);
    const history = this.histories.get(`${planId}/${part}`) ?? [];
    const entries: RawHistoryEntry[] = [];
    let bytes = 0;
    let lastAt = 0;
    for (let i = query.cursor?.index ?? 0; i < history.length; i++) {
      const h = history[i] as { update: Uint8Array; meta: UpdateMeta | null };
      const at = h.meta?.at ?? lastAt;
      if (at > query.to) break;
      if (bytes >= maxBytes && entries.length > 0) return { entries, next: { gen: 0, index: i, after: lastAt } };
      entries.push({ kind: "update", at, by: h.meta?.by ?? null, bytes: h.update });
      bytes += h.update.length;
      lastAt = at;
    }
    return { entries, next: null };
  }

  async appendScores(planId: string, points: readonly ScorePoint[]): Promise<void> {
    this.scores.set(planId, [...(this.scores.get(planId) ?? []), ...points]);
  }

  async getScores(planId: string, from: number, to: number): Promise<ScorePoint[]> {
    const all = this.scores.get(planId) ?? [];
    const before = all.filter((p) => p.at < from).at(-1);
    const inside = all.filter((p) => p.at >= from && p.at <= to);
    return before ? [before, ...inside] : inside;
  }

  /** A marker written and read back, like the lowdb store's; set `failPing` to make it fail (tests of readiness). */
  async ping(): Promise<void> {
    if (this.failPing) throw this.failPing;
    const marker = String(Math.random());
    this.data.set("\0ready", marker);
    if (this.data.get("\0ready") !== marker) throw new Error("the marker did not read back");
  }

  failPing: Error | null = null;

  damagedPlans(): string[] {
    return [];
  }

  async close(): Promise<void> {}
}

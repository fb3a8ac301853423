import type { ActivityEntry } from "../../shared/activity/activity.ts";
import type { Part } from "../../shared/protocol/rooms.ts";
import type { PlanData, PlanMeta, PlanStore, StoredAccounts, StoredDocument } from "./store.ts";

/** Keeps everything in memory: for unit tests of room logic. Not durable. */
export class MemoryStore implements PlanStore {
  private readonly plans = new Map<string, PlanMeta>();
  private readonly docs = new Map<string, Uint8Array[]>();
  private readonly accounts = new Map<string, StoredAccounts>();
  private readonly activity = new Map<string, ActivityEntry[]>();
  private readonly data = new Map<string, unknown>();

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
    for (const key of [...this.data.keys()]) if (key.startsWith(`${id}/`)) this.data.delete(key);
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
    return {
      updates: [...list],
      get logBytes() {
        return list.reduce((n, u) => n + u.length, 0);
      },
      async append(update) {
        list.push(update);
      },
      async compact(state) {
        list.splice(0, list.length, state);
      },
      async close() {},
    };
  }

  async close(): Promise<void> {}
}

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as Y from "yjs";
import type { ActivityEntry } from "../../shared/activity/activity.ts";
import { contentOf } from "../../shared/versions/content.ts";
import type { VersionEntry } from "../../shared/versions/entry.ts";
import { planDoc } from "../../shared/versions/testing.ts";
import type { Part } from "../../shared/protocol/rooms.ts";
import { box } from "../../tests/fixtures/shapes.ts";
import { type AccountsFile, fromAccountsFile } from "./accounts-file.ts";
import {
  PLAN_DATA_KINDS,
  type PlanData,
  type PlanMeta,
  type PlanStore,
  type RawHistoryEntry,
  type StoredAccounts,
  type StoredDocument,
} from "./store.ts";

/** How a contract run gets its stores: fresh storage per test, and stores on it as after a restart. */
export interface StoreHarness {
  /** Fresh, empty storage for one test (a temporary folder, a new schema). */
  prepare(): Promise<void>;
  /** A new store on this test's storage, nothing cached: "after a restart". */
  makeStore(): Promise<PlanStore>;
  /** Removes this test's storage (stores made are closed before). */
  cleanup(): Promise<void>;
}

const ana = { id: "p-ana", name: "Ana", role: "edit" as const };
const ALL = { from: 0, to: Number.MAX_SAFE_INTEGER, cursor: null };
export const planMeta = (id: string): PlanMeta => ({ id, name: `Plan ${id}`, createdAt: "2027-01-02T03:04:05.000Z" });

/** Edits setting k<i> = i in map "m", one update each. */
export function edits(doc: Y.Doc, from: number, to: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const on = (u: Uint8Array) => out.push(u);
  doc.on("update", on);
  for (let i = from; i < to; i++) doc.getMap("m").set(`k${i}`, i);
  doc.off("update", on);
  return out;
}

export function stateOf(updates: readonly Uint8Array[]): Record<string, unknown> {
  const y = new Y.Doc();
  for (const u of updates) Y.applyUpdate(y, u);
  return y.getMap("m").toJSON();
}

const expected = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

const accounts = (version: number, n = 3): StoredAccounts => ({
  version,
  importedAt: "2027-01-02T00:00:00.000Z",
  accounts: Array.from({ length: n }, (_, i) => ({
    id: `a${i}`,
    name: `Outlet ${i}`,
    lon: 106 + i / 10,
    lat: -6,
    // A blank value stays missing, not 0.
    attrs: (i === 0 ? { revenue: 10 } : { revenue: 10 * i, visits: i }) as Record<string, number>,
  })),
});

export const versionEntry = (id: string): VersionEntry => ({
  id,
  name: `Version ${id}`,
  at: "2027-01-01T10:00:00.000Z",
  by: { id: "p-ani", name: "Ani", role: "edit" },
  auto: false,
  reason: null,
  summary: "1 territory",
  refs: { accounts: 1, competitors: 0, units: 0 },
  bytes: 0,
});

const content = () =>
  contentOf(planDoc({ territories: [{ id: "west", name: "West", geometry: box(106, -7, 107, -6) }] }), {
    accounts: 1,
    competitors: 0,
    units: 0,
  });

/** One value of each kind of plan data, as the server would store it. */
function sample(kind: keyof PlanData): unknown {
  switch (kind) {
    case "units":
      return { version: 3, kind: "h3", resolution: 6, attributes: ["population"], ids: ["u1"], values: [[5]] };
    case "competitors":
      return accounts(2, 2);
    default:
      return { kind, items: [{ id: "x", at: "2027-01-01T00:00:00.000Z", note: "ümlaut ✓" }] };
  }
}

const feedEntry = (seq: number): ActivityEntry =>
  ({
    seq,
    kind: "territory-created",
    actor: ana,
    at: "2027-01-01T00:00:00.000Z",
    lastAt: "2027-01-01T00:00:00.000Z",
    count: 1,
    territoryId: "west",
  }) as ActivityEntry;

/**
 * The storage interface's behaviour, the same for every store (issue 16):
 * run by store-contract.test.ts against the file store and PostgreSQL.
 */
export function describeStoreContract(name: string, harness: StoreHarness): void {
  describe(`${name}: the PlanStore contract`, () => {
    const stores: PlanStore[] = [];
    const open = async () => {
      const s = await harness.makeStore();
      stores.push(s);
      return s;
    };
    const docs: StoredDocument[] = [];
    const openDoc = async (store: PlanStore, planId = "p1", part: Part = "") => {
      const d = await store.openDocument(planId, part);
      docs.push(d);
      return d;
    };

    beforeEach(async () => {
      vi.spyOn(console, "log").mockImplementation(() => {});
      vi.spyOn(console, "error").mockImplementation(() => {});
      await harness.prepare();
    });
    afterEach(async () => {
      for (const d of docs.splice(0)) await d.close().catch(() => {});
      for (const s of stores.splice(0)) await s.close().catch(() => {});
      await harness.cleanup();
      vi.restoreAllMocks();
    });

    it("creates, lists, reads, updates and refuses to create a plan twice, also after a restart", async () => {
      const store = await open();
      await store.createPlan(planMeta("p1"));
      await store.createPlan(planMeta("p2"));
      const read = await store.getPlan("p1");
      expect(read).toEqual(planMeta("p1"));
      (read as PlanMeta).name = "changed";
      expect((await store.getPlan("p1"))?.name).toBe("Plan p1");
      expect(await store.getPlan("nope")).toBeNull();
      expect(await store.getPlan("../etc")).toBeNull();
      expect(await store.getPlan("")).toBeNull();
      await expect(store.createPlan(planMeta("p1"))).rejects.toThrow(/exists/);
      const updated = await store.updatePlan("p1", (m) => ({ ...m, name: "Renamed", demoCopy: { createdAt: "x" } }));
      expect(updated.name).toBe("Renamed");
      await expect(store.updatePlan("nope", (m) => m)).rejects.toThrow(/does not exist/);

      const again = await open();
      expect((await again.listPlans()).sort()).toEqual(["p1", "p2"]);
      expect(await again.getPlan("p1")).toEqual({ ...planMeta("p1"), name: "Renamed", demoCopy: { createdAt: "x" } });
      await expect(again.createPlan(planMeta("p1"))).rejects.toThrow(/exists/);
    });

    it("refuses to open a document or write data for a plan that does not exist", async () => {
      const store = await open();
      await expect(store.openDocument("nope", "")).rejects.toThrow(/does not exist/);
      await expect(store.putAccounts("nope", accounts(1))).rejects.toThrow(/does not exist/);
      await expect(store.putData("nope", "units", null)).rejects.toThrow(/does not exist/);
      await expect(store.putActivity("nope", [])).rejects.toThrow(/does not exist/);
      expect(await store.listPlans()).toEqual([]);
    });

    it("gives back appended updates in order after a restart, and keeps appending after them", async () => {
      const store = await open();
      await store.createPlan(planMeta("p1"));
      const y = new Y.Doc();
      const fresh = await openDoc(store);
      expect(fresh.updates).toEqual([]);
      expect(fresh.logBytes).toBe(0);
      // Concurrent appends: group-committed, each resolving once stored, in call order.
      await Promise.all(edits(y, 0, 50).map((u, i) => fresh.append(u, { at: 1000 + i, by: ana })));
      expect(fresh.logBytes).toBeGreaterThan(0);
      await fresh.close();

      const doc = await openDoc(await open());
      expect(stateOf(doc.updates)).toEqual(expected(50));
      for (const u of edits(y, 50, 60)) await doc.append(u);
      await doc.close();
      expect(stateOf((await openDoc(await open())).updates)).toEqual(expected(60));
    });

    it("keeps the documents of a plan's parts and of different plans apart", async () => {
      const store = await open();
      await store.createPlan(planMeta("p1"));
      await store.createPlan(planMeta("p2"));
      const a = await openDoc(store, "p1", "");
      const b = await openDoc(store, "p2", "");
      await a.append(edits(new Y.Doc(), 0, 1)[0] as Uint8Array);
      const other = new Y.Doc();
      other.getMap("m").set("only", "p2");
      await b.append(Y.encodeStateAsUpdate(other));
      const again = await open();
      expect(stateOf((await openDoc(again, "p1")).updates)).toEqual(expected(1));
      expect(stateOf((await openDoc(again, "p2")).updates)).toEqual({ only: "p2" });
    });

    it("compacts into a snapshot, keeping appends made while the compaction runs and before it", async () => {
      const store = await open();
      await store.createPlan(planMeta("p1"));
      const y = new Y.Doc();
      const doc = await openDoc(store);
      const first = edits(y, 0, 20);
      // Appends not flushed yet when compact() is called are in the state passed to it.
      const pending = first.map((u, i) => doc.append(u, { at: 2000 + i, by: ana }));
      const compacted = doc.compact(Y.encodeStateAsUpdate(y));
      const during = edits(y, 20, 30).map((u, i) => doc.append(u, { at: 3000 + i, by: null }));
      await Promise.all([...pending, compacted, ...during]);
      // Back to back: the last snapshot wins.
      await Promise.all([doc.compact(Y.encodeStateAsUpdate(y)), doc.compact(Y.encodeStateAsUpdate(y))]);
      for (const u of edits(y, 30, 35)) await doc.append(u);
      await doc.close();

      const reopened = await openDoc(await open());
      expect(stateOf(reopened.updates)).toEqual(expected(35));
      // The snapshot and only the updates since it.
      expect(reopened.updates.length).toBeLessThanOrEqual(1 + 5);
    });

    it("stores accounts atomically with their version, blank values missing", async () => {
      const store = await open();
      await store.createPlan(planMeta("p1"));
      expect(await store.getAccounts("p1")).toBeNull();
      expect(await store.getAccountsVersion("p1")).toBe(0);
      await store.putAccounts("p1", accounts(1));
      await store.putAccounts("p1", accounts(2, 5));
      const again = await open();
      expect(await again.getAccountsVersion("p1")).toBe(2);
      const read = await again.getAccounts("p1");
      expect(read).toEqual(accounts(2, 5));
      expect(read?.accounts[0]?.attrs).toEqual({ revenue: 10 });
    });

    it("stores each kind of plan data on its own, replaced whole, removed with null", async () => {
      const store = await open();
      await store.createPlan(planMeta("p1"));
      for (const kind of PLAN_DATA_KINDS) {
        expect(await store.getData("p1", kind)).toBeNull();
        await store.putData("p1", kind, sample(kind) as never);
      }
      const again = await open();
      for (const kind of PLAN_DATA_KINDS) expect(await again.getData("p1", kind)).toEqual(sample(kind));
      await again.putData("p1", "proposals", null);
      await again.putData("p1", "competitors", accounts(7, 1));
      expect(await again.getData("p1", "proposals")).toBeNull();
      expect(await again.getData("p1", "competitors")).toEqual(accounts(7, 1));
      expect(await again.getData("p1", "units")).toEqual(sample("units"));
    });

    it("stores versions: listed oldest first with their size, read back, deleted", async () => {
      const store = await open();
      await store.createPlan(planMeta("p1"));
      expect(await store.getVersions("p1")).toEqual([]);
      const c = content();
      const size = await store.putVersion("p1", versionEntry("v-a"), c);
      expect(size).toBeGreaterThan(0);
      await store.putVersion("p1", { ...versionEntry("v-b"), at: "2027-01-01T11:00:00.000Z" }, c);
      const again = await open();
      const list = await again.getVersions("p1");
      expect(list.map((v) => v.id)).toEqual(["v-a", "v-b"]);
      expect(list[0]).toEqual({ ...versionEntry("v-a"), bytes: size });
      const body = JSON.parse((await again.getVersionBody("p1", "v-a")) as string);
      expect(body).toEqual({ entry: versionEntry("v-a"), content: c });
      expect(await again.getVersionBody("p1", "v-none")).toBeNull();
      await again.deleteVersions("p1", ["v-a"]);
      expect((await again.getVersions("p1")).map((v) => v.id)).toEqual(["v-b"]);
      expect(await again.getVersionBody("p1", "v-a")).toBeNull();
    });

    it("keeps data for versions once per import, reads it from what is kept or current, lets it go", async () => {
      const store = await open();
      await store.createPlan(planMeta("p1"));
      expect(await store.keepData("p1", "accounts")).toBe(0);
      await store.putAccounts("p1", accounts(1));
      expect(await store.keepData("p1", "accounts")).toBe(1);
      expect(await store.keepData("p1", "accounts")).toBe(1);
      await store.putAccounts("p1", accounts(2, 4));
      await store.putData("p1", "units", sample("units") as PlanData["units"]);
      expect(await store.keepData("p1", "units")).toBe(3);
      const again = await open();
      expect(await again.keptVersions("p1", "accounts")).toEqual([1]);
      expect(await again.keptVersions("p1", "competitors")).toEqual([]);
      const kept = JSON.parse((await again.getKeptData("p1", "accounts", 1)) as string) as AccountsFile;
      expect(fromAccountsFile(kept)).toEqual(accounts(1));
      // Not kept, but current.
      const live = JSON.parse((await again.getKeptData("p1", "accounts", 2)) as string) as AccountsFile;
      expect(fromAccountsFile(live)).toEqual(accounts(2, 4));
      expect(JSON.parse((await again.getKeptData("p1", "units", 3)) as string)).toEqual(sample("units"));
      expect(await again.getKeptData("p1", "accounts", 9)).toBeNull();
      await again.dropKeptData("p1", "accounts", 1);
      expect(await again.keptVersions("p1", "accounts")).toEqual([]);
      expect(await again.getKeptData("p1", "accounts", 1)).toBeNull();
    });

    it("shares data of a version with another plan, from the current data or from what is kept", async () => {
      const store = await open();
      await store.createPlan(planMeta("p1"));
      await store.createPlan(planMeta("s1"));
      await store.createPlan(planMeta("s2"));
      await store.putAccounts("p1", accounts(1));
      await store.keepData("p1", "accounts");
      await store.putAccounts("p1", accounts(2, 4));
      expect(await store.shareData("p1", "s1", "accounts", 2)).toBe(true);
      expect(await store.shareData("p1", "s2", "accounts", 1)).toBe(true);
      expect(await store.shareData("p1", "s2", "competitors", 1)).toBe(false);
      const again = await open();
      expect(await again.getAccounts("s1")).toEqual(accounts(2, 4));
      expect(await again.getAccounts("s2")).toEqual(accounts(1));
      expect(await again.keptVersions("s2", "accounts")).toEqual([1]);
      // Each plan's data is its own from then on.
      await again.putAccounts("s1", accounts(3, 1));
      expect(await again.getAccounts("p1")).toEqual(accounts(2, 4));
    });

    it("pages history by size across compactions and a restart, the cursor continuing where a page stopped", async () => {
      const store = await open();
      await store.createPlan(planMeta("p1"));
      const y = new Y.Doc();
      const doc = await openDoc(store);
      let t = 10_000;
      for (const u of edits(y, 0, 30)) await doc.append(u, { at: t++, by: ana });
      await doc.compact(Y.encodeStateAsUpdate(y));
      for (const u of edits(y, 30, 60)) await doc.append(u, { at: t++, by: null });
      await doc.compact(Y.encodeStateAsUpdate(y));
      for (const u of edits(y, 60, 70)) await doc.append(u, { at: t++, by: ana });
      await doc.close();

      const again = await open();
      const pages: RawHistoryEntry[][] = [];
      let query: { from: number; to: number; cursor: { gen: number; index: number; after: number } | null } = {
        ...ALL,
      };
      for (let n = 0; n < 200; n++) {
        const page = await again.getHistory("p1", "", query, 200);
        pages.push(page.entries);
        if (!page.next) break;
        query = { ...query, cursor: page.next, from: page.next.after };
      }
      expect(pages.length).toBeGreaterThan(3);
      const all = pages.flat();
      const updates = all.filter((e) => e.kind === "update");
      expect(updates).toHaveLength(70);
      expect(updates.map((e) => e.at)).toEqual(Array.from({ length: 70 }, (_, i) => 10_000 + i));
      expect(updates[0]?.by).toEqual(ana);
      expect(updates[40]?.by).toBeNull();
      expect(stateOf(all.map((e) => e.bytes))).toEqual(expected(70));
      // Up to a time: only what happened by then.
      const until = await again.getHistory("p1", "", { ...ALL, to: 10_009 }, 1 << 20);
      expect(until.next).toBeNull();
      expect(stateOf(until.entries.map((e) => e.bytes))).toEqual(expected(10));
      await expect(again.getHistory("nope", "", ALL, 1000)).rejects.toThrow(/does not exist/);
    });

    it("records scores and reads them back by time, with the last one before the span", async () => {
      const store = await open();
      await store.createPlan(planMeta("p1"));
      await store.appendScores("p1", [
        { at: 100, score: 50 },
        { at: 200, score: null },
      ]);
      await store.appendScores("p1", [{ at: 300, score: 70.5 }]);
      const again = await open();
      expect(await again.getScores("p1", 150, 1000)).toEqual([
        { at: 100, score: 50 },
        { at: 200, score: null },
        { at: 300, score: 70.5 },
      ]);
      expect(await again.getScores("p1", 250, 260)).toEqual([{ at: 200, score: null }]);
      expect(await again.getScores("p1", 0, 50)).toEqual([]);
    });

    it("replaces the activity feed whole", async () => {
      const store = await open();
      await store.createPlan(planMeta("p1"));
      expect(await store.getActivity("p1")).toEqual([]);
      await store.putActivity("p1", [feedEntry(1), feedEntry(2)]);
      await store.putActivity("p1", [feedEntry(1), feedEntry(2), feedEntry(3)]);
      expect((await (await open()).getActivity("p1")).map((e) => e.seq)).toEqual([1, 2, 3]);
    });

    it("keeps server data: the first person key wins, demo copies merge entry by entry", async () => {
      const store = await open();
      expect(await store.getServerData("person-key")).toBeNull();
      expect(await store.putServerData("person-key", { key: "first-key-aaaaaaaaaaaa" })).toEqual({
        key: "first-key-aaaaaaaaaaaa",
      });
      expect(await store.putServerData("person-key", { key: "second-key-bbbbbbbbbbb" })).toEqual({
        key: "first-key-aaaaaaaaaaaa",
      });
      const e = (t: string) => ({ createdAt: "2027-01-01T00:00:00.000Z", lastUsedAt: t });
      await store.putServerData("demo-copies", {
        copies: { a: e("2027-01-02T00:00:00.000Z"), b: e("2027-01-01T00:00:00.000Z") },
      });
      // Another instance's older note of a's use does not win; c is added, b removed.
      const merged = await store.putServerData("demo-copies", {
        copies: { a: e("2027-01-01T12:00:00.000Z"), b: null, c: e("2027-01-03T00:00:00.000Z") },
      });
      expect(merged).toEqual({ copies: { a: e("2027-01-02T00:00:00.000Z"), c: e("2027-01-03T00:00:00.000Z") } });
      const again = await open();
      expect(await again.getServerData("person-key")).toEqual({ key: "first-key-aaaaaaaaaaaa" });
      expect(await again.getServerData("demo-copies")).toEqual(merged);
    });

    it("deletes a plan and everything stored for it", async () => {
      const store = await open();
      await store.createPlan(planMeta("p1"));
      await store.createPlan(planMeta("p2"));
      const doc = await openDoc(store);
      await doc.append(edits(new Y.Doc(), 0, 1)[0] as Uint8Array, { at: 5, by: ana });
      await doc.close();
      await store.putAccounts("p1", accounts(1));
      await store.keepData("p1", "accounts");
      await store.putData("p1", "units", sample("units") as PlanData["units"]);
      await store.putVersion("p1", versionEntry("v-a"), content());
      await store.putActivity("p1", [feedEntry(1)]);
      await store.appendScores("p1", [{ at: 1, score: 1 }]);
      await store.putAccounts("p2", accounts(1));

      expect(await store.deletePlan("p1")).toBe(true);
      expect(await store.deletePlan("p1")).toBe(false);
      expect(await store.getPlan("p1")).toBeNull();
      expect(await store.listPlans()).toEqual(["p2"]);
      await store.createPlan(planMeta("p1"));
      const again = await open();
      expect((await openDoc(again)).updates).toEqual([]);
      expect(await again.getAccounts("p1")).toBeNull();
      expect(await again.keptVersions("p1", "accounts")).toEqual([]);
      expect(await again.getData("p1", "units")).toBeNull();
      expect(await again.getVersions("p1")).toEqual([]);
      expect(await again.getActivity("p1")).toEqual([]);
      expect(await again.getScores("p1", 0, 100)).toEqual([]);
      expect((await again.getHistory("p1", "", ALL, 1000)).entries).toEqual([]);
      expect(await again.getAccounts("p2")).toEqual(accounts(1));
    });
  });
}

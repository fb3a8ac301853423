import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { LowdbStore } from "./lowdb-store.ts";
import { edits } from "./store-contract.ts";
import type { PlanMeta, RawHistoryEntry } from "./store.ts";

let dataDir: string;
const stores: LowdbStore[] = [];

beforeEach(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "wilayah-history-"));
});

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

function openStore(): LowdbStore {
  const s = new LowdbStore(dataDir);
  stores.push(s);
  return s;
}

const meta = (id: string): PlanMeta => ({ id, name: id, createdAt: "2026-12-05T00:00:00.000Z" });
const ana = { id: "p-ana", name: "Ana", role: "edit" as const };
const ALL = { from: 0, to: Number.MAX_SAFE_INTEGER, cursor: null };

/** What the history entries rebuild, applied in order to a fresh document. */
function rebuild(entries: readonly RawHistoryEntry[], until = Number.POSITIVE_INFINITY): unknown {
  const doc = new Y.Doc();
  for (const e of entries) if (e.at <= until || e.kind === "snapshot") Y.applyUpdate(doc, e.bytes);
  return doc.getMap("m").toJSON();
}

async function allPages(store: LowdbStore, planId: string, maxBytes = 1 << 20): Promise<RawHistoryEntry[][]> {
  const pages: RawHistoryEntry[][] = [];
  let query = { ...ALL } as { from: number; to: number; cursor: { gen: number; index: number; after: number } | null };
  for (;;) {
    const page = await store.getHistory(planId, "", query, maxBytes);
    pages.push(page.entries);
    if (!page.next) return pages;
    query = { ...query, cursor: page.next, from: page.next.after };
  }
}

describe("history in the lowdb store (issue 14)", () => {
  it("keeps every update with its time and author across compactions and a restart", async () => {
    const store = openStore();
    await store.createPlan(meta("h1"));
    const doc = await store.openDocument("h1", "");
    const y = new Y.Doc();
    const updates = edits(y, 0, 30);
    for (let i = 0; i < 30; i++) {
      await doc.append(updates[i] as Uint8Array, { at: 1000 + i, by: i % 2 ? ana : null });
      if (i % 10 === 9) await doc.compact(Y.encodeStateAsUpdate(y, undefined));
    }
    await doc.close();
    // Three compactions: the plan folder keeps two generations; history has all.
    const entries = (await allPages(store, "h1")).flat();
    expect(entries.filter((e) => e.kind === "update")).toHaveLength(30);
    expect(entries[0]).toMatchObject({ kind: "update", at: 1000, by: null });
    expect(entries[1]).toMatchObject({ kind: "update", at: 1001, by: ana });
    expect(rebuild(entries, 1014)).toEqual(Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, i])));

    const again = openStore();
    const after = (await allPages(again, "h1")).flat();
    expect(after.map((e) => [e.kind, e.at])).toEqual(entries.map((e) => [e.kind, e.at]));
  });

  it("pages by size, the cursor continuing where the page stopped", async () => {
    const store = openStore();
    await store.createPlan(meta("h2"));
    const doc = await store.openDocument("h2", "");
    const y = new Y.Doc();
    const updates = edits(y, 0, 50);
    for (let i = 0; i < 50; i++) await doc.append(updates[i] as Uint8Array, { at: 2000 + i, by: ana });
    await doc.compact(Y.encodeStateAsUpdate(y));
    await doc.close();
    const pages = await allPages(store, "h2", 200);
    expect(pages.length).toBeGreaterThan(3);
    const times = pages.flat().map((e) => e.at);
    expect(times).toEqual(Array.from({ length: 50 }, (_, i) => 2000 + i));
  });

  it("keeps snapshots by the policy and starts a read at the one before `from`", async () => {
    const store = openStore();
    await store.createPlan(meta("h3"));
    const doc = await store.openDocument("h3", "");
    const y = new Y.Doc();
    // Each compaction seals ~4000 updates' worth: the count rule keeps a snapshot every time.
    let at = 10_000;
    for (let round = 0; round < 3; round++) {
      const updates = edits(y, round * 4000, (round + 1) * 4000);
      await Promise.all(updates.map((u) => doc.append(u, { at: at++, by: ana })));
      await doc.compact(Y.encodeStateAsUpdate(y));
    }
    await doc.close();
    const files = await fs.readdir(path.join(dataDir, "plans", "h3", "history"));
    expect(files.filter((f) => f.endsWith(".snap")).sort()).toEqual(["main.1.snap", "main.2.snap", "main.3.snap"]);
    // From a moment in the third round: the page starts with the snapshot before it.
    const page = await store.getHistory(
      "h3",
      "",
      { from: 10_000 + 9000, to: Number.MAX_SAFE_INTEGER, cursor: null },
      1 << 24,
    );
    expect(page.entries[0]?.kind).toBe("snapshot");
    expect(page.entries.filter((e) => e.kind === "update")).toHaveLength(4000);
    expect(rebuild(page.entries, 10_000 + 9000)).toEqual(
      Object.fromEntries(Array.from({ length: 9001 }, (_, i) => [`k${i}`, i])),
    );
  });

  it("a plan written before history starts its history at the first compaction", async () => {
    const store = openStore();
    await store.createPlan(meta("h4"));
    const doc = await store.openDocument("h4", "");
    const y = new Y.Doc();
    for (const u of edits(y, 0, 5)) await doc.append(u); // no meta: an older server
    await doc.close();
    // The older server left no history folder; its log reads as updates without times.
    await fs.rm(path.join(dataDir, "plans", "h4", "history"), { recursive: true, force: true });
    const again = openStore();
    const reopened = await again.openDocument("h4", "");
    const entries = (await allPages(again, "h4")).flat();
    expect(rebuild(entries)).toEqual({ k0: 0, k1: 1, k2: 2, k3: 3, k4: 4 });
    for (const u of edits(y, 5, 8)) await reopened.append(u, { at: 5000, by: ana });
    await reopened.compact(Y.encodeStateAsUpdate(y));
    await reopened.close();
    const later = (await allPages(again, "h4")).flat();
    expect(rebuild(later)).toEqual(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, i])));
  });

  it("records scores and reads them back by time", async () => {
    const store = openStore();
    await store.createPlan(meta("h5"));
    await store.appendScores("h5", [
      { at: 100, score: 50 },
      { at: 200, score: 60 },
      { at: 300, score: null },
    ]);
    expect(await store.getScores("h5", 150, 1000)).toEqual([
      { at: 100, score: 50 },
      { at: 200, score: 60 },
      { at: 300, score: null },
    ]);
    expect(await openStore().getScores("h5", 250, 1000)).toEqual([
      { at: 200, score: 60 },
      { at: 300, score: null },
    ]);
  });
});

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { DurableJSONFile } from "./durable-json-file.ts";
import { LowdbStore } from "./lowdb-store.ts";
import type { PlanMeta, StoredDocument } from "./store.ts";

let dataDir: string;
const stores: LowdbStore[] = [];

beforeEach(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "wilayah-lowdb-"));
});

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

/** A fresh store on the data dir, as after a restart: nothing cached. */
function openStore(): LowdbStore {
  const s = new LowdbStore(dataDir);
  stores.push(s);
  return s;
}

const meta = (id: string): PlanMeta => ({ id, name: `Plan ${id}`, createdAt: "2027-01-02T03:04:05.000Z" });

const planDir = (id: string) => path.join(dataDir, "plans", id);

/** A Yjs update setting `key` to `value` in map "m", from a doc with a fixed client id. */
function edits(count: number, clientID = 7): Uint8Array[] {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  const out: Uint8Array[] = [];
  doc.on("update", (u: Uint8Array) => out.push(u));
  for (let i = 0; i < count; i++) doc.getMap("m").set(`k${i}`, i);
  return out;
}

/** The document the stored updates make, as plain JSON. */
function stateOf(doc: StoredDocument): unknown {
  const y = new Y.Doc();
  for (const u of doc.updates) Y.applyUpdate(y, u);
  return y.getMap("m").toJSON();
}

function expected(count: number): Record<string, number> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, i]));
}

async function listFiles(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).sort();
}

describe("LowdbStore plans", () => {
  it("creates a plan and reads it back, also after a restart", async () => {
    const store = openStore();
    await store.createPlan(meta("p1"));
    expect(await store.getPlan("p1")).toEqual(meta("p1"));
    expect(await openStore().getPlan("p1")).toEqual(meta("p1"));
    expect(await listFiles(planDir("p1"))).toEqual(["plan.json"]);
  });

  it("returns a copy of the meta, not the stored object", async () => {
    const store = openStore();
    await store.createPlan(meta("p1"));
    const got = await store.getPlan("p1");
    if (got) got.name = "changed";
    expect((await store.getPlan("p1"))?.name).toBe("Plan p1");
  });

  it("returns null for unknown plans and for ids that are not ids", async () => {
    const store = openStore();
    expect(await store.getPlan("nope")).toBeNull();
    expect(await store.getPlan("../etc")).toBeNull();
    expect(await store.getPlan("")).toBeNull();
  });

  it("refuses to create a plan twice, in the same process or after a restart", async () => {
    await openStore().createPlan(meta("p1"));
    await expect(openStore().createPlan({ ...meta("p1"), name: "Other" })).rejects.toThrow("plan p1 exists");
    const store = openStore();
    await store.createPlan(meta("p2"));
    await expect(store.createPlan(meta("p2"))).rejects.toThrow("plan p2 exists");
    expect(await openStore().getPlan("p1")).toEqual(meta("p1"));
  });

  it("refuses a plan id that could escape the data directory", async () => {
    await expect(openStore().createPlan(meta("../evil"))).rejects.toThrow();
    await expect(fs.stat(path.join(dataDir, "evil"))).rejects.toThrow();
  });

  it("refuses to open a document of a plan that does not exist, creating nothing", async () => {
    await expect(openStore().openDocument("nope", "")).rejects.toThrow("plan nope does not exist");
    await expect(fs.stat(planDir("nope"))).rejects.toThrow();
  });
});

describe("LowdbStore documents", () => {
  it("opens a new document empty", async () => {
    const store = openStore();
    await store.createPlan(meta("p1"));
    const doc = await store.openDocument("p1", "");
    expect(doc.updates).toEqual([]);
    expect(doc.logBytes).toBe(0);
    await doc.close();
  });

  it("gives back appended updates, in order, after a restart", async () => {
    const store = openStore();
    await store.createPlan(meta("p1"));
    const doc = await store.openDocument("p1", "");
    const updates = edits(20);
    await Promise.all(updates.map((u) => doc.append(u)));
    const bytes = (await fs.stat(path.join(planDir("p1"), "main.0.log"))).size;
    expect(doc.logBytes).toBe(bytes);
    await doc.close();

    const again = await openStore().openDocument("p1", "");
    expect(again.updates).toEqual(updates);
    expect(again.logBytes).toBe(bytes);
    expect(stateOf(again)).toEqual(expected(20));
    await again.close();
  });

  it("keeps appending to the same log after a restart", async () => {
    await openStore().createPlan(meta("p1"));
    const updates = edits(6);
    const first = await openStore().openDocument("p1", "");
    for (const u of updates.slice(0, 3)) await first.append(u);
    await first.close();
    const second = await openStore().openDocument("p1", "");
    for (const u of updates.slice(3)) await second.append(u);
    await second.close();
    const third = await openStore().openDocument("p1", "");
    expect(third.updates).toEqual(updates);
    expect(await listFiles(planDir("p1"))).toEqual(["main.0.log", "plan.json"]);
    await third.close();
  });

  it("compacts into a snapshot: same state after a restart, old log removed", async () => {
    const store = openStore();
    await store.createPlan(meta("p1"));
    const doc = await store.openDocument("p1", "");
    const updates = edits(10);
    for (const u of updates) await doc.append(u);
    const y = new Y.Doc();
    for (const u of updates) Y.applyUpdate(y, u);
    await doc.compact(Y.encodeStateAsUpdate(y));
    expect(doc.logBytes).toBe(0);
    expect(await listFiles(planDir("p1"))).toEqual(["plan.json"]);
    await doc.close();

    const again = await openStore().openDocument("p1", "");
    expect(again.updates).toHaveLength(1);
    expect(again.updates[0]).toEqual(Y.encodeStateAsUpdate(y));
    expect(stateOf(again)).toEqual(expected(10));
    expect(again.logBytes).toBe(0);
    await again.close();
  });

  it("keeps appends made while a compaction runs", async () => {
    const store = openStore();
    await store.createPlan(meta("p1"));
    const doc = await store.openDocument("p1", "");
    const updates = edits(10);
    for (const u of updates.slice(0, 5)) await doc.append(u);
    const y = new Y.Doc();
    for (const u of updates.slice(0, 5)) Y.applyUpdate(y, u);
    // Not awaited: the later appends race the compaction.
    const compaction = doc.compact(Y.encodeStateAsUpdate(y));
    const late = updates.slice(5).map((u) => doc.append(u));
    await Promise.all([compaction, ...late]);
    await doc.close();

    const again = await openStore().openDocument("p1", "");
    expect(stateOf(again)).toEqual(expected(10));
    expect(again.updates.slice(1)).toEqual(updates.slice(5));
    expect(await listFiles(planDir("p1"))).toEqual(["main.1.log", "plan.json"]);
    await again.close();
  });

  it("keeps unflushed appends made before a compaction (the state passed in covers them)", async () => {
    const store = openStore();
    await store.createPlan(meta("p1"));
    const doc = await store.openDocument("p1", "");
    const updates = edits(8);
    const y = new Y.Doc();
    for (const u of updates) Y.applyUpdate(y, u);
    const acks = updates.map((u) => doc.append(u));
    const compaction = doc.compact(Y.encodeStateAsUpdate(y));
    await Promise.all([...acks, compaction]);
    await doc.close();
    const again = await openStore().openDocument("p1", "");
    expect(stateOf(again)).toEqual(expected(8));
    await again.close();
  });

  it("runs back-to-back compactions in order, the last snapshot winning", async () => {
    const store = openStore();
    await store.createPlan(meta("p1"));
    const doc = await store.openDocument("p1", "");
    const updates = edits(9);
    const y = new Y.Doc();
    const compactions: Promise<void>[] = [];
    for (let round = 0; round < 3; round++) {
      for (const u of updates.slice(round * 3, round * 3 + 3)) {
        Y.applyUpdate(y, u);
        void doc.append(u);
      }
      compactions.push(doc.compact(Y.encodeStateAsUpdate(y)));
    }
    await Promise.all(compactions);
    await doc.close();
    expect(await listFiles(planDir("p1"))).toEqual(["plan.json"]);
    const again = await openStore().openDocument("p1", "");
    expect(again.updates).toHaveLength(1);
    expect(stateOf(again)).toEqual(expected(9));
    await again.close();
  });

  it("loads a log that a crash left behind after its snapshot, then deletes it", async () => {
    const store = openStore();
    await store.createPlan(meta("p1"));
    const doc = await store.openDocument("p1", "");
    const updates = edits(4);
    for (const u of updates) await doc.append(u);
    const oldLog = await fs.readFile(path.join(planDir("p1"), "main.0.log"));
    const y = new Y.Doc();
    for (const u of updates) Y.applyUpdate(y, u);
    await doc.compact(Y.encodeStateAsUpdate(y));
    await doc.close();
    // As if the process died between writing plan.json and removing the old log.
    await fs.writeFile(path.join(planDir("p1"), "main.0.log"), oldLog);

    const again = await openStore().openDocument("p1", "");
    expect(stateOf(again)).toEqual(expected(4));
    expect(await listFiles(planDir("p1"))).toEqual(["plan.json"]);
    await again.close();
  });

  it("refuses a log damaged in its middle instead of loading what comes before it, writing nothing", async () => {
    await openStore().createPlan(meta("p1"));
    const first = await openStore().openDocument("p1", "");
    for (const u of edits(100)) await first.append(u);
    await first.close();
    const log = path.join(planDir("p1"), "main.0.log");
    const buf = await fs.readFile(log);
    buf[9] = (buf[9] as number) ^ 0x01;
    await fs.writeFile(log, buf);
    await expect(openStore().openDocument("p1", "")).rejects.toThrow(/record 1 \(at byte 0\) fails its checksum/);
    expect(await fs.readFile(log)).toEqual(buf);
  });

  it("drops a torn tail of the log on open and appends after the good records", async () => {
    const store = openStore();
    await store.createPlan(meta("p1"));
    const doc = await store.openDocument("p1", "");
    const updates = edits(5);
    for (const u of updates.slice(0, 4)) await doc.append(u);
    await doc.close();
    const log = path.join(planDir("p1"), "main.0.log");
    await fs.truncate(log, (await fs.stat(log)).size - 2);

    const again = await openStore().openDocument("p1", "");
    expect(again.updates).toEqual(updates.slice(0, 3));
    await again.append(updates[4] as Uint8Array);
    await again.close();
    const third = await openStore().openDocument("p1", "");
    expect(third.updates).toEqual([...updates.slice(0, 3), updates[4]]);
    await third.close();
  });

  it("keeps documents of different plans apart", async () => {
    const store = openStore();
    await store.createPlan(meta("p1"));
    await store.createPlan(meta("p2"));
    const a = await store.openDocument("p1", "");
    const b = await store.openDocument("p2", "");
    const [u1, u2] = edits(2);
    await a.append(u1 as Uint8Array);
    await b.append(u2 as Uint8Array);
    await a.close();
    await b.close();
    expect((await openStore().openDocument("p1", "")).updates).toEqual([u1]);
    expect((await openStore().openDocument("p2", "")).updates).toEqual([u2]);
  });
});

describe("LowdbStore with unreadable data", () => {
  it("rejects a corrupt plan.json and leaves it byte for byte as it was", async () => {
    await openStore().createPlan(meta("p1"));
    const file = path.join(planDir("p1"), "plan.json");
    const corrupt = Buffer.from('{"meta":{"id":"p1","name":"Plan p1"},"documents":{"main":{"snaps', "utf8");
    await fs.writeFile(file, corrupt);

    const store = openStore();
    await expect(store.getPlan("p1")).rejects.toThrow("is corrupt");
    await expect(store.openDocument("p1", "")).rejects.toThrow("is corrupt");
    await expect(store.createPlan(meta("p1"))).rejects.toThrow("plan p1 exists");
    expect(await fs.readFile(file)).toEqual(corrupt);
    expect(await listFiles(planDir("p1"))).toEqual(["plan.json"]);
  });

  it("keeps refusing on later attempts rather than caching an empty plan", async () => {
    await openStore().createPlan(meta("p1"));
    const file = path.join(planDir("p1"), "plan.json");
    await fs.writeFile(file, "");
    const store = openStore();
    await expect(store.getPlan("p1")).rejects.toThrow();
    await expect(store.getPlan("p1")).rejects.toThrow();
    expect(await fs.readFile(file, "utf8")).toBe("");
  });

  it("reads the plan again once the file is repaired", async () => {
    await openStore().createPlan(meta("p1"));
    const file = path.join(planDir("p1"), "plan.json");
    const good = await fs.readFile(file);
    await fs.writeFile(file, "{");
    const store = openStore();
    await expect(store.getPlan("p1")).rejects.toThrow();
    await fs.writeFile(file, good);
    expect(await store.getPlan("p1")).toEqual(meta("p1"));
  });
});

describe("DurableJSONFile", () => {
  it("writes JSON that reads back, leaving no temporary file", async () => {
    const file = path.join(dataDir, "x.json");
    const adapter = new DurableJSONFile<{ a: number[] }>(file);
    expect(await adapter.read()).toBeNull();
    await adapter.write({ a: [1, 2, 3] });
    expect(await adapter.read()).toEqual({ a: [1, 2, 3] });
    expect(JSON.parse(await fs.readFile(file, "utf8"))).toEqual({ a: [1, 2, 3] });
    expect(await listFiles(dataDir)).toEqual(["x.json"]);
  });

  it("applies concurrent writes in call order, the last one winning", async () => {
    const file = path.join(dataDir, "x.json");
    const adapter = new DurableJSONFile<{ n: number }>(file);
    await Promise.all(Array.from({ length: 20 }, (_, n) => adapter.write({ n })));
    expect(await adapter.read()).toEqual({ n: 19 });
    expect(await listFiles(dataDir)).toEqual(["x.json"]);
  });

  it("throws on a file that is not JSON instead of reading it as empty", async () => {
    const file = path.join(dataDir, "x.json");
    await fs.writeFile(file, "not json");
    await expect(new DurableJSONFile(file).read()).rejects.toThrow(`${file} is corrupt`);
  });

  it("leaves no temporary file after the store writes plans and snapshots", async () => {
    const store = openStore();
    await store.createPlan(meta("p1"));
    const doc = await store.openDocument("p1", "");
    const [u] = edits(1);
    await doc.append(u as Uint8Array);
    await doc.compact(u as Uint8Array);
    await doc.close();
    expect(await listFiles(planDir("p1"))).toEqual(["plan.json"]);
    expect(await listFiles(path.join(dataDir, "plans"))).toEqual(["p1"]);
  });
});

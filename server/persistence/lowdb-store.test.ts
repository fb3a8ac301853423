import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as Y from "yjs";
import { DurableJSONFile } from "./durable-json-file.ts";
import { LowdbStore } from "./lowdb-store.ts";
import { DamagedError, type PlanMeta, StorageWriteError, type StoredDocument } from "./store.ts";

let dataDir: string;
const stores: LowdbStore[] = [];

beforeEach(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "wilayah-lowdb-"));
});

afterEach(async () => {
  vi.restoreAllMocks();
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

/** The plan folder's own files (history/, the replay's, is tested in history-files.test.ts). */
async function listFiles(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).filter((f) => f !== "history").sort();
}

// What every store does is in store-contract.ts (run against this store too); here: its files.
describe("LowdbStore plans", () => {
  it("creates a plan and reads it back, also after a restart", async () => {
    const store = openStore();
    await store.createPlan(meta("p1"));
    expect(await store.getPlan("p1")).toEqual(meta("p1"));
    expect(await openStore().getPlan("p1")).toEqual(meta("p1"));
    // plan.json and its second copy.
    expect(await listFiles(planDir("p1"))).toEqual(["plan.json", "plan.prev.json"]);
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
    expect(await listFiles(planDir("p1"))).toEqual(["main.0.log", "plan.json", "plan.prev.json"]);
    await third.close();
  });

  it("compacts into a snapshot: same state after a restart, the old log kept with the previous snapshot", async () => {
    const store = openStore();
    await store.createPlan(meta("p1"));
    const doc = await store.openDocument("p1", "");
    const updates = edits(10);
    for (const u of updates) await doc.append(u);
    const y = new Y.Doc();
    for (const u of updates) Y.applyUpdate(y, u);
    await doc.compact(Y.encodeStateAsUpdate(y));
    expect(doc.logBytes).toBe(0);
    // plan.prev.json (the plan before the compaction) and main.0.log are the second copy.
    expect(await listFiles(planDir("p1"))).toEqual(["main.0.log", "plan.json", "plan.prev.json"]);
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
    expect(await listFiles(planDir("p1"))).toEqual(["main.0.log", "main.1.log", "plan.json", "plan.prev.json"]);
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
    // Logs before the previous snapshot (generation 2) are gone.
    expect(await listFiles(planDir("p1"))).toEqual(["main.2.log", "plan.json", "plan.prev.json"]);
    const again = await openStore().openDocument("p1", "");
    expect(again.updates).toHaveLength(1);
    expect(stateOf(again)).toEqual(expected(9));
    await again.close();
  });

  it("deletes a log that a crash left behind once both snapshots hold it", async () => {
    const store = openStore();
    await store.createPlan(meta("p1"));
    const doc = await store.openDocument("p1", "");
    const updates = edits(6);
    const y = new Y.Doc();
    for (const u of updates.slice(0, 3)) {
      await doc.append(u);
      Y.applyUpdate(y, u);
    }
    const oldLog = await fs.readFile(path.join(planDir("p1"), "main.0.log"));
    await doc.compact(Y.encodeStateAsUpdate(y));
    for (const u of updates.slice(3)) {
      await doc.append(u);
      Y.applyUpdate(y, u);
    }
    await doc.compact(Y.encodeStateAsUpdate(y));
    await doc.close();
    expect(await listFiles(planDir("p1"))).toEqual(["main.1.log", "plan.json", "plan.prev.json"]);
    // As if the process died between writing plan.json and removing the oldest log.
    await fs.writeFile(path.join(planDir("p1"), "main.0.log"), oldLog);

    const again = await openStore().openDocument("p1", "");
    expect(stateOf(again)).toEqual(expected(6));
    expect(await listFiles(planDir("p1"))).toEqual(["main.1.log", "plan.json", "plan.prev.json"]);
    await again.close();
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
  it("refuses a corrupt plan.json whose copy is damaged too, leaving both byte for byte as they were", async () => {
    await openStore().createPlan(meta("p1"));
    const file = path.join(planDir("p1"), "plan.json");
    const copy = path.join(planDir("p1"), "plan.prev.json");
    const corrupt = Buffer.from('{"meta":{"id":"p1","name":"Plan p1"},"documents":{"main":{"snaps', "utf8");
    await fs.writeFile(file, corrupt);
    await fs.writeFile(copy, "");

    const store = openStore();
    const error = await store.getPlan("p1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DamagedError);
    expect(error).toMatchObject({ planId: "p1", file: "plan.json" });
    expect((error as DamagedError).damage).toMatch(/not valid JSON.*plan.prev.json is damaged too \(it is empty\)/);
    await expect(store.openDocument("p1", "")).rejects.toThrow(DamagedError);
    await expect(store.createPlan(meta("p1"))).rejects.toThrow("plan p1 exists");
    expect(await fs.readFile(file)).toEqual(corrupt);
    expect(await fs.readFile(copy, "utf8")).toBe("");
    // The damaged file is also copied aside, once.
    const files = await listFiles(planDir("p1"));
    expect(files.filter((f) => f.startsWith("damaged-"))).toHaveLength(1);
    const aside = files.find((f) => f.startsWith("damaged-")) as string;
    expect(await fs.readFile(path.join(planDir("p1"), aside, "plan.json"))).toEqual(corrupt);
  });

  it("keeps refusing on later attempts rather than caching an empty plan", async () => {
    await openStore().createPlan(meta("p1"));
    const file = path.join(planDir("p1"), "plan.json");
    await fs.writeFile(file, "");
    await fs.rm(path.join(planDir("p1"), "plan.prev.json"));
    const store = openStore();
    await expect(store.getPlan("p1")).rejects.toThrow(DamagedError);
    await expect(store.getPlan("p1")).rejects.toThrow(DamagedError);
    await expect(store.updatePlan("p1", (m) => m)).rejects.toThrow(DamagedError);
    await expect(store.putAccounts("p1", { version: 1, importedAt: "", accounts: [] })).rejects.toThrow(DamagedError);
    expect(await fs.readFile(file, "utf8")).toBe("");
    expect((await listFiles(planDir("p1"))).filter((f) => !f.startsWith("damaged-"))).toEqual(["plan.json"]);
  });

  it("reads the plan again once an operator has repaired the file", async () => {
    await openStore().createPlan(meta("p1"));
    const file = path.join(planDir("p1"), "plan.json");
    const good = await fs.readFile(file);
    await fs.writeFile(file, "{");
    await fs.writeFile(path.join(planDir("p1"), "plan.prev.json"), "{");
    const store = openStore();
    expect(store.damagedPlans()).toEqual([]);
    await expect(store.getPlan("p1")).rejects.toThrow();
    // Listed for GET /api/ready while refused, and no longer once repaired.
    expect(store.damagedPlans()).toEqual(["p1"]);
    await fs.writeFile(file, good);
    expect(await store.getPlan("p1")).toEqual(meta("p1"));
    expect(store.damagedPlans()).toEqual([]);
  });

  it("pings: writes a marker and reads it back, concurrent pings sharing one; fails when the marker cannot be written", async () => {
    const store = openStore();
    await Promise.all([store.ping(), store.ping(), store.ping()]);
    expect(await fs.readFile(path.join(dataDir, "plans", ".ready"), "utf8")).not.toBe("");
    // A plan list never shows the marker: plan ids never start with a dot.
    expect(await store.getPlan(".ready")).toBeNull();
    await fs.rm(path.join(dataDir, "plans", ".ready"));
    await fs.mkdir(path.join(dataDir, "plans", ".ready"));
    await expect(store.ping()).rejects.toThrow();
  });
});

/** Flips one bit of the byte at `at` (negative: from the end) of a file. */
async function flipByte(file: string, at: number, bit = 0x01): Promise<Buffer> {
  const buf = await fs.readFile(file);
  const i = at < 0 ? buf.length + at : at;
  buf[i] = (buf[i] as number) ^ bit;
  await fs.writeFile(file, buf);
  return buf;
}

/** A plan with `count` edits: the first half folded into a snapshot (then the previous one), the rest in the log. */
async function planWithHistory(count: number): Promise<Uint8Array[]> {
  const store = openStore();
  await store.createPlan(meta("p1"));
  const doc = await store.openDocument("p1", "");
  const updates = edits(count);
  const y = new Y.Doc();
  const half = Math.floor(count / 2);
  for (const u of updates.slice(0, half)) {
    await doc.append(u);
    Y.applyUpdate(y, u);
  }
  await doc.compact(Y.encodeStateAsUpdate(y));
  for (const u of updates.slice(half)) await doc.append(u);
  await doc.close();
  expect(await listFiles(planDir("p1"))).toEqual(["main.0.log", "main.1.log", "plan.json", "plan.prev.json"]);
  return updates;
}

describe("LowdbStore with damaged data", () => {
  it("refuses a log damaged in its middle instead of loading the plan without it, and writes nothing", async () => {
    await openStore().createPlan(meta("p1"));
    const first = await openStore().openDocument("p1", "");
    for (const u of edits(100)) await first.append(u);
    await first.close();
    const log = path.join(planDir("p1"), "main.0.log");
    // A flipped byte in record 1 of 100.
    const damaged = await flipByte(log, 9);

    const store = openStore();
    const error = await store.openDocument("p1", "").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DamagedError);
    expect(error).toMatchObject({ planId: "p1", file: "main.0.log" });
    expect((error as Error).message).toMatch(
      /^This plan's stored data is damaged \(main\.0\.log: record 1 \(at byte 0\) fails its checksum, and intact records follow it/,
    );
    // Refused for everything now, the log untouched and a copy of it kept aside.
    await expect(store.getPlan("p1")).rejects.toThrow(DamagedError);
    await expect(store.getAccounts("p1")).rejects.toThrow(DamagedError);
    await expect(store.putActivity("p1", [])).rejects.toThrow(DamagedError);
    expect(await fs.readFile(log)).toEqual(damaged);
    const aside = (await listFiles(planDir("p1"))).find((f) => f.startsWith("damaged-")) as string;
    expect(await fs.readFile(path.join(planDir("p1"), aside, "main.0.log"))).toEqual(damaged);

    // An operator puts the byte back: the plan is all there again.
    await flipByte(log, 9);
    const doc = await store.openDocument("p1", "");
    expect(stateOf(doc)).toEqual(expected(100));
    await doc.close();
  });

  it("recovers completely from the copy when plan.json is damaged (its snapshot, the previous one and both logs)", async () => {
    await planWithHistory(20);
    const file = path.join(planDir("p1"), "plan.json");
    // A flipped bit inside the snapshot's base64 still parses: the checksum catches it.
    const damaged = await flipByte(file, -40, 0x02);
    expect(() => JSON.parse(damaged.toString("utf8"))).not.toThrow();

    const store = openStore();
    expect(await store.getPlan("p1")).toEqual(meta("p1"));
    const doc = await store.openDocument("p1", "");
    expect(stateOf(doc)).toEqual(expected(20));
    await doc.close();
    // plan.json is whole again; the damaged one is kept aside.
    const files = await listFiles(planDir("p1"));
    const aside = files.find((f) => f.startsWith("damaged-")) as string;
    expect(await fs.readFile(path.join(planDir("p1"), aside, "plan.json"))).toEqual(damaged);
    const again = await openStore().openDocument("p1", "");
    expect(stateOf(again)).toEqual(expected(20));
    await again.close();
  });

  it("recovers from the copy when a snapshot alone fails its checksum (a plan.json without a file checksum)", async () => {
    await planWithHistory(10);
    const file = path.join(planDir("p1"), "plan.json");
    // Rewrite plan.json the way files were before the file checksum, with one snapshot byte changed.
    const wrapped = JSON.parse(await fs.readFile(file, "utf8")) as {
      data: { documents: { main: { snapshot: string } } };
    };
    const plain = wrapped.data;
    const bytes = Buffer.from(plain.documents.main.snapshot, "base64");
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0x01;
    plain.documents.main.snapshot = bytes.toString("base64");
    await fs.writeFile(file, JSON.stringify(plain));

    const doc = await openStore().openDocument("p1", "");
    expect(stateOf(doc)).toEqual(expected(10));
    await doc.close();
  });

  it("refuses a damaged plan.json when the copy needs a log that is damaged too", async () => {
    await planWithHistory(20);
    await flipByte(path.join(planDir("p1"), "plan.json"), -40, 0x02);
    const oldLog = path.join(planDir("p1"), "main.0.log");
    await flipByte(oldLog, 9);
    const before = await fs.readFile(path.join(planDir("p1"), "plan.json"));

    const error = await openStore()
      .getPlan("p1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DamagedError);
    expect((error as DamagedError).damage).toMatch(
      /fails its checksum; its copy plan.prev.json cannot stand in for it because main.0.log is damaged/,
    );
    expect(await fs.readFile(path.join(planDir("p1"), "plan.json"))).toEqual(before);
  });

  it("ignores damage in a log that both snapshots already hold", async () => {
    const store = openStore();
    await store.createPlan(meta("p1"));
    const doc = await store.openDocument("p1", "");
    const y = new Y.Doc();
    const updates = edits(9);
    for (let round = 0; round < 3; round++) {
      for (const u of updates.slice(round * 3, round * 3 + 3)) {
        await doc.append(u);
        Y.applyUpdate(y, u);
      }
      await doc.compact(Y.encodeStateAsUpdate(y));
    }
    await doc.close();
    // main.2.log belongs to the copy (plan.prev.json); plan.json's snapshot holds it too.
    await flipByte(path.join(planDir("p1"), "main.2.log"), 9);
    const again = await openStore().openDocument("p1", "");
    expect(stateOf(again)).toEqual(expected(9));
    await again.close();
  });

  it("refuses damaged accounts, even when the damage still parses", async () => {
    const store = openStore();
    await store.createPlan(meta("p1"));
    const accounts = [{ id: "a1", name: "Toko", lon: 106.8, lat: -6.2, attrs: { revenue: 1250000 } }];
    await store.putAccounts("p1", { version: 3, importedAt: "2027-01-02T03:04:05.000Z", accounts });
    expect((await openStore().getAccounts("p1"))?.accounts).toEqual(accounts);
    const file = path.join(planDir("p1"), "accounts.json");
    const text = await fs.readFile(file, "utf8");
    const damaged = text.replace("1250000", "1250001");
    await fs.writeFile(file, damaged);

    const fresh = openStore();
    const error = await fresh.getAccounts("p1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DamagedError);
    expect(error).toMatchObject({ file: "accounts.json", damage: "it fails its checksum" });
    await expect(fresh.getPlan("p1")).rejects.toThrow(DamagedError);
    await expect(fresh.putAccounts("p1", { version: 4, importedAt: "", accounts: [] })).rejects.toThrow(DamagedError);
    expect(await fs.readFile(file, "utf8")).toBe(damaged);
  });

  it("reads the accounts' version from the head of the file, in either format", async () => {
    const store = openStore();
    await store.createPlan(meta("p1"));
    expect(await store.getAccountsVersion("p1")).toBe(0);
    const accounts = [{ id: "a1", name: "Toko", lon: 106.8, lat: -6.2, attrs: { revenue: 1 } }];
    await store.putAccounts("p1", { version: 12, importedAt: "2027-01-02T03:04:05.000Z", accounts });
    expect(await openStore().getAccountsVersion("p1")).toBe(12);
    await fs.writeFile(
      path.join(planDir("p1"), "accounts.json"),
      JSON.stringify({ version: 7, importedAt: "x", metrics: [], rows: [] }),
    );
    expect(await openStore().getAccountsVersion("p1")).toBe(7);
  });

  it("refuses an activity feed that does not parse rather than reading it as empty", async () => {
    const store = openStore();
    await store.createPlan(meta("p1"));
    await fs.writeFile(path.join(planDir("p1"), "activity.json"), '{"entries":[{"seq":1,');
    await expect(openStore().getActivity("p1")).rejects.toMatchObject({
      name: "DamagedError",
      file: "activity.json",
    });
  });

  it("reads files written before checksums", async () => {
    await openStore().createPlan(meta("p1"));
    const y = new Y.Doc();
    for (const u of edits(3)) Y.applyUpdate(y, u);
    const snapshot = Buffer.from(Y.encodeStateAsUpdate(y)).toString("base64");
    await fs.writeFile(
      path.join(planDir("p1"), "plan.json"),
      JSON.stringify({ meta: meta("p1"), documents: { main: { snapshot, logGen: 0 } } }),
    );
    await fs.rm(path.join(planDir("p1"), "plan.prev.json"));
    await fs.writeFile(
      path.join(planDir("p1"), "accounts.json"),
      JSON.stringify({ version: 2, importedAt: "x", metrics: [], rows: [["a", "A", 1, 2]] }),
    );
    const store = openStore();
    expect(await store.getPlan("p1")).toEqual(meta("p1"));
    const doc = await store.openDocument("p1", "");
    expect(stateOf(doc)).toEqual(expected(3));
    await doc.close();
    expect((await store.getAccounts("p1"))?.version).toBe(2);
  });

  it("reads a log with a torn tail without writing, and cuts it at the first append", async () => {
    await openStore().createPlan(meta("p1"));
    const first = await openStore().openDocument("p1", "");
    const updates = edits(4);
    for (const u of updates.slice(0, 3)) await first.append(u);
    await first.close();
    const log = path.join(planDir("p1"), "main.0.log");
    await fs.appendFile(log, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 5]));
    const torn = await fs.readFile(log);

    const doc = await openStore().openDocument("p1", "");
    expect(doc.updates).toEqual(updates.slice(0, 3));
    expect(await fs.readFile(log)).toEqual(torn);
    await doc.append(updates[3] as Uint8Array);
    await doc.close();
    expect((await openStore().openDocument("p1", "")).updates).toEqual(updates);
  });
});

describe("LowdbStore leftovers and full disks", () => {
  it("removes temporary files of interrupted writes when it first opens a plan, and unfinished plans at startup", async () => {
    await openStore().createPlan(meta("p1"));
    await fs.writeFile(path.join(planDir("p1"), ".accounts.json.0a1b2c.tmp"), "half");
    await fs.writeFile(path.join(planDir("p1"), ".plan.json.tmp"), "half");
    await fs.mkdir(path.join(dataDir, "plans", ".new-p2-abc123"));
    await fs.writeFile(path.join(dataDir, "plans", ".new-p2-abc123", "plan.json"), "{}");
    const store = openStore();
    expect(await store.getPlan("p1")).toEqual(meta("p1"));
    expect(await listFiles(planDir("p1"))).toEqual(["plan.json", "plan.prev.json"]);
    expect(await listFiles(path.join(dataDir, "plans"))).toEqual(["p1"]);
  });

  it("reports a full disk as a StorageWriteError and leaves no temporary file", async () => {
    const store = openStore();
    await store.createPlan(meta("p1"));
    const realOpen = fs.open;
    vi.spyOn(fs, "open").mockImplementation(async (...args: Parameters<typeof fs.open>) => {
      const handle = await realOpen(...args);
      if (String(args[0]).endsWith(".tmp")) {
        handle.writeFile = async () => {
          throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
        };
      }
      return handle;
    });
    const error = await store.putAccounts("p1", { version: 1, importedAt: "", accounts: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageWriteError);
    expect(error).toMatchObject({
      reason: "full",
      message: expect.stringMatching(/^The server's disk is full; nothing was saved/),
    });
    await expect(store.updatePlan("p1", (m) => ({ ...m, name: "x" }))).rejects.toThrow(StorageWriteError);
    vi.restoreAllMocks();
    expect(await listFiles(planDir("p1"))).toEqual(["plan.json", "plan.prev.json"]);
  });

  it("reports a read-only data folder as one that cannot be written, not one that cannot be read", async () => {
    const store = openStore();
    vi.spyOn(fs, "mkdtemp").mockRejectedValue(
      Object.assign(new Error("EROFS: read-only file system, mkdtemp"), { code: "EROFS" }),
    );
    const error = await store.createPlan(meta("p1")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageWriteError);
    expect((error as Error).message).toMatch(/cannot write to its data folder/);
  });

  it("reports a full disk while appending to the log as a StorageWriteError", async () => {
    const store = openStore();
    await store.createPlan(meta("p1"));
    const doc = await store.openDocument("p1", "");
    const realOpen = fs.open;
    vi.spyOn(fs, "open").mockImplementation(async (...args: Parameters<typeof fs.open>) => {
      const handle = await realOpen(...args);
      if (String(args[0]).endsWith(".log")) {
        handle.write = (async () => {
          throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
        }) as typeof handle.write;
      }
      return handle;
    });
    const [u] = edits(1);
    await expect(doc.append(u as Uint8Array)).rejects.toMatchObject({ name: "StorageWriteError", reason: "full" });
    vi.restoreAllMocks();
    await doc.close();
  });
});

describe("DurableJSONFile", () => {
  it("writes JSON that reads back, leaving no temporary file", async () => {
    const file = path.join(dataDir, "x.json");
    const adapter = new DurableJSONFile<{ a: number[] }>(file);
    expect(await adapter.read()).toBeNull();
    await adapter.write({ a: [1, 2, 3] });
    expect(await adapter.read()).toEqual({ a: [1, 2, 3] });
    expect(JSON.parse(await fs.readFile(file, "utf8"))).toEqual({ crc32: expect.any(String), data: { a: [1, 2, 3] } });
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
    await expect(new DurableJSONFile(file).read()).rejects.toThrow(`${file} is damaged: it is not valid JSON`);
  });

  it("leaves no temporary file after the store writes plans and snapshots", async () => {
    const store = openStore();
    await store.createPlan(meta("p1"));
    const doc = await store.openDocument("p1", "");
    const [u] = edits(1);
    await doc.append(u as Uint8Array);
    await doc.compact(u as Uint8Array);
    await doc.close();
    expect(await listFiles(planDir("p1"))).toEqual(["main.0.log", "plan.json", "plan.prev.json"]);
    expect(await listFiles(path.join(dataDir, "plans"))).toEqual(["p1"]);
  });
});

describe("LowdbStore reference data", () => {
  it("keeps blank account values missing (not 0) across a restart", async () => {
    await openStore().createPlan(meta("p1"));
    await openStore().putAccounts("p1", {
      version: 1,
      importedAt: "2027-01-01T00:00:00.000Z",
      accounts: [
        { id: "a", name: "A", lon: 106, lat: -6, attrs: { revenue: 5 } },
        { id: "b", name: "B", lon: 106, lat: -6, attrs: { visits: 2 } },
      ],
    });
    const back = await openStore().getAccounts("p1");
    expect(back?.accounts.map((a) => a.attrs)).toEqual([{ revenue: 5 }, { visits: 2 }]);
  });

  it("stores each kind in its own file, replaced whole, removed with null, and refuses a damaged one", async () => {
    await openStore().createPlan(meta("p2"));
    const undo = { importId: "i1", at: "2027-01-01", previous: [{ a: 1 }] };
    await openStore().putData("p2", "undo-territories", undo);
    expect(await openStore().getData("p2", "undo-territories")).toEqual(undo);
    expect(await openStore().getData("p2", "units")).toBeNull();
    await openStore().putData("p2", "undo-territories", null);
    expect(await openStore().getData("p2", "undo-territories")).toBeNull();
    await openStore().putData("p2", "undo-territories", undo);
    const file = path.join(planDir("p2"), "data-undo-territories.json");
    const bytes = await fs.readFile(file);
    bytes[bytes.length - 5] ^= 0x01;
    await fs.writeFile(file, bytes);
    await expect(openStore().getData("p2", "undo-territories")).rejects.toThrow(DamagedError);
  });
});

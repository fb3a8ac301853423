import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import pg from "pg";
import * as Y from "yjs";
import { contentOf } from "../../shared/versions/content.ts";
import { planDoc } from "../../shared/versions/testing.ts";
import { asPgWriteError } from "./pg/db.ts";
import { MIGRATIONS } from "./pg/migrations.ts";
import { freshSchema, sql } from "./pg/testing.ts";
import { PgStore, type PgStoreOptions } from "./pg-store.ts";
import { edits, planMeta, stateOf } from "./store-contract.ts";
import { DamagedError, DamagedVersionError, FencedError, StorageWriteError, type StoredDocument } from "./store.ts";

/** What only the PostgreSQL store does (the rest is in store-contract.ts): fencing, damage, migrations, errors. */
let schema: Awaited<ReturnType<typeof freshSchema>>;
const stores: PgStore[] = [];
const docs: StoredDocument[] = [];

beforeEach(async () => {
  vi.spyOn(console, "error").mockImplementation(() => {});
  vi.spyOn(console, "log").mockImplementation(() => {});
  schema = await freshSchema();
});

afterEach(async () => {
  for (const d of docs.splice(0)) await d.close().catch(() => {});
  for (const s of stores.splice(0)) await s.close().catch(() => {});
  await schema.drop();
  vi.restoreAllMocks();
});

async function open(opts: Partial<PgStoreOptions> = {}): Promise<PgStore> {
  const s = await PgStore.open({ url: schema.url, schema: schema.schema, ...opts });
  stores.push(s);
  return s;
}

async function openDoc(store: PgStore, planId = "p1"): Promise<StoredDocument> {
  const d = await store.openDocument(planId, "");
  docs.push(d);
  return d;
}

const rows = <R extends Record<string, unknown> = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  sql<R>(schema.schema, text, params);

describe("PgStore fencing (issue 16)", () => {
  it("lets only the holder of the newest fence write; the one taken over stores nothing more", async () => {
    const a = await open({ fencing: true });
    const b = await open({ fencing: true });
    await a.createPlan(planMeta("p1"));
    // The creator holds the plan's first fence.
    expect(a.fenceOf("p1")).toBe(1);
    expect(await a.takeFence("p1")).toBe(2);
    const y = new Y.Doc();
    const docA = await openDoc(a);
    const [u0, u1, u2] = edits(y, 0, 3) as [Uint8Array, Uint8Array, Uint8Array];
    await docA.append(u0);
    await a.putAccounts("p1", { version: 1, importedAt: "2027-01-01T00:00:00.000Z", accounts: [] });

    expect(await b.takeFence("p1")).toBe(3);
    await expect(docA.append(u1)).rejects.toBeInstanceOf(FencedError);
    await expect(
      a.putAccounts("p1", { version: 2, importedAt: "2027-01-01T00:00:00.000Z", accounts: [] }),
    ).rejects.toBeInstanceOf(FencedError);
    await expect(a.putData("p1", "proposals", { proposals: [] })).rejects.toBeInstanceOf(FencedError);
    await expect(a.updatePlan("p1", (m) => ({ ...m, name: "A's" }))).rejects.toBeInstanceOf(FencedError);
    await expect(a.deletePlan("p1")).rejects.toBeInstanceOf(FencedError);
    await expect(docA.compact(Y.encodeStateAsUpdate(y))).rejects.toBeInstanceOf(FencedError);
    expect(String((await a.putActivity("p1", []).catch((e: Error) => e)) as Error)).toMatch(
      /Another server instance now serves plan p1/,
    );

    // B reads everything A committed, and nothing A was refused.
    const docB = await openDoc(b);
    expect(stateOf(docB.updates)).toEqual({ k0: 0 });
    expect(await b.getAccountsVersion("p1")).toBe(1);
    expect(await b.getData("p1", "proposals")).toBeNull();
    expect((await b.getPlan("p1"))?.name).toBe("Plan p1");
    await docB.append(u2);
    expect((await rows("SELECT count(*)::int AS n FROM updates"))[0]).toEqual({ n: 2 });

    // Dropped: refused even before anyone else takes it.
    b.dropFence("p1");
    await expect(b.putActivity("p1", [])).rejects.toBeInstanceOf(FencedError);
    // The fence only grows, also after the plan is deleted and made again.
    expect(await b.takeFence("p1")).toBe(4);
    expect(await b.deletePlan("p1")).toBe(true);
    await b.createPlan(planMeta("p1"));
    expect(b.fenceOf("p1")).toBe(5);
  });

  it("a takeover waits for the batch in flight, which commits first; nothing commits after it", async () => {
    const a = await open({ fencing: true });
    const b = await open({ fencing: true });
    await a.createPlan(planMeta("p1"));
    const docA = await openDoc(a);
    const updates = edits(new Y.Doc(), 0, 10);
    const order: string[] = [];
    // Hold the fence row so that A's first INSERT (FOR SHARE) waits, then B's takeover (UPDATE) behind it.
    const blocker = new pg.Client({ connectionString: schema.url, options: `-c search_path=${schema.schema}` });
    await blocker.connect();
    let outcomes: string[];
    try {
      await blocker.query("BEGIN");
      await blocker.query("SELECT fence FROM plan_fences WHERE plan_id = 'p1' FOR UPDATE");
      const settle = (p: Promise<void>, i: number) =>
        p.then(
          () => {
            order.push(`append ${i}`);
            return "ok";
          },
          (e: unknown) => (e instanceof FencedError ? "fenced" : String(e)),
        );
      const first = settle(docA.append(updates[0] as Uint8Array), 0);
      await new Promise((r) => setTimeout(r, 100));
      const rest = updates.slice(1).map((u, i) => settle(docA.append(u), i + 1));
      const takeover = b.takeFence("p1").then((f) => {
        order.push("takeover");
        return f;
      });
      await new Promise((r) => setTimeout(r, 100));
      expect(order).toEqual([]);
      await blocker.query("COMMIT");
      expect(await takeover).toBe(2);
      outcomes = [await first, ...(await Promise.all(rest))];
    } finally {
      await blocker.end();
    }
    // The batch in flight committed before the takeover finished; every acknowledged append did.
    expect(outcomes[0]).toBe("ok");
    const acknowledged = outcomes.filter((o) => o === "ok").length;
    expect(outcomes).toEqual([...Array(acknowledged).fill("ok"), ...Array(10 - acknowledged).fill("fenced")]);
    expect(order.indexOf("takeover")).toBe(acknowledged);
    await expect(docA.append(edits(new Y.Doc(), 10, 11)[0] as Uint8Array)).rejects.toBeInstanceOf(FencedError);
    const docB = await openDoc(b);
    expect(docB.updates).toHaveLength(acknowledged);
  });

  it("refuses a write of a plan this store never took", async () => {
    const a = await open({ fencing: true });
    await a.createPlan(planMeta("p1"));
    const other = await open({ fencing: true });
    await expect(other.putActivity("p1", [])).rejects.toBeInstanceOf(FencedError);
    // Without fencing (one instance), writes are unchecked.
    const single = await open();
    await single.putActivity("p1", []);
  });

  it("an append in flight when another instance takes over either commits before it or is refused, never after", async () => {
    const a = await open({ fencing: true });
    const b = await open({ fencing: true });
    await a.createPlan(planMeta("p1"));
    const docA = await openDoc(a);
    const y = new Y.Doc();
    const updates = edits(y, 0, 200);
    const results = updates.map((u) =>
      docA.append(u).then(
        () => "ok" as const,
        (e: unknown) => (e instanceof FencedError ? ("fenced" as const) : e),
      ),
    );
    // Taken over while the appends stream in.
    await new Promise((r) => setTimeout(r, 5));
    const fence = await b.takeFence("p1");
    const outcome = await Promise.all(results);
    expect(outcome.every((o) => o === "ok" || o === "fenced")).toBe(true);
    const acknowledged = outcome.filter((o) => o === "ok").length;
    expect(outcome.slice(0, acknowledged).every((o) => o === "ok")).toBe(true);
    // Exactly the acknowledged ones are stored, and B sees them all.
    const docB = await openDoc(b);
    expect(docB.updates).toHaveLength(acknowledged);
    expect(stateOf(docB.updates)).toEqual(stateOf(updates.slice(0, acknowledged)));
    expect(fence).toBe(2);
  });
});

describe("PgStore damage", () => {
  it("refuses a plan whose update row fails its checksum, on open and on every write, until restored", async () => {
    const store = await open();
    await store.createPlan(planMeta("p1"));
    const doc = await openDoc(store);
    for (const u of edits(new Y.Doc(), 0, 3)) await doc.append(u);
    await doc.close();
    const [victim] = await rows<{ id: string; bytes: Buffer }>(
      "SELECT id, bytes FROM updates ORDER BY id LIMIT 1 OFFSET 1",
    );
    const flipped = Buffer.from((victim as { bytes: Buffer }).bytes);
    flipped[flipped.length - 1] ^= 0xff;
    await rows("UPDATE updates SET bytes = $2 WHERE id = $1", [victim?.id, flipped]);

    const again = await open();
    const refused = await again.openDocument("p1", "").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DamagedError);
    expect((refused as DamagedError).file).toBe("updates/main");
    await expect(again.putActivity("p1", [])).rejects.toBeInstanceOf(DamagedError);
    await expect(again.getAccounts("p1")).rejects.toBeInstanceOf(DamagedError);
    // Nothing was written over it.
    expect((await rows("SELECT count(*)::int AS n FROM updates"))[0]).toEqual({ n: 3 });
    expect(await rows("SELECT * FROM plan_activity")).toEqual([]);

    // An operator restores the row: the plan serves again.
    await rows("UPDATE updates SET bytes = $2 WHERE id = $1", [victim?.id, victim?.bytes]);
    expect(stateOf((await openDoc(again)).updates)).toEqual({ k0: 0, k1: 1, k2: 2 });
  });

  it("refuses a damaged snapshot, meta, accounts or feed even when the damage still parses", async () => {
    const store = await open();
    await store.createPlan(planMeta("p1"));
    await store.createPlan(planMeta("p2"));
    const y = new Y.Doc();
    const doc = await openDoc(store);
    for (const u of edits(y, 0, 3)) await doc.append(u);
    await doc.compact(Y.encodeStateAsUpdate(y));
    await doc.close();
    await store.putAccounts("p2", { version: 1, importedAt: "2027-01-01T00:00:00.000Z", accounts: [] });
    await store.putActivity("p2", []);

    await rows("UPDATE documents SET snapshot = snapshot || '\\x00'::bytea WHERE plan_id = 'p1'");
    await rows(`UPDATE plans SET meta = replace(meta, 'Plan p2', 'Plan p3') WHERE id = 'p2'`);
    const again = await open();
    await expect(again.openDocument("p1", "")).rejects.toThrow(/snapshot of document "main" fails its checksum/);
    await expect(again.getPlan("p2")).rejects.toBeInstanceOf(DamagedError);

    await rows(`UPDATE plans SET meta = replace(meta, 'Plan p3', 'Plan p2') WHERE id = 'p2'`);
    await rows(`UPDATE plan_accounts SET body = replace(body, '"version":1', '"version":2')`);
    const third = await open();
    await expect(third.getAccounts("p2")).rejects.toThrow(/plan_accounts: it fails its checksum/);
    await rows(`UPDATE plan_accounts SET body = replace(body, '"version":2', '"version":1')`);
    await rows(`UPDATE plan_activity SET body = '{"entries":[ ]}'`);
    await expect((await open()).getActivity("p2")).rejects.toBeInstanceOf(DamagedError);
  });

  it("reports a damaged version as a DamagedVersionError, listed, never dropped; the plan serves on", async () => {
    const store = await open();
    await store.createPlan(planMeta("p1"));
    const content = contentOf(planDoc({ territories: [] }), { accounts: 0, competitors: 0, units: 0 });
    const entry = (id: string) => ({
      id,
      name: id,
      at: "2027-01-01T00:00:00.000Z",
      by: { id: "p", name: "P", role: "edit" as const },
      auto: false,
      reason: null,
      summary: "",
      refs: { accounts: 0, competitors: 0, units: 0 },
      bytes: 0,
    });
    await store.putVersion("p1", entry("v-a"), content);
    await store.putVersion("p1", entry("v-b"), content);
    await rows(`UPDATE versions SET body = overlay(body placing '\\xff'::bytea from 12) WHERE id = 'v-a'`);
    const again = await open();
    await expect(again.getVersionBody("p1", "v-a")).rejects.toBeInstanceOf(DamagedVersionError);
    const list = await again.getVersions("p1");
    expect(list.map((v) => [v.id, v.damaged])).toEqual([
      ["v-a", "it fails its checksum"],
      ["v-b", undefined],
    ]);
    expect(await again.getVersionBody("p1", "v-b")).toContain('"v-b"');
    expect(await again.getPlan("p1")).not.toBeNull();
  });
});

describe("PgStore history and group commit", () => {
  it("keeps snapshots and lets old runs go by the history policy; damage in history ends a page, not the plan", async () => {
    const store = await open({
      historyPolicy: { snapshotMinBytes: 1 << 30, snapshotMaxUpdates: 5, maxAgeMs: 1000, maxBytes: 1 << 30 },
    });
    await store.createPlan(planMeta("p1"));
    const y = new Y.Doc();
    const doc = await openDoc(store);
    const run = async (from: number, to: number, at: number) => {
      for (const [i, u] of edits(y, from, to).entries()) await doc.append(u, { at: at + i, by: null });
    };
    await run(0, 10, 1000);
    await doc.compact(Y.encodeStateAsUpdate(y)); // generation 1, a snapshot at 1009
    await run(10, 20, 5000);
    await doc.compact(Y.encodeStateAsUpdate(y)); // generation 2, a snapshot at 5009; generation 0 is too old: let go
    await run(20, 25, 9000);
    expect(await rows("SELECT DISTINCT gen FROM updates ORDER BY gen")).toEqual([{ gen: 1 }, { gen: 2 }]);
    expect(await rows("SELECT gen, at FROM history_snapshots ORDER BY gen")).toEqual([
      { gen: 1, at: 1009 },
      { gen: 2, at: 5009 },
    ]);
    const all = await store.getHistory("p1", "", { from: 0, to: 1e12, cursor: null }, 1 << 20);
    expect(all.entries.map((e) => e.kind)).toEqual(["snapshot", ...Array(15).fill("update")]);
    expect(stateOf(all.entries.map((e) => e.bytes))).toEqual(stateOf(edits(new Y.Doc(), 0, 25)));
    // A seek starts at the nearest snapshot before it.
    const late = await store.getHistory("p1", "", { from: 6000, to: 1e12, cursor: null }, 1 << 20);
    expect(late.entries[0]).toMatchObject({ kind: "snapshot", at: 5009 });
    expect(late.entries).toHaveLength(6);

    await rows(
      "UPDATE updates SET bytes = bytes || '\\x00'::bytea WHERE id = (SELECT min(id) FROM updates WHERE gen = 1) + 3",
    );
    const cut = await store.getHistory("p1", "", { from: 0, to: 1e12, cursor: null }, 1 << 20);
    expect(cut).toMatchObject({ next: null });
    expect(cut.entries).toHaveLength(1 + 3);
    // Generation 1 is history only: the document itself still opens.
    await doc.close();
    expect(stateOf((await openDoc(await open())).updates)).toEqual(stateOf(edits(new Y.Doc(), 0, 25)));
  });

  it("group-commits appends that arrive while one INSERT is in flight", async () => {
    const store = await open();
    await store.createPlan(planMeta("p1"));
    const doc = await openDoc(store);
    const query = vi.spyOn(store.pool, "query");
    await Promise.all(edits(new Y.Doc(), 0, 300).map((u) => doc.append(u)));
    const inserts = query.mock.calls.filter(([text]) => String(text).includes("INSERT INTO updates")).length;
    expect(inserts).toBeGreaterThanOrEqual(2);
    expect(inserts).toBeLessThan(10);
    expect(stateOf((await openDoc(await open())).updates)).toEqual(stateOf(edits(new Y.Doc(), 0, 300)));
  });
});

describe("PgStore migrations and storage errors", () => {
  it("migrates an empty database, then a database of the previous schema whose plans still load", async () => {
    const old = await open({ migrateTo: 1 });
    expect(await rows("SELECT id FROM schema_migrations")).toEqual([{ id: 1 }]);
    await old.createPlan(planMeta("p1"));
    const doc = await openDoc(old);
    for (const u of edits(new Y.Doc(), 0, 5)) await doc.append(u, { at: 1, by: null });
    await doc.close();
    await old.putAccounts("p1", { version: 4, importedAt: "2027-01-01T00:00:00.000Z", accounts: [] });
    await old.close();
    stores.splice(stores.indexOf(old), 1);

    // Two instances starting together: the advisory lock runs each migration once.
    const [a, b] = await Promise.all([open(), open()]);
    expect((await rows("SELECT id FROM schema_migrations ORDER BY id")).map((r) => r.id)).toEqual(
      MIGRATIONS.map((m) => m.id),
    );
    expect(await a.getPlan("p1")).toEqual(planMeta("p1"));
    expect(stateOf((await openDoc(b)).updates)).toEqual({ k0: 0, k1: 1, k2: 2, k3: 3, k4: 4 });
    expect(await b.getAccountsVersion("p1")).toBe(4);
    expect(await a.takeFence("p1")).toBe(1);
  });

  it("reports a read-only database and a full disk as StorageWriteErrors", async () => {
    const store = await open();
    await store.createPlan(planMeta("p1"));
    const readOnly = await open({ settings: { default_transaction_read_only: "on" } });
    const error = await readOnly.putActivity("p1", []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageWriteError);
    expect((error as StorageWriteError).reason).toBe("read-only");
    const doc = await openDoc(readOnly);
    await expect(doc.append(edits(new Y.Doc(), 0, 1)[0] as Uint8Array)).rejects.toMatchObject({ reason: "read-only" });
    // PostgreSQL's disk-full error (SQLSTATE 53100) cannot be caused here without filling the disk.
    expect(asPgWriteError(Object.assign(new Error("could not extend file"), { code: "53100" }))).toMatchObject({
      reason: "full",
    });
  });
});

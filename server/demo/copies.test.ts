import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as Y from "yjs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readUnitsVersion, territoriesMap, unitsMap } from "../../shared/doc/schema.ts";
import { MemoryStore } from "../persistence/memory-store.ts";
import { naturalEarthLand } from "../units/land.ts";
import { DemoCopies } from "./copies.ts";
import { buildDemoTemplate, demoTemplate } from "./seed.ts";

const DAY = 86_400_000;
const template = () => demoTemplate(async () => buildDemoTemplate(await naturalEarthLand()));

describe("DemoCopies", () => {
  let dataDir: string;
  let store: MemoryStore;
  let now: number;
  let open: Set<string>;
  let copies: DemoCopies;

  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "wilayah-demo-copies-"));
    store = new MemoryStore();
    now = Date.parse("2026-12-01T00:00:00Z");
    open = new Set();
    copies = new DemoCopies(
      store,
      { ttlDays: 3 },
      {
        inUse: (id) => open.has(id),
        deleteIfIdle: async (id) => !open.has(id) && store.deletePlan(id),
        template,
      },
      () => now,
    );
    await copies.start();
  });

  afterEach(async () => {
    await copies.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it("makes a plan from the template: meta marked as a copy, the accounts, the document", async () => {
    const copy = await copies.make();
    const meta = await store.getPlan(copy.id);
    expect(meta).toMatchObject({ name: "Demo: Java sales territories", demoCopy: { createdAt: copy.createdAt } });
    expect(meta?.publicTokens).toBeUndefined();
    expect((await store.getAccounts(copy.id))?.accounts).toHaveLength(6000);
    expect((await store.getData(copy.id, "competitors"))?.accounts).toHaveLength(300);
    const units = await store.getData(copy.id, "units");
    expect(units?.kind).toBe("h3");
    expect(units?.attributes).toEqual(["population"]);
    const stored = await store.openDocument(copy.id, "");
    const doc = new Y.Doc();
    for (const u of stored.updates) Y.applyUpdate(doc, u);
    expect(territoriesMap(doc).size).toBe(10);
    expect(readUnitsVersion(doc)).toBe(units?.version);
    expect(unitsMap(doc).size).toBe(units?.ids.length);
    expect(Object.keys(copy.tokens).sort()).toEqual(["comment", "edit", "view"]);
  });

  it("deletes copies idle past the idle time, keeps used and open ones, and never deletes other plans", async () => {
    const idle = await copies.make();
    const used = await copies.make();
    const opened = await copies.make();
    open.add(opened.id);
    now += 2 * DAY;
    copies.touch(used.id);
    now += 1.5 * DAY;
    expect(await copies.sweep()).toEqual([idle.id]);
    expect(await store.getPlan(idle.id)).toBeNull();
    expect(await store.getPlan(used.id)).not.toBeNull();
    expect(await store.getPlan(opened.id)).not.toBeNull();

    // Closed later: idle from then on.
    open.delete(opened.id);
    now += 2 * DAY;
    expect(await copies.sweep()).toEqual([used.id]);
    now += 1.5 * DAY;
    expect(await copies.sweep()).toEqual([opened.id]);
  });

  it("keeps what it knows across a restart, and refuses to delete a plan that is not a copy", async () => {
    const copy = await copies.make();
    await copies.close();
    // Someone's plan under a listed id (a damaged list): never deleted.
    await store.deletePlan(copy.id);
    await store.createPlan({ id: copy.id, name: "Real work", createdAt: new Date(now).toISOString() });
    const again = new DemoCopies(
      store,
      { ttlDays: 3 },
      { inUse: () => false, deleteIfIdle: (id) => store.deletePlan(id), template: template },
      () => now + 4 * DAY,
    );
    await again.start();
    expect(await store.getPlan(copy.id)).toMatchObject({ name: "Real work" });
    await again.close();
  });
});

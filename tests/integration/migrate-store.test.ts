import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { contentOf } from "../../shared/versions/content.ts";
import { planDoc } from "../../shared/versions/testing.ts";
import { newAccess } from "../../server/access/tokens.ts";
import { copyStore, describeCopy, type PlanCopy } from "../../server/persistence/copy-store.ts";
import { LowdbStore } from "../../server/persistence/lowdb-store.ts";
import { MemoryStore } from "../../server/persistence/memory-store.ts";
import { PgStore } from "../../server/persistence/pg-store.ts";
import { freshSchema } from "../../server/persistence/pg/testing.ts";
import { edits, planMeta, stateOf, versionEntry } from "../../server/persistence/store-contract.ts";
import type { PlanStore } from "../../server/persistence/store.ts";
import { box } from "../fixtures/shapes.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const run = promisify(execFile);

/** `npm run migrate-store` as an operator runs it (issue 16). */
async function migrateStore(...args: string[]): Promise<{ stdout: string; code: number }> {
  try {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "server/tools/migrate-store.ts", ...args], {
      cwd: ROOT,
    });
    return { stdout, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: `${err.stdout}${err.stderr}`, code: err.code };
  }
}

let source: string;
let back: string;
let schema: Awaited<ReturnType<typeof freshSchema>>;

beforeEach(async () => {
  source = await fs.mkdtemp(path.join(os.tmpdir(), "wilayah-migrate-from-"));
  back = await fs.mkdtemp(path.join(os.tmpdir(), "wilayah-migrate-back-"));
  schema = await freshSchema();
});

afterEach(async () => {
  await fs.rm(source, { recursive: true, force: true });
  await fs.rm(back, { recursive: true, force: true });
  await schema.drop();
});

const accounts = (version: number, n: number) => ({
  version,
  importedAt: "2027-01-01T00:00:00.000Z",
  accounts: Array.from({ length: n }, (_, i) => ({
    id: `a${i}`,
    name: `A ${i}`,
    lon: 106,
    lat: -6,
    attrs: { revenue: i },
  })),
});

/** Everything a plan can hold, the document compacted once, in the file store. */
async function seed(store: PlanStore): Promise<void> {
  // The hashed links go along: the same links open the plan on the target.
  await store.createPlan({ ...planMeta("p1"), access: newAccess(new Date("2027-01-01T00:00:00Z")).access });
  await store.createPlan(planMeta("p2"));
  const y = new Y.Doc();
  const doc = await store.openDocument("p1", "");
  for (const u of edits(y, 0, 40)) await doc.append(u, { at: 1, by: null });
  await doc.compact(Y.encodeStateAsUpdate(y));
  for (const u of edits(y, 40, 50)) await doc.append(u, { at: 2, by: null });
  await doc.close();
  await store.putAccounts("p1", accounts(1, 3));
  await store.keepData("p1", "accounts");
  await store.putAccounts("p1", accounts(2, 5));
  await store.putData("p1", "proposals", { proposals: [] });
  const content = contentOf(planDoc({ territories: [{ id: "w", name: "W", geometry: box(106, -7, 107, -6) }] }), {
    accounts: 1,
    competitors: 0,
    units: 0,
  });
  await store.putVersion("p1", { ...versionEntry("v-1"), name: "Before" }, content);
  await store.appendScores("p1", [{ at: 5, score: 42 }]);
  await store.putServerData("person-key", { key: "a-person-key-of-enough-length" });
}

/** What a plan holds, read through the interface, for comparing two stores. */
async function snapshot(store: PlanStore, id: string) {
  const doc = await store.openDocument(id, "");
  const state = stateOf(doc.updates);
  await doc.close();
  return {
    meta: await store.getPlan(id),
    state,
    accounts: await store.getAccounts(id),
    kept: await store.keptVersions(id, "accounts"),
    keptBody: await store.getKeptData(id, "accounts", 1),
    proposals: await store.getData(id, "proposals"),
    versions: (await store.getVersions(id)).map(({ bytes: _, ...v }) => v),
    body: JSON.parse((await store.getVersionBody(id, "v-1")) ?? "null"),
    scores: await store.getScores(id, 0, 100),
  };
}

describe("npm run migrate-store (issue 16)", () => {
  it("copies a data folder into PostgreSQL and back, every plan whole, and refuses to overwrite", async () => {
    const files = new LowdbStore(source);
    await seed(files);
    const expected = await snapshot(files, "p1");
    expect(expected.state).toEqual(stateOf(edits(new Y.Doc(), 0, 50)));
    await files.close();

    const pgUrl = schema.url;
    const there = await migrateStore("--from", `data-dir:${source}`, "--to", pgUrl, "--schema", schema.schema);
    expect(there.code).toBe(0);
    expect(there.stdout).toMatch(
      /p1 "Plan p1": document main \(\d+ bytes\); accounts v2 \(5\); data: proposals; 1 versions; kept accounts 1; 1 scores/,
    );
    expect(there.stdout).toMatch(/copied 2 of 2 plans \(0 skipped\)/);
    expect(there.stdout).toMatch(/person key copied/);

    const pg = await PgStore.open({ url: pgUrl, schema: schema.schema });
    try {
      expect(await snapshot(pg, "p1")).toEqual(expected);
      expect(await pg.getServerData("person-key")).toEqual({ key: "a-person-key-of-enough-length" });
    } finally {
      await pg.close();
    }

    // Again: the plans exist there now.
    const again = await migrateStore("--from", `data-dir:${source}`, "--to", pgUrl, "--schema", schema.schema);
    expect(again.stdout).toMatch(/p1 "Plan p1": skipped, a plan with this id exists at the target/);
    expect(again.stdout).toMatch(/copied 0 of 2 plans \(2 skipped\)/);

    const home = await migrateStore("--from", pgUrl, "--schema", schema.schema, "--to", `data-dir:${back}`);
    expect(home.code).toBe(0);
    const returned = new LowdbStore(back);
    try {
      expect(await snapshot(returned, "p1")).toEqual(expected);
      expect((await returned.listPlans()).sort()).toEqual(["p1", "p2"]);
      expect(await returned.getServerData("person-key")).toEqual({ key: "a-person-key-of-enough-length" });
    } finally {
      await returned.close();
    }
  });

  it("reports a plan it cannot read, leaves nothing of it at the target, and copies the others", async () => {
    const files = new LowdbStore(source);
    await files.createPlan(planMeta("p1"));
    await files.createPlan(planMeta("p2"));
    await files.putAccounts("p2", accounts(1, 3));
    await files.close();
    const file = path.join(source, "plans", "p2", "accounts.json");
    await fs.writeFile(file, (await fs.readFile(file, "utf8")).replace('"A 1"', '"A 7"'));
    const target = new MemoryStore();
    const { plans } = await copyStore(new LowdbStore(source), target);
    expect(plans.map((p) => [p.id, p.failed])).toEqual([
      ["p1", false],
      ["p2", true],
    ]);
    expect(describeCopy(plans[1] as PlanCopy)).toMatch(
      /p2 "": skipped, not copied: This plan's stored data is damaged \(accounts.json/,
    );
    expect(await target.listPlans()).toEqual(["p1"]);
  });

  it("says how to call it when the ends are wrong", async () => {
    const r = await migrateStore("--from", "./data", "--to", "mysql://x");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/--from must be data-dir:<folder> or a postgres:\/\/ URL/);
  });
});

/**
 * Durable commit of one document update, file store against PostgreSQL
 * (issue 16): `npx tsx tests/bench/store-commit.ts` (WILAYAH_TEST_DATABASE_URL
 * to point elsewhere; BENCH_N appends, default 1000). Two shapes:
 *
 * - one at a time: each append awaited before the next (an edit's wait for
 *   its commit when nobody else is editing);
 * - 50 at once, 20 rounds: group commit (appends arriving while one write is
 *   in flight go in the next), each append's time from call to resolve.
 *
 * Prints p50/p99/max in ms per store and shape. Reports, never asserts.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as Y from "yjs";
import { LowdbStore } from "../../server/persistence/lowdb-store.ts";
import { PgStore } from "../../server/persistence/pg-store.ts";
import { freshSchema } from "../../server/persistence/pg/testing.ts";
import type { PlanStore } from "../../server/persistence/store.ts";
import { percentile } from "./lib/report.ts";

const N = Number(process.env.BENCH_N ?? 1000);

function updates(n: number): Uint8Array[] {
  const doc = new Y.Doc();
  const out: Uint8Array[] = [];
  doc.on("update", (u: Uint8Array) => out.push(u));
  for (let i = 0; i < n; i++) doc.getMap("territories").set(`t${i}`, { name: `Territory ${i}`, color: "#3366cc" });
  return out;
}

/** With fencing on, creating a plan takes its fence, so the appends are checked against it. */
async function measure(store: PlanStore, prefix: string) {
  const by = { id: "p-ana", name: "Ana", role: "edit" as const };
  const plan = async (name: string) => {
    const id = `${prefix}-${name}`;
    await store.createPlan({ id, name: id, createdAt: new Date().toISOString() });
    return store.openDocument(id, "");
  };
  const serial = await plan("serial");
  const one: number[] = [];
  for (const u of updates(N)) {
    const t = performance.now();
    await serial.append(u, { at: Date.now(), by });
    one.push(performance.now() - t);
  }
  await serial.close();
  const grouped = await plan("grouped");
  const many: number[] = [];
  const all = updates(N);
  for (let r = 0; r < N / 50; r++) {
    await Promise.all(
      all.slice(r * 50, r * 50 + 50).map(async (u) => {
        const t = performance.now();
        await grouped.append(u, { at: Date.now(), by });
        many.push(performance.now() - t);
      }),
    );
  }
  await grouped.close();
  return { one, many };
}

const fmt = (v: number[]) =>
  `p50 ${percentile(v, 50).toFixed(2)} · p99 ${percentile(v, 99).toFixed(2)} · max ${Math.max(...v).toFixed(2)}`;

const dir = await fs.mkdtemp(path.join(os.tmpdir(), "wilayah-bench-commit-"));
const schema = await freshSchema();
try {
  const rows: [string, Awaited<ReturnType<typeof measure>>][] = [];
  const files = new LowdbStore(dir);
  rows.push(["file store (fdatasync)", await measure(files, "f")]);
  await files.close();
  const pg = await PgStore.open({ url: schema.url, schema: schema.schema });
  rows.push(["PostgreSQL (synchronous_commit)", await measure(pg, "pg")]);
  await pg.close();
  const fenced = await PgStore.open({ url: schema.url, schema: schema.schema, fencing: true });
  rows.push(["PostgreSQL, fencing on", await measure(fenced, "fenced")]);
  await fenced.close();
  console.log(`| store | ${N} appends one at a time (ms) | 50 at once, group commit (ms) |`);
  console.log("| --- | --- | --- |");
  for (const [name, r] of rows) console.log(`| ${name} | ${fmt(r.one)} | ${fmt(r.many)} |`);
} finally {
  await fs.rm(dir, { recursive: true, force: true });
  await schema.drop();
}

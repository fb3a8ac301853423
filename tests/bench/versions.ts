/**
 * Versions (issue 14; README "Benchmarks"): on a plan of 500 territories
 * (100,000 vertices) and 50,000 accounts, saving a version (bar ≤ 200 ms),
 * opening one — its territories then its analysis, as the History panel
 * will — and comparing two (bar ≤ 500 ms), with `GET /api/health` polled
 * meanwhile to show what they cost everyone else; the size on disk of a
 * version of the demo plan (Java, 3,832 hexagons); and a year of daily
 * sessions with the thinning policy, simulated on the demo plan through the
 * real store. Each beside the naive way, in the same run: a version as
 * `Y.encodeStateAsUpdate` of the plan (plus its accounts, for opening it
 * later), every checkpoint kept.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import * as Y from "yjs";
import { readUnitAssignment, unitsMap } from "../../shared/doc/schema.ts";
import { mulberry32 } from "../../shared/scoring/synthetic.ts";
import { contentOf } from "../../shared/versions/content.ts";
import type { VersionEntry } from "../../shared/versions/entry.ts";
import { summaryLine } from "../../shared/versions/summary.ts";
import { thin } from "../../shared/versions/thinning.ts";
import { LowdbStore } from "../../server/persistence/lowdb-store.ts";
import type { KeptKind } from "../../server/persistence/store.ts";
import { importAccounts } from "./lib/accounts.ts";
import { JAVA, javaGrid } from "./lib/geometry.ts";
import { censoredPercentile, HealthPoller, type Sample } from "./lib/health-poll.ts";
import { type BenchContext, type BenchResult, type Benchmark, fmt, fmtBytes, median, waitFor } from "./lib/report.ts";
import {
  api,
  type CreatedPlan,
  createPlan,
  dirSize,
  planSyncUrl,
  type RunningServer,
  startOurServer,
  tempDir,
} from "./lib/servers.ts";
import { SyncSocket } from "./lib/sync-socket.ts";

const COLS = 25;
const ROWS = 20;
/** Vertices per side of a grid cell: 4 × 50 = 200 a territory, 100,000 in all. */
const PER_SIDE = 50;
const ACCOUNTS = 50_000;

interface Timed {
  ms: number;
  status: number;
  body: string;
}

async function timed(
  server: RunningServer,
  plan: CreatedPlan,
  pathAndQuery: string,
  init?: RequestInit,
): Promise<Timed> {
  const t0 = performance.now();
  const res = await api(server, plan, pathAndQuery, init);
  const body = await res.text();
  return { ms: performance.now() - t0, status: res.status, body };
}

function ok(r: Timed, what: string): Timed {
  if (r.status < 200 || r.status > 299) throw new Error(`${what}: ${r.status} ${r.body.slice(0, 300)}`);
  return r;
}

const saveVersion = (server: RunningServer, plan: CreatedPlan, name: string) =>
  timed(server, plan, `/api/plans/${plan.id}/versions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });

/** Renames a territory over REST: the next version differs from the last. */
async function edit(server: RunningServer, plan: CreatedPlan, i: number): Promise<void> {
  ok(
    await timed(server, plan, `/api/plans/${plan.id}/territories/t${i}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "Feature", properties: { name: `Renamed ${i}` } }),
    }),
    "PUT territory",
  );
}

/** `GET /api/health` every 20 ms around `fn`: its p99 and worst, against the event loop `fn` holds. */
async function polled<T>(server: RunningServer, fn: () => Promise<T>): Promise<{ result: T; health: Sample[] }> {
  const poller = new HealthPoller(server.url, 20);
  poller.start();
  try {
    const result = await fn();
    return { result, health: poller.finish() };
  } catch (e) {
    poller.finish();
    throw e;
  }
}

function healthCell(samples: Sample[]): string {
  const p99 = censoredPercentile(samples, 99);
  const max = Math.max(...samples.map((s) => s.ms));
  return `${fmt(p99.ms)} / ${fmt(max)} ms (${samples.length} polls)`;
}

// ── the large plan ──────────────────────────────────────────────────────────

interface Large {
  saveFirstMs: number;
  importMs: number;
  /** The first version opened after the server started: code loaded, accounts parsed, a full analysis. */
  coldOpenMs: number;
  saveMs: number[];
  openMs: number[];
  openParts: { territories: number; analysis: number }[];
  compareMs: number[];
  compareCurrentMs: number[];
  versionBytes: number;
  keptAccountsBytes: number;
  health: { quiet: Sample[]; save: Sample[]; open: Sample[]; compare: Sample[] };
  naive: { stateBytes: number; stateGzBytes: number; accountsGzBytes: number; encodeMs: number; applyMs: number };
  territories: number;
  vertices: number;
}

async function largePlan(ctx: BenchContext): Promise<Large> {
  const rounds = ctx.quick ? 3 : 7;
  const dataDir = await tempDir("versions");
  const server = await startOurServer({ dataDir, profileDir: ctx.profileDir });
  try {
    const plan = await createPlan(server, "Versions bench");
    const polys = javaGrid(COLS, ROWS, PER_SIDE);
    const features = polys.map((geometry, i) => ({
      type: "Feature",
      id: `t${i}`,
      geometry,
      properties: { name: `Wilayah ${i + 1}` },
    }));
    ok(
      await timed(server, plan, `/api/plans/${plan.id}/territories`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "FeatureCollection", features }),
      }),
      "POST territories",
    );
    const vertices = polys.reduce((s, p) => s + (p.coordinates[0]?.length ?? 0) - 1, 0);
    const bbox: [number, number, number, number] = [
      JAVA.west + 0.01,
      JAVA.south + 0.01,
      JAVA.east - 0.01,
      JAVA.north - 0.01,
    ];
    ctx.log(`500 territories in; importing ${ACCOUNTS} accounts`);
    const imported = await importAccounts(server, plan, { count: ACCOUNTS, bbox, towns: 40, seed: 14 });
    await waitFor(
      "the analysis of 50,000 accounts",
      async () => {
        const r = await timed(server, plan, `/api/plans/${plan.id}/analysis`);
        return (
          r.status === 200 && (JSON.parse(r.body) as { totals: { accounts: number } }).totals.accounts === ACCOUNTS
        );
      },
      120_000,
      200,
    );

    const quiet = await polled(server, () => new Promise((r) => setTimeout(r, 2_000)));
    // The first save after the import (the import has kept its accounts already).
    const first = ok(await saveVersion(server, plan, "First"), "POST versions");
    const ids: string[] = [(JSON.parse(first.body) as { id: string }).id];
    // The first version opened after a start: the jobs worker loads its code, parses the accounts and scores afresh.
    const coldOpen = [
      ok(await timed(server, plan, `/api/plans/${plan.id}/versions/${ids[0]}/territories`), "first open"),
      ok(await timed(server, plan, `/api/plans/${plan.id}/versions/${ids[0]}/analysis`), "first open"),
    ];

    const saveMs: number[] = [];
    const saveHealth: Sample[] = [];
    for (let i = 0; i < rounds * 2; i++) {
      await edit(server, plan, i);
      // The rename's own rescoring is not the save's: polled around the save alone.
      ok(await timed(server, plan, `/api/plans/${plan.id}/analysis`), "GET analysis");
      const { result: r, health } = await polled(server, () => saveVersion(server, plan, `Round ${i}`));
      ok(r, "POST versions");
      saveMs.push(r.ms);
      saveHealth.push(...health);
      ids.push((JSON.parse(r.body) as { id: string }).id);
    }

    // Each version opened once, cold: its territories, then its analysis.
    const openMs: number[] = [];
    const openParts: Large["openParts"] = [];
    const open = await polled(server, async () => {
      for (let i = 1; i <= rounds; i++) {
        const t = ok(await timed(server, plan, `/api/plans/${plan.id}/versions/${ids[i]}/territories`), "GET version");
        const a = ok(await timed(server, plan, `/api/plans/${plan.id}/versions/${ids[i]}/analysis`), "GET analysis");
        openMs.push(t.ms + a.ms);
        openParts.push({ territories: t.ms, analysis: a.ms });
      }
    });

    // Pairs not opened before (their analyses are not ready), and each against the plan now.
    const compareMs: number[] = [];
    const compareCurrentMs: number[] = [];
    const compare = await polled(server, async () => {
      for (let i = 0; i < rounds; i++) {
        const a = ids[rounds + 1 + i] as string;
        const b = ids[1 + ((i + 3) % rounds)] as string;
        const r = ok(await timed(server, plan, `/api/plans/${plan.id}/compare?from=${a}&to=${b}`), "GET compare");
        compareMs.push(r.ms);
        const c = ok(await timed(server, plan, `/api/plans/${plan.id}/compare?from=${a}&to=current`), "compare now");
        compareCurrentMs.push(c.ms);
      }
    });

    const listed = JSON.parse(ok(await timed(server, plan, `/api/plans/${plan.id}/versions`), "GET versions").body) as {
      versions: { bytes: number; auto: boolean }[];
    };
    const versionBytes = median(listed.versions.filter((v) => !v.auto).map((v) => v.bytes));
    const kept = (await dirSize(path.join(dataDir, "plans", plan.id, "versions"))).files.filter((f) =>
      f.name.startsWith("accounts-"),
    );

    // The naive way: the plan's Yjs state per version, and its accounts beside it to open it later.
    const doc = new Y.Doc();
    const socket = await SyncSocket.connect(planSyncUrl(server, plan), doc);
    socket.close();
    const t0 = performance.now();
    const state = Y.encodeStateAsUpdate(doc);
    const stateGz = gzipSync(state);
    const encodeMs = performance.now() - t0;
    const t1 = performance.now();
    Y.applyUpdate(new Y.Doc(), state);
    const applyMs = performance.now() - t1;
    const accountsFile = await fs.readFile(path.join(dataDir, "plans", plan.id, "accounts.json"));
    return {
      saveFirstMs: first.ms,
      importMs: imported.ms,
      saveMs,
      openMs,
      openParts,
      compareMs,
      compareCurrentMs,
      versionBytes,
      keptAccountsBytes: kept.reduce((s, f) => s + f.bytes, 0),
      coldOpenMs: (coldOpen[0] as Timed).ms + (coldOpen[1] as Timed).ms,
      health: { quiet: quiet.health, save: saveHealth, open: open.health, compare: compare.health },
      naive: {
        stateBytes: state.length,
        stateGzBytes: stateGz.length,
        accountsGzBytes: gzipSync(accountsFile).length,
        encodeMs,
        applyMs,
      },
      territories: features.length,
      vertices,
    };
  } finally {
    await server.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

// ── the demo plan, and a year of it ─────────────────────────────────────────

interface Demo {
  versionBytes: number;
  stateBytes: number;
  stateGzBytes: number;
  units: number;
  accounts: number;
  year: Year;
}

interface Year {
  days: number;
  checkpoints: number;
  named: number;
  imports: number;
  kept: number;
  keptNamed: number;
  versionBytes: number;
  keptDataBytes: number;
  totalBytes: number;
  /** Every checkpoint kept, each as the plan's gzipped Yjs state plus its accounts. */
  naiveBytes: number;
  /** Every checkpoint kept, our format, no thinning. */
  unthinnedBytes: number;
  simulateSeconds: number;
}

async function demoPlan(ctx: BenchContext): Promise<Demo> {
  const dataDir = await tempDir("versions-demo");
  const server = await startOurServer({ dataDir, env: { SEED_DEMO: "1", DEMO_COPIES_PER_HOUR: "0" } });
  try {
    ctx.log("copying the demo (the template is built on first use)");
    let res: Response | null = null;
    await waitFor(
      "a copy of the demo",
      async () => {
        res = await fetch(`${server.url}/api/demo`);
        return res.status === 200;
      },
      300_000,
      1_000,
    );
    const body = (await (res as unknown as Response).json()) as { id: string; links: { edit: string } };
    const token = new URL(body.links.edit).searchParams.get("token");
    const plan: CreatedPlan = { id: body.id, token, editUrl: body.links.edit, tokens: { edit: token ?? "" } };
    const saved = JSON.parse(ok(await saveVersion(server, plan, "Demo"), "POST versions").body) as { id: string };
    const listed = JSON.parse(ok(await timed(server, plan, `/api/plans/${plan.id}/versions`), "GET versions").body) as {
      versions: { id: string; bytes: number }[];
    };
    const versionBytes = listed.versions.find((v) => v.id === saved.id)?.bytes ?? Number.NaN;
    const doc = new Y.Doc();
    const socket = await SyncSocket.connect(planSyncUrl(server, plan), doc);
    socket.close();
    const state = Y.encodeStateAsUpdate(doc);
    const planDir = path.join(dataDir, "plans", plan.id);
    const accountsJson = await fs.readFile(path.join(planDir, "accounts.json"));
    const layer = JSON.parse(await fs.readFile(path.join(planDir, "data-units.json"), "utf8")) as {
      data: { ids: string[] };
    };
    await server.stop();
    const year = await simulateYear(ctx, doc, accountsJson, dataDir, plan.id, ctx.quick ? 60 : 365);
    return {
      versionBytes,
      stateBytes: state.length,
      stateGzBytes: gzipSync(state).length,
      units: layer.data.ids.length,
      accounts: (JSON.parse(accountsJson.toString("utf8")) as { data: { rows: unknown[] } }).data.rows.length,
      year,
    };
  } finally {
    await server.stop().catch(() => {});
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

const DAY = 86_400_000;

/**
 * A year of daily sessions on the demo plan, through the real store
 * (LowdbStore on the bench's copy of the plan's folder): each working day a
 * two-hour session whose paint strokes give a checkpoint every five minutes
 * (24 a day), a named version every Friday, the accounts re-imported on the
 * first of each month; after each checkpoint the thinning policy drops what
 * it drops and kept accounts nothing refers to are let go, as the server's
 * versions extension does. Time is simulated; the files are real.
 */
async function simulateYear(
  ctx: BenchContext,
  doc: Y.Doc,
  accountsJson: Buffer,
  dataDir: string,
  planId: string,
  days: number,
): Promise<Year> {
  const t0 = performance.now();
  const store = new LowdbStore(dataDir);
  const rnd = mulberry32(2027);
  const by = { id: "p-ani", name: "Ani", role: "edit" as const };
  const stored = await store.getAccounts(planId);
  if (!stored) throw new Error("the demo copy has no accounts");
  let accountsVersion = stored.version;
  const list: VersionEntry[] = [];
  let previous: ReturnType<typeof contentOf> | null = null;
  let checkpoints = 0;
  let named = 0;
  let imports = 0;
  let unthinnedBytes = 0;
  let naiveBytes = 0;
  const stateGz = () => gzipSync(Y.encodeStateAsUpdate(doc)).length;
  const accountsGz = gzipSync(accountsJson).length;
  const keys = [...readUnitAssignment(doc).keys()];
  const territories = [...new Set(readUnitAssignment(doc).values())];
  const start = Date.parse("2027-01-01T00:00:00Z");
  const save = async (at: number, name: string, auto: boolean) => {
    const refs = {
      accounts: await store.keepData(planId, "accounts"),
      competitors: await store.keepData(planId, "competitors"),
      units: await store.keepData(planId, "units"),
    };
    const content = contentOf(doc, refs);
    const entry: VersionEntry = {
      id: `v-${(list.length + checkpoints + named).toString(36)}x${Math.floor(rnd() * 1e9).toString(36)}`,
      name,
      at: new Date(at).toISOString(),
      by,
      auto,
      reason: auto ? "edits" : null,
      summary: summaryLine(previous, content),
      refs,
      bytes: 0,
    };
    entry.bytes = await store.putVersion(planId, entry, content);
    previous = content;
    list.push(entry);
    unthinnedBytes += entry.bytes;
    naiveBytes += stateGz() + accountsGz;
    const drop = new Set(thin(list, at));
    if (drop.size > 0) {
      await store.deleteVersions(planId, [...drop]);
      for (let i = list.length - 1; i >= 0; i--) if (drop.has((list[i] as VersionEntry).id)) list.splice(i, 1);
      const used: Record<KeptKind, Set<number>> = { accounts: new Set(), competitors: new Set(), units: new Set() };
      for (const v of list) for (const k of ["accounts", "competitors", "units"] as const) used[k].add(v.refs[k]);
      for (const k of ["accounts", "competitors", "units"] as const) {
        for (const kept of await store.keptVersions(planId, k))
          if (!used[k].has(kept)) await store.dropKeptData(planId, k, kept);
      }
    }
  };
  for (let day = 0; day < days; day++) {
    const date = new Date(start + day * DAY);
    const weekday = date.getUTCDay();
    if (date.getUTCDate() === 1 && day > 0) {
      // A monthly re-import: the same accounts as a new version (the store keeps each import once).
      accountsVersion++;
      await store.putAccounts(planId, { ...stored, version: accountsVersion, importedAt: date.toISOString() });
      imports++;
    }
    if (weekday === 0 || weekday === 6) continue;
    const sessionStart = start + day * DAY + 9 * 3_600_000;
    for (let c = 0; c < 24; c++) {
      // A few strokes: border units change hands.
      doc.transact(() => {
        for (let s = 0; s < 8; s++) {
          const key = keys[Math.floor(rnd() * keys.length)] as string;
          unitsMap(doc).set(key, territories[Math.floor(rnd() * territories.length)] as string);
        }
      });
      checkpoints++;
      await save(sessionStart + (c + 1) * 5 * 60_000, "Checkpoint", true);
    }
    if (weekday === 5) {
      named++;
      await save(sessionStart + 2 * 3_600_000 + 60_000, `Week ${Math.ceil((day + 1) / 7)}`, false);
    }
    if (day % 30 === 0) ctx.log(`simulated day ${day} of ${days}: ${list.length} versions kept`);
  }
  await store.close();
  const size = await dirSize(path.join(dataDir, "plans", planId, "versions"));
  const keptDataBytes = size.files
    .filter((f) => /^(accounts|competitors|units)-/.test(f.name))
    .reduce((s, f) => s + f.bytes, 0);
  return {
    days,
    checkpoints,
    named,
    imports,
    kept: list.length,
    keptNamed: list.filter((v) => !v.auto).length,
    versionBytes: size.bytes - keptDataBytes,
    keptDataBytes,
    totalBytes: size.bytes,
    naiveBytes,
    unthinnedBytes,
    simulateSeconds: (performance.now() - t0) / 1000,
  };
}

// ── the report ──────────────────────────────────────────────────────────────

async function run(ctx: BenchContext): Promise<BenchResult> {
  const load = os.loadavg()[0] ?? 0;
  const large = await largePlan(ctx);
  const demo = await demoPlan(ctx);
  const y = demo.year;
  const bar = (v: number, limit: number) => (v <= limit ? "met" : "missed");
  return {
    name: "versions",
    title: "Versions",
    description: `Issue 14's bars on a plan of ${large.territories} drawn territories (${large.vertices.toLocaleString("en-US")} vertices) and ${ACCOUNTS.toLocaleString("en-US")} accounts, over the API of our server in its own process: each save after a rename, each version opened once (its territories, then its analysis) and each pair compared once, none of them opened before (the jobs worker scores a version incrementally from the one it scored before; the first after a start is a full analysis, shown apart); \`GET /api/health\` polled every 20 ms meanwhile (around each save alone, not the rename before it). The demo plan's version and a simulated year of it through the real store (tests/bench/versions.ts). Load average at start ${load.toFixed(2)}.`,
    tables: [
      {
        title: "500 territories × 50,000 accounts",
        columns: ["measure", "median", "all", "bar", ""],
        rows: [
          [
            "save a version (POST …/versions)",
            `${fmt(median(large.saveMs))} ms`,
            large.saveMs.map((v) => fmt(v)).join(", "),
            "≤ 200 ms",
            bar(median(large.saveMs), 200),
          ],
          ["first save after the import", `${fmt(large.saveFirstMs)} ms`, "", "", ""],
          [
            "the 50,000-account import itself (CSV, 201; keeps its accounts for versions)",
            `${fmt(large.importMs)} ms`,
            "",
            "",
            "",
          ],
          [
            "open a version (territories + analysis)",
            `${fmt(median(large.openMs))} ms`,
            large.openParts.map((p) => `${fmt(p.territories)}+${fmt(p.analysis)}`).join(", "),
            "≤ 500 ms",
            bar(median(large.openMs), 500),
          ],
          [
            "first version opened after a start (worker code, accounts parsed, full analysis)",
            `${fmt(large.coldOpenMs)} ms`,
            "",
            "",
            "",
          ],
          [
            "compare two versions",
            `${fmt(median(large.compareMs))} ms`,
            large.compareMs.map((v) => fmt(v)).join(", "),
            "≤ 500 ms",
            bar(median(large.compareMs), 500),
          ],
          [
            "compare a version with the plan now",
            `${fmt(median(large.compareCurrentMs))} ms`,
            large.compareCurrentMs.map((v) => fmt(v)).join(", "),
            "≤ 500 ms",
            bar(median(large.compareCurrentMs), 500),
          ],
          ["a version on disk (gzip)", fmtBytes(large.versionBytes), "", "", ""],
          ["the accounts kept for versions (once per import)", fmtBytes(large.keptAccountsBytes), "", "", ""],
          [
            "naive: Y.encodeStateAsUpdate per version (raw / gzip)",
            `${fmtBytes(large.naive.stateBytes)} / ${fmtBytes(large.naive.stateGzBytes)}`,
            `encode + gzip ${fmt(large.naive.encodeMs)} ms, apply ${fmt(large.naive.applyMs)} ms`,
            "",
            "",
          ],
          [
            "naive: + the accounts beside each version (gzip)",
            fmtBytes(large.naive.stateGzBytes + large.naive.accountsGzBytes),
            "",
            "",
            "",
          ],
        ],
      },
      {
        title: "GET /api/health meanwhile, p99 / worst",
        columns: ["while", "health"],
        rows: [
          ["quiet (2 s)", healthCell(large.health.quiet)],
          ["saving", healthCell(large.health.save)],
          ["opening", healthCell(large.health.open)],
          ["comparing", healthCell(large.health.compare)],
        ],
      },
      {
        title: `The demo plan (${demo.units.toLocaleString("en-US")} hexagons, ${demo.accounts.toLocaleString("en-US")} accounts)`,
        columns: ["measure", "size"],
        rows: [
          ["a version on disk (gzip)", fmtBytes(demo.versionBytes)],
          [
            "naive: Y.encodeStateAsUpdate of the plan (raw / gzip)",
            `${fmtBytes(demo.stateBytes)} / ${fmtBytes(demo.stateGzBytes)}`,
          ],
        ],
      },
      {
        title: `A year of daily sessions on the demo plan (${y.days} days simulated in ${fmt(y.simulateSeconds)} s)`,
        columns: ["measure", "value"],
        rows: [
          [
            "checkpoints taken / named versions / accounts imports",
            `${y.checkpoints.toLocaleString("en-US")} / ${y.named} / ${y.imports}`,
          ],
          ["versions kept after thinning (named)", `${y.kept} (${y.keptNamed})`],
          ["on disk: versions + list", fmtBytes(y.versionBytes)],
          ["on disk: accounts kept for them", fmtBytes(y.keptDataBytes)],
          ["on disk: total", fmtBytes(y.totalBytes)],
          ["every checkpoint kept, our format (no thinning)", fmtBytes(y.unthinnedBytes)],
          ["naive: every checkpoint as gzipped Yjs state + its accounts", fmtBytes(y.naiveBytes)],
        ],
      },
    ],
    notes: [],
    // Health as figures, not every poll.
    data: {
      load,
      large: {
        ...large,
        health: Object.fromEntries(
          Object.entries(large.health).map(([k, v]) => [k, { p99: censoredPercentile(v, 99).ms, polls: v.length }]),
        ),
      },
      demo,
    },
  };
}

export const versionsBench: Benchmark = { name: "versions", title: "Versions", run };

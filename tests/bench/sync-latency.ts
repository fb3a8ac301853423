/**
 * Sync latency: from a writer's send of a territory reshape to its arrival
 * at each of N other clients, through our server (validation + durable
 * path + lowdb store) and through a bare y-websocket relay, in interleaved
 * pairs of runs (PRODUCT.md: within 1.2× of the bare relay at p50 and p99).
 */
import fs from "node:fs/promises";
import * as Y from "yjs";
import { readTerritory, updateTerritory, writeTerritory } from "../../shared/doc/schema.ts";
import { encodeGeometry } from "../../shared/geometry/codec.ts";
import { blobRing, dragStep, polygon } from "./lib/geometry.ts";
import { warmUp } from "./lib/warm.ts";
import {
  type BenchContext,
  type BenchResult,
  type Benchmark,
  fmt,
  median,
  percentileSorted,
  sleep,
  waitFor,
} from "./lib/report.ts";
import {
  createPlan,
  cpuTimeMs,
  planSyncUrl,
  type RunningServer,
  startBareRelay,
  startOurServer,
  tempDir,
  tmpfsBase,
} from "./lib/servers.ts";
import {
  captureEdit,
  connectMany,
  decodeUpdateMessage,
  SyncSocket,
  updateEndClock,
  updateMessage,
} from "./lib/sync-socket.ts";

/** "ours-tmpfs": our server with its DATA_DIR in memory, to show what the disk's fdatasync costs. */
type Kind = "ours" | "bare" | "ours-tmpfs";

const KIND_LABEL: Record<Kind, string> = { ours: "ours", bare: "bare", "ours-tmpfs": "ours on tmpfs" };

interface RunFigures {
  kind: Kind;
  n: number;
  pair: number;
  edits: number;
  samples: number;
  lost: number;
  refusals: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Median over edits of the time until the last of the N receivers had it. */
  lastOfNP50: number;
  /** Server CPU (user+sys) per timed edit, ms. */
  serverCpuPerEditMs: number;
  /** Bytes of one relayed update message. */
  messageBytes: number;
  /** One receiver's document, rebuilt from what it received, equals the writer's. */
  converged: boolean;
  /** Server CPU from start-up through a first, throwaway plan until it went quiet (lib/warm.ts). */
  coldStartCpuMs: number;
}

interface Config {
  ns: number[];
  pairs: number;
  warmup: number;
  edits: number;
  spacingMs: number;
}

const TERRITORY_ID = "bench-territory";

async function startServer(
  kind: Kind,
  ctx: BenchContext,
): Promise<{ server: RunningServer; url: string; cleanup: () => Promise<void> }> {
  if (kind === "bare") {
    const server = await startBareRelay(ctx.profileDir);
    return {
      server,
      url: server.roomUrl(`bench-${Math.random().toString(36).slice(2)}`),
      cleanup: () => server.stop(),
    };
  }
  const base = kind === "ours-tmpfs" ? await tmpfsBase() : undefined;
  const dataDir = await tempDir("sync", base ?? undefined);
  const server = await startOurServer({ dataDir, profileDir: ctx.profileDir });
  const plan = await createPlan(server, "Sync latency bench");
  return {
    server,
    url: planSyncUrl(server, plan),
    cleanup: async () => {
      await server.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function oneRun(kind: Kind, n: number, pair: number, cfg: Config, ctx: BenchContext): Promise<RunFigures> {
  const { server, url, cleanup } = await startServer(kind, ctx);
  const sockets: SyncSocket[] = [];
  try {
    const warm = await warmUp(server);
    const doc = new Y.Doc();
    const writer = await SyncSocket.connect(url, doc);
    writer.record = false;
    sockets.push(writer);
    const receivers = await connectMany(url, n);
    sockets.push(...receivers);

    const ring = blobRing([110.4, -7.0], 0.3, 200, 7);
    const created = captureEdit(doc, () =>
      writeTerritory(doc, {
        id: TERRITORY_ID,
        name: "Bench",
        color: "#1b9e77",
        reps: [],
        targets: {},
        parent: null,
        geometry: polygon(ring),
      }),
    );
    if (!created) throw new Error("creating the territory made no update");
    writer.send(updateMessage(created.update));
    await waitFor("the territory to reach every receiver", () => receivers.every((r) => r.updates.length >= 1), 30_000);

    const total = cfg.warmup + cfg.edits;
    const sends: { t: number; warm: boolean }[] = [];
    const byClock = new Map<number, number>();
    let cpuBefore = Number.NaN;
    let messageBytes = 0;
    for (let i = 0; i < total; i++) {
      if (i === cfg.warmup) cpuBefore = await cpuTimeMs(server.pid);
      const edit = captureEdit(doc, () => updateTerritory(doc, TERRITORY_ID, { geometry: dragStep(ring, i) }));
      if (!edit) throw new Error(`edit ${i} made no update`);
      const msg = updateMessage(edit.update);
      messageBytes = msg.length;
      byClock.set(edit.endClock, sends.length);
      const t = performance.now();
      writer.send(msg);
      sends.push({ t, warm: i < cfg.warmup });
      await sleep(cfg.spacingMs);
    }
    try {
      await waitFor(
        "every edit to reach every receiver",
        () => receivers.every((r) => r.updates.length >= 1 + total),
        15_000,
      );
    } catch {
      // Counted as lost below.
    }
    const cpuAfter = await cpuTimeMs(server.pid);

    // Decode, now that the timed part is over: which edit is each message?
    const latencies: number[] = [];
    const lastArrival = new Array<number>(sends.length).fill(0);
    for (const r of receivers) {
      for (const u of r.updates) {
        const clock = updateEndClock(u.bytes, doc.clientID);
        const idx = clock === null ? undefined : byClock.get(clock);
        if (idx === undefined) continue; // the creation
        const s = sends[idx] as { t: number; warm: boolean };
        if (s.warm) continue;
        const dt = u.t - s.t;
        latencies.push(dt);
        if (dt > (lastArrival[idx] as number)) lastArrival[idx] = dt;
      }
    }
    latencies.sort((a, b) => a - b);
    const lastOfN = lastArrival.slice(cfg.warmup).sort((a, b) => a - b);

    // The first receiver's document, rebuilt from the messages, must equal the writer's.
    const check = new Y.Doc();
    for (const u of (receivers[0] as SyncSocket).updates) Y.applyUpdate(check, decodeUpdateMessage(u.bytes));
    const mine = readTerritory(doc, TERRITORY_ID);
    const theirs = readTerritory(check, TERRITORY_ID);
    const converged =
      mine !== null &&
      theirs !== null &&
      Buffer.compare(Buffer.from(encodeGeometry(mine.geometry)), Buffer.from(encodeGeometry(theirs.geometry))) === 0;

    return {
      kind,
      n,
      pair,
      edits: cfg.edits,
      samples: latencies.length,
      lost: cfg.edits * n - latencies.length,
      refusals: writer.refusals.length,
      p50: percentileSorted(latencies, 50),
      p90: percentileSorted(latencies, 90),
      p99: percentileSorted(latencies, 99),
      max: latencies[latencies.length - 1] ?? Number.NaN,
      lastOfNP50: percentileSorted(lastOfN, 50),
      serverCpuPerEditMs: (cpuAfter - cpuBefore) / cfg.edits,
      messageBytes,
      converged,
      coldStartCpuMs: warm.cpuMs,
    };
  } finally {
    for (const s of sockets) s.close();
    await cleanup();
  }
}

/** Median over pairs of a/b for one statistic, pairing runs by their pair number. */
function pairRatios(a: RunFigures[], b: RunFigures[], pick: (r: RunFigures) => number): number[] {
  const out: number[] = [];
  for (const x of a) {
    const y = b.find((r) => r.pair === x.pair);
    if (y) out.push(pick(x) / pick(y));
  }
  return out;
}

async function run(ctx: BenchContext): Promise<BenchResult> {
  const cfg: Config = ctx.quick
    ? { ns: [10, 100], pairs: 1, warmup: 10, edits: 40, spacingMs: 20 }
    : { ns: [10, 100], pairs: 5, warmup: 30, edits: 200, spacingMs: 20 };
  // BENCH_SYNC_N=100: only these client counts (e.g. to profile one case).
  const onlyN = (process.env.BENCH_SYNC_N ?? "")
    .split(",")
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  if (onlyN.length) cfg.ns = onlyN;
  const kinds: Kind[] = (await tmpfsBase()) ? ["ours", "bare", "ours-tmpfs"] : ["ours", "bare"];
  const runs: RunFigures[] = [];
  for (const n of cfg.ns) {
    for (let pair = 1; pair <= cfg.pairs; pair++) {
      for (const kind of kinds) {
        const r = await oneRun(kind, n, pair, cfg, ctx);
        ctx.log(
          `sync N=${n} pair ${pair} ${KIND_LABEL[kind]}: p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms, last-of-N p50 ${fmt(r.lastOfNP50)} ms, lost ${r.lost}, server CPU ${fmt(r.serverCpuPerEditMs)} ms/edit`,
        );
        runs.push(r);
      }
    }
  }

  const summaryRows: (string | number)[][] = [];
  const diagRows: (string | number)[][] = [];
  const notes: string[] = [];
  const summary: Record<string, unknown>[] = [];
  for (const n of cfg.ns) {
    const of = (kind: Kind) => runs.filter((r) => r.n === n && r.kind === kind);
    const ours = of("ours");
    const bare = of("bare");
    const tmpfs = of("ours-tmpfs");
    const ratios50 = pairRatios(ours, bare, (r) => r.p50);
    const ratios99 = pairRatios(ours, bare, (r) => r.p99);
    const r50 = median(ratios50);
    const r99 = median(ratios99);
    const met = r50 <= 1.2 && r99 <= 1.2;
    const row = {
      n,
      oursP50: median(ours.map((r) => r.p50)),
      bareP50: median(bare.map((r) => r.p50)),
      ratioP50: r50,
      oursP99: median(ours.map((r) => r.p99)),
      bareP99: median(bare.map((r) => r.p99)),
      ratioP99: r99,
      oursCpu: median(ours.map((r) => r.serverCpuPerEditMs)),
      bareCpu: median(bare.map((r) => r.serverCpuPerEditMs)),
    };
    summary.push({ ...row, ratiosP50: ratios50, ratiosP99: ratios99 });
    summaryRows.push([
      n,
      fmt(row.oursP50),
      fmt(row.bareP50),
      `${fmt(r50)}×`,
      fmt(row.oursP99),
      fmt(row.bareP99),
      `${fmt(r99)}×`,
      met ? "met" : "**missed**",
      `${fmt(row.oursCpu)} / ${fmt(row.bareCpu)}`,
    ]);
    if (tmpfs.length) {
      diagRows.push([
        n,
        fmt(median(tmpfs.map((r) => r.p50))),
        `${fmt(median(pairRatios(tmpfs, bare, (r) => r.p50)))}×`,
        fmt(median(tmpfs.map((r) => r.p99))),
        `${fmt(median(pairRatios(tmpfs, bare, (r) => r.p99)))}×`,
        fmt(median(tmpfs.map((r) => r.serverCpuPerEditMs))),
      ]);
    }
    if (n === 100) {
      notes.push(
        `Target (N=100): ≤ 1.2× the bare relay at p50 and p99 → p50 ${fmt(r50)}×, p99 ${fmt(r99)}× (median of ${ratios50.length} per-pair ratios): ${met ? "met" : "missed"}.`,
      );
    }
  }
  const lost = runs.reduce((s, r) => s + r.lost, 0);
  const refused = runs.reduce((s, r) => s + r.refusals, 0);
  const diverged = runs.filter((r) => !r.converged).length;
  const cold = (k: Kind) => fmt(median(runs.filter((r) => r.kind === k).map((r) => r.coldStartCpuMs)), 0);
  notes.push(
    `Each server is warmed up before timing (a throwaway plan opened and left, then wait until its CPU is quiet), as a long-running server would be. That cold start cost ${cold("ours")} ms of server CPU for ours (it starts the scoring worker, which compiles its TypeScript) against ${cold("bare")} ms for the bare relay (medians).`,
    `${cfg.pairs} interleaved round(s) per N (${kinds.map((k) => KIND_LABEL[k]).join(", ")}, then again …), each run a fresh server process; ${cfg.warmup} warm-up edits, then ${cfg.edits} timed edits ${cfg.spacingMs} ms apart; one ~200-vertex polygon reshaped per edit (relayed message ≈ ${runs[0]?.messageBytes ?? "?"} B).`,
    `Sanity: ${lost} deliveries lost, ${refused} refusals, ${diverged} run(s) where a receiver's rebuilt document differed from the writer's.`,
    "Latency = receiver's message arrival − writer's send, both performance.now() in the bench process; the bench's clients and the server are separate processes on the same 2 cores. Receivers take the time on arrival and decode afterwards. Server CPU = user + system time of the server process (all threads) per timed edit, from /proc.",
  );

  const tables: BenchResult["tables"] = [
    {
      title: "Summary (medians over runs; ratio = median of per-pair ratios)",
      columns: [
        "N",
        "ours p50",
        "bare p50",
        "p50 ratio",
        "ours p99",
        "bare p99",
        "p99 ratio",
        "≤ 1.2×",
        "server CPU ms/edit ours / bare",
      ],
      rows: summaryRows,
    },
  ];
  if (diagRows.length) {
    tables.push({
      title: "Diagnostic: our server with DATA_DIR on tmpfs (fdatasync ≈ free), same rounds",
      columns: ["N", "p50", "p50 vs bare", "p99", "p99 vs bare", "server CPU ms/edit"],
      rows: diagRows,
    });
  }
  tables.push({
    title: "Every run",
    columns: [
      "N",
      "round",
      "server",
      "p50",
      "p90",
      "p99",
      "max",
      "last of N p50",
      "server CPU ms/edit",
      "samples",
      "lost",
    ],
    rows: runs.map((r) => [
      r.n,
      r.pair,
      KIND_LABEL[r.kind],
      fmt(r.p50),
      fmt(r.p90),
      fmt(r.p99),
      fmt(r.max),
      fmt(r.lastOfNP50),
      fmt(r.serverCpuPerEditMs),
      r.samples,
      r.lost,
    ]),
  });

  return {
    name: "sync",
    title: "Sync latency: edit → N other clients",
    description:
      "A writer reshapes a ~200-vertex territory (updateTerritory via shared/doc/schema.ts) over a raw y-protocols socket; N receivers on raw sockets take the arrival time of each relayed update. Our server runs as `server/index.ts` (validation, update log with fdatasync before relay, lowdb store in a temp DATA_DIR); the bare relay is `@y/websocket-server`'s stock server (no checks, no persistence). Times in ms.",
    tables,
    notes,
    data: { config: cfg, summary, runs },
  };
}

export const syncLatency: Benchmark = { name: "sync", title: "Sync latency", run };

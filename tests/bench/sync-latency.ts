/**
 * Sync latency: from a writer's send of a territory reshape to its arrival
 * at each of N other clients, through our server (validation + durable
 * path + lowdb store + live scoring) and through a bare y-websocket relay,
 * in interleaved rounds of runs (the README's quality bar: within 1.2× of
 * the bare relay at p50 and p99, with validation and scoring on). Our server is also run
 * with SCORING=0 in the same rounds, so scoring's cost is reported beside
 * the figure without it (issue 3), and with its DATA_DIR on tmpfs as a
 * diagnostic of what fdatasync costs.
 */
import fs from "node:fs/promises";
import * as Y from "yjs";
import { readTerritory, updateTerritory, writeTerritory } from "../../shared/doc/schema.ts";
import { encodeGeometry } from "../../shared/geometry/codec.ts";
import { type BenchAccounts, type ImportedAccounts, importAccounts } from "./lib/accounts.ts";
import { benchTerritory, blobRing, dragStep, type Pos, polygon } from "./lib/geometry.ts";
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
  decodeAnalysisFrame,
  decodeUpdateMessage,
  SyncSocket,
  updateEndClock,
  updateMessage,
} from "./lib/sync-socket.ts";
import { warmUp } from "./lib/warm.ts";

/**
 * "ours": our server as deployed (scoring on); "ours-noscoring": SCORING=0;
 * "ours-tmpfs": scoring on, DATA_DIR in memory, to show what the disk's
 * fdatasync costs (a diagnostic).
 */
type Kind = "ours" | "ours-noscoring" | "bare" | "ours-tmpfs";

const KIND_LABEL: Record<Kind, string> = {
  ours: "ours (scoring on)",
  "ours-noscoring": "ours, scoring off",
  bare: "bare relay",
  "ours-tmpfs": "ours on tmpfs (diagnostic)",
};

/** The edited territory: a ~200-vertex blob of radius ≈ 0.3° (≈ 33 km) in Central Java. */
const CENTER: Pos = [110.4, -7.0];
const RADIUS_DEG = 0.3;

/**
 * Accounts in the measured plan (ours only; the bare relay has no
 * accounts): seeded, clustered around a few towns within 0.4° of the
 * territory's centre, so a good share lie inside it and every recompute
 * assigns them again.
 */
const ACCOUNTS: BenchAccounts = {
  count: 5_000,
  bbox: [CENTER[0] - 0.4, CENTER[1] - 0.4, CENTER[0] + 0.4, CENTER[1] + 0.4],
  towns: 8,
  seed: 11,
};

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
  /** The accounts import before the run (ours only). */
  accounts: ImportedAccounts | null;
  /** Analysis frames the first receiver got during the timed edits (0 with scoring off). */
  analysesTimed: number;
  /** From the last analysis frame: accounts counted in the territory, and the worker's compute time (ms). */
  accountsInTerritory: number | null;
  lastComputeMs: number | null;
}

interface Config {
  ns: number[];
  /** Interleaved rounds per N. */
  rounds: Record<number, number>;
  warmup: number;
  edits: number;
  spacingMs: number;
}

const TERRITORY_ID = "bench-territory";

async function startServer(
  kind: Kind,
  ctx: BenchContext,
): Promise<{ server: RunningServer; url: string; accounts: ImportedAccounts | null; cleanup: () => Promise<void> }> {
  if (kind === "bare") {
    const server = await startBareRelay(ctx.profileDir);
    return {
      server,
      url: server.roomUrl(`bench-${Math.random().toString(36).slice(2)}`),
      accounts: null,
      cleanup: () => server.stop(),
    };
  }
  const base = kind === "ours-tmpfs" ? await tmpfsBase() : undefined;
  const dataDir = await tempDir("sync", base ?? undefined);
  const server = await startOurServer({
    dataDir,
    profileDir: ctx.profileDir,
    // Explicit both ways, so a SCORING in the bench's own environment cannot change what is measured.
    env: { SCORING: kind === "ours-noscoring" ? "0" : "1" },
  });
  try {
    const plan = await createPlan(server, "Sync latency bench");
    const accounts = await importAccounts(server, plan, ACCOUNTS);
    return {
      server,
      url: planSyncUrl(server, plan),
      accounts,
      cleanup: async () => {
        await server.stop();
        await fs.rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await server.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
    throw e;
  }
}

async function oneRun(kind: Kind, n: number, pair: number, cfg: Config, ctx: BenchContext): Promise<RunFigures> {
  const { server, url, accounts, cleanup } = await startServer(kind, ctx);
  const sockets: SyncSocket[] = [];
  try {
    const warm = await warmUp(server);
    const doc = new Y.Doc();
    const writer = await SyncSocket.connect(url, doc);
    writer.record = false;
    sockets.push(writer);
    const receivers = await connectMany(url, n);
    sockets.push(...receivers);

    const ring = blobRing(CENTER, RADIUS_DEG, 200, 7);
    const created = captureEdit(doc, () =>
      writeTerritory(doc, benchTerritory(TERRITORY_ID, "Bench", "#1b9e77", polygon(ring))),
    );
    if (!created) throw new Error("creating the territory made no update");
    writer.send(updateMessage(created.update));
    await waitFor("the territory to reach every receiver", () => receivers.every((r) => r.updates.length >= 1), 30_000);
    const first = receivers[0] as SyncSocket;
    if (kind === "ours" || kind === "ours-tmpfs") {
      // The first full analysis of the plan (its accounts loaded into the worker) is done before any edit.
      await waitFor("the first analysis with the territory", () => analysisOf(first)?.accounts !== undefined, 30_000);
    }

    const total = cfg.warmup + cfg.edits;
    const sends: { t: number; warm: boolean }[] = [];
    const byClock = new Map<number, number>();
    let cpuBefore = Number.NaN;
    let messageBytes = 0;
    let analysesBefore = 0;
    for (let i = 0; i < total; i++) {
      if (i === cfg.warmup) {
        cpuBefore = await cpuTimeMs(server.pid);
        analysesBefore = first.analysisFrames;
      }
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
    const analysesTimed = first.analysisFrames - analysesBefore;

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
      accounts,
      analysesTimed,
      accountsInTerritory: analysisOf(first)?.accounts ?? null,
      lastComputeMs: analysisOf(first)?.computeMs ?? null,
    };
  } finally {
    for (const s of sockets) s.close();
    await cleanup();
  }
}

/** One line of the summary (results.json keeps the per-round ratios too). */
interface SummaryRow {
  n: number;
  kind: Kind;
  p50: number;
  p99: number;
  /** Median of the per-round ratios to the bare relay, and those ratios. */
  ratioP50: number;
  ratioP99: number;
  ratiosP50: number[];
  ratiosP99: number[];
  serverCpuPerEditMs: number;
  analysesTimed: number;
}

/** The bench territory's account count and the compute time in the last analysis a receiver got. */
function analysisOf(sock: SyncSocket): { accounts: number; computeMs: number } | null {
  if (!sock.lastAnalysis) return null;
  const a = decodeAnalysisFrame(sock.lastAnalysis) as {
    computeMs?: number;
    territories?: { id: string; accounts: number }[];
  };
  const t = a.territories?.find((x) => x.id === TERRITORY_ID);
  return t ? { accounts: t.accounts, computeMs: a.computeMs ?? Number.NaN } : null;
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
  // Full: ≥ 5 interleaved rounds at N=100 (RESULTS.md reports the median of the per-round ratios); 3 at N=10,
  // whose runs are cheap but matter less, to keep the whole `npm run bench` within ~8 minutes.
  const cfg: Config = ctx.quick
    ? { ns: [10, 100], rounds: { 10: 1, 100: 1 }, warmup: 10, edits: 40, spacingMs: 20 }
    : { ns: [10, 100], rounds: { 10: 3, 100: 5 }, warmup: 30, edits: 200, spacingMs: 20 };
  // BENCH_SYNC_N=100: only these client counts (e.g. to profile one case).
  const onlyN = (process.env.BENCH_SYNC_N ?? "")
    .split(",")
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  if (onlyN.length) cfg.ns = onlyN;
  const roundsOf = (n: number) => cfg.rounds[n] ?? (ctx.quick ? 1 : 5);
  const kinds: Kind[] = ["ours", "ours-noscoring", "bare"];
  if (await tmpfsBase()) kinds.push("ours-tmpfs");
  const runs: RunFigures[] = [];
  for (const n of cfg.ns) {
    for (let round = 1; round <= roundsOf(n); round++) {
      // Each round starts with a different kind, so no kind always runs first or always follows another.
      const order = kinds.map((_, i) => kinds[(i + round - 1) % kinds.length] as Kind);
      for (const kind of order) {
        const r = await oneRun(kind, n, round, cfg, ctx);
        ctx.log(
          `sync N=${n} round ${round} ${KIND_LABEL[kind]}: p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms, last-of-N p50 ${fmt(r.lastOfNP50)} ms, lost ${r.lost}, server CPU ${fmt(r.serverCpuPerEditMs)} ms/edit${r.accounts ? `, analyses ${r.analysesTimed}` : ""}`,
        );
        runs.push(r);
      }
    }
  }

  const summaryRows: (string | number)[][] = [];
  const scoringRows: (string | number)[][] = [];
  const notes: string[] = [];
  const summary: SummaryRow[] = [];
  const verdict = (r50: number, r99: number) => (r50 <= 1.2 && r99 <= 1.2 ? "met" : "**missed**");
  for (const n of cfg.ns) {
    const of = (kind: Kind) => runs.filter((r) => r.n === n && r.kind === kind);
    const bare = of("bare");
    for (const kind of kinds) {
      const rs = of(kind);
      if (rs.length === 0) continue;
      const ratios50 = pairRatios(rs, bare, (r) => r.p50);
      const ratios99 = pairRatios(rs, bare, (r) => r.p99);
      const row: SummaryRow = {
        n,
        kind,
        p50: median(rs.map((r) => r.p50)),
        p99: median(rs.map((r) => r.p99)),
        ratioP50: median(ratios50),
        ratioP99: median(ratios99),
        ratiosP50: ratios50,
        ratiosP99: ratios99,
        serverCpuPerEditMs: median(rs.map((r) => r.serverCpuPerEditMs)),
        analysesTimed: median(rs.map((r) => r.analysesTimed)),
      };
      summary.push(row);
      summaryRows.push([
        n,
        KIND_LABEL[kind],
        fmt(row.p50),
        kind === "bare" ? "1×" : `${fmt(row.ratioP50)}×`,
        fmt(row.p99),
        kind === "bare" ? "1×" : `${fmt(row.ratioP99)}×`,
        kind === "bare" ? "–" : verdict(row.ratioP50, row.ratioP99),
        fmt(row.serverCpuPerEditMs),
        kind === "bare" ? "–" : fmt(row.analysesTimed, 0),
      ]);
    }
    const on = of("ours");
    const off = of("ours-noscoring");
    if (on.length && off.length) {
      const c50 = median(pairRatios(on, off, (r) => r.p50));
      const c99 = median(pairRatios(on, off, (r) => r.p99));
      const cpu = median(on.map((r) => r.serverCpuPerEditMs)) - median(off.map((r) => r.serverCpuPerEditMs));
      scoringRows.push([
        n,
        `${fmt(median(on.map((r) => r.p50)))} / ${fmt(median(off.map((r) => r.p50)))}`,
        `${fmt(c50)}×`,
        `${fmt(median(on.map((r) => r.p99)))} / ${fmt(median(off.map((r) => r.p99)))}`,
        `${fmt(c99)}×`,
        `${cpu >= 0 ? "+" : ""}${fmt(cpu)}`,
      ]);
    }
    if (n === 100) {
      const o = summary.find((s) => s.n === n && s.kind === "ours");
      const x = summary.find((s) => s.n === n && s.kind === "ours-noscoring");
      if (o)
        notes.push(
          `Target (N=100, validation and scoring on): ≤ 1.2× the bare relay at p50 and p99 → p50 ${fmt(o.ratioP50)}×, p99 ${fmt(o.ratioP99)}× (median of ${o.ratiosP50.length} per-round ratios): ${verdict(o.ratioP50, o.ratioP99).replace(/\*/g, "")}.${x ? ` With scoring off: p50 ${fmt(x.ratioP50)}×, p99 ${fmt(x.ratioP99)}×.` : ""}`,
        );
    }
  }
  const lost = runs.reduce((s, r) => s + r.lost, 0);
  const refused = runs.reduce((s, r) => s + r.refusals, 0);
  const diverged = runs.filter((r) => !r.converged).length;
  const cold = (k: Kind) => fmt(median(runs.filter((r) => r.kind === k).map((r) => r.coldStartCpuMs)), 0);
  const scored = runs.filter((r) => r.kind === "ours" || r.kind === "ours-tmpfs");
  const unscored = runs.filter((r) => r.kind === "ours-noscoring");
  const imports = runs.flatMap((r) => (r.accounts ? [r.accounts] : []));
  const inTerritory = scored.map((r) => r.accountsInTerritory).filter((v): v is number => v !== null);
  const computeMs = scored.map((r) => r.lastComputeMs).filter((v): v is number => v !== null);
  const roundsText = cfg.ns.map((n) => `${roundsOf(n)} at N=${n}`).join(", ");
  notes.push(
    `The measured plan holds ${ACCOUNTS.count.toLocaleString("en-US")} seeded accounts (8 towns within 0.4° of the territory's centre plus a uniform background), imported before timing with one CSV POST /api/plans/:id/accounts (${imports[0] ? `${(imports[0].bytes / 1e3).toFixed(0)} kB, median ${fmt(median(imports.map((i) => i.ms)))} ms` : "–"}) on every run of our server, scoring on or off; ${inTerritory.length ? `${fmt(median(inTerritory), 0)}` : "?"} of them lie in the edited territory. With scoring on, the worker recomputes after each burst of edits (30 ms debounce, at most 200 ms): ${fmt(median(scored.map((r) => r.analysesTimed)), 0)} analysis frames reached each receiver during the timed edits (median; last compute ${computeMs.length ? fmt(median(computeMs)) : "?"} ms in the worker); with scoring off ${fmt(median(unscored.map((r) => r.analysesTimed)), 0)}.`,
    `Each server is warmed up before timing (a throwaway plan opened and left, then wait until its CPU is quiet), as a long-running server would be. That cold start cost ${cold("ours")} ms of server CPU for ours with scoring on (it starts the scoring worker, which compiles its TypeScript), ${cold("ours-noscoring")} ms with scoring off, against ${cold("bare")} ms for the bare relay (medians).`,
    `Interleaved rounds (${roundsText}) of ${kinds.map((k) => KIND_LABEL[k]).join(", ")}, the starting kind rotating each round; each run a fresh server process (ours bound to HOST=127.0.0.1, like the relay); ${cfg.warmup} warm-up edits, then ${cfg.edits} timed edits ${cfg.spacingMs} ms apart; one ~200-vertex polygon reshaped per edit (relayed message ≈ ${runs[0]?.messageBytes ?? "?"} B). Ratios vs bare are medians of per-round ratios.`,
    `Sanity: ${lost} deliveries lost, ${refused} refusals, ${diverged} run(s) where a receiver's rebuilt document differed from the writer's.`,
    "Latency = receiver's message arrival − writer's send, both performance.now() in the bench process; the bench's clients and the server are separate processes on the same 2 cores. Receivers take the time on arrival and decode afterwards. Server CPU = user + system time of the server process (all threads, so the scoring worker too) per timed edit, from /proc.",
  );

  const tables: BenchResult["tables"] = [
    {
      title: "Summary (medians over runs; vs bare = median of per-round ratios)",
      columns: [
        "N",
        "server",
        "p50",
        "p50 vs bare",
        "p99",
        "p99 vs bare",
        "≤ 1.2×",
        "server CPU ms/edit",
        "analyses per receiver",
      ],
      rows: summaryRows,
    },
  ];
  if (scoringRows.length) {
    tables.push({
      title: "What live scoring costs: ours with scoring on vs off (same rounds; ratio = median of per-round ratios)",
      columns: ["N", "p50 on / off", "p50 ratio", "p99 on / off", "p99 ratio", "server CPU ms/edit added"],
      rows: scoringRows,
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
      "analyses",
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
      r.kind === "bare" ? "–" : r.analysesTimed,
      r.samples,
      r.lost,
    ]),
  });

  return {
    name: "sync",
    title: "Sync latency: edit → N other clients",
    description: `A writer reshapes a ~200-vertex territory (updateTerritory via shared/doc/schema.ts) over a raw y-protocols socket; N receivers on raw sockets take the arrival time of each relayed update. Our server runs as \`server/index.ts\` (validation, update log with fdatasync before relay, lowdb store in a temp DATA_DIR, live scoring of the plan's ${ACCOUNTS.count.toLocaleString("en-US")} accounts in a worker), and again with SCORING=0; the bare relay is \`@y/websocket-server\`'s stock server (no checks, no persistence). Times in ms.`,
    tables,
    notes,
    data: { config: cfg, accounts: ACCOUNTS, summary, runs },
  };
}

export const syncLatency: Benchmark = { name: "sync", title: "Sync latency", run };

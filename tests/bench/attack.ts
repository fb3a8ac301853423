/**
 * Attack: does the server keep serving everyone else while raw sockets
 * flood a large plan with updates it must refuse? Issue 9's bar: while 100
 * view sockets send forbidden updates as fast as the server lets them on a
 * 2,000-territory plan, `GET /api/health` p99 stays under 100 ms and an
 * editor's edit reaches the other clients with p99 under 2× the quiet
 * figure. A second variant floods from 50 edit links with an invalid shape
 * (a ring of three positions), which the server must decode and check.
 *
 * Each variant gets a fresh server and plan: a quiet phase (one editor
 * reshaping a territory, 10 watchers, health polled on a fixed schedule),
 * then the same measurements again with the attackers running (in a process
 * of their own, lib/flood.ts). Every phase is bounded in time, so a server
 * that freezes is reported as "> N ms" instead of hanging the run; that is
 * what BENCH_SERVER_DIR runs against an older checkout rely on.
 */
import fs from "node:fs/promises";
import os from "node:os";
import * as Y from "yjs";
import { TERRITORY_KEYS, territoriesMap, updateTerritory } from "../../shared/doc/schema.ts";
import { encodeGeometry } from "../../shared/geometry/codec.ts";
import { remoteEdit } from "../fixtures/remote-edit.ts";
import { type FloodStats, Flood, floodDelta } from "./lib/flood.ts";
import { blobRing, dragStep, type Pos, polygon } from "./lib/geometry.ts";
import { censoredPercentile, HealthPoller, type Sample } from "./lib/health-poll.ts";
import { type BenchContext, type BenchResult, type Benchmark, fmt, sleep, waitFor } from "./lib/report.ts";
import {
  api,
  commitOf,
  type CreatedPlan,
  cpuTimeMs,
  createPlan,
  planSyncUrl,
  ROOT,
  type RunningServer,
  SERVER_DIR,
  schedStat,
  startOurServer,
  tempDir,
} from "./lib/servers.ts";
import { captureEdit, connectMany, SyncSocket, updateEndClock, updateMessage } from "./lib/sync-socket.ts";
import { waitForQuietCpu, warmUp } from "./lib/warm.ts";

interface Config {
  territories: number;
  watchers: number;
  /** Edits before the timed ones in each phase (not counted). */
  warmupEdits: number;
  edits: number;
  spacingMs: number;
  healthEveryMs: number;
  /** Attackers run at least this long before the timed window opens… */
  rampMs: number;
  /** …and until each has been answered once, at most this long. */
  rampMaxMs: number;
  /** Longest a phase may take, from its start (the attack's: from the attackers' start). */
  phaseMs: number;
  variants: Variant[];
}

interface Variant {
  id: "view" | "view-spread" | "edit" | "view-noscoring";
  label: string;
  role: "view" | "edit";
  sockets: number;
  /** Live scoring on the server; off only in the diagnostic (no analysis frames, neither to joiners nor after edits). */
  scoring: boolean;
  /** Not the bar: a run that shows what a cost is made of. */
  diagnostic?: boolean;
  /**
   * Every new attacker socket from an address of its own, as a botnet or an
   * IPv6 /64 would: the server's per-address back-off (a link closed with
   * 4429 waits 30 s) never holds them back, so every close is a new join.
   */
  spread?: boolean;
}

const VARIANTS: Variant[] = [
  { id: "view", label: "view sockets sending a forbidden update", role: "view", sockets: 100, scoring: true },
  {
    id: "view-spread",
    label: "view sockets sending a forbidden update, each connection from a new address",
    role: "view",
    sockets: 100,
    scoring: true,
    spread: true,
  },
  { id: "edit", label: "edit sockets sending an invalid shape", role: "edit", sockets: 50, scoring: true },
  {
    id: "view-noscoring",
    label: "view sockets sending a forbidden update, SCORING=0 (diagnostic)",
    role: "view",
    sockets: 100,
    scoring: false,
    diagnostic: true,
  },
];

/** The edited territory (t0): a 40-vertex blob inside its grid cell, so a drag reshapes it. */
const EDITED = "t0";

/** Grid cell `i` of the plan: 0.05° boxes every 0.1°, 100 to a row, over the Java Sea. */
function cell(i: number): [number, number] {
  return [100 + (i % 100) * 0.1, -8 + Math.floor(i / 100) * 0.1];
}

function planFeatures(n: number, editedRing: Pos[]) {
  return Array.from({ length: n }, (_, i) => {
    const [w, s] = cell(i);
    const ring: Pos[] =
      i === 0
        ? editedRing
        : [
            [w, s],
            [w + 0.05, s],
            [w + 0.05, s + 0.05],
            [w, s + 0.05],
            [w, s],
          ];
    return { type: "Feature", id: `t${i}`, properties: { name: `Territory ${i}` }, geometry: polygon(ring) };
  });
}

interface Figure {
  ms: number;
  atLeast: boolean;
}

interface PhaseFigures {
  variant: Variant["id"];
  phase: "quiet" | "attack";
  /** 1-minute load average when the phase started. */
  loadAverage: number;
  /** From the attackers' start to the timed window, s (attack phase only). */
  rampS?: number;
  /** The timed window (edits sent, health polled), s. */
  windowS: number;
  edit: { p50: Figure; p99: Figure; max: Figure; samples: number; late: number };
  health: { p50: Figure; p99: Figure; max: Figure; samples: number; late: number; errors: number };
  /** Server CPU (all threads) over the window, % of one core. */
  serverCpuPct: number;
  /**
   * The server's main thread (its event loop) over the window, % of the
   * wall time: running, and runnable but waiting for a CPU (taken by other
   * processes on the machine, the attackers' included).
   */
  loopRunPct: number;
  loopWaitPct: number;
  /** Analysis frames (message 21) one watcher got in the window, and their size. */
  analysesPerWatcher: number;
  analysisKiBPerWatcher: number;
  /** Updates the watchers got that no edit of the editor explains (an attacker's, relayed): must be 0. */
  strayUpdates: number;
  /** The attackers over the window (attack phase only). */
  flood: FloodStats | null;
  floodCpuPct: number | null;
}

function figure(samples: Sample[], p: number): Figure {
  return censoredPercentile(samples, p);
}

function show(f: Figure): string {
  return `${f.atLeast ? "> " : ""}${fmt(f.ms)}`;
}

/** The invalid shape the edit links send: a ring of three positions (two distinct). */
function badGeometry(): Uint8Array {
  return encodeGeometry({
    type: "Polygon",
    coordinates: [
      [
        [0, 0],
        [1, 0],
        [0, 0],
      ],
    ],
  });
}

/** The wire message the attackers of `variant` repeat. */
function attackMessage(variant: Variant, doc: Y.Doc): Uint8Array {
  if (variant.role === "view") {
    // issue 9's 29 bytes: a new, empty territory, from a client with nothing else.
    const d = new Y.Doc();
    territoriesMap(d).set("x", new Y.Map());
    return updateMessage(Y.encodeStateAsUpdate(d));
  }
  const bad = badGeometry();
  return updateMessage(remoteEdit(doc, (d) => territoriesMap(d).get("t1")?.set(TERRITORY_KEYS.geometry, bad)));
}

interface Session {
  server: RunningServer;
  plan: CreatedPlan;
  doc: Y.Doc;
  ring: Pos[];
  editor: SyncSocket;
  watchers: SyncSocket[];
  /** Edits made so far (the drag continues across phases). */
  edits: number;
}

async function openSession(ctx: BenchContext, cfg: Config, variant: Variant, dataDir: string): Promise<Session> {
  const server = await startOurServer({
    dataDir,
    profileDir: ctx.profileDir,
    // Explicit both ways, so a SCORING in the bench's own environment cannot change what is measured.
    env: { SCORING: variant.scoring ? "1" : "0" },
  });
  await warmUp(server);
  const plan = await createPlan(server, "Attack bench");
  const [w, s] = cell(0);
  const ring = blobRing([w + 0.025, s + 0.025], 0.02, 40, 5);
  const res = await api(server, plan, `/api/plans/${plan.id}/territories`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "FeatureCollection", features: planFeatures(cfg.territories, ring) }),
  });
  if (res.status !== 201) throw new Error(`creating ${cfg.territories} territories: ${res.status} ${await res.text()}`);
  const url = planSyncUrl(server, plan);
  const doc = new Y.Doc();
  const editor = await SyncSocket.connect(url, doc);
  editor.record = false;
  if (territoriesMap(doc).size !== cfg.territories)
    throw new Error(`the editor synced ${territoriesMap(doc).size} territories, not ${cfg.territories}`);
  const watchers = await connectMany(url, cfg.watchers);
  // The plan's first analysis, then quiet, before anything is timed.
  if (variant.scoring) await waitFor("the first analysis", () => watchers[0]?.analysisFrames, 30_000).catch(() => 0);
  await waitForQuietCpu(server.pid, 10_000);
  return { server, plan, doc, ring, editor, watchers, edits: 0 };
}

/**
 * One timed window: the editor drags t0 (`warmupEdits` + `edits`, one every
 * `spacingMs`, on a fixed schedule), health is polled meanwhile; then the
 * edits are waited for until `deadline` (performance.now() time).
 */
async function measure(
  s: Session,
  cfg: Config,
  deadline: number,
  flood: Flood | null,
): Promise<Omit<PhaseFigures, "variant" | "phase" | "loadAverage">> {
  for (const w of s.watchers) w.updates.length = 0;
  const analyses0 = s.watchers.map((w) => [w.analysisFrames, w.analysisBytes] as const);
  const health = new HealthPoller(s.server.url, cfg.healthEveryMs);
  const floodBefore = flood ? await flood.stats() : null;
  const floodCpu0 = flood ? await cpuTimeMs(flood.pid) : Number.NaN;
  const cpu0 = await cpuTimeMs(s.server.pid);
  const sched0 = await schedStat(s.server.pid);
  const t0 = performance.now();
  health.start();

  const total = cfg.warmupEdits + cfg.edits;
  const sends: number[] = [];
  const byClock = new Map<number, number>();
  for (let i = 0; i < total; i++) {
    const due = t0 + i * cfg.spacingMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const edit = captureEdit(s.doc, () => updateTerritory(s.doc, EDITED, { geometry: dragStep(s.ring, s.edits++) }));
    if (!edit) throw new Error("an edit made no update");
    byClock.set(edit.endClock, i);
    const msg = updateMessage(edit.update);
    sends.push(performance.now());
    s.editor.send(msg);
  }
  await sleep(cfg.spacingMs);
  const t1 = performance.now();
  const cpu1 = await cpuTimeMs(s.server.pid);
  const sched1 = await schedStat(s.server.pid);
  const floodCpu1 = flood ? await cpuTimeMs(flood.pid) : Number.NaN;
  const floodAfter = flood ? await flood.stats() : null;
  health.stopIssuing();
  const windowMs = t1 - t0;

  // Wait for every edit at every watcher and every health answer, up to the deadline.
  const arrived = () => s.watchers.every((w) => w.updates.length >= total) && health.outstanding === 0;
  while (!arrived() && performance.now() < deadline) await sleep(10);
  const end = performance.now();
  const healthSamples = health.finish();

  const editSamples: Sample[] = [];
  let stray = 0;
  for (const w of s.watchers) {
    const got = new Set<number>();
    for (const u of w.updates) {
      const clock = updateEndClock(u.bytes, s.doc.clientID);
      const idx = clock === null ? undefined : byClock.get(clock);
      if (idx === undefined) {
        stray++;
        continue;
      }
      got.add(idx);
      if (idx >= cfg.warmupEdits) editSamples.push({ ms: u.t - (sends[idx] as number), censored: false });
    }
    for (let i = cfg.warmupEdits; i < total; i++)
      if (!got.has(i)) editSamples.push({ ms: end - (sends[i] as number), censored: true });
  }
  const frames = s.watchers.map((w, i) => w.analysisFrames - (analyses0[i]?.[0] ?? 0));
  const bytes = s.watchers.map((w, i) => w.analysisBytes - (analyses0[i]?.[1] ?? 0));
  return {
    windowS: windowMs / 1000,
    edit: {
      p50: figure(editSamples, 50),
      p99: figure(editSamples, 99),
      max: figure(editSamples, 100),
      samples: editSamples.filter((x) => !x.censored).length,
      late: editSamples.filter((x) => x.censored).length,
    },
    health: {
      p50: figure(healthSamples, 50),
      p99: figure(healthSamples, 99),
      max: figure(healthSamples, 100),
      samples: healthSamples.filter((x) => !x.censored).length,
      late: healthSamples.filter((x) => x.censored).length,
      errors: health.errors,
    },
    serverCpuPct: ((cpu1 - cpu0) / windowMs) * 100,
    loopRunPct: sched0 && sched1 ? ((sched1.runMs - sched0.runMs) / windowMs) * 100 : Number.NaN,
    loopWaitPct: sched0 && sched1 ? ((sched1.waitMs - sched0.waitMs) / windowMs) * 100 : Number.NaN,
    analysesPerWatcher: Math.min(...frames),
    analysisKiBPerWatcher: Math.min(...bytes) / 1024,
    strayUpdates: stray,
    flood: floodBefore && floodAfter ? floodDelta(floodBefore, floodAfter) : null,
    floodCpuPct: flood ? ((floodCpu1 - floodCpu0) / windowMs) * 100 : null,
  };
}

/**
 * Ends a session's server: politely when it answers within a few seconds of
 * the attack's end (so a profile is written on exit), else SIGKILL.
 */
async function endServer(server: RunningServer): Promise<void> {
  const deadline = performance.now() + 5_000;
  let answers = false;
  while (!answers && performance.now() < deadline) {
    answers = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
  }
  if (answers) await Promise.race([server.stop(), sleep(10_000)]);
  await server.kill();
}

async function runVariant(ctx: BenchContext, cfg: Config, variant: Variant): Promise<PhaseFigures[]> {
  const dataDir = await tempDir("attack");
  let session: Session | null = null;
  let flood: Flood | null = null;
  const out: PhaseFigures[] = [];
  try {
    session = await openSession(ctx, cfg, variant, dataDir);
    const s = session;

    const quietLoad = os.loadavg()[0] ?? 0;
    const quiet = await measure(s, cfg, performance.now() + cfg.phaseMs, null);
    out.push({ variant: variant.id, phase: "quiet", loadAverage: quietLoad, ...quiet });
    ctx.log(`${variant.id} quiet: ${line(out[out.length - 1] as PhaseFigures)}`);

    const token = s.plan.tokens[variant.role];
    if (!token) throw new Error(`the server gave no ${variant.role} link`);
    const attackUrl = `${s.server.roomUrl(s.plan.id)}?token=${encodeURIComponent(token)}`;
    const attackLoad = os.loadavg()[0] ?? 0;
    const start = performance.now();
    flood = await Flood.start(attackUrl, variant.sockets, attackMessage(variant, s.doc), {
      localAddress: "127.0.0.2",
      spread: variant.spread,
    });
    // The timed window opens on the steady flood: every attacker has been answered at least once (or the ramp's cap).
    const f = flood;
    const answered = async () =>
      Object.values((await f.stats()).refusals).reduce((a, b) => a + b, 0) >= variant.sockets;
    await sleep(cfg.rampMs);
    const rampEnd = start + cfg.rampMaxMs;
    while (performance.now() < rampEnd && !(await answered())) await sleep(100);
    const rampS = (performance.now() - start) / 1000;
    const attack = await measure(s, cfg, start + cfg.phaseMs, flood);
    out.push({ variant: variant.id, phase: "attack", loadAverage: attackLoad, rampS, ...attack });
    ctx.log(`${variant.id} attack: ${line(out[out.length - 1] as PhaseFigures)}`);
    return out;
  } finally {
    await flood?.stop().catch(() => null);
    if (session) {
      for (const w of session.watchers) w.close();
      session.editor.close();
      await endServer(session.server);
    }
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

function refused(p: PhaseFigures): number {
  return p.flood ? Object.values(p.flood.refusals).reduce((a, b) => a + b, 0) : Number.NaN;
}

function refusedPerSec(p: PhaseFigures): number {
  return refused(p) / p.windowS;
}

/**
 * The server's event-loop CPU time in the window divided by `count` (all of
 * it, the editor's edits and health included): what one refused update or
 * one attacker's connection costs, a figure that the machine's other load
 * moves far less than a latency.
 */
function loopMsPer(p: PhaseFigures, count: number): string {
  return count > 0 ? fmt(((p.loopRunPct / 100) * p.windowS * 1000) / count) : "–";
}

function line(p: PhaseFigures): string {
  const flood = p.flood
    ? `, refused ${fmt(refusedPerSec(p))}/s, attacker sockets opened ${fmt(p.flood.opened / p.windowS)}/s`
    : "";
  return `health p50 ${show(p.health.p50)} / p99 ${show(p.health.p99)} ms, edit p50 ${show(p.edit.p50)} / p99 ${show(p.edit.p99)} ms (late ${p.edit.late}), server CPU ${fmt(p.serverCpuPct, 0)}%, loop running ${fmt(p.loopRunPct, 0)}% / waiting for a CPU ${fmt(p.loopWaitPct, 0)}%${flood}`;
}

const counts = (m: Record<string, number>) =>
  Object.entries(m)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k}: ${v.toLocaleString("en-US")}`)
    .join(", ") || "–";

async function run(ctx: BenchContext): Promise<BenchResult> {
  const cfg: Config = ctx.quick
    ? {
        territories: 2000,
        watchers: 10,
        warmupEdits: 10,
        edits: 50,
        spacingMs: 20,
        healthEveryMs: 20,
        rampMs: 1000,
        rampMaxMs: 4000,
        phaseMs: 10_000,
        variants: VARIANTS.map((v) => ({ ...v, sockets: Math.ceil(v.sockets / 5) })),
      }
    : {
        territories: 2000,
        watchers: 10,
        warmupEdits: 20,
        edits: 200,
        spacingMs: 20,
        healthEveryMs: 20,
        rampMs: 2000,
        rampMaxMs: 8000,
        phaseMs: 20_000,
        variants: VARIANTS,
      };
  const phases: PhaseFigures[] = [];
  for (const v of cfg.variants) phases.push(...(await runVariant(ctx, cfg, v)));

  const labelOf = (id: Variant["id"]) => {
    const v = cfg.variants.find((x) => x.id === id) as Variant;
    return `${v.sockets} ${v.label}`;
  };
  const quietOf = (id: Variant["id"]) => phases.find((p) => p.variant === id && p.phase === "quiet");
  const verdict = (p: PhaseFigures) => {
    const q = quietOf(p.variant);
    if (p.phase === "quiet" || !q) return "–";
    const healthOk = !p.health.p99.atLeast && p.health.p99.ms < 100;
    const editOk = !p.edit.p99.atLeast && p.edit.p99.ms < 2 * q.edit.p99.ms;
    const v = cfg.variants.find((x) => x.id === p.variant);
    if (v?.diagnostic) return `diagnostic (${healthOk && editOk ? "would be met" : "would be missed"})`;
    return healthOk && editOk
      ? "met"
      : `**missed** (${[healthOk ? "" : "health", editOk ? "" : "edit"].filter(Boolean).join(", ")})`;
  };
  const ratio = (a: Figure, b: Figure) => `${a.atLeast ? "> " : ""}${fmt(a.ms / b.ms)}×`;

  const summaryRows = phases.map((p) => {
    const q = quietOf(p.variant) as PhaseFigures;
    return [
      p.phase === "quiet" ? `quiet (before the ${p.variant} attack)` : labelOf(p.variant),
      `${show(p.health.p50)} / ${show(p.health.p99)}`,
      `${show(p.edit.p50)} / ${show(p.edit.p99)}`,
      p.phase === "quiet" ? "1×" : `${ratio(p.edit.p50, q.edit.p50)} / ${ratio(p.edit.p99, q.edit.p99)}`,
      p.phase === "quiet" ? "–" : fmt(refusedPerSec(p), 0),
      fmt(p.serverCpuPct, 0),
      `${fmt(p.loopRunPct, 0)} / ${fmt(p.loopWaitPct, 0)}`,
      p.loadAverage.toFixed(2),
      verdict(p),
    ];
  });
  const attackRows = phases
    .filter((p) => p.flood)
    .map((p) => {
      const f = p.flood as FloodStats;
      return [
        labelOf(p.variant),
        fmt(f.sent / p.windowS, 0),
        fmt(f.opened / p.windowS, 0),
        counts(f.refusals),
        counts(f.closes),
        counts(f.upgradeRefused),
        fmt((f.bytesReceived / p.windowS) * 1e-6),
        fmt(p.floodCpuPct ?? Number.NaN, 0),
        loopMsPer(p, refused(p)),
        loopMsPer(p, f.opened),
      ];
    });
  const detailRows = phases.map((p) => [
    p.phase === "quiet" ? `quiet (${p.variant})` : labelOf(p.variant),
    p.rampS === undefined ? "–" : fmt(p.rampS),
    fmt(p.windowS),
    `${p.edit.samples} (${p.edit.late} late)`,
    show(p.edit.max),
    `${p.health.samples} (${p.health.late} late, ${p.health.errors} errors)`,
    show(p.health.max),
    `${p.analysesPerWatcher} (${fmt(p.analysisKiBPerWatcher, 0)} KiB)`,
    p.strayUpdates,
  ]);

  const own = commitOf(ROOT);
  const serverCommit = commitOf(SERVER_DIR);
  const elsewhere = SERVER_DIR !== ROOT;
  const notes: string[] = [];
  for (const p of phases.filter((x) => x.phase === "attack")) {
    const q = quietOf(p.variant) as PhaseFigures;
    notes.push(
      `${labelOf(p.variant)}: health p99 ${show(p.health.p99)} ms (bar < 100 ms); edit → watchers p99 ${show(p.edit.p99)} ms = ${ratio(p.edit.p99, q.edit.p99)} the quiet ${show(q.edit.p99)} ms (bar < 2×), p50 ${ratio(p.edit.p50, q.edit.p50)}; health p99 ${ratio(p.health.p99, q.health.p99)} the quiet figure: ${verdict(p).replace(/\*/g, "")}.`,
    );
  }
  notes.push(
    `Times in ms. "> N": the answer had not come when the phase ended (each phase is bounded at ${cfg.phaseMs / 1000} s from its start, the attack's from the attackers' start), so N is a lower bound; late samples are counted at their age then.`,
    `Edit latency: the editor's send → each watcher's arrival, ${cfg.edits} timed edits (after ${cfg.warmupEdits} untimed) one every ${cfg.spacingMs} ms on a fixed schedule, each a one-vertex drag of t0 (a 40-vertex polygon). Health: GET /api/health due every ${cfg.healthEveryMs} ms whatever the previous answers did (at most 4 connections), each timed from when it was due. Server CPU: user + system of the server process (all threads: the scoring worker too) over the timed window, from /proc; "event loop running / waiting": the server's main thread, % of the window on a CPU and runnable but waiting for one (/proc/<pid>/schedstat), so "waiting" is what the other work on this 2-core machine (the attackers' process, the bench's clients, whatever else runs) took from it.`,
    `Attackers run in their own process (lib/flood-child.ts): each socket sends whenever less than 1 KiB is queued in it and opens a new socket as soon as the server closes it (4429 after more than 10 refusals in a minute), so "refused/s" is what the server let them have. They connect from 127.0.0.2, apart from the bench's clients on 127.0.0.1, so the server's back-off for a link closed with 4429 (the same address and link wait 30 s, answered 429 at the upgrade) shuts them out within the ramp; in the "new address" variant every socket comes from an address of its own (127.1.0.1, 127.1.0.2, …), as a botnet or an IPv6 /64 would, so no per-address defence holds and every close is a new join. The timed window opens once every attacker has had a refusal (at least ${cfg.rampMs / 1000} s, at most ${cfg.rampMaxMs / 1000} s after they start; "ramp" below). Each variant runs on a fresh server and plan (its quiet phase first); the server runs with the benchmarks' settings (per-address request and plan-creation limits off, as every client here is 127.0.0.1, and the per-socket update rate off; a flooding socket is closed by its refusals long before that rate would refuse anything).`,
    "Event-loop CPU ms per refused update and per attacker socket: the server main thread's CPU time in the window divided by each count. Each carries all of the window's work (the editor's edits, their analyses, the health checks), so read them as upper bounds on what one costs; unlike the latencies they hardly move with the machine's other load.",
    ...(cfg.variants.some((v) => v.diagnostic)
      ? [
          "The SCORING=0 run is a diagnostic, not the product: without live scoring the server sends no analysis, neither to each socket that joins (the whole analysis, re-serialised per join) nor to everyone after each burst of edits, so the difference to the first row is what the analysis costs under this attack.",
        ]
      : []),
    `Sanity: ${phases.reduce((a, p) => a + p.strayUpdates, 0)} attacker updates relayed to the watchers.`,
  );
  return {
    name: "attack",
    title: `Attack: a ${cfg.territories.toLocaleString("en-US")}-territory plan flooded with refused updates${elsewhere ? ` — server at ${serverCommit ?? SERVER_DIR}` : ""}`,
    description: `A plan of ${cfg.territories.toLocaleString("en-US")} small territories (one POST of a FeatureCollection); one editor and ${cfg.watchers} watchers on raw y-protocols sockets; first quiet, then while ${cfg.variants.map((v) => `${v.sockets} ${v.label}`).join(" or ")} as fast as the server takes them (view: \`territories.set('x', new Y.Map())\`, 29 bytes; edit: t1's geometry set to a 3-position ring). Server: \`server/index.ts\` from ${elsewhere ? `BENCH_SERVER_DIR=${SERVER_DIR} (commit ${serverCommit ?? "?"}), driven by the bench at ${own ?? "?"}` : `this checkout (commit ${own ?? "?"})`}, scoring on, DATA_DIR in the temp folder.`,
    tables: [
      {
        title: "Summary: health and edit → watchers latency, quiet and under attack",
        columns: [
          "scenario",
          "health p50 / p99",
          "edit → watchers p50 / p99",
          "edit vs quiet p50 / p99",
          "refused updates/s",
          "server CPU % of a core",
          "event loop running / waiting for a CPU %",
          "load average",
          "bar: health p99 < 100 ms, edit p99 < 2× quiet",
        ],
        rows: summaryRows,
      },
      {
        title: "The attackers (over the timed window)",
        columns: [
          "scenario",
          "messages sent/s",
          "sockets opened/s",
          "refusals",
          "closes by code",
          "upgrades refused",
          "MB/s the attackers received",
          "attacker process CPU %",
          "event-loop CPU ms per refused update",
          "event-loop CPU ms per attacker socket opened",
        ],
        rows: attackRows,
      },
      {
        title: "Every phase",
        columns: [
          "phase",
          "ramp s",
          "window s",
          "edit samples",
          "edit max",
          "health samples",
          "health max",
          "analyses per watcher",
          "stray updates",
        ],
        rows: detailRows,
      },
    ],
    notes,
    data: { config: cfg, serverDir: elsewhere ? SERVER_DIR : null, serverCommit, benchCommit: own, phases },
  };
}

export const attack: Benchmark = { name: "attack", title: "Attack", run };

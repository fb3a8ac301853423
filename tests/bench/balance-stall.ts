/**
 * Auto-balance never stalls the session (issue 13's last bar): an edit
 * reaches 100 other clients with p99, while an optimisation runs, within
 * 1.5× of the same without it.
 *
 * Our real server (its own process, lowdb store, scoring and balance
 * workers) with a copy of the demo plan (`GET /api/demo`: ten territories
 * over 3,832 hexagons, 6,000 accounts), 100 view sockets watching and one
 * edit socket painting a unit every 20 ms (one unit a Yjs transaction, as
 * a brush stroke sends them). Phases alternate: painting while `POST
 * /api/plans/:id/proposals {"metrics":{"revenue":1},"seconds":10}` runs
 * (from its first progress frame until its end frame arrives: a run ends
 * when its step budget is spent, often before its seconds), then as many
 * edits with no run, in several interleaved pairs, since p99 is noisy; the
 * bar is read on the median of the pairs' p99 ratios. Also reported: the run's own progress (message 23
 * frames each watcher got while it ran), what it reached, and the server's
 * CPU.
 *
 * Standalone: `BENCH_ONLY=balance-stall npm run bench` (BENCH_QUICK=1: two
 * pairs of shorter phases). Reports only, asserts nothing.
 */
import * as decoding from "lib0/decoding";
import * as Y from "yjs";
import { readUnitAssignment, territoryIds, writeUnitAssignments } from "../../shared/doc/schema.ts";
import type { Proposal, ProposalsMessage } from "../../shared/balance/proposal.ts";
import { MessageType } from "../../shared/protocol/messages.ts";
import { censoredPercentile, type Sample } from "./lib/health-poll.ts";
import os from "node:os";
import { type BenchContext, type BenchResult, type Benchmark, fmt, median, sleep, waitFor } from "./lib/report.ts";
import {
  api,
  type CreatedPlan,
  cpuTimeMs,
  commitOf,
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
  watchers: number;
  /** Quiet / running pairs of phases. */
  pairs: number;
  /** Edits before the timed ones in each phase (not counted). */
  warmupEdits: number;
  edits: number;
  spacingMs: number;
  /** The run's budget. */
  seconds: number;
  /** Units the editor paints back and forth. */
  strokeUnits: number;
}

const FULL: Config = {
  watchers: 100,
  pairs: 5,
  warmupEdits: 20,
  /** At most: a running phase paints until the run ends. */
  edits: 1000,
  spacingMs: 20,
  seconds: 10,
  strokeUnits: 40,
};

const QUICK: Config = { ...FULL, pairs: 2, seconds: 6 };
/** Fewest timed edits a running phase must get for its figures to count. */
const MIN_EDITS = 100;

/** The bar: p99 while it runs within 1.5× of quiet. */
const BAR_RATIO = 1.5;

interface Figure {
  ms: number;
  atLeast: boolean;
}

interface PhaseFigures {
  pair: number;
  phase: "quiet" | "running";
  /** 1-minute load average when the phase started. */
  loadAverage: number;
  p50: Figure;
  p99: Figure;
  max: Figure;
  samples: number;
  late: number;
  /** Timed edits (after the warm-up ones). */
  edits: number;
  /** Server CPU (all threads) over the timed window, % of one core. */
  serverCpuPct: number;
  /** The server's main thread (its event loop) runnable but waiting for a CPU, % of the window (NaN where the kernel does not say). */
  loopWaitPct: number;
  /** Running phase: message 23 frames each watcher got during the window (fewest over the watchers). */
  progressFrames?: number;
  /** Running phase: the run's end: its status, how long it took, the best max deviation it reported. */
  run?: { status: string; seconds: number; maxDeviation: number | null; moves: number; progressFramesTotal: number };
}

interface Session {
  server: RunningServer;
  plan: CreatedPlan;
  doc: Y.Doc;
  editor: SyncSocket;
  watchers: SyncSocket[];
  /** Arrival times of message 23 frames, per watcher. */
  proposalFrames: number[][];
  /** The last message 23 payload watcher 0 got. */
  lastProposals: ProposalsMessage | null;
  /** When watcher 0 first heard that a proposal is no longer running, by proposal id. */
  endedAt: Map<string, number>;
  units: string[];
  from: string;
  to: string;
  edits: number;
}

/** A plan from `GET /api/demo`'s answer: its id and its links' tokens. */
async function demoPlan(server: RunningServer): Promise<{ plan: CreatedPlan; viewToken: string }> {
  const res = await fetch(`${server.url}/api/demo`, { signal: AbortSignal.timeout(300_000) });
  if (res.status !== 200) throw new Error(`GET /api/demo: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { id: string; links: Record<"edit" | "comment" | "view", string> };
  const token = (link: string) => new URL(link, server.url).searchParams.get("token") ?? "";
  const tokens = { edit: token(body.links.edit), comment: token(body.links.comment), view: token(body.links.view) };
  return {
    plan: { id: body.id, token: tokens.edit, editUrl: body.links.edit, tokens },
    viewToken: tokens.view,
  };
}

async function openSession(ctx: BenchContext, cfg: Config, dataDir: string): Promise<Session> {
  const server = await startOurServer({
    dataDir,
    profileDir: ctx.profileDir,
    env: { SEED_DEMO: "1", DEMO_COPIES_PER_HOUR: "0", SCORING: "1", BALANCE_MAX_RUNS: "1" },
  });
  await warmUp(server);
  const { plan, viewToken } = await demoPlan(server);
  const doc = new Y.Doc();
  const editor = await SyncSocket.connect(planSyncUrl(server, plan), doc);
  editor.record = false;
  const ids = territoryIds(doc);
  const assignment = readUnitAssignment(doc);
  if (ids.length < 2 || assignment.size === 0) throw new Error("the demo copy has no unit plan");
  const from = ids[0] as string;
  const to = ids[1] as string;
  const units = [...assignment].filter(([, t]) => t === from).map(([key]) => key);
  const viewUrl = `${server.roomUrl(plan.id)}?token=${encodeURIComponent(viewToken)}`;
  const watchers = await connectMany(viewUrl, cfg.watchers);
  const session: Session = {
    server,
    plan,
    doc,
    editor,
    watchers,
    proposalFrames: watchers.map(() => []),
    lastProposals: null,
    endedAt: new Map(),
    units: units.slice(0, cfg.strokeUnits),
    from,
    to,
    edits: 0,
  };
  watchers.forEach((w, i) => {
    w.ws.on("message", (data: Buffer) => {
      if (data[0] !== MessageType.proposals) return;
      const t = performance.now();
      session.proposalFrames[i]?.push(t);
      if (i !== 0) return;
      session.lastProposals = decodeProposals(data);
      for (const p of session.lastProposals.proposals) {
        if (p.status !== "running" && !session.endedAt.has(p.id)) session.endedAt.set(p.id, t);
      }
    });
  });
  await waitFor("the first analysis at every watcher", () => watchers.every((w) => w.analysisFrames > 0), 60_000);
  await waitForQuietCpu(server.pid, 10_000);
  return session;
}

function decodeProposals(data: Buffer): ProposalsMessage {
  const d = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  decoding.readVarUint(d);
  return JSON.parse(decoding.readVarString(d)) as ProposalsMessage;
}

/**
 * One timed window: up to `warmupEdits` + `edits` one-unit paints, one
 * every `spacingMs`, fewer when `stop` says so before one is sent; then
 * every arrival awaited.
 */
async function paint(
  s: Session,
  cfg: Config,
  edits: number,
  stop: () => boolean = () => false,
): Promise<Omit<PhaseFigures, "pair" | "phase" | "loadAverage"> & { lastSend: number; t0: number; edits: number }> {
  for (const w of s.watchers) w.updates.length = 0;
  const cpu0 = await cpuTimeMs(s.server.pid);
  const sched0 = await schedStat(s.server.pid);
  const t0 = performance.now();
  const sends: number[] = [];
  const byClock = new Map<number, number>();
  for (let i = 0; i < cfg.warmupEdits + edits; i++) {
    const due = t0 + i * cfg.spacingMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (stop()) break;
    const k = s.edits++;
    const unit = s.units[k % s.units.length] as string;
    const target = Math.floor(k / s.units.length) % 2 === 0 ? s.to : s.from;
    const edit = captureEdit(s.doc, () => writeUnitAssignments(s.doc, [[unit, target]]));
    if (!edit) throw new Error("a paint made no update");
    byClock.set(edit.endClock, i);
    sends.push(performance.now());
    s.editor.send(updateMessage(edit.update));
  }
  const total = sends.length;
  const lastSend = sends[total - 1] as number;
  const cpu1 = await cpuTimeMs(s.server.pid);
  const sched1 = await schedStat(s.server.pid);
  const windowMs = performance.now() - t0;
  const deadline = performance.now() + 20_000;
  while (!s.watchers.every((w) => w.updates.length >= total) && performance.now() < deadline) await sleep(10);
  const end = performance.now();
  const samples: Sample[] = [];
  for (const w of s.watchers) {
    const got = new Set<number>();
    for (const u of w.updates) {
      const clock = updateEndClock(u.bytes, s.doc.clientID);
      const idx = clock === null ? undefined : byClock.get(clock);
      if (idx === undefined) continue;
      got.add(idx);
      if (idx >= cfg.warmupEdits) samples.push({ ms: u.t - (sends[idx] as number), censored: false });
    }
    for (let i = cfg.warmupEdits; i < total; i++)
      if (!got.has(i)) samples.push({ ms: end - (sends[i] as number), censored: true });
  }
  return {
    t0,
    lastSend,
    edits: Math.max(0, total - cfg.warmupEdits),
    p50: censoredPercentile(samples, 50),
    p99: censoredPercentile(samples, 99),
    max: censoredPercentile(samples, 100),
    samples: samples.filter((x) => !x.censored).length,
    late: samples.filter((x) => x.censored).length,
    serverCpuPct: ((cpu1 - cpu0) / windowMs) * 100,
    loopWaitPct: sched0 && sched1 ? ((sched1.waitMs - sched0.waitMs) / windowMs) * 100 : Number.NaN,
  };
}

async function proposal(s: Session, pid: string): Promise<Proposal> {
  const res = await api(s.server, s.plan, `/api/plans/${s.plan.id}/proposals/${pid}`);
  if (res.status !== 200) throw new Error(`GET proposal: ${res.status} ${await res.text()}`);
  return (await res.json()) as Proposal;
}

/** The same window while a proposal runs: started, its first progress awaited, then painted over. */
async function paintWhileRunning(
  s: Session,
  cfg: Config,
): Promise<Omit<PhaseFigures, "pair" | "phase" | "loadAverage">> {
  const res = await api(s.server, s.plan, `/api/plans/${s.plan.id}/proposals`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ metrics: { revenue: 1 }, seconds: cfg.seconds, seed: s.edits }),
  });
  if (res.status !== 202) throw new Error(`POST proposals: ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  const started = performance.now();
  const progressing = () =>
    s.lastProposals?.proposals.find((p) => p.id === id && p.status === "running" && p.progress > 0);
  await waitFor("the run's first progress frame", progressing, 60_000);
  const { t0, lastSend, ...figures } = await paint(s, cfg, cfg.edits, () => s.endedAt.has(id));
  await waitFor("the run's end", () => s.endedAt.get(id), (cfg.seconds + 60) * 1000);
  const endedAt = s.endedAt.get(id) as number;
  const p = await proposal(s, id);
  await waitForQuietCpu(s.server.pid, 10_000);
  return {
    ...figures,
    progressFrames: Math.min(...s.proposalFrames.map((f) => f.filter((t) => t >= t0 && t <= lastSend).length)),
    run: {
      status: p.status,
      seconds: (endedAt - started) / 1000,
      maxDeviation: p.best?.maxDeviation ?? null,
      moves: p.moves.length,
      progressFramesTotal: (s.proposalFrames[0] ?? []).filter((t) => t >= started && t <= endedAt).length,
    },
  };
}

function show(f: Figure): string {
  return `${f.atLeast ? "> " : ""}${fmt(f.ms)}`;
}

export const balanceStall: Benchmark = {
  name: "balance-stall",
  title: "Auto-balance never stalls the session: edit → 100 clients while a proposal runs",
  async run(ctx: BenchContext): Promise<BenchResult> {
    // Another checkout's server (BENCH_SERVER_DIR, a before/after pair) is named in the title.
    const elsewhere = SERVER_DIR !== ROOT;
    const cfg = ctx.quick ? QUICK : FULL;
    const dataDir = await tempDir("balance-stall");
    const phases: PhaseFigures[] = [];
    let session: Session | null = null;
    try {
      session = await openSession(ctx, cfg, dataDir);
      for (let pair = 1; pair <= cfg.pairs; pair++) {
        // Running first: it paints until the run ends, and the quiet phase then sends as many edits.
        let edits = cfg.edits;
        for (const phase of ["running", "quiet"] as const) {
          const loadAverage = os.loadavg()[0] ?? 0;
          const f = phase === "quiet" ? await quietPhase(session, cfg, edits) : await paintWhileRunning(session, cfg);
          edits = f.edits;
          phases.push({ pair, phase, loadAverage, ...f });
          ctx.log(
            `pair ${pair} ${phase}: p50 ${show(f.p50)} ms, p99 ${show(f.p99)} ms, ${f.late} late, server CPU ${fmt(f.serverCpuPct)} %, loop waiting ${fmt(f.loopWaitPct)} %${f.run ? `, run ${f.run.status} in ${fmt(f.run.seconds)} s, ${f.progressFrames} progress frames a watcher meanwhile` : ""}`,
          );
        }
      }
    } finally {
      if (session) {
        session.editor.close();
        for (const w of session.watchers) w.close();
        await Promise.race([session.server.stop(), sleep(10_000)]);
        await session.server.kill();
      }
    }
    const ratios = Array.from({ length: cfg.pairs }, (_, i) => {
      const q = phases.find((p) => p.pair === i + 1 && p.phase === "quiet") as PhaseFigures;
      const r = phases.find((p) => p.pair === i + 1 && p.phase === "running") as PhaseFigures;
      return { p50: r.p50.ms / q.p50.ms, p99: r.p99.ms / q.p99.ms, censored: r.p99.atLeast || q.p99.atLeast };
    });
    const p99Ratio = median(ratios.map((r) => r.p99));
    const p50Ratio = median(ratios.map((r) => r.p50));
    const of = (phase: PhaseFigures["phase"]) => phases.filter((p) => p.phase === phase);
    const runs = of("running");
    const met = p99Ratio <= BAR_RATIO && runs.every((r) => r.edits >= MIN_EDITS && r.late === 0);
    const notes = [
      `Bar: edit → ${cfg.watchers} clients p99 while a proposal runs within ${BAR_RATIO}× of the same without it: **${met ? "met" : "missed"}** (median over ${cfg.pairs} interleaved pairs of the p99 ratio ${fmt(p99Ratio)}×; p50 ratio ${fmt(p50Ratio)}×; median p99 quiet ${fmt(median(of("quiet").map((p) => p.p99.ms)))} ms, running ${fmt(median(runs.map((p) => p.p99.ms)))} ms).`,
      `The runs' own progress: ${runs.map((r) => r.progressFrames).join(", ")} message 23 frames at every watcher during the ${runs.map((r) => fmt(((r.edits + cfg.warmupEdits) * cfg.spacingMs) / 1000)).join(", ")} s of edits (the server sends at most 4 a second), ${runs.map((r) => r.run?.progressFramesTotal).join(", ")} over each whole run at the first watcher.`,
      `Load average (1 min) at each phase's start: ${phases.map((p) => fmt(p.loadAverage)).join(", ")} (2 cores: above ~1.5 other work shares the machine, and a run holds one core by itself).`,
    ];
    return {
      name: "balance-stall",
      title: `${this.title}${elsewhere ? ` — server at ${commitOf(SERVER_DIR) ?? SERVER_DIR}` : ""}`,
      description: `Our server (its own process, lowdb, scoring and balance workers) with a copy of the demo plan (GET /api/demo: 10 territories, 3,832 units, 6,000 accounts); ${cfg.watchers} view sockets watching, one edit socket painting one unit every ${cfg.spacingMs} ms (${cfg.warmupEdits} untimed first); edit → arrival at each watcher. Phases alternate: while POST …/proposals {"metrics":{"revenue":1},"seconds":${cfg.seconds}} runs (from its first progress frame until its end frame), then as many edits with no run; ${cfg.pairs} pairs (tests/bench/balance-stall.ts).`,
      tables: [
        {
          title: "Edit → watchers, per phase",
          columns: [
            "pair",
            "phase",
            "p50 ms",
            "p99 ms",
            "max ms",
            "edits",
            "samples",
            "late",
            "server CPU",
            "event loop waiting for a CPU",
            "progress frames a watcher",
            "run",
            "load",
          ],
          rows: phases.map((p) => [
            p.pair,
            p.phase,
            show(p.p50),
            show(p.p99),
            show(p.max),
            p.edits,
            p.samples.toLocaleString("en-US"),
            p.late,
            `${fmt(p.serverCpuPct)} %`,
            `${fmt(p.loopWaitPct)} %`,
            p.progressFrames ?? "–",
            p.run
              ? `${p.run.status} in ${fmt(p.run.seconds)} s, max deviation ${p.run.maxDeviation === null ? "–" : `${(p.run.maxDeviation * 100).toFixed(1)} %`}, ${p.run.moves.toLocaleString("en-US")} units move`
              : "–",
            fmt(p.loadAverage),
          ]),
        },
        {
          title: "Running ÷ quiet, per pair",
          columns: ["pair", "p50 ratio", "p99 ratio"],
          rows: ratios.map((r, i) => [i + 1, `${fmt(r.p50)}×`, `${r.censored ? "≈ " : ""}${fmt(r.p99)}×`]),
        },
      ],
      notes,
      data: { config: cfg, phases, ratios, p50Ratio, p99Ratio, met },
    };
  },
};

/** The same number of edits without a run. */
async function quietPhase(
  s: Session,
  cfg: Config,
  edits: number,
): Promise<Omit<PhaseFigures, "pair" | "phase" | "loadAverage">> {
  const { t0: _t0, lastSend: _lastSend, ...figures } = await paint(s, cfg, edits);
  await waitForQuietCpu(s.server.pid, 10_000);
  return figures;
}

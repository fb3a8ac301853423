/**
 * `npm run bench`: runs the benchmarks in tests/bench/, prints a markdown
 * table per benchmark and writes tests/bench/results.json and RESULTS.md.
 *
 *   BENCH_ONLY=sync,throughput,storage,scoring,client,import,attack,units,balance,balance-stall,units-browser,versions,replay,scenarios,scope,cluster   run a subset
 *                    (results of the others are kept from the last full run)
 *   BENCH_QUICK=1    small N, a smoke run
 *   BENCH_PROFILE=1  run the servers under `node --cpu-prof`; profiles go to
 *                    tests/bench/profiles/ (summarise with lib/profile-summary.ts)
 *   BENCH_SYNC_N=100 sync latency with only these client counts
 *   CHROMIUM_PATH    browser for the client benchmark (default /usr/bin/chromium)
 *   BENCH_STATIC_DIR client build the client and units-browser benchmarks serve (default dist/)
 *   BENCH_POINTS=webgl|canvas  force the client's accounts renderer (default: its own choice)
 *   BENCH_SERVER_DIR another checkout (e.g. a worktree at an older commit) whose
 *                    server the benchmarks start instead of this one's; its
 *                    results are kept beside this checkout's, under
 *                    "<name>@<commit>" (a before/after pair, e.g. the attack bench)
 *
 * Quick, profiled or filtered runs write to tests/bench/scratch/ (ignored by
 * git), so they never replace the committed full figures.
 *
 * Benchmarks report; they never assert a speed (tests/README.md and the README's "Benchmarks").
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { clientRender } from "./client-render.ts";
import { attack } from "./attack.ts";
import { importBench } from "./import.ts";
import { describeMachine, fdatasyncCost, type Machine, machineMarkdown } from "./lib/machine.ts";
import {
  type BenchContext,
  type BenchResult,
  type Benchmark,
  markdownTable,
  percentile,
  renderResult,
} from "./lib/report.ts";
import { commitOf, killAllChildren, ROOT, SERVER_DIR } from "./lib/servers.ts";
import { run as runScoring } from "./scoring.ts";
import { storageGrowth } from "./storage-growth.ts";
import { syncLatency } from "./sync-latency.ts";
import { throughput } from "./throughput.ts";
import { balanceBench } from "./balance.ts";
import { balanceStall } from "./balance-stall.ts";
import { unitsBench } from "./units.ts";
import { unitsBrowser } from "./units-browser.ts";
import { versionsBench } from "./versions.ts";
import { replayBench } from "./replay.ts";
import { scenariosBench } from "./scenarios.ts";
import { scopeBench } from "./scope.ts";
import { clusterBench } from "./cluster.ts";

/**
 * The scoring benchmark (scoring.ts, owned with shared/scoring/) renders its
 * own table and also runs standalone; this adapts it to the runner.
 */
const scoring: Benchmark = {
  name: "scoring",
  title: "Scoring",
  async run(ctx) {
    const r = await runScoring({ quick: ctx.quick });
    return {
      name: "scoring",
      title: r.title,
      description:
        "shared/scoring's Analyzer on a synthetic plan (tests/bench/scoring.ts; standalone: `npx tsx tests/bench/scoring.ts`), in this process.",
      tables: [],
      markdown: r.table,
      notes: [],
      data: r.results,
    };
  },
};

const ALL: Benchmark[] = [
  syncLatency,
  throughput,
  storageGrowth,
  scoring,
  clientRender,
  importBench,
  attack,
  unitsBench,
  balanceBench,
  balanceStall,
  unitsBrowser,
  versionsBench,
  replayBench,
  scenariosBench,
  scopeBench,
  clusterBench,
];

interface StoredResult extends BenchResult {
  ranAt: string;
  quick: boolean;
  machine: Machine;
  seconds: number;
  /** 1-minute load average when this benchmark started: other work on the machine skews the tails. */
  loadAverage: number;
  /** 1 KiB append + fdatasync in the temp folder just before this benchmark (p50, p99 ms): the durable path's floor. */
  fdatasyncMs: [number, number];
  /** Commit of the server measured (absent in results written before it was recorded). */
  serverCommit?: string | null;
}

interface ResultsFile {
  updatedAt: string;
  benchmarks: Record<string, StoredResult>;
}

const HERE = import.meta.dirname;

async function main(): Promise<number> {
  const quick = process.env.BENCH_QUICK === "1" || process.env.BENCH_QUICK === "true";
  const only = (process.env.BENCH_ONLY ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only.filter((n) => !ALL.some((b) => b.name === n));
  if (unknown.length) {
    console.error(
      `Unknown benchmark(s) in BENCH_ONLY: ${unknown.join(", ")}. Known: ${ALL.map((b) => b.name).join(", ")}.`,
    );
    return 2;
  }
  const selected = only.length ? ALL.filter((b) => only.includes(b.name)) : ALL;
  // Another checkout's server (BENCH_SERVER_DIR): its results are stored beside ours, not over them.
  const serverCommit = commitOf(SERVER_DIR);
  const suffix = SERVER_DIR === ROOT ? "" : `@${serverCommit ?? "other"}`;
  // Only a full, unprofiled, unfiltered run updates the committed figures; anything else is scratch.
  const scratch = quick || process.env.BENCH_PROFILE === "1" || Boolean(process.env.BENCH_SYNC_N);
  const outDir = scratch ? path.join(HERE, "scratch") : HERE;
  const profileDir = process.env.BENCH_PROFILE === "1" ? path.join(HERE, "profiles") : null;
  await fs.mkdir(outDir, { recursive: true });
  if (profileDir) await fs.mkdir(profileDir, { recursive: true });

  const machine = await describeMachine();
  console.log(
    `# Wilayah benchmarks${quick ? " (BENCH_QUICK: smoke run, small N)" : ""}\n\n${machineMarkdown(machine)}\n`,
  );

  const ctx: BenchContext = {
    quick,
    profileDir,
    log: (m) => console.error(`  … ${m}`),
  };

  const resultsPath = path.join(outDir, "results.json");
  let file: ResultsFile = { updatedAt: "", benchmarks: {} };
  try {
    file = JSON.parse(await fs.readFile(resultsPath, "utf8")) as ResultsFile;
  } catch {
    // first run
  }

  let failures = 0;
  for (const bench of selected) {
    console.error(`▶ ${bench.title}`);
    const t0 = performance.now();
    const loadAverage = os.loadavg()[0] ?? 0;
    const fsync = await fdatasyncCost();
    const fdatasyncMs: [number, number] = [percentile(fsync, 50), percentile(fsync, 99)];
    let result: BenchResult;
    try {
      result = await bench.run(ctx);
    } catch (e) {
      failures++;
      console.error(`✖ ${bench.title} failed: ${(e as Error).stack ?? e}`);
      killAllChildren();
      continue;
    }
    const seconds = (performance.now() - t0) / 1000;
    console.log(renderResult(result));
    console.error(`✔ ${bench.title} in ${seconds.toFixed(0)} s`);
    file.benchmarks[bench.name + suffix] = {
      ...result,
      serverCommit,
      ranAt: new Date().toISOString(),
      quick,
      machine,
      seconds,
      loadAverage,
      fdatasyncMs,
    };
    file.updatedAt = new Date().toISOString();
    // Written after each benchmark, so a later failure keeps the earlier figures.
    await fs.writeFile(resultsPath, `${JSON.stringify(file, null, 2)}\n`);
    await fs.writeFile(path.join(outDir, "RESULTS.md"), resultsMarkdown(file, machine));
  }
  return failures ? 1 : 0;
}

function resultsMarkdown(file: ResultsFile, latest: Machine): string {
  const out = [
    "# Benchmark results",
    "",
    "Written by `npm run bench` (tests/bench/run.ts); do not edit by hand. Medians on the machine below unless said otherwise.",
    "",
    "## Machine (latest run)",
    "",
    machineMarkdown(latest),
    "",
  ];
  // Each benchmark, then its runs against other checkouts' servers (name@commit).
  const order = ALL.flatMap((b) => [
    b.name,
    ...Object.keys(file.benchmarks)
      .filter((k) => k.startsWith(`${b.name}@`))
      .sort(),
  ]).filter((n) => file.benchmarks[n]);
  out.push(
    markdownTable({
      title: "",
      columns: [
        "benchmark",
        "ran at",
        "mode",
        "took",
        "load average at start",
        "fdatasync p50 / p99 ms at start",
        "machine",
      ],
      rows: order.map((n) => {
        const r = file.benchmarks[n] as StoredResult;
        return [
          r.title,
          r.ranAt,
          r.quick ? "quick" : "full",
          `${r.seconds.toFixed(0)} s`,
          r.loadAverage === undefined ? "–" : r.loadAverage.toFixed(2),
          r.fdatasyncMs ? `${r.fdatasyncMs[0].toFixed(2)} / ${r.fdatasyncMs[1].toFixed(2)}` : "–",
          `${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}`,
        ];
      }),
    }),
    "",
  );
  for (const n of order) out.push(renderResult(file.benchmarks[n] as StoredResult));
  return `${out.join("\n").trimEnd()}\n`;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    killAllChildren();
    process.exit(130);
  });
}
process.on("exit", killAllChildren);

main().then(
  (code) => {
    killAllChildren();
    process.exit(code);
  },
  (e: Error) => {
    console.error(e);
    killAllChildren();
    process.exit(1);
  },
);

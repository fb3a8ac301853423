/**
 * Scenarios (issue 14; README "Benchmarks"): on a plan of 500 territories
 * (100,000 vertices) and 50,000 accounts, making a scenario of it, then,
 * after edits on both sides, comparing it with its origin, previewing the
 * promote and promoting it, with `GET /api/health` polled meanwhile to show
 * what each costs everyone else; and what a scenario adds on disk, its
 * files shared with the origin (hard links) counted apart from its own.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { importAccounts } from "./lib/accounts.ts";
import { JAVA, javaGrid } from "./lib/geometry.ts";
import { censoredPercentile, HealthPoller, type Sample } from "./lib/health-poll.ts";
import { type BenchContext, type BenchResult, type Benchmark, fmt, fmtBytes, median, waitFor } from "./lib/report.ts";
import { api, type CreatedPlan, createPlan, type RunningServer, startOurServer, tempDir } from "./lib/servers.ts";

const COLS = 25;
const ROWS = 20;
const PER_SIDE = 50;
const ACCOUNTS = 50_000;

interface Timed {
  ms: number;
  status: number;
  body: string;
}

async function call(server: RunningServer, plan: CreatedPlan, rest: string, method = "GET", body?: unknown) {
  const t0 = performance.now();
  const res = await api(server, plan, `/api/plans/${plan.id}${rest}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const r: Timed = { ms: performance.now() - t0, status: res.status, body: text };
  if (r.status < 200 || r.status > 299) throw new Error(`${method} ${rest}: ${r.status} ${text.slice(0, 300)}`);
  return r;
}

async function polled<T>(server: RunningServer, fn: () => Promise<T>): Promise<{ result: T; health: Sample[] }> {
  const poller = new HealthPoller(server.url, 20);
  poller.start();
  try {
    return { result: await fn(), health: poller.finish() };
  } catch (e) {
    poller.finish();
    throw e;
  }
}

const rename = (server: RunningServer, plan: CreatedPlan, i: number, name: string) =>
  call(server, plan, `/territories/t${i}`, "PUT", { type: "Feature", properties: { name } });

/** Bytes of a plan's folder: all of it, and only the files it does not share with `other` (same inode). */
async function ownBytes(dir: string, other: string): Promise<{ all: number; own: number }> {
  const inodes = new Set<number>();
  const walk = async (d: string, visit: (file: string, ino: number, size: number) => void) => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p, visit);
      else {
        const s = await fs.stat(p);
        visit(p, s.ino, s.size);
      }
    }
  };
  await walk(other, (_f, ino) => inodes.add(ino));
  let all = 0;
  let own = 0;
  await walk(dir, (_f, ino, size) => {
    all += size;
    if (!inodes.has(ino)) own += size;
  });
  return { all, own };
}

async function run(ctx: BenchContext): Promise<BenchResult> {
  const rounds = ctx.quick ? 2 : 5;
  const dataDir = await tempDir("scenarios");
  const server = await startOurServer({ dataDir, profileDir: ctx.profileDir });
  try {
    const plan = await createPlan(server, "Scenarios bench");
    const polys = javaGrid(COLS, ROWS, PER_SIDE);
    const features = polys.map((geometry, i) => ({
      type: "Feature",
      id: `t${i}`,
      geometry,
      properties: { name: `Wilayah ${i + 1}` },
    }));
    await call(server, plan, "/territories", "POST", { type: "FeatureCollection", features });
    const bbox: [number, number, number, number] = [
      JAVA.west + 0.01,
      JAVA.south + 0.01,
      JAVA.east - 0.01,
      JAVA.north - 0.01,
    ];
    ctx.log(`500 territories in; importing ${ACCOUNTS} accounts`);
    await importAccounts(server, plan, { count: ACCOUNTS, bbox, towns: 40, seed: 14 });
    await waitFor(
      "the analysis of 50,000 accounts",
      async () => {
        const r = await call(server, plan, "/analysis");
        return (JSON.parse(r.body) as { totals: { accounts: number } }).totals.accounts === ACCOUNTS;
      },
      120_000,
      200,
    );
    const quiet = await polled(server, () => new Promise((r) => setTimeout(r, 2_000)));
    const ms = { create: [] as number[], compare: [] as number[], preview: [] as number[], promote: [] as number[] };
    const health = {
      create: [] as Sample[],
      compare: [] as Sample[],
      preview: [] as Sample[],
      promote: [] as Sample[],
    };
    let disk = { all: 0, own: 0 };
    for (let round = 0; round < rounds; round++) {
      ctx.log(`round ${round + 1} of ${rounds}`);
      const made = await polled(server, () => call(server, plan, "/scenarios", "POST", { name: `What if ${round}` }));
      ms.create.push(made.result.ms);
      health.create.push(...made.health);
      const body = JSON.parse(made.result.body) as { id: string; links: { edit: string } };
      const token = new URL(body.links.edit).searchParams.get("token");
      const scenario: CreatedPlan = { id: body.id, token, editUrl: body.links.edit, tokens: {} };
      if (round === 0)
        disk = await ownBytes(path.join(dataDir, "plans", body.id), path.join(dataDir, "plans", plan.id));
      // Twenty renames in the scenario, five in the origin (one of them a conflict, decided for the origin).
      for (let i = 0; i < 20; i++) await rename(server, scenario, round * 20 + i, `Scenario ${round}.${i}`);
      for (let i = 0; i < 5; i++) await rename(server, plan, round * 20 + i * 7 + 3, `Origin ${round}.${i}`);
      for (const [key, r] of [
        ["compare", () => call(server, scenario, "/compare?from=origin")],
        ["preview", () => call(server, scenario, "/promote?dryRun=1", "POST", { conflicts: "origin" })],
        ["promote", () => call(server, scenario, "/promote", "POST", { conflicts: "origin" })],
      ] as const) {
        const done = await polled(server, r);
        ms[key].push(done.result.ms);
        health[key].push(...done.health);
      }
    }
    const cell = (samples: Sample[]) =>
      `${fmt(censoredPercentile(samples, 99).ms)} / ${fmt(Math.max(...samples.map((s) => s.ms)))} ms`;
    const row = (what: string, values: number[], samples: Sample[]) => [
      what,
      `${fmt(median(values))} ms (${values.map((v) => fmt(v)).join(", ")})`,
      cell(samples),
    ];
    return {
      name: "scenarios",
      title: "Scenarios",
      description: `A plan of 500 drawn territories (100,000 vertices) and ${ACCOUNTS.toLocaleString("en")} accounts over REST; ${rounds} rounds of: make a scenario of it (POST …/scenarios), rename 20 territories there and 5 in the origin (one both), compare the scenario with its origin, preview the promote, promote it. GET /api/health every 20 ms around each call.`,
      tables: [
        {
          title: "Scenarios on 500 territories and 50,000 accounts",
          columns: ["call", "median (each round)", "health p99 / worst meanwhile"],
          rows: [
            ["quiet", "–", cell(quiet.health)],
            row("make a scenario", ms.create, health.create),
            row("compare with origin", ms.compare, health.compare),
            row("preview the promote", ms.preview, health.preview),
            row("promote", ms.promote, health.promote),
          ],
        },
        {
          title: "A new scenario on disk",
          columns: ["its folder", "shared with the origin (hard links)", "its own"],
          rows: [[fmtBytes(disk.all), fmtBytes(disk.all - disk.own), fmtBytes(disk.own)]],
        },
      ],
      notes: [],
      data: { ms, disk, health: { quietP99: censoredPercentile(quiet.health, 99).ms } },
    };
  } finally {
    await server.stop();
  }
}

export const scenariosBench: Benchmark = { name: "scenarios", title: "Scenarios", run };

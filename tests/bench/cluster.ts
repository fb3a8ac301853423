/**
 * Several instances (issue 16), side by side in one run:
 *
 * 1. fan-out: one writer reshaping a territory every 20 ms, 100 receivers;
 *    one instance on files, one instance on PostgreSQL, and three instances
 *    (PostgreSQL + Redis) with the writer on an instance that does not own
 *    the plan and the receivers spread over all three. Interleaved rounds;
 *    CPU per edit of the owner and of a forwarding instance (what a
 *    broadcast design would make every instance spend).
 * 2. commit: a REST rename answered 200 (committed) one after another, on
 *    files (fdatasync) and on PostgreSQL (synchronous commit).
 * 3. failover: three instances, 20 reconnecting clients on the two that do
 *    not own the plan, a writer renaming through one of them; kill -9 of the
 *    owner, time until every client shows an edit acknowledged after the
 *    kill; the killed instance restarted before the next trial; every
 *    trial checks that nothing acknowledged was lost.
 * 4. scale: 1,000 clients over 10 plans on three instances, one writer per
 *    plan; errors and deliveries; memory per idle plan and per socket.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import { Redis } from "ioredis";
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { readTerritories, writeTerritory, updateTerritory } from "../../shared/doc/schema.ts";
import { dropDatabase, freePort, freshDatabase, REDIS_URL } from "../fixtures/services.ts";
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
  type CreatedPlan,
  createPlan,
  cpuTimeMs,
  planSyncUrl,
  type RunningServer,
  startOurServer,
  tempDir,
} from "./lib/servers.ts";
import { captureEdit, connectMany, SyncSocket, updateEndClock, updateMessage } from "./lib/sync-socket.ts";
import { TcpBalancer } from "./lib/tcp-balancer.ts";

const CENTER: Pos = [110.4, -7.0];
const TERRITORY = "bench-territory";

interface Deployment {
  label: string;
  servers: RunningServer[];
  /** Where the plan is created (its owner). */
  owner: RunningServer;
  /** The environment every instance shares (database, Redis prefix, person key). */
  env: Record<string, string>;
  /** Starts instance `i` again on its port (after a kill). */
  restart(i: number): Promise<RunningServer>;
  cleanup(): Promise<void>;
}

/** n instances on one fresh database and Redis prefix (n = 1 without Redis: PostgreSQL alone), or the file store. */
async function deploy(kind: "files" | "pg" | "cluster", n = 3, env: Record<string, string> = {}): Promise<Deployment> {
  const dirs: string[] = [];
  const servers: RunningServer[] = [];
  let databaseUrl: string | null = null;
  const common = { ...env };
  if (kind !== "files") {
    databaseUrl = await freshDatabase();
    common.DATABASE_URL = databaseUrl;
  }
  if (kind === "cluster") {
    common.REDIS_URL = REDIS_URL;
    common.REDIS_PREFIX = `wilayah-bench-${randomBytes(4).toString("hex")}:`;
    common.PERSON_KEY = randomBytes(24).toString("base64url");
  }
  const count = kind === "cluster" ? n : 1;
  const start = async (port: number) => {
    const dataDir = await tempDir(`cluster-${kind}`);
    dirs.push(dataDir);
    return startOurServer({ dataDir, env: { ...common, PORT: String(port) } });
  };
  for (let i = 0; i < count; i++) servers.push(await start(await freePort()));
  return {
    label: kind === "files" ? "1 instance, files" : kind === "pg" ? "1 instance, PostgreSQL" : `${count} instances`,
    servers,
    owner: servers[0] as RunningServer,
    env: common,
    async restart(i) {
      const s = await start((servers[i] as RunningServer).port);
      servers[i] = s;
      return s;
    },
    async cleanup() {
      await Promise.all(servers.map((s) => s.kill()));
      for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
      if (databaseUrl) await dropDatabase(databaseUrl).catch(() => {});
    },
  };
}

const syncUrlOn = (server: RunningServer, plan: CreatedPlan) => planSyncUrl(server, plan);

// ── 1. fan-out ───────────────────────────────────────────────────────────────

interface FanoutRun {
  label: string;
  round: number;
  p50: number;
  p99: number;
  lost: number;
  ownerCpuPerEditMs: number;
  /** Mean over the forwarding instances (0 instances: NaN). */
  forwarderCpuPerEditMs: number;
}

async function fanout(
  kind: "files" | "pg" | "cluster",
  round: number,
  edits: number,
  warmup: number,
): Promise<FanoutRun> {
  const d = await deploy(kind);
  const sockets: SyncSocket[] = [];
  try {
    const plan = await createPlan(d.owner, "Fan-out bench");
    const others = d.servers.filter((s) => s !== d.owner);
    const writerAt = others[0] ?? d.owner;
    const doc = new Y.Doc();
    const writer = await SyncSocket.connect(syncUrlOn(writerAt, plan), doc);
    writer.record = false;
    sockets.push(writer);
    for (const [i, s] of d.servers.entries()) {
      const share = Math.floor(100 / d.servers.length) + (i < 100 % d.servers.length ? 1 : 0);
      sockets.push(...(await connectMany(syncUrlOn(s, plan), share)));
    }
    const receivers = sockets.slice(1);
    const ring = blobRing(CENTER, 0.3, 200, 7);
    const created = captureEdit(doc, () =>
      writeTerritory(doc, benchTerritory(TERRITORY, "Bench", "#1b9e77", polygon(ring))),
    );
    if (!created) throw new Error("no update");
    writer.send(updateMessage(created.update));
    await waitFor("the territory everywhere", () => receivers.every((r) => r.updates.length >= 1), 30_000);
    const sends: number[] = [];
    const byClock = new Map<number, number>();
    let cpu0: number[] = [];
    for (let i = 0; i < warmup + edits; i++) {
      if (i === warmup) cpu0 = await Promise.all(d.servers.map((s) => cpuTimeMs(s.pid)));
      const e = captureEdit(doc, () => updateTerritory(doc, TERRITORY, { geometry: dragStep(ring, i) }));
      if (!e) throw new Error("no update");
      byClock.set(e.endClock, i);
      sends.push(performance.now());
      writer.send(updateMessage(e.update));
      await sleep(20);
    }
    await waitFor(
      "every edit everywhere",
      () => receivers.every((r) => r.updates.length >= 1 + warmup + edits),
      20_000,
    ).catch(() => {});
    const cpu1 = await Promise.all(d.servers.map((s) => cpuTimeMs(s.pid)));
    const lat: number[] = [];
    for (const r of receivers) {
      for (const u of r.updates) {
        const clock = updateEndClock(u.bytes, doc.clientID);
        const i = clock === null ? undefined : byClock.get(clock);
        if (i === undefined || i < warmup) continue;
        lat.push(u.t - (sends[i] as number));
      }
    }
    lat.sort((a, b) => a - b);
    const perEdit = cpu1.map((c, i) => (c - (cpu0[i] as number)) / edits);
    const fwd = perEdit.slice(1);
    return {
      label: d.label,
      round,
      p50: percentileSorted(lat, 50),
      p99: percentileSorted(lat, 99),
      lost: edits * receivers.length - lat.length,
      ownerCpuPerEditMs: perEdit[0] as number,
      forwarderCpuPerEditMs: fwd.length ? fwd.reduce((a, b) => a + b, 0) / fwd.length : Number.NaN,
    };
  } finally {
    for (const s of sockets) s.close();
    await d.cleanup();
  }
}

// ── 2. commit ────────────────────────────────────────────────────────────────

async function rename(server: RunningServer, plan: CreatedPlan, id: string, name: string): Promise<number> {
  try {
    const res = await fetch(`${server.url}/api/plans/${plan.id}/territories/${id}?token=${plan.token}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "Feature", properties: { name } }),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

async function addSquare(server: RunningServer, plan: CreatedPlan, id: string): Promise<void> {
  const [x, y] = [107 + Math.random(), -7 + Math.random() * 0.1];
  const res = await fetch(`${server.url}/api/plans/${plan.id}/territories?token=${plan.token}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      type: "Feature",
      properties: { id, name: `${id}-0` },
      geometry: {
        type: "Polygon",
        coordinates: [
          [
            [x, y],
            [x + 0.01, y],
            [x + 0.01, y + 0.01],
            [x, y + 0.01],
            [x, y],
          ],
        ],
      },
    }),
  });
  if (res.status !== 201) throw new Error(`add territory: ${res.status} ${await res.text()}`);
}

async function commits(kind: "files" | "pg", n: number): Promise<{ label: string; p50: number; p99: number }> {
  const d = await deploy(kind);
  try {
    const plan = await createPlan(d.owner, "Commit bench");
    await addSquare(d.owner, plan, "c1");
    const times: number[] = [];
    for (let i = 0; i < n + 20; i++) {
      const t = performance.now();
      const status = await rename(d.owner, plan, "c1", `c1-${i}`);
      if (status !== 200) throw new Error(`rename: ${status}`);
      if (i >= 20) times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return { label: d.label, p50: percentileSorted(times, 50), p99: percentileSorted(times, 99) };
  } finally {
    await d.cleanup();
  }
}

// ── 3. failover ──────────────────────────────────────────────────────────────

const counterOf = (name: string | undefined) => Number(/-(\d+)$/.exec(name ?? "")?.[1] ?? -1);

interface Failover {
  trials: number;
  timed: number[];
  lost: number;
  ackedTotal: number;
}

async function failover(trials: number, timedTrials: number, log: (m: string) => void): Promise<Failover> {
  const d = await deploy("cluster", 3, { LEASE_MS: "4000" });
  const redis = new Redis(REDIS_URL);
  // Clients reach the instances through a load balancer, as in production (compose.yaml's nginx).
  const balancer = new TcpBalancer(() => d.servers.map((s) => s.port));
  const providers: { doc: Y.Doc; provider: WebsocketProvider }[] = [];
  const result: Failover = { trials: 0, timed: [], lost: 0, ackedTotal: 0 };
  try {
    const lb = `127.0.0.1:${await balancer.listen()}`;
    const plan = await createPlan(d.owner, "Failover bench");
    await addSquare(d.owner, plan, "f1");
    const front = { url: `http://${lb}` } as RunningServer;
    // Clients reconnect by themselves (y-websocket), through the balancer.
    for (let i = 0; i < 20; i++) {
      const doc = new Y.Doc();
      const provider = new WebsocketProvider(`ws://${lb}/sync`, plan.id, doc, {
        WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
        disableBc: true,
        params: { token: plan.token ?? "" },
        maxBackoffTime: 500,
      });
      // Wilayah's own messages (refusals, analysis, feed, proposals) are not the stock client's business.
      for (const type of [20, 21, 22, 23]) provider.messageHandlers[type] = () => {};
      providers.push({ doc, provider });
    }
    await waitFor("clients synced", () => providers.every((p) => readTerritories(p.doc).length === 1), 30_000);
    const lease = `${d.env.REDIS_PREFIX}owner:${plan.id}`;
    let n = 0;
    let acked = 0;
    for (let trial = 0; trial < trials; trial++) {
      // The owner now: the instance named in the lease.
      const holder = await redis.get(lease);
      const owner = d.servers.find((s) => holder?.endsWith(`:${s.port}`));
      if (!owner) throw new Error(`no owner found (${holder})`);
      for (let i = 0; i < 5; i++) if ((await rename(front, plan, "f1", `f1-${++n}`)) === 200) acked = n;
      const killedAt = performance.now();
      await owner.kill();
      // The first edit acknowledged after the kill, then every client showing it.
      let first = -1;
      while (first < 0) {
        const k = ++n;
        if ((await rename(front, plan, "f1", `f1-${k}`)) === 200) {
          acked = k;
          first = k;
        } else await sleep(20);
        if (performance.now() - killedAt > 60_000) throw new Error("no edit acknowledged within 60 s of the kill");
      }
      await waitFor(
        "every client converged",
        () => providers.every((p) => counterOf(readTerritories(p.doc)[0]?.name) >= first),
        60_000,
      ).catch((e: Error) => {
        const seen = providers.map(
          (p) => `${counterOf(readTerritories(p.doc)[0]?.name)}${p.provider.wsconnected ? "" : "(offline)"}`,
        );
        throw new Error(`${e.message}: after edit ${first}, the clients show ${seen.join(" ")}`);
      });
      const ms = performance.now() - killedAt;
      if (trial < timedTrials) result.timed.push(ms);
      // Nothing acknowledged is lost: what is stored is at least the last acknowledged edit.
      const res = await fetch(`${front.url}/api/plans/${plan.id}/territories?token=${plan.token}`);
      const fc = (await res.json()) as { features: { properties: { name: string } }[] };
      if (counterOf(fc.features[0]?.properties.name) < acked) result.lost++;
      result.ackedTotal = acked;
      result.trials++;
      // Restart the killed instance on its port for the next trial.
      await d.restart(d.servers.indexOf(owner));
      if (trial % 10 === 9) log(`failover: ${trial + 1}/${trials} trials, median ${fmt(median(result.timed), 0)} ms`);
    }
    return result;
  } finally {
    for (const p of providers) {
      p.provider.destroy();
      p.doc.destroy();
    }
    redis.disconnect();
    await balancer.close();
    await d.cleanup();
  }
}

// ── 4. scale ─────────────────────────────────────────────────────────────────

async function rssKb(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
}

const totalRss = async (servers: RunningServer[]) =>
  (await Promise.all(servers.map((s) => rssKb(s.pid)))).reduce((a, b) => a + b, 0);

interface Scale {
  plans: number;
  clients: number;
  seconds: number;
  edits: number;
  delivered: number;
  expected: number;
  closed: number;
  refusals: number;
  idlePlans: number;
  kbPerIdlePlan: number;
  kbPerSocket: number;
}

async function scale(plans: number, perPlan: number, seconds: number, idlePlans: number): Promise<Scale> {
  // Rooms stay loaded while idle (the idle plans measured), as a busy server's would between visits.
  const d = await deploy("cluster", 3, { ROOM_IDLE_MS: "600000" });
  const sockets: SyncSocket[] = [];
  try {
    await sleep(2_000);
    const base = await totalRss(d.servers);
    // Idle plans: made and loaded (a territory added), then left alone; owners spread over the instances.
    for (let i = 0; i < idlePlans; i++) {
      const s = d.servers[i % d.servers.length] as RunningServer;
      await addSquare(s, await createPlan(s, `Idle ${i}`), "t1");
    }
    await sleep(2_000);
    const withIdle = await totalRss(d.servers);
    const made: { plan: CreatedPlan; doc: Y.Doc; writer: SyncSocket; receivers: SyncSocket[] }[] = [];
    for (let i = 0; i < plans; i++) {
      const owner = d.servers[i % d.servers.length] as RunningServer;
      const plan = await createPlan(owner, `Busy ${i}`);
      const doc = new Y.Doc();
      const writer = await SyncSocket.connect(
        syncUrlOn(d.servers[(i + 1) % d.servers.length] as RunningServer, plan),
        doc,
      );
      writer.record = false;
      sockets.push(writer);
      const receivers: SyncSocket[] = [];
      for (const [j, s] of d.servers.entries()) {
        const share = Math.floor(perPlan / d.servers.length) + (j < perPlan % d.servers.length ? 1 : 0);
        receivers.push(...(await connectMany(syncUrlOn(s, plan), share)));
      }
      sockets.push(...receivers);
      for (const r of receivers) r.record = false;
      made.push({ plan, doc, writer, receivers });
    }
    await sleep(2_000);
    const withSockets = await totalRss(d.servers);
    let delivered = 0;
    for (const m of made) for (const r of m.receivers) r.onUpdate = () => void delivered++;
    const ring = blobRing(CENTER, 0.3, 200, 7);
    for (const m of made) {
      const e = captureEdit(m.doc, () =>
        writeTerritory(m.doc, benchTerritory(TERRITORY, "Busy", "#1b9e77", polygon(ring))),
      );
      if (e) m.writer.send(updateMessage(e.update));
    }
    await sleep(1_000);
    delivered = 0;
    const rounds = Math.floor((seconds * 1000) / 200);
    for (let i = 0; i < rounds; i++) {
      for (const m of made) {
        const e = captureEdit(m.doc, () => updateTerritory(m.doc, TERRITORY, { geometry: dragStep(ring, i) }));
        if (e) m.writer.send(updateMessage(e.update));
      }
      await sleep(200);
    }
    const expected = rounds * plans * perPlan;
    await waitFor("every delivery", () => delivered >= expected, 20_000).catch(() => {});
    return {
      plans,
      clients: plans * perPlan,
      seconds,
      edits: rounds * plans,
      delivered,
      expected,
      closed: sockets.filter((s) => s.closed).length,
      refusals: sockets.reduce((n, s) => n + s.refusals.length, 0),
      idlePlans,
      kbPerIdlePlan: (withIdle - base) / idlePlans,
      kbPerSocket: (withSockets - withIdle) / (plans * (perPlan + 1)),
    };
  } finally {
    for (const s of sockets) s.close();
    await d.cleanup();
  }
}

export const clusterBench: Benchmark = {
  name: "cluster",
  title: "Several instances (PostgreSQL + Redis)",
  async run(ctx: BenchContext): Promise<BenchResult> {
    const quick = ctx.quick;
    // BENCH_CLUSTER_PARTS=fanout,commit,failover,scale: only these parts (to iterate on one).
    const parts = new Set((process.env.BENCH_CLUSTER_PARTS ?? "fanout,commit,failover,scale").split(","));
    const rounds = quick ? 1 : 3;
    const kinds = ["files", "pg", "cluster"] as const;
    const runs: FanoutRun[] = [];
    for (let round = 1; parts.has("fanout") && round <= rounds; round++) {
      for (let k = 0; k < kinds.length; k++) {
        const kind = kinds[(k + round - 1) % kinds.length] as (typeof kinds)[number];
        ctx.log(`fan-out: round ${round}, ${kind}`);
        runs.push(await fanout(kind, round, quick ? 50 : 200, quick ? 10 : 30));
      }
    }
    const of = (label: string) => runs.filter((r) => r.label === label);
    const one = of("1 instance, files");
    const fanRows = ["1 instance, files", "1 instance, PostgreSQL", "3 instances"].map((label) => {
      const rs = of(label);
      const r50 = median(rs.map((r) => r.p50 / ((one.find((o) => o.round === r.round) as FanoutRun).p50 || 1)));
      const r99 = median(rs.map((r) => r.p99 / ((one.find((o) => o.round === r.round) as FanoutRun).p99 || 1)));
      return [
        label,
        fmt(median(rs.map((r) => r.p50))),
        `${fmt(r50)}×`,
        fmt(median(rs.map((r) => r.p99))),
        `${fmt(r99)}×`,
        rs.reduce((n, r) => n + r.lost, 0),
        fmt(median(rs.map((r) => r.ownerCpuPerEditMs))),
        label === "3 instances" ? fmt(median(rs.map((r) => r.forwarderCpuPerEditMs))) : "–",
      ];
    });

    ctx.log("commit: files, PostgreSQL");
    const commitRows = [];
    for (const kind of parts.has("commit") ? (["files", "pg"] as const) : []) {
      const c = await commits(kind, quick ? 50 : 300);
      commitRows.push([c.label, fmt(c.p50), fmt(c.p99)]);
    }

    const trials = parts.has("failover") ? Number(process.env.BENCH_FAILOVER_TRIALS ?? (quick ? 3 : 200)) : 0;
    const timedTrials = Math.min(20, trials);
    ctx.log(`failover: ${trials} kill -9 trials`);
    const f = await failover(trials, timedTrials, ctx.log);
    const sortedF = [...f.timed].sort((a, b) => a - b);

    ctx.log("scale: clients over plans on 3 instances");
    const sc = !parts.has("scale")
      ? await scale(1, 1, 1, 1)
      : quick
        ? await scale(10, 10, 10, 10)
        : await scale(10, 100, 30, 50);

    return {
      name: "cluster",
      title: "Several instances (PostgreSQL + Redis)",
      description:
        "tests/bench/cluster.ts: real server processes on this machine's PostgreSQL 15 and Redis 7, every instance a separate process on loopback; the file store beside them in the same run.",
      tables: [
        {
          title:
            "Edit → 100 clients (writer on a non-owner when there are several; ratios to one instance on files, per round)",
          columns: [
            "deployment",
            "p50 ms",
            "× files",
            "p99 ms",
            "× files",
            "lost",
            "owner CPU ms/edit",
            "forwarder CPU ms/edit",
          ],
          rows: fanRows,
        },
        {
          title: "Durable commit: REST rename → 200, one after another",
          columns: ["store", "p50 ms", "p99 ms"],
          rows: commitRows,
        },
        {
          title: "Failover: kill -9 of the owner → every client shows an edit acknowledged after the kill",
          columns: ["trials run", "timed", "median ms", "p90 ms", "max ms", "trials that lost an acknowledged edit"],
          rows: [
            [
              f.trials,
              sortedF.length,
              fmt(percentileSorted(sortedF, 50), 0),
              fmt(percentileSorted(sortedF, 90), 0),
              fmt(sortedF[sortedF.length - 1] ?? Number.NaN, 0),
              f.lost,
            ],
          ],
        },
        {
          title: `${sc.clients.toLocaleString("en-US")} clients over ${sc.plans} plans on 3 instances, one writer per plan every 200 ms for ${sc.seconds} s`,
          columns: [
            "edits",
            "deliveries",
            "of expected",
            "sockets closed",
            "refusals",
            "KiB per idle plan",
            "KiB per socket",
          ],
          rows: [
            [
              sc.edits,
              sc.delivered,
              sc.expected,
              sc.closed,
              sc.refusals,
              fmt(sc.kbPerIdlePlan, 0),
              fmt(sc.kbPerSocket, 1),
            ],
          ],
        },
      ],
      notes: [
        "Fan-out: 200 timed edits (30 warm-up) of a ~200-vertex territory 20 ms apart; 100 receivers (34/33/33 over three instances); each deployment a fresh set of processes; rounds interleaved with the starting kind rotating. CPU per edit is user+system of each process over the timed edits (the owner includes its scoring worker); with several instances, the forwarder column is the mean of the two instances that only pipe bytes — the work a broadcast design would add to every instance is the owner's column.",
        `Failover: ${f.trials} kill -9 trials ran (the first ${sortedF.length} timed); 20 y-websocket clients reconnecting by themselves (backoff ≤ 500 ms) through a round-robin TCP balancer in the bench process that skips an instance refusing connections (lib/tcp-balancer.ts, as nginx would); the writer renames through the balancer too, retrying every 20 ms on 503 or a broken connection; the killed instance is restarted on its port before the next trial. ${f.ackedTotal} edits acknowledged in all.`,
        `Memory: ${sc.idlePlans} idle plans (each made and loaded with one territory, left loaded) raised the three instances' RSS by ${fmt(sc.kbPerIdlePlan, 0)} KiB each; the ${sc.clients.toLocaleString("en-US")} receivers and ${sc.plans} writers by ${fmt(sc.kbPerSocket, 1)} KiB each (both ends of a forwarded socket counted).`,
      ],
      data: { runs, commitRows, failover: f, scale: sc },
    };
  },
};

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../../..");
/**
 * Where our server's code is taken from: this checkout, or another one
 * (BENCH_SERVER_DIR, e.g. a worktree at an older commit, with its own
 * node_modules or a link to these), so the same bench drives an older server.
 */
export const SERVER_DIR = process.env.BENCH_SERVER_DIR ? path.resolve(process.env.BENCH_SERVER_DIR) : ROOT;

/** The short commit of a checkout (null outside git). */
export function commitOf(dir: string): string | null {
  try {
    return execFileSync("git", ["-C", dir, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}
const BARE_RELAY = path.join(ROOT, "node_modules/@y/websocket-server/src/server.js");

/** Every child this process started, so that any exit path can end them. */
const children = new Set<ChildProcess>();

/** Ends `proc` with the others on any exit path (for children started outside this file). */
export function adoptChild(proc: ChildProcess): void {
  children.add(proc);
  proc.once("exit", () => children.delete(proc));
}

/** Kills whatever children are left (called on exit, error and signals by run.ts). */
export function killAllChildren(): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  }
  children.clear();
}

export interface RunningServer {
  readonly kind: "ours" | "bare";
  readonly port: number;
  /** http://127.0.0.1:port */
  readonly url: string;
  /** WebSocket URL of a plan's (ours) or document's (bare) room. */
  roomUrl(room: string): string;
  readonly pid: number;
  readonly output: () => string;
  /** SIGTERM (our server compacts and exits), SIGKILL after a grace period. */
  stop(): Promise<void>;
  /** SIGKILL now (a server that is not answering would make stop() wait out its grace period). */
  kill(): Promise<void>;
}

/** A fresh temporary folder, under os.tmpdir() unless `base` says otherwise (e.g. /dev/shm). */
export async function tempDir(prefix: string, base = os.tmpdir()): Promise<string> {
  return fs.mkdtemp(path.join(base, `wilayah-bench-${prefix}-`));
}

/** A memory-backed folder to put a DATA_DIR in (fdatasync costs ~nothing there), or null. */
export async function tmpfsBase(): Promise<string | null> {
  try {
    const st = await fs.stat("/dev/shm");
    if (!st.isDirectory()) return null;
    await fs.access("/dev/shm", fs.constants.W_OK);
    return "/dev/shm";
  } catch {
    return null;
  }
}

/** A port that was free a moment ago on 127.0.0.1 (the bare relay cannot listen on 0 and tell). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function startChild(
  kind: "ours" | "bare",
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  cwd = ROOT,
): Promise<{ proc: ChildProcess; match: RegExpExecArray; output: () => string }> {
  const proc = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(proc);
  proc.once("exit", () => children.delete(proc));
  let out = "";
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 64 * 1024) out = out.slice(-32 * 1024);
  };
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`${kind} server did not start within 30 s:\n${out}`));
    }, 30_000);
    const onData = () => {
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stdout?.off("data", onData);
        proc.off("exit", onExit);
        resolve({ proc, match: m, output: () => out });
      }
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${kind} server exited with ${code} before listening:\n${out}`));
    };
    proc.stdout?.on("data", onData);
    proc.once("exit", onExit);
  });
}

function killer(proc: ChildProcess): () => Promise<void> {
  return () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      proc.once("exit", () => resolve());
      proc.kill("SIGKILL");
    });
  };
}

function stopper(proc: ChildProcess): () => Promise<void> {
  return () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const hard = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      proc.once("exit", () => {
        clearTimeout(hard);
        resolve();
      });
      proc.kill("SIGTERM");
    });
  };
}

export interface OurServerOptions {
  dataDir: string;
  env?: Record<string, string>;
  /** Folder for `node --cpu-prof` output, or null. */
  profileDir?: string | null;
}

/**
 * Our real server (`server/index.ts`, durable path and lowdb store) as its
 * own process, bound to loopback (HOST=127.0.0.1) like the bare relay;
 * `env` adds to or overrides its environment (e.g. SCORING=0). Its code is
 * {@link SERVER_DIR}'s.
 */
export async function startOurServer(opts: OurServerOptions): Promise<RunningServer> {
  const args: string[] = [];
  if (opts.profileDir) args.push("--cpu-prof", `--cpu-prof-dir=${opts.profileDir}`);
  args.push("--import", "tsx", "server/index.ts");
  const { proc, match, output } = await startChild(
    "ours",
    args,
    {
      HOST: "127.0.0.1",
      PORT: "0",
      DATA_DIR: opts.dataDir,
      SEED_DEMO: "0",
      ROOM_IDLE_MS: "500",
      RATE_LIMIT_PER_SEC: "0",
      PLANS_PER_HOUR: "0",
      // The benchmarks drive one socket far past a person's pace on purpose.
      SYNC_UPDATES_PER_SEC: "0",
      // Hundreds of sockets from one address: the per-address cap has its own test.
      MAX_CONNECTIONS_PER_ADDRESS: "0",
      ...opts.env,
    },
    /listening on http:\/\/localhost:(\d+)/,
    SERVER_DIR,
  );
  const port = Number(match[1]);
  return {
    kind: "ours",
    port,
    url: `http://127.0.0.1:${port}`,
    roomUrl: (planId) => `ws://127.0.0.1:${port}/sync/${planId}`,
    pid: proc.pid ?? -1,
    output,
    stop: stopper(proc),
    kill: killer(proc),
  };
}

/** The stock y-websocket relay (@y/websocket-server's bin): in memory, no checks, no persistence. */
export async function startBareRelay(profileDir: string | null = null): Promise<RunningServer> {
  const port = await freePort();
  // The stock relay has no SIGTERM handler, and --cpu-prof writes only on a normal exit.
  const profile = profileDir
    ? [
        "--cpu-prof",
        `--cpu-prof-dir=${profileDir}`,
        "--import",
        'data:text/javascript,process.on("SIGTERM",()=>process.exit(0))',
      ]
    : [];
  const { proc, output } = await startChild(
    "bare",
    [...profile, BARE_RELAY],
    { HOST: "127.0.0.1", PORT: String(port) },
    /running at/,
  );
  return {
    kind: "bare",
    port,
    url: `http://127.0.0.1:${port}`,
    roomUrl: (doc) => `ws://127.0.0.1:${port}/${doc}`,
    pid: proc.pid ?? -1,
    output,
    stop: stopper(proc),
    kill: killer(proc),
  };
}

export interface CreatedPlan {
  id: string;
  /** The edit link's token once the server has roles (links carry `?token=`), else null. */
  token: string | null;
  /** The editor page for this plan (the edit link). */
  editUrl: string;
  /** Each share link's token, by role (empty before the server had roles). */
  tokens: Partial<Record<"edit" | "comment" | "view", string>>;
}

/** `POST /api/plans` on our server. */
export async function createPlan(server: RunningServer, name: string): Promise<CreatedPlan> {
  const res = await fetch(`${server.url}/api/plans`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  if (res.status !== 201) throw new Error(`create plan: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { id: string; links?: Partial<Record<"edit" | "comment" | "view", string>> };
  const edit = body.links?.edit ? new URL(body.links.edit, server.url) : new URL(`/plan/${body.id}`, server.url);
  const tokens: CreatedPlan["tokens"] = {};
  for (const [role, link] of Object.entries(body.links ?? {})) {
    const token = link ? new URL(link, server.url).searchParams.get("token") : null;
    if (token) tokens[role as keyof CreatedPlan["tokens"]] = token;
  }
  return {
    id: body.id,
    token: edit.searchParams.get("token"),
    editUrl: `${server.url}${edit.pathname}${edit.search}`,
    tokens,
  };
}

/** The sync URL of a plan on our server, with its token when there is one. */
export function planSyncUrl(server: RunningServer, plan: CreatedPlan): string {
  const url = server.roomUrl(plan.id);
  return plan.token ? `${url}?token=${encodeURIComponent(plan.token)}` : url;
}

/** fetch() on our server's REST API with the plan's token. */
export function api(
  server: RunningServer,
  plan: CreatedPlan,
  pathAndQuery: string,
  init: RequestInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (plan.token) headers.set("authorization", `Bearer ${plan.token}`);
  return fetch(`${server.url}${pathAndQuery}`, { ...init, headers });
}

/**
 * POSTs `body` (JSON, or CSV with `type` "csv"; a string is sent as it is)
 * to `rest` under the plan: the status, the answer's text, and the
 * milliseconds until the answer's head arrived.
 */
export async function postJson(
  server: RunningServer,
  plan: CreatedPlan,
  rest: string,
  body: unknown,
  type: "json" | "csv" = "json",
): Promise<{ status: number; text: string; ms: number }> {
  const t0 = performance.now();
  const res = await api(server, plan, `/api/plans/${plan.id}${rest}`, {
    method: "POST",
    headers: { "content-type": type === "json" ? "application/json" : "text/csv" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const ms = performance.now() - t0;
  const text = await res.text();
  return { status: res.status, text, ms };
}

/** Total bytes of every file under `dir` (recursively), and how many files. */
export async function dirSize(dir: string): Promise<{ bytes: number; files: { name: string; bytes: number }[] }> {
  const files: { name: string; bytes: number }[] = [];
  async function walk(d: string): Promise<void> {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        try {
          files.push({ name: path.relative(dir, p), bytes: (await fs.stat(p)).size });
        } catch {
          // removed meanwhile (compaction deletes old logs)
        }
      }
    }
  }
  await walk(dir);
  return { bytes: files.reduce((s, f) => s + f.bytes, 0), files };
}

let clockTicks: number | null = null;

/**
 * CPU time (user + system, ms) a process has used so far, from /proc. Read
 * before and after a timed phase to see what a server spends per edit.
 */
export async function cpuTimeMs(pid: number): Promise<number> {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / clockTicks;
  } catch {
    return Number.NaN;
  }
}

/**
 * A thread's time on a CPU and time spent runnable but waiting for one (ms),
 * from /proc/<pid>/schedstat (for a process id: its main thread, i.e. our
 * server's event loop). The wait is what a machine shared with other work
 * takes from the thread; null where the kernel does not say.
 */
export async function schedStat(pid: number): Promise<{ runMs: number; waitMs: number } | null> {
  try {
    const [run, wait] = (await fs.readFile(`/proc/${pid}/schedstat`, "utf8")).trim().split(/\s+/).map(Number);
    if (!Number.isFinite(run) || !Number.isFinite(wait)) return null;
    return { runMs: (run as number) / 1e6, waitMs: (wait as number) / 1e6 };
  } catch {
    return null;
  }
}

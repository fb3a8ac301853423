import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll } from "vitest";
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { box } from "../fixtures/shapes.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface ServerProcess {
  readonly url: string;
  readonly wsUrl: string;
  readonly port: number;
  readonly dataDir: string;
  readonly proc: ChildProcess;
  /** Output so far, for failure messages. */
  readonly output: () => string;
  /** Kills with a signal and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

function pgUrlFor(dataDir: string): string {
  const schema = `wilayah_it_${path
    .basename(dataDir)
    .replace(/[^A-Za-z0-9]/g, "_")
    .toLowerCase()}`;
  return `${process.env.WILAYAH_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test"}?schema=${schema}`;
}

export async function tempDataDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), "wilayah-test-"));
}

/**
 * Starts the real server (`tsx server/index.ts`, or a build: see `built`) as
 * its own process on a free port with its own DATA_DIR, and waits until it listens.
 */
export interface StartOptions {
  /** A data folder to start on (a restart); a fresh temporary one otherwise. */
  dataDir?: string;
  /** Environment on top of the test defaults below. */
  env?: Record<string, string>;
  /** 0 (any free port) unless told: a restart on the same port lets clients reconnect. */
  port?: number;
  /**
   * A built server (`dist-server/index.mjs` from `npm run build`) to run with
   * plain node instead of the TypeScript through tsx. Unset: the
   * WILAYAH_TEST_SERVER environment variable, so that
   * `WILAYAH_TEST_SERVER=dist-server/index.mjs npx vitest run tests/integration`
   * runs any of these tests against the build.
   */
  built?: string;
}

export async function startServerProcess(opts: StartOptions = {}): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? (await tempDataDir());
  const built = opts.built ?? process.env.WILAYAH_TEST_SERVER;
  const argv = built ? ["--enable-source-maps", path.resolve(ROOT, built)] : ["--import", "tsx", "server/index.ts"];
  const proc = spawn(process.execPath, argv, {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(opts.port ?? 0),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      SEED_DEMO: "0",
      ROOM_IDLE_MS: "200",
      // Tests hammer one server from one address; the limits have their own tests.
      RATE_LIMIT_PER_SEC: "0",
      PLANS_PER_HOUR: "0",
      // WILAYAH_TEST_STORE=pg: the same tests on PostgreSQL, a schema per data folder (a restart finds it again).
      ...(process.env.WILAYAH_TEST_STORE === "pg" ? { DATABASE_URL: pgUrlFor(dataDir) } : {}),
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout?.on("data", (d) => {
    out += d;
  });
  proc.stderr?.on("data", (d) => {
    out += d;
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    const onData = () => {
      const m = /listening on http:\/\/localhost:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    proc.stdout?.on("data", onData);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    port,
    dataDir,
    proc,
    output: () => out,
    kill(signal = "SIGTERM") {
      if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        proc.once("exit", () => resolve());
        proc.kill(signal);
      });
    },
  };
}

/**
 * The real server for a whole test file: started before its tests, killed
 * after them and its temporary data folder removed. The handle may be kept
 * at the top of the file; read it inside tests and hooks.
 */
export function useServer(opts: StartOptions = {}): ServerProcess {
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    server = await startServerProcess(opts);
  });
  afterAll(async () => {
    await server?.kill();
    if (server && !opts.dataDir) await fs.rm(server.dataDir, { recursive: true, force: true });
  });
  const started = (): ServerProcess => {
    if (!server) throw new Error("useServer: the server starts before the tests; read it inside a test or hook");
    return server;
  };
  return {
    get url() {
      return started().url;
    },
    get wsUrl() {
      return started().wsUrl;
    },
    get port() {
      return started().port;
    },
    get dataDir() {
      return started().dataDir;
    },
    get proc() {
      return started().proc;
    },
    output: () => started().output(),
    kill: (signal) => started().kill(signal),
  };
}

/**
 * For tests that start, kill and restart servers themselves: the function it
 * returns starts one (as startServerProcess), and every server it started is
 * killed (-9) after each test and its data folder removed.
 */
export function serversPerTest(): (opts?: StartOptions) => Promise<ServerProcess> {
  const running: ServerProcess[] = [];
  afterEach(async () => {
    const stopped = running.splice(0);
    await Promise.all(stopped.map((s) => s.kill("SIGKILL")));
    await Promise.all(stopped.map((s) => fs.rm(s.dataDir, { recursive: true, force: true })));
  });
  return async (opts = {}) => {
    const s = await startServerProcess(opts);
    running.push(s);
    return s;
  };
}

/** One line of the server's JSON log (server/ops/log.ts). */
export interface LogLine {
  level: number;
  msg: string;
  component?: string;
  planId?: string;
  reqId?: string;
  [field: string]: unknown;
}

/** The server's output so far as JSON log lines; throws on a line that is not one JSON object. */
export function logLines(server: { output(): string }): LogLine[] {
  return server
    .output()
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      try {
        const parsed = JSON.parse(line) as unknown;
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
        return parsed as LogLine;
      } catch {
        throw new Error(`the server wrote a line that is not a JSON object: ${line}`);
      }
    });
}

/** The log lines with these fields whose message matches `msg`. */
export function logged(server: { output(): string }, fields: Partial<LogLine>, msg?: RegExp): LogLine[] {
  return logLines(server).filter(
    (l) => Object.entries(fields).every(([k, v]) => l[k] === v) && (!msg || msg.test(l.msg)),
  );
}

export type LinkRole = "edit" | "comment" | "view";

export interface CreatedPlan {
  id: string;
  links: Record<LinkRole, string>;
  tokens: Record<LinkRole, string>;
}

export interface Person {
  id: string;
  secret: string;
}

/** A person as a browser gets one (`POST /api/people`): an id and the secret that proves it. */
export async function newPerson(server: { url: string }): Promise<Person> {
  const res = await fetch(`${server.url}/api/people`, { method: "POST" });
  if (res.status !== 201) throw new Error(`POST /api/people: ${res.status} ${await res.text()}`);
  return (await res.json()) as Person;
}

/** Tokens of the plans the tests created, so plan URLs can carry them (see withToken). */
const planTokens = new Map<string, Record<LinkRole, string>>();

/** Creates a plan and returns its id, its three share links and their tokens. */
export async function createPlanWithLinks(server: { url: string }, name = "Test plan"): Promise<CreatedPlan> {
  const res = await fetch(`${server.url}/api/plans`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  if (res.status !== 201) throw new Error(`create plan: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { id: string; links: Record<LinkRole, string> };
  const tokens = {} as Record<LinkRole, string>;
  for (const role of ["edit", "comment", "view"] as const) {
    const token = new URL(body.links[role]).searchParams.get("token");
    if (!token) throw new Error(`the ${role} link has no token: ${body.links[role]}`);
    tokens[role] = token;
  }
  planTokens.set(body.id, tokens);
  return { id: body.id, links: body.links, tokens };
}

/** Creates a plan; its edit token is added to its URLs by withToken / apiFetch / the clients below. */
export async function createPlanAs(server: { url: string }, name = "Test plan"): Promise<string> {
  return (await createPlanWithLinks(server, name)).id;
}
export { createPlanAs as createPlan };

export function tokenFor(planId: string, role: LinkRole = "edit"): string {
  const tokens = planTokens.get(planId);
  if (!tokens) throw new Error(`no tokens known for plan ${planId}`);
  return tokens[role];
}

/**
 * A plan URL (`/api/plans/<id>…` or `/sync/<id>…`) with the token of the
 * given role added, unless it has one. Tests about access itself build their
 * URLs by hand instead.
 */
export function withToken(url: string, role: LinkRole = "edit"): string {
  const u = new URL(url);
  const m = /^\/(?:api\/plans|sync)\/([^/]+)/.exec(u.pathname);
  const tokens = m ? planTokens.get(decodeURIComponent(m[1] as string)) : undefined;
  if (tokens && !u.searchParams.has("token")) u.searchParams.set("token", tokens[role]);
  return u.toString();
}

/** fetch with the plan's edit token (see withToken). */
export function apiFetch(url: string, init?: RequestInit): Promise<Response> {
  return fetch(withToken(url), init);
}

export interface StockClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  destroy(): void;
}

/** The stock y-websocket client, unchanged, as any third party would use it (token as `?token=`). */
export function connectStockClient(server: { wsUrl: string }, planId: string, role: LinkRole = "edit"): StockClient {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${server.wsUrl}/sync`, planId, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    params: planTokens.has(planId) ? { token: tokenFor(planId, role) } : {},
  });
  return {
    doc,
    provider,
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}

/**
 * Stock clients a test connects (as connectStockClient), destroyed after
 * each test whatever happened.
 */
export function stockClientsPerTest(): (server: { wsUrl: string }, planId: string, role?: LinkRole) => StockClient {
  const clients: StockClient[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
  });
  return (server, planId, role) => {
    const c = connectStockClient(server, planId, role);
    clients.push(c);
    return c;
  };
}

/** Adds territories over REST with the edit link (a Feature or a FeatureCollection), as setup: throws unless stored. */
export async function addTerritories(server: { url: string }, planId: string, body: unknown): Promise<void> {
  const res = await apiFetch(`${server.url}/api/plans/${planId}/territories`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`POST territories: ${res.status} ${await res.text()}`);
}

/** Imports accounts from CSV over REST with the edit link (replacing any), as setup: throws unless stored. */
export async function addAccounts(server: { url: string }, planId: string, csv: string): Promise<void> {
  const res = await apiFetch(`${server.url}/api/plans/${planId}/accounts`, {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body: csv,
  });
  if (res.status !== 201) throw new Error(`POST accounts: ${res.status} ${await res.text()}`);
}

/** Two drawn territories near Bandung, West and East of 107.6°E, as a FeatureCollection to POST. */
export const WEST_AND_EAST = {
  type: "FeatureCollection",
  features: [
    { type: "Feature", id: "west", properties: { name: "West" }, geometry: box(107.5, -7.0, 107.6, -6.9) },
    { type: "Feature", id: "east", properties: { name: "East" }, geometry: box(107.6, -7.0, 107.7, -6.9) },
  ],
};

/** The plan's territories as the server has them: id → name. */
export async function territoryNames(server: { url: string }, planId: string): Promise<Record<string, string>> {
  const res = await apiFetch(`${server.url}/api/plans/${planId}/territories`);
  if (res.status !== 200) throw new Error(`GET territories: ${res.status} ${await res.text()}`);
  const fc = (await res.json()) as { features: { id: string; properties: { name: string } }[] };
  return Object.fromEntries(fc.features.map((f) => [f.id, f.properties.name]));
}

/**
 * The people of a test file by name, each issued by the server once
 * (`POST /api/people`), and REST calls as them: `as(plan, role, name)` sends
 * their link's token plus the id, secret and name their browser sends, and
 * answers the status and the JSON body (null when empty).
 */
export function peopleOn(server: { url: string }) {
  const people = new Map<string, Promise<Person>>();
  const personNamed = (name: string): Promise<Person> => {
    let p = people.get(name);
    if (!p) {
      p = newPerson(server);
      people.set(name, p);
    }
    return p;
  };
  const as =
    (plan: CreatedPlan, role: LinkRole, name: string) => async (method: string, path: string, body?: unknown) => {
      const person = await personNamed(name);
      const res = await fetch(`${server.url}/api/plans/${plan.id}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${plan.tokens[role]}`,
          "x-wilayah-person": person.id,
          "x-wilayah-person-secret": person.secret,
          "x-wilayah-name": encodeURIComponent(name),
          "content-type": "application/json",
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
    };
  return { personNamed, as };
}

/** Retries `check` until it stops throwing (Hocuspocus style), or fails with its last error. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 15_000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

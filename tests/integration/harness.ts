import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";

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

export async function tempDataDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), "wilayah-test-"));
}

/**
 * Starts the real server (`tsx server/index.ts`) as its own process on a
 * free port with its own DATA_DIR, and waits until it listens.
 */
export async function startServerProcess(
  opts: { dataDir?: string; env?: Record<string, string>; port?: number } = {},
): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? (await tempDataDir());
  const proc = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(opts.port ?? 0),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      SEED_DEMO: "0",
      ROOM_IDLE_MS: "200",
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

export async function createPlan(server: { url: string }, name = "Test plan"): Promise<string> {
  const res = await fetch(`${server.url}/api/plans`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  if (res.status !== 201) throw new Error(`create plan: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

export interface StockClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  destroy(): void;
}

/** The stock y-websocket client, unchanged, as any third party would use it. */
export function connectStockClient(server: { wsUrl: string }, planId: string): StockClient {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${server.wsUrl}/sync`, planId, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
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

export function square(x: number, y: number, size = 0.1): { type: "Polygon"; coordinates: [number, number][][] } {
  return {
    type: "Polygon",
    coordinates: [
      [
        [x, y],
        [x + size, y],
        [x + size, y + size],
        [x, y + size],
        [x, y],
      ],
    ],
  };
}

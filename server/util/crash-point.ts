import fs from "node:fs";
import { flushLogSync, logger } from "../ops/log.ts";

const stallPointLog = logger("stall-point");

/**
 * Test-only crash points (etcd's gofail, TiKV's fail-rs): with
 * `WILAYAH_CRASH_AT=<name>` in its environment the server kills itself with
 * SIGKILL — a real kill -9, no cleanup — when it reaches `crashPoint(name)`,
 * so a test can crash it between two exact steps instead of racing a kill
 * against the clock. Unset (always, outside tests), it does nothing.
 */
export function crashPoint(name: string): void {
  if (process.env.WILAYAH_CRASH_AT !== name) return;
  flushLogSync();
  // Written straight to stdout, not through the logger's asynchronous stream:
  // a flush cannot reach what that stream is in the middle of writing, and no
  // write outlives the SIGKILL below.
  const line = { level: 50, time: new Date().toISOString(), pid: process.pid, component: "crash-point", point: name };
  fs.writeSync(1, `${JSON.stringify({ ...line, msg: "killing the process (WILAYAH_CRASH_AT)" })}\n`);
  process.kill(process.pid, "SIGKILL");
  // Run nothing more while the signal lands.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000);
}

/**
 * Test-only stall points (gofail's `sleep`): with `WILAYAH_STALL_AT=<name>`
 * in its environment the server never gets past `await stallPoint(name)`,
 * so a test can see what a step that hangs (a hand-over, a store that stopped
 * answering) does to the rest. Unset, it resolves at once.
 */
export function stallPoint(name: string): Promise<void> {
  if (process.env.WILAYAH_STALL_AT !== name) return Promise.resolve();
  stallPointLog.error({ point: name }, `${name}: waiting forever (WILAYAH_STALL_AT)`);
  return new Promise(() => {});
}

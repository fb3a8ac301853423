import { flushLogSync, logger } from "../ops/log.ts";

const crashPointLog = logger("crash-point");

/**
 * Test-only crash points (etcd's gofail, TiKV's fail-rs): with
 * `WILAYAH_CRASH_AT=<name>` in its environment the server kills itself with
 * SIGKILL — a real kill -9, no cleanup — when it reaches `crashPoint(name)`,
 * so a test can crash it between two exact steps instead of racing a kill
 * against the clock. Unset (always, outside tests), it does nothing.
 */
export function crashPoint(name: string): void {
  if (process.env.WILAYAH_CRASH_AT !== name) return;
  crashPointLog.error({ point: name }, "killing the process (WILAYAH_CRASH_AT)");
  flushLogSync();
  process.kill(process.pid, "SIGKILL");
  // Run nothing more while the signal lands.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000);
}

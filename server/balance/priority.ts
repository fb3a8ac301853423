import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";

/** What `yieldThisThread` managed: the thread's id, and whether it is now nice 19 and SCHED_IDLE. */
export interface Yielded {
  tid: number | null;
  nice: boolean;
  idle: boolean;
}

/**
 * The optimizer must never stall the session (issue 13): on a machine with
 * few cores its run competes with the event loop, the scoring worker and
 * the sockets' clients for a core. So the balance worker's thread gives
 * itself the lowest priority there is: nice 19 (on Linux setpriority on a
 * thread id changes only that thread), then the SCHED_IDLE policy through
 * util-linux's `chrt`, under which the kernel also counts its core as idle
 * when it places a thread that wakes (with nice alone, a waking event loop
 * often queued behind other work on the other core; with neither, edit →
 * 100 clients p99 went up about 2× while a run went on, on 2 cores). It
 * still gets every idle cycle. Where either is missing (not Linux, no
 * `chrt`) the thread keeps what it has.
 *
 * @example yieldThisThread() // { tid: 9200, nice: true, idle: true }, called first thing in the worker
 */
export function yieldThisThread(): Yielded {
  const out: Yielded = { tid: null, nice: false, idle: false };
  try {
    const tid = Number(fs.readlinkSync("/proc/thread-self").split("/").pop());
    if (!Number.isInteger(tid) || tid <= 0) return out;
    out.tid = tid;
    os.setPriority(tid, os.constants.priority.PRIORITY_LOW);
    out.nice = true;
  } catch {
    return out;
  }
  try {
    execFileSync("chrt", ["--idle", "--pid", "0", String(out.tid)], { stdio: "ignore", timeout: 5000 });
    out.idle = true;
  } catch {
    // No chrt: nice 19 alone.
  }
  return out;
}

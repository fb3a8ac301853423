import { parentPort } from "node:worker_threads";
import { balance } from "../../shared/balance/optimizer.ts";
import { yieldThisThread } from "./priority.ts";
import type { RunReply, RunRequest } from "./protocol.ts";

/** Progress goes out at most this often: enough for a progress bar, little for a hundred watchers. */
const PROGRESS_EVERY_MS = 250;

// The lowest priority there is, so the session's threads always come first (priority.ts).
yieldThisThread();

/**
 * A balance worker: runs the optimizer (shared/balance/optimizer.ts), one
 * run at a time, on a whole core when one is idle. Progress is posted from
 * inside the run (postMessage does not need this thread's event loop); the
 * stop flag is read at each progress call, every few thousand steps.
 */
parentPort?.on("message", (req: RunRequest) => {
  const reply = (r: RunReply, transfer: ArrayBuffer[] = []) => parentPort?.postMessage(r, transfer);
  const stop = new Int32Array(req.stop);
  let last = performance.now();
  try {
    const result = balance({
      ...req.problem,
      onProgress: (progress) => {
        if (Atomics.load(stop, 0) === 1) return false;
        const now = performance.now();
        if (now - last >= PROGRESS_EVERY_MS) {
          last = now;
          reply({ id: req.id, type: "progress", progress });
        }
        return undefined;
      },
    });
    reply({ id: req.id, type: "done", result }, [result.assignment.buffer as ArrayBuffer]);
  } catch (e) {
    reply({ id: req.id, type: "failed", message: (e as Error).message });
  }
});

import { Worker } from "node:worker_threads";
import { workerUrl } from "../util/worker-url.ts";
import type { BalanceProgress, BalanceResult } from "../../shared/balance/optimizer.ts";
import { logger } from "../ops/log.ts";
import type { RunProblem, RunReply, RunRequest } from "./protocol.ts";

const balanceLog = logger("balance");

/** The server runs as many optimisations at once as it has balance workers; one more is refused with this. */
export class BalanceBusy extends Error {}

/** A run under way: its result (the best found, also when stopped) and a way to stop it. */
export interface RunHandle {
  readonly result: Promise<BalanceResult>;
  /** Asks the run to end now with the best so far (the result then says `ended: "stopped"`). */
  stop(): void;
}

/** How long past its own time budget a run may take before its worker is terminated. */
const GRACE_MS = 30_000;

interface Slot {
  worker: Worker;
  run: {
    id: number;
    onProgress: (p: BalanceProgress) => void;
    resolve: (r: BalanceResult) => void;
    reject: (e: Error) => void;
    timer: NodeJS.Timeout;
  } | null;
}

/**
 * Auto-balance's workers (issue 13): at most `maxRuns` optimisations at
 * once on this server, each in a worker thread of its own (a run holds a
 * core for up to two minutes; the scoring and jobs workers must not wait
 * behind it). Workers are made on first use and kept; a run that outlives
 * its time budget by half a minute has its worker terminated.
 *
 * @example
 * const run = runner.start(problem, (p) => console.log(p.done));
 * setTimeout(() => run.stop(), 1000);
 * const { assignment, ended } = await run.result;
 */
export class BalanceRunner {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  constructor(readonly maxRuns: number) {}

  /** Runs going now. */
  get running(): number {
    return this.slots.filter((s) => s.run !== null).length;
  }

  get full(): boolean {
    return this.running >= this.maxRuns;
  }

  /** Starts a run; throws BalanceBusy when `maxRuns` are going already. */
  start(problem: RunProblem, onProgress: (p: BalanceProgress) => void): RunHandle {
    if (this.closed) throw new Error("the server is shutting down");
    if (this.full) throw new BalanceBusy(`the server runs at most ${this.maxRuns} auto-balance at once`);
    const slot = this.slots.find((s) => s.run === null) ?? this.newSlot();
    const id = this.nextId++;
    const stop = new SharedArrayBuffer(4);
    const flag = new Int32Array(stop);
    const result = new Promise<BalanceResult>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.end(slot, id, (run) => run.reject(new Error("the optimizer did not stop in time and was ended")));
          this.retire(slot);
        },
        (problem.timeMs ?? 120_000) + GRACE_MS,
      );
      timer.unref();
      slot.run = { id, onProgress, resolve, reject, timer };
    });
    slot.worker.postMessage({ id, problem, stop } satisfies RunRequest);
    return { result, stop: () => Atomics.store(flag, 0, 1) };
  }

  private newSlot(): Slot {
    const slot: Slot = { worker: this.spawn(), run: null };
    this.slots.push(slot);
    return slot;
  }

  private spawn(): Worker {
    const worker = new Worker(workerUrl("balance"));
    worker.unref();
    worker.on("message", (reply: RunReply) => {
      const slot = this.slots.find((s) => s.worker === worker);
      if (!slot?.run || slot.run.id !== reply.id) return;
      if (reply.type === "progress") slot.run.onProgress(reply.progress);
      else if (reply.type === "done") this.end(slot, reply.id, (run) => run.resolve(reply.result));
      else this.end(slot, reply.id, (run) => run.reject(new Error(reply.message)));
    });
    worker.on("error", (e) => balanceLog.error({ err: e }, "a balance worker failed"));
    worker.on("exit", (code) => {
      const slot = this.slots.find((s) => s.worker === worker);
      if (!slot) return;
      const run = slot.run;
      if (run) this.end(slot, run.id, (r) => r.reject(new Error(`the balance worker stopped (exit ${code})`)));
      if (!this.closed) this.retire(slot);
    });
    return worker;
  }

  private end(slot: Slot, id: number, settle: (run: NonNullable<Slot["run"]>) => void): void {
    const run = slot.run;
    if (!run || run.id !== id) return;
    clearTimeout(run.timer);
    slot.run = null;
    settle(run);
  }

  /** Drops a slot whose worker died or overran (a fresh one is made when next needed). */
  private retire(slot: Slot): void {
    const old = slot.worker;
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    void old.terminate();
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      const run = slot.run;
      if (run) this.end(slot, run.id, (r) => r.reject(new Error("the server is shutting down")));
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}

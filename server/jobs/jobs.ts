import { Worker } from "node:worker_threads";
import { workerUrl } from "../util/worker-url.ts";
import type { JobKind, JobReply, JobRequest, JobTypes } from "./protocol.ts";
import { logger } from "../ops/log.ts";

const jobsLog = logger("jobs");

/** A job failed because of what was asked (its sentence is for the person), not because of the server. */
export class JobRefused extends Error {}

interface Pending {
  req: JobRequest;
  resolve: (output: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: (p: number) => void;
  timeoutMs: number;
  timer: NodeJS.Timeout | null;
}

/**
 * Runs heavy work (server/jobs/protocol.ts) in one worker thread, one job
 * at a time, in the order asked: this machine has two cores, one for the
 * event loop and one for scoring and jobs. A job past its time budget is
 * ended by terminating the worker (a fresh one takes the next job), so no
 * request can hold the worker forever.
 *
 * @example const { count } = await jobs.run("h3-layer", { areas, resolution: 7, keep, version: 1, dryRun: true });
 */
export class Jobs {
  private worker: Worker | null = null;
  private readonly queue: Pending[] = [];
  private running: Pending | null = null;
  private nextId = 1;

  run<K extends JobKind>(
    kind: K,
    input: JobTypes[K]["input"],
    opts: { onProgress?: (p: number) => void; timeoutMs?: number } = {},
  ): Promise<JobTypes[K]["output"]> {
    return new Promise((resolve, reject) => {
      this.queue.push({
        req: { id: this.nextId++, kind, input },
        resolve: resolve as (o: unknown) => void,
        reject,
        onProgress: opts.onProgress,
        timeoutMs: opts.timeoutMs ?? 120_000,
        timer: null,
      });
      this.pump();
    });
  }

  /** Jobs waiting (not counting the one running). */
  get waiting(): number {
    return this.queue.length;
  }

  private pump(): void {
    if (this.running || this.queue.length === 0) return;
    const job = this.queue.shift() as Pending;
    this.running = job;
    const worker = this.ensureWorker();
    job.timer = setTimeout(() => {
      this.finish(job, () =>
        job.reject(new JobRefused("This took too long and was stopped; try a smaller area or a coarser resolution.")),
      );
      this.restart();
    }, job.timeoutMs);
    job.timer.unref();
    worker.postMessage(job.req);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerUrl("jobs"));
    worker.unref();
    worker.on("message", (reply: JobReply) => {
      const job = this.running;
      if (!job || job.req.id !== reply.id) return;
      if (reply.type === "progress") job.onProgress?.(reply.progress);
      else if (reply.type === "done") this.finish(job, () => job.resolve(reply.output));
      else
        this.finish(job, () => job.reject(reply.userError ? new JobRefused(reply.message) : new Error(reply.message)));
    });
    worker.on("error", (e) => jobsLog.error({ err: e }, "the jobs worker failed"));
    worker.on("exit", (code) => {
      if (this.worker !== worker) return;
      this.worker = null;
      const job = this.running;
      if (job) this.finish(job, () => job.reject(new Error(`the jobs worker stopped (exit ${code})`)));
    });
    this.worker = worker;
    return worker;
  }

  private finish(job: Pending, settle: () => void): void {
    if (this.running !== job) return;
    if (job.timer) clearTimeout(job.timer);
    this.running = null;
    settle();
    this.pump();
  }

  private restart(): void {
    const old = this.worker;
    this.worker = null;
    void old?.terminate();
  }

  async close(): Promise<void> {
    for (const job of this.queue.splice(0)) job.reject(new Error("the server is shutting down"));
    const job = this.running;
    if (job) this.finish(job, () => job.reject(new Error("the server is shutting down")));
    const w = this.worker;
    this.worker = null;
    await w?.terminate();
  }
}

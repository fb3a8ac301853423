/**
 * The server's worker threads, each `server/<name>/worker.ts` with its
 * entry `server/<name>/worker-entry.mjs` (which registers tsx, since a
 * worker does not inherit the main thread's loader). The build
 * (scripts/build-server.mjs) bundles each into `dist-server/<name>-worker.mjs`
 * beside the server's own bundle, so production loads plain JavaScript.
 */
export type WorkerName = "scoring" | "jobs" | "balance";

/**
 * Where a worker's entry is: beside its TypeScript when this file runs as
 * TypeScript (tsx: development and tests), beside the bundle when built.
 *
 * @example new Worker(workerUrl("scoring")) // …/server/scoring/worker-entry.mjs, or …/dist-server/scoring-worker.mjs
 */
export function workerUrl(name: WorkerName, self: string = import.meta.url): URL {
  return self.endsWith(".ts") ? new URL(`../${name}/worker-entry.mjs`, self) : new URL(`./${name}-worker.mjs`, self);
}

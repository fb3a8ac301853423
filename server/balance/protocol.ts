import type { BalanceProblem, BalanceProgress, BalanceResult } from "../../shared/balance/optimizer.ts";

/**
 * The balance worker's messages (issue 13). A run's problem goes in; its
 * progress (a few times a second) and its result come out. Stopping is a
 * flag in shared memory the optimizer reads between steps, since a run
 * never yields to its thread's event loop to hear a message.
 */
export type RunProblem = Omit<BalanceProblem, "onProgress" | "now">;

/** Main thread → balance worker. */
export interface RunRequest {
  id: number;
  problem: RunProblem;
  /** One Int32: set to 1 to stop the run (it keeps the best so far). */
  stop: SharedArrayBuffer;
}

/** Balance worker → main thread. */
export type RunReply =
  | { id: number; type: "progress"; progress: BalanceProgress }
  | { id: number; type: "done"; result: BalanceResult }
  | { id: number; type: "failed"; message: string };

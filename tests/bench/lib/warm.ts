import * as Y from "yjs";
import { writeTerritory } from "../../../shared/doc/schema.ts";
import { benchTerritory, blobRing, polygon } from "./geometry.ts";
import { sleep, waitFor } from "./report.ts";
import { createPlan, cpuTimeMs, planSyncUrl, type RunningServer } from "./servers.ts";
import { captureEdit, SyncSocket, updateMessage } from "./sync-socket.ts";

export interface WarmUp {
  /** Server CPU (all threads) from just after it listened until it went quiet, ms. */
  cpuMs: number;
  /** Wall time of the same, ms. */
  ms: number;
}

/**
 * Brings a freshly started server to its steady state before anything is
 * timed: opens a throwaway plan with one territory (for our server this
 * starts the scoring worker, which compiles its TypeScript on first use),
 * leaves, and waits until the server's CPU use stays below ~4% of a core
 * for half a second (at most 20 s). A long-running server is in that state;
 * what it cost is returned so that the cold start is reported, not hidden.
 */
export async function warmUp(server: RunningServer): Promise<WarmUp> {
  const t0 = performance.now();
  const cpu0 = await cpuTimeMs(server.pid);
  const url =
    server.kind === "ours"
      ? planSyncUrl(server, await createPlan(server, "Warm-up"))
      : server.roomUrl(`warm-${Math.random().toString(36).slice(2)}`);
  const doc = new Y.Doc();
  const sock = await SyncSocket.connect(url, doc);
  const observer = await SyncSocket.connect(url);
  try {
    const edit = captureEdit(doc, () =>
      writeTerritory(doc, benchTerritory("warm", "Warm-up", "#1b9e77", polygon(blobRing([110, -7], 0.2, 200, 3)))),
    );
    if (edit) sock.send(updateMessage(edit.update));
    await waitFor("the warm-up edit to be relayed", () => observer.updates.length >= 1, 30_000);
  } finally {
    sock.close();
    observer.close();
  }
  const last = await waitForQuietCpu(server.pid, 20_000);
  return { cpuMs: last - cpu0, ms: performance.now() - t0 };
}

/**
 * Waits until process `pid` uses less than ~4% of a core for half a second
 * (two 250 ms looks), at most `maxMs`; its CPU time (ms) at the end.
 */
export async function waitForQuietCpu(pid: number, maxMs: number): Promise<number> {
  const deadline = performance.now() + maxMs;
  let last = await cpuTimeMs(pid);
  let quiet = 0;
  while (performance.now() < deadline && quiet < 2) {
    await sleep(250);
    const now = await cpuTimeMs(pid);
    quiet = now - last <= 10 ? quiet + 1 : 0;
    last = now;
  }
  return last;
}

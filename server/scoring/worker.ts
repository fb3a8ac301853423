import { parentPort } from "node:worker_threads";
import { decodeGeometry } from "../../shared/geometry/codec.ts";
import { AccountIndex } from "../../shared/scoring/accounts.ts";
import { Analyzer } from "../../shared/scoring/analyzer.ts";
import type { FromWorker, ToWorker, WorkerTerritory } from "./protocol.ts";

/**
 * The scoring worker: one Analyzer per loaded plan, off the main thread so
 * that a long recompute (a first analysis, an accounts import) never delays
 * sync. Messages are handled in order; each answer carries the sequence
 * number of the last change it includes.
 */
const analyzers = new Map<string, Analyzer>();

function toScored(t: WorkerTerritory) {
  return { id: t.id, name: t.name, targets: t.targets, geometry: decodeGeometry(t.geometry) };
}

function post(message: FromWorker): void {
  if (message.type === "analysis") {
    parentPort?.postMessage(message, [message.analysis.accountTerritory.buffer as ArrayBuffer]);
  } else {
    parentPort?.postMessage(message);
  }
}

parentPort?.on("message", (msg: ToWorker) => {
  if (msg.type === "unload") {
    analyzers.delete(msg.planId);
    return;
  }
  try {
    const started = performance.now();
    let analyzer = analyzers.get(msg.planId);
    if (msg.type === "load") {
      analyzer = new Analyzer(AccountIndex.fromColumns(msg.accounts), msg.settings);
      analyzers.set(msg.planId, analyzer);
      for (const t of msg.territories) analyzer.setTerritory(toScored(t));
      analyzer.setPins(new Map(msg.pins));
    } else {
      if (!analyzer) throw new Error(`plan ${msg.planId} is not loaded in the scoring worker`);
      if (msg.settings) analyzer.setSettings(msg.settings);
      for (const id of msg.remove) analyzer.removeTerritory(id);
      for (const t of msg.set) analyzer.setTerritory(toScored(t));
      if (msg.pins) analyzer.setPins(new Map(msg.pins));
    }
    const analysis = analyzer.analyze();
    post({ type: "analysis", planId: msg.planId, seq: msg.seq, analysis, ms: performance.now() - started });
  } catch (e) {
    post({ type: "error", planId: msg.planId, seq: msg.seq, message: (e as Error).message });
  }
});

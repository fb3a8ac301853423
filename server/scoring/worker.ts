import { parentPort } from "node:worker_threads";
import type { PlanBalanceInput } from "../../shared/balance/plan.ts";
import { sideOf } from "../../shared/balance/proposal.ts";
import { decodeGeometry } from "../../shared/geometry/codec.ts";
import { AccountIndex } from "../../shared/scoring/accounts.ts";
import { Analyzer } from "../../shared/scoring/analyzer.ts";
import { withCompetitorCounts } from "../../shared/scoring/competitors.ts";
import { UnitAnalyzer } from "../../shared/units/analyzer.ts";
import { layerFromJson } from "../../shared/units/serialize.ts";
import type { SuggestionEffect } from "../../shared/suggestions/effect.ts";
import { shapeEffect, unitsEffect } from "../../shared/suggestions/what-if.ts";
import type { FromWorker, ToWorker, WorkerTerritory } from "./protocol.ts";

/**
 * The scoring worker: one Analyzer per loaded plan, off the main thread so
 * that a long recompute (a first analysis, an accounts import) never delays
 * sync. Messages are handled in order; each answer carries the sequence
 * number of the last change it includes.
 */
const analyzers = new Map<string, Analyzer | UnitAnalyzer>();
/**
 * A drawn plan's competitors, counted by a second Analyzer over the same
 * territories (a unit plan's UnitAnalyzer counts them itself). Their count
 * and column sums join each territory's metrics; they are shown, not balanced.
 */
const competitorCounts = new Map<string, Analyzer>();

function withCompetitors(planId: string, analysis: ReturnType<Analyzer["analyze"]>): ReturnType<Analyzer["analyze"]> {
  const c = competitorCounts.get(planId);
  return c ? withCompetitorCounts(analysis, c.analyze()) : analysis;
}

/** Gives a territory to either analyzer: with its geometry for drawn plans, without for unit plans. */
function setTerritory(analyzer: Analyzer | UnitAnalyzer, t: WorkerTerritory): void {
  if (analyzer instanceof UnitAnalyzer) {
    analyzer.setTerritory({ id: t.id, name: t.name, targets: t.targets });
  } else if (t.geometry) {
    analyzer.setTerritory({ id: t.id, name: t.name, targets: t.targets, geometry: decodeGeometry(t.geometry) });
  }
}

function post(message: FromWorker): void {
  if (message.type === "analysis") {
    parentPort?.postMessage(message, [message.analysis.accountTerritory.buffer as ArrayBuffer]);
  } else {
    parentPort?.postMessage(message);
  }
}

parentPort?.on("message", (msg: ToWorker) => {
  if (msg.type === "ping") {
    post({ type: "pong", requestId: msg.requestId });
    return;
  }
  if (msg.type === "unload") {
    analyzers.delete(msg.planId);
    competitorCounts.delete(msg.planId);
    return;
  }
  if (msg.type === "outlines") {
    const analyzer = analyzers.get(msg.planId);
    const outlines: Record<string, ReturnType<UnitAnalyzer["outline"]>> = {};
    try {
      if (!(analyzer instanceof UnitAnalyzer))
        throw new Error(`plan ${msg.planId} is not a unit plan in the scoring worker`);
      for (const id of msg.ids) outlines[id] = analyzer.outline(id);
      parentPort?.postMessage({
        type: "outlines",
        planId: msg.planId,
        requestId: msg.requestId,
        outlines,
      } satisfies FromWorker);
    } catch (e) {
      parentPort?.postMessage({
        type: "outlines",
        planId: msg.planId,
        requestId: msg.requestId,
        outlines: {},
        error: (e as Error).message,
      } satisfies FromWorker);
    }
    return;
  }
  if (msg.type === "balance-input" || msg.type === "what-if") {
    answerBalance(msg);
    return;
  }
  if (msg.type === "suggestion-effect") {
    answerSuggestion(msg);
    return;
  }
  try {
    const started = performance.now();
    let analyzer = analyzers.get(msg.planId);
    if (msg.type === "load") {
      const accounts = AccountIndex.fromColumns(msg.accounts);
      const competitors = msg.competitors ? AccountIndex.fromColumns(msg.competitors) : null;
      const a: Analyzer | UnitAnalyzer = msg.units
        ? new UnitAnalyzer(layerFromJson(msg.units.layer), accounts, competitors, msg.settings)
        : new Analyzer(accounts, msg.settings);
      analyzer = a;
      analyzers.set(msg.planId, a);
      for (const t of msg.territories) setTerritory(a, t);
      if (a instanceof UnitAnalyzer && msg.units) a.assign(msg.units.assignment);
      a.setPins(new Map(msg.pins));
      competitorCounts.delete(msg.planId);
      if (competitors && !msg.units) {
        const c = new Analyzer(competitors, msg.settings);
        for (const t of msg.territories) setTerritory(c, t);
        competitorCounts.set(msg.planId, c);
      }
    } else {
      if (!analyzer) throw new Error(`plan ${msg.planId} is not loaded in the scoring worker`);
      const a = analyzer;
      if (msg.settings) a.setSettings(msg.settings);
      for (const id of msg.remove) a.removeTerritory(id);
      for (const t of msg.set) setTerritory(a, t);
      const c = competitorCounts.get(msg.planId);
      if (c) {
        for (const id of msg.remove) c.removeTerritory(id);
        for (const t of msg.set) setTerritory(c, t);
      }
      if (msg.units && a instanceof UnitAnalyzer) a.assign(msg.units);
      if (msg.pins) a.setPins(new Map(msg.pins));
    }
    const analysis =
      analyzer instanceof UnitAnalyzer ? analyzer.analyze() : withCompetitors(msg.planId, analyzer.analyze());
    post({ type: "analysis", planId: msg.planId, seq: msg.seq, analysis, ms: performance.now() - started });
  } catch (e) {
    post({ type: "error", planId: msg.planId, seq: msg.seq, message: (e as Error).message });
  }
});

/**
 * A suggestion's effect (issue 15), from the plan's live analyzers, so it
 * is what accepting the suggestion gives.
 */
function answerSuggestion(msg: Extract<ToWorker, { type: "suggestion-effect" }>): void {
  const { planId, requestId } = msg;
  const analyzer = analyzers.get(planId);
  try {
    let effect: SuggestionEffect;
    if (msg.shape) {
      if (!(analyzer instanceof Analyzer)) throw new Error(`plan ${planId} is not a drawn plan in the scoring worker`);
      const t = msg.shape.territory;
      if (!t.geometry) throw new Error(`territory ${t.id} has no shape`);
      const current = { id: t.id, name: t.name, targets: t.targets, geometry: decodeGeometry(t.geometry) };
      effect = shapeEffect(analyzer, competitorCounts.get(planId) ?? null, current, decodeGeometry(msg.shape.geometry));
    } else if (msg.units) {
      if (!(analyzer instanceof UnitAnalyzer))
        throw new Error(`plan ${planId} is not a unit plan in the scoring worker`);
      effect = unitsEffect(analyzer, msg.units.moves, msg.units.focus);
    } else {
      throw new Error("a suggestion needs a shape or units");
    }
    parentPort?.postMessage({ type: "suggestion-effect", planId, requestId, effect } satisfies FromWorker);
  } catch (e) {
    const error = (e as Error).message;
    parentPort?.postMessage({ type: "suggestion-effect", planId, requestId, effect: null, error } satisfies FromWorker);
  }
}

/**
 * Auto-balance's questions (issue 13), answered from the plan's live
 * UnitAnalyzer so a proposal balances, and reports, what the panel shows.
 */
function answerBalance(msg: Extract<ToWorker, { type: "balance-input" | "what-if" }>): void {
  const { planId, requestId } = msg;
  const analyzer = analyzers.get(planId);
  try {
    if (!(analyzer instanceof UnitAnalyzer)) throw new Error(`plan ${planId} is not a unit plan in the scoring worker`);
    if (msg.type === "what-if") {
      const apply: [number, string][] = [];
      const stale: number[] = [];
      for (const [u, from, to] of msg.moves) {
        if (analyzer.territoryOfUnit(u) === from) apply.push([u, to]);
        else stale.push(u);
      }
      const side = sideOf(analyzer.whatIf(apply), msg.metrics);
      parentPort?.postMessage({ type: "what-if", planId, requestId, side, stale } satisfies FromWorker);
      return;
    }
    const known = analyzer.balanceableMetrics();
    if (msg.metrics.some((m) => !known.includes(m))) {
      parentPort?.postMessage({
        type: "balance-input",
        planId,
        requestId,
        known,
        input: null,
        before: null,
      } satisfies FromWorker);
      return;
    }
    const analysis = analyzer.analyze();
    const territories = analysis.territories.map((t) => t.id);
    const slot = new Map(territories.map((id, i) => [id, i]));
    const n = analyzer.layer.ids.length;
    const owner = new Int32Array(n);
    for (let u = 0; u < n; u++) owner[u] = slot.get(analyzer.territoryOfUnit(u) ?? "") ?? -1;
    const graph = { offsets: analyzer.contiguity.offsets.slice(), targets: analyzer.contiguity.targets.slice() };
    const amounts: PlanBalanceInput["amounts"] = {};
    for (const m of new Set([...msg.metrics, "accounts"])) {
      const a = analyzer.unitAmounts(m);
      if (a) amounts[m] = { perUnit: a.perUnit, pinned: Object.fromEntries(a.pinned) };
    }
    const transfer = [owner.buffer, graph.offsets.buffer, graph.targets.buffer];
    for (const a of Object.values(amounts)) transfer.push(a.perUnit.buffer as ArrayBuffer);
    parentPort?.postMessage(
      {
        type: "balance-input",
        planId,
        requestId,
        known,
        input: { territories, owner, graph, amounts },
        before: sideOf(analysis, msg.metrics),
      } satisfies FromWorker,
      transfer as ArrayBuffer[],
    );
  } catch (e) {
    const error = (e as Error).message;
    parentPort?.postMessage(
      msg.type === "what-if"
        ? ({ type: "what-if", planId, requestId, side: null, stale: [], error } satisfies FromWorker)
        : ({
            type: "balance-input",
            planId,
            requestId,
            known: [],
            input: null,
            before: null,
            error,
          } satisfies FromWorker),
    );
  }
}

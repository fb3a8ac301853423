import * as encoding from "lib0/encoding";
import { movesToApply, type PendingMove } from "../../shared/balance/accept.ts";
import { netMoves, type PlanBalanceInput, planProblem } from "../../shared/balance/plan.ts";
import { type Proposal, type ProposalSummary, type SkippedMove, summaryOf } from "../../shared/balance/proposal.ts";
import { parseProposalRequest } from "../../shared/balance/request.ts";
import type { Author } from "../../shared/comments/comments.ts";
import { isUnitPlan, territoriesMap, unitsMap } from "../../shared/doc/schema.ts";
import { newId } from "../../shared/ids.ts";
import { MessageType } from "../../shared/protocol/messages.ts";
import { unitIndex, unitKey } from "../../shared/units/layer.ts";
import type { Activity } from "../activity/activity.ts";
import type { PlanStore, StoredProposal } from "../persistence/store.ts";
import type { RoomExtension } from "../rooms/extension.ts";
import type { Room, RoomPeer } from "../rooms/room.ts";
import type { PlanScoring, Scoring } from "../scoring/scoring.ts";
import type { LayerIndex, Units } from "../units/units.ts";
import { BalanceBusy, type BalanceRunner, type RunHandle } from "./runner.ts";
import { logger } from "../ops/log.ts";

const proposalsLog = logger("proposals");

/** A refusal with its HTTP status and a sentence for the person (the API answers with it). */
export class ProposalError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Proposals kept per plan; beyond, the oldest that is not running is dropped. */
export const MAX_PROPOSALS = 20;

export interface ProposalsDeps {
  store: PlanStore;
  /** Null with SCORING=0: proposals then answer 503 (they measure with the analysis). */
  scoring: Scoring | null;
  units: Units;
  runner: BalanceRunner;
  activity: Activity;
  /** Lets go of a room a run held (Rooms.release): it unloads once nobody uses it. */
  release(room: Room): void;
  /** Runs before an accepted proposal's moves are written (the checkpoint before it, issue 14); a failure refuses the accept. */
  beforeAccept?(room: Room, actor: Author): Promise<unknown>;
}

interface Run {
  handle: RunHandle;
  stopAsked: boolean;
  /** Settles once the proposal has its answer (or failed). */
  done: Promise<void>;
}

/** One loaded plan's proposals. */
class PlanProposals {
  readonly runs = new Map<string, Run>();
  /** Proposals being accepted or undone right now. */
  readonly busy = new Set<string>();
  /** The unit graph of the layer version it was read for (accept checks contiguity on it). */
  graph: { version: number; offsets: Int32Array; targets: Int32Array } | null = null;
  closed = false;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    readonly room: Room,
    readonly list: StoredProposal[],
    private readonly store: PlanStore,
  ) {}

  get planId(): string {
    return this.room.address.planId;
  }

  find(id: string): StoredProposal | undefined {
    return this.list.find((p) => p.id === id);
  }

  /** Writes the list (one write at a time, in order); resolves once on disk. */
  save(): Promise<void> {
    const list = this.list;
    const next = this.saving
      .catch(() => {})
      .then(() => this.store.putData(this.planId, "proposals", { proposals: list }));
    this.saving = next;
    return next;
  }
}

/**
 * Auto-balance's proposals (issue 13), an extension of each plan's main
 * room: a manager asks for a fairer split, the optimizer runs in a balance
 * worker (server/balance/runner.ts) while everyone in the plan watches its
 * progress (message 23), and its answer — net unit moves with the plan's
 * score and each territory's metrics before and after, worked out by the
 * live unit analysis — waits to be accepted or discarded.
 *
 * Accepting applies the moves that still make sense in one change (units
 * someone painted since the run started are left as they are, and for a
 * contiguous proposal any move that would now split a territory), with one
 * feed entry, and keeps the inverse in the room's server undo
 * (server/rooms/undo.ts) so that it can be taken back. Proposals are kept
 * in memory with the room and stored beside the plan (`data-proposals.json`),
 * so a restart keeps those that finished; one that was running is failed.
 */
export class Proposals implements RoomExtension {
  readonly name = "proposals";
  private readonly plans = new Map<string, PlanProposals>();

  constructor(private readonly deps: ProposalsDeps) {}

  async onLoad(room: Room): Promise<void> {
    if (room.address.part !== "") return;
    const stored = await this.deps.store.getData(room.address.planId, "proposals");
    const list = stored?.proposals ?? [];
    const plan = new PlanProposals(room, list, this.deps.store);
    let changed = false;
    for (const p of list) {
      if (p.status === "running") {
        p.status = "failed";
        p.error = "The server restarted while this ran; run it again.";
        p.endedAt = new Date().toISOString();
        changed = true;
      }
      if (p.status === "accepted" && p.undo && !p.undone) room.undo.keep(p.id, p.undo);
    }
    this.plans.set(room.address.planId, plan);
    if (changed) await plan.save();
  }

  onJoin(room: Room, peer: RoomPeer): void {
    const plan = this.forRoom(room);
    if (plan && plan.list.length > 0) peer.sendFrame(frame(plan.list.map((p) => this.summary(plan, p))));
  }

  async onClose(room: Room): Promise<void> {
    const plan = this.forRoom(room);
    if (!plan) return;
    plan.closed = true;
    this.plans.delete(plan.planId);
    if (plan.runs.size === 0) return;
    for (const [id, run] of plan.runs) {
      run.handle.stop();
      const p = plan.find(id);
      if (p?.status === "running") fail(p, "The server stopped while this ran; run it again.");
    }
    plan.runs.clear();
    await plan
      .save()
      .catch((e: Error) => proposalsLog.error({ planId: plan.planId, err: e }, "saving proposals failed"));
  }

  /**
   * Stops every run of a plan and waits for them to let go of its room (the
   * plan is being deleted: its room should not wait for a run to end).
   */
  async stopAll(planId: string): Promise<void> {
    const plan = this.plans.get(planId);
    if (!plan) return;
    const runs = [...plan.runs.values()];
    for (const run of runs) {
      run.stopAsked = true;
      run.handle.stop();
    }
    await Promise.all(runs.map((r) => r.done));
  }

  private forRoom(room: Room): PlanProposals | undefined {
    const plan = this.plans.get(room.address.planId);
    return plan?.room === room ? plan : undefined;
  }

  private planOf(room: Room): PlanProposals {
    const plan = this.forRoom(room);
    if (!plan) throw new ProposalError(503, "This plan is not loaded right now; try again.");
    return plan;
  }

  // ── reading ─────────────────────────────────────────────────────────────

  /** Every proposal of the plan, oldest first, as the API shows them. */
  list(room: Room): Proposal[] {
    const plan = this.planOf(room);
    return plan.list.map((p) => this.view(plan, p));
  }

  get(room: Room, id: string): Proposal {
    const plan = this.planOf(room);
    return this.view(plan, this.proposal(plan, id));
  }

  private proposal(plan: PlanProposals, id: string): StoredProposal {
    const p = plan.find(id);
    if (!p) throw new ProposalError(404, `There is no proposal "${id.slice(0, 64)}" in this plan.`);
    return p;
  }

  /** A proposal as shown: without its stored inverse, and with `stale` as of now while it can still be accepted. */
  private view(plan: PlanProposals, p: StoredProposal): Proposal {
    const { undo: _inverse, ...shown } = p;
    if (p.status !== "ready" && p.status !== "stopped") return shown;
    return { ...shown, stale: this.staleNow(plan, p) };
  }

  private summary(plan: PlanProposals, p: StoredProposal): ProposalSummary {
    return summaryOf(this.view(plan, p));
  }

  /** Units among the moves whose territory is no longer the one the run started from. */
  private staleNow(plan: PlanProposals, p: Proposal): string[] {
    const layer = this.deps.units.layerOf(plan.room);
    if (!layer || layer.version !== p.layerVersion) return p.moves.map((m) => m.unit);
    const units = unitsMap(plan.room.doc);
    return p.moves
      .filter((m) => {
        const u = layer.indexOf.get(m.unit);
        return u === undefined || (units.get(unitKey(u)) ?? null) !== m.from;
      })
      .map((m) => m.unit);
  }

  // ── running ─────────────────────────────────────────────────────────────

  /**
   * Starts a proposal (the body of `POST …/proposals`); resolves once it is
   * stored and running. 409 on a plan without units or with a run going,
   * 400 naming what the plan does not have, 503 when the server runs as
   * many as it may.
   */
  async start(room: Room, actor: Author, body: unknown): Promise<Proposal> {
    const plan = this.planOf(room);
    const layer = this.unitLayer(room);
    const scoring = this.scoringOf(room);
    this.refuseIfRunning(plan);
    if (this.deps.runner.full) throw busy(this.deps.runner.maxRuns);

    const { known, input, before } = await scoring.balanceInput(metricNamesIn(body));
    const territories = territoriesMap(room.doc);
    const parsed = parseProposalRequest(body, {
      metrics: known,
      hasTerritory: (id) => territories.has(id),
      hasUnit: (id) => layer.indexOf.has(id),
    });
    if (!parsed.ok) throw new ProposalError(400, parsed.message, { unknown: parsed.unknown, metrics: known });
    if (!input || !before) throw new ProposalError(400, "This plan cannot measure those metrics.", { metrics: known });
    // The plan may have changed while the worker answered.
    if (this.deps.units.layerOf(room) !== layer) {
      throw new ProposalError(409, "The plan's unit layer changed meanwhile; ask again.");
    }
    this.refuseIfRunning(plan);
    const settings = parsed.settings;
    const { problem, slots } = planProblem(input, settings, (id) => layer.indexOf.get(id) ?? -1);
    if (slots.length < 2) {
      throw new ProposalError(
        409,
        `Auto-balance moves units between territories, and this plan has ${slots.length === 0 ? "no territory" : "one territory"} with units; paint at least two.`,
      );
    }
    plan.graph = { version: layer.version, ...input.graph };

    const now = new Date().toISOString();
    const p: StoredProposal = {
      id: `p-${newId(10)}`,
      status: "running",
      progress: 0,
      by: actor,
      createdAt: now,
      endedAt: null,
      settings,
      layerVersion: layer.version,
      best: null,
      granularity: {},
      moves: [],
      accountsMoved: 0,
      before,
      after: null,
      stale: [],
      error: null,
      accepted: null,
      undone: null,
    };
    plan.list.push(p);
    this.prune(plan);
    try {
      await plan.save();
    } catch (e) {
      plan.list.splice(plan.list.indexOf(p), 1);
      throw e;
    }
    if (plan.closed || p.status !== "running") return this.view(plan, p);

    let handle: RunHandle;
    try {
      handle = this.deps.runner.start(problem, (progress) => {
        if (p.status !== "running" || plan.closed) return;
        p.progress = Math.min(1, progress.done);
        p.best = { maxDeviation: progress.maxDeviation, objective: progress.objective };
        this.broadcast(plan, [p]);
      });
    } catch (e) {
      fail(
        p,
        e instanceof BalanceBusy ? "The server was busy with other proposals; run it again." : (e as Error).message,
      );
      await plan.save().catch(() => {});
      this.broadcast(plan, [p]);
      if (e instanceof BalanceBusy) throw busy(this.deps.runner.maxRuns);
      throw e;
    }
    // The room stays loaded until the run ends, whoever leaves meanwhile.
    room.holds++;
    const run: Run = { handle, stopAsked: false, done: Promise.resolve() };
    run.done = handle.result
      .then(
        (result) =>
          this.finish(plan, p, run, {
            start: problem.start,
            end: result.assignment,
            slots,
            layer,
            accounts: input.amounts.accounts?.perUnit ?? null,
            ended: result.ended,
            best: { maxDeviation: result.maxDeviation, objective: result.objective.end },
            granularity: Object.fromEntries(problem.metrics.map((m, i) => [m.name, result.granularity[i] ?? 0])),
          }),
        (e: Error) => {
          if (p.status !== "running" || plan.closed) return;
          proposalsLog.error({ planId: plan.planId, proposalId: p.id, err: e }, "the proposal failed");
          fail(p, "The optimizer failed on this plan; the server log says why.");
        },
      )
      .catch((e: Error) => {
        proposalsLog.error({ planId: plan.planId, proposalId: p.id, err: e }, "the proposal failed");
        if (p.status === "running") fail(p, "The proposal could not be worked out; the server log says why.");
      })
      .finally(async () => {
        plan.runs.delete(p.id);
        if (plan.closed) return;
        await plan
          .save()
          .catch((e: Error) => proposalsLog.error({ planId: plan.planId, err: e }, "saving proposals failed"));
        this.broadcast(plan, [p]);
        room.holds--;
        this.deps.release(room);
      });
    plan.runs.set(p.id, run);
    this.broadcast(plan, [p]);
    return this.view(plan, p);
  }

  /** A run's answer: net moves, and what they would give, from the live analysis. */
  private async finish(
    plan: PlanProposals,
    p: StoredProposal,
    run: Run,
    r: {
      start: Int32Array;
      end: Int32Array;
      slots: string[];
      layer: LayerIndex;
      accounts: Float64Array | null;
      ended: "steps" | "time" | "stopped";
      best: Proposal["best"];
      granularity: Record<string, number>;
    },
  ): Promise<void> {
    if (p.status !== "running" || plan.closed) return;
    if (this.deps.units.layerOf(plan.room)?.version !== p.layerVersion) {
      fail(p, "The plan's unit layer was replaced while this ran; run it again on the new one.");
      return;
    }
    const moves = netMoves(r.start, r.end, r.slots, r.layer.ids);
    let accountsMoved = 0;
    if (r.accounts) {
      for (let u = 0; u < r.start.length; u++) if (r.start[u] !== r.end[u]) accountsMoved += r.accounts[u] as number;
    }
    const scoring = this.deps.scoring?.get(plan.planId);
    if (!scoring) {
      fail(p, "Scoring stopped while this ran; run it again.");
      return;
    }
    const { side, stale } = await scoring.whatIf(
      moves.map((m) => [r.layer.indexOf.get(m.unit) as number, m.from, m.to]),
      Object.keys(p.settings.metrics),
    );
    if (p.status !== "running" || plan.closed) return;
    p.moves = moves;
    p.accountsMoved = accountsMoved;
    p.after = side;
    p.stale = stale.map((u) => r.layer.ids[u] as string);
    p.best = r.best;
    p.granularity = r.granularity;
    p.progress = 1;
    p.status = run.stopAsked || r.ended === "stopped" ? "stopped" : "ready";
    p.endedAt = new Date().toISOString();
  }

  /** Stops a running proposal; resolves with it once it holds the best found so far (status "stopped"). */
  async stop(room: Room, id: string): Promise<Proposal> {
    const plan = this.planOf(room);
    const p = this.proposal(plan, id);
    const run = plan.runs.get(id);
    if (p.status !== "running" || !run) {
      throw new ProposalError(409, `This proposal is not running (it is ${p.status}).`, { status: p.status });
    }
    run.stopAsked = true;
    run.handle.stop();
    await run.done;
    return this.view(plan, p);
  }

  /** Discards a proposal (a running one is stopped first). An accepted one is undone instead. */
  async discard(room: Room, id: string): Promise<Proposal> {
    const plan = this.planOf(room);
    const p = this.proposal(plan, id);
    if (p.status === "accepted") {
      throw new ProposalError(409, "This proposal was accepted; take its moves back with POST …/undo instead.", {
        status: p.status,
      });
    }
    if (p.status === "discarded") return this.view(plan, p);
    if (plan.busy.has(id)) throw new ProposalError(409, "This proposal is being accepted right now.");
    p.status = "discarded";
    p.endedAt ??= new Date().toISOString();
    const run = plan.runs.get(id);
    if (run) {
      run.handle.stop();
      await run.done;
    } else {
      await plan.save();
      this.broadcast(plan, [p]);
    }
    return this.view(plan, p);
  }

  // ── accepting and taking back ───────────────────────────────────────────

  /**
   * Applies a ready (or stopped) proposal's moves in one change, by `actor`:
   * units changed since the run started are left as they are, and for a
   * contiguous proposal any move that would now split a territory; one feed
   * entry with the score before → after. The inverse is kept for undo.
   */
  async accept(room: Room, id: string, actor: Author): Promise<{ applied: number; skipped: SkippedMove[] }> {
    const plan = this.planOf(room);
    const p = this.proposal(plan, id);
    this.refuseUnlessAcceptable(p);
    if (plan.busy.has(id)) throw new ProposalError(409, "This proposal is being accepted right now.");
    const layer = this.unitLayer(room);
    if (layer.version !== p.layerVersion) {
      throw new ProposalError(
        409,
        "The plan's unit layer was replaced since this proposal was made, so its moves no longer fit; run a new one.",
      );
    }
    const scoring = this.scoringOf(room);
    plan.busy.add(id);
    try {
      await this.deps.beforeAccept?.(room, actor);
      const graph = await this.graphOf(plan, scoring, layer);
      const before = (await scoring.current()).balance.score;
      this.refuseUnlessAcceptable(p);
      // From here to the change nothing awaits, so no edit falls between the check and the write.
      const units = unitsMap(room.doc);
      const current = layer.ids.map((_, u) => {
        const t = units.get(unitKey(u));
        return typeof t === "string" ? t : null;
      });
      const pending: PendingMove[] = [];
      const skipped: SkippedMove[] = [];
      for (const m of p.moves) {
        const u = layer.indexOf.get(m.unit);
        if (u === undefined) skipped.push({ unit: m.unit, reason: "gone" });
        else pending.push({ u, from: m.from, to: m.to });
      }
      const territories = territoriesMap(room.doc);
      const decided = movesToApply({
        moves: pending,
        current,
        hasTerritory: (t) => territories.has(t),
        graph,
        contiguous: p.settings.contiguous,
      });
      for (const s of decided.skipped) skipped.push({ unit: layer.ids[s.move.u] as string, reason: s.reason });
      const changes = await room.undo.apply(
        id,
        { kind: "step", step: "proposal-accepted", actor },
        decided.apply.map((m) => ({ map: "units", key: unitKey(m.u), value: m.to })),
      );
      const applied = decided.apply.length;
      p.status = "accepted";
      p.stale = skipped.filter((s) => s.reason === "stale").map((s) => s.unit);
      p.accepted = { by: actor, at: new Date().toISOString(), applied, skipped };
      p.undo = changes;
      await plan.save();
      const after = (await scoring.current()).balance.score;
      this.deps.activity.get(plan.planId)?.record({
        kind: "proposal-accepted",
        actor,
        ...boxOf(
          this.deps.units,
          room,
          changes.map((c) => c.key),
        ),
        details: { count: applied, skipped: skipped.length, score: { before, after }, proposalId: id },
      });
      this.broadcast(plan, [p]);
      return { applied, skipped };
    } finally {
      plan.busy.delete(id);
    }
  }

  /**
   * Takes an accepted proposal back (room.undo): every unit it moved that
   * nobody has changed since returns to its territory before; the others
   * are listed. One feed entry.
   */
  async undo(room: Room, id: string, actor: Author): Promise<{ reverted: number; kept: string[] }> {
    const plan = this.planOf(room);
    const p = this.proposal(plan, id);
    if (p.status !== "accepted" || p.undone) {
      throw new ProposalError(
        409,
        p.undone
          ? "This proposal was taken back already."
          : `Only an accepted proposal can be taken back; this one is ${p.status}.`,
        { status: p.status },
      );
    }
    const layer = this.unitLayer(room);
    if (layer.version !== p.layerVersion || !room.undo.has(id)) {
      throw new ProposalError(
        409,
        "The plan's unit layer was replaced since this was accepted; it can no longer be taken back.",
      );
    }
    if (plan.busy.has(id)) throw new ProposalError(409, "This proposal is being taken back right now.");
    const scoring = this.scoringOf(room);
    plan.busy.add(id);
    try {
      const before = (await scoring.current()).balance.score;
      const territories = territoriesMap(room.doc);
      const result = await room.undo.revert(id, { kind: "step", step: "proposal-undone", actor }, (c) =>
        c.before === null ? true : territories.has(c.before),
      );
      if (!result) throw new ProposalError(409, "This proposal can no longer be taken back.");
      const n = layer.ids.length;
      const kept = result.kept.map((c) => layer.ids[unitIndex(c.key, n)] ?? c.key);
      p.undone = { by: actor, at: new Date().toISOString(), reverted: result.reverted.length, kept };
      delete p.undo;
      await plan.save();
      const after = (await scoring.current()).balance.score;
      this.deps.activity.get(plan.planId)?.record({
        kind: "proposal-undone",
        actor,
        ...boxOf(
          this.deps.units,
          room,
          result.reverted.map((c) => c.key),
        ),
        details: { count: result.reverted.length, kept: kept.length, score: { before, after }, proposalId: id },
      });
      this.broadcast(plan, [p]);
      return { reverted: result.reverted.length, kept };
    } finally {
      plan.busy.delete(id);
    }
  }

  // ── helpers ─────────────────────────────────────────────────────────────

  private unitLayer(room: Room): LayerIndex {
    const layer = this.deps.units.layerOf(room);
    if (!layer || !isUnitPlan(room.doc)) {
      throw new ProposalError(
        409,
        'This plan is drawn, not built from units, and auto-balance moves units between territories. Make a unit layer first (POST …/units with {"kind": "h3", "resolution": 6, "area": "territories"}), then ask again.',
      );
    }
    return layer;
  }

  private scoringOf(room: Room): PlanScoring {
    const scoring = this.deps.scoring?.get(room.address.planId);
    if (!scoring) {
      throw new ProposalError(
        503,
        "Scoring is not running for this plan, and proposals are measured with it; try again shortly.",
      );
    }
    return scoring;
  }

  private refuseIfRunning(plan: PlanProposals): void {
    const running = plan.list.find((p) => p.status === "running");
    if (running) {
      throw new ProposalError(
        409,
        `A proposal is already running for this plan (started by ${running.by.name || "someone"}); stop it (POST …/proposals/${running.id}/stop) or wait for it to end.`,
        { running: running.id },
      );
    }
  }

  private refuseUnlessAcceptable(p: StoredProposal): void {
    if (p.status === "ready" || p.status === "stopped") return;
    throw new ProposalError(
      409,
      p.status === "running"
        ? "This proposal is still running; stop it (POST …/stop) to accept the best so far."
        : `This proposal is ${p.status}; only a ready or stopped one can be accepted.`,
      { status: p.status },
    );
  }

  /** The unit graph accept checks contiguity on: kept from the run, or read again (after a restart). */
  private async graphOf(
    plan: PlanProposals,
    scoring: PlanScoring,
    layer: LayerIndex,
  ): Promise<{ offsets: Int32Array; targets: Int32Array }> {
    if (plan.graph?.version === layer.version) return plan.graph;
    const { input } = await scoring.balanceInput([]);
    if (!input) throw new ProposalError(503, "The plan's units could not be read; try again.");
    plan.graph = { version: layer.version, ...(input as PlanBalanceInput).graph };
    return plan.graph;
  }

  /** Keeps at most MAX_PROPOSALS, dropping the oldest that are not running. */
  private prune(plan: PlanProposals): void {
    while (plan.list.length > MAX_PROPOSALS) {
      const i = plan.list.findIndex((p) => p.status !== "running" && !plan.busy.has(p.id));
      if (i < 0) return;
      const [dropped] = plan.list.splice(i, 1);
      if (dropped) plan.room.undo.forget(dropped.id);
    }
  }

  /** Message 23 to everyone in the plan. */
  private broadcast(plan: PlanProposals, changed: StoredProposal[]): void {
    if (plan.closed || plan.room.peers.size === 0) return;
    const bytes = frame(changed.map((p) => this.summary(plan, p)));
    for (const peer of plan.room.peers) peer.sendFrame(bytes);
  }
}

function fail(p: StoredProposal, sentence: string): void {
  p.status = "failed";
  p.error = sentence;
  p.endedAt = new Date().toISOString();
}

function busy(maxRuns: number): ProposalError {
  return new ProposalError(
    503,
    `The server is already working out ${maxRuns === 1 ? "a proposal" : `${maxRuns} proposals`} (its limit); try again when ${maxRuns === 1 ? "it ends" : "one ends"}.`,
    { retryAfter: 10 },
  );
}

/** The metric names a request asks for, before it is checked: to ask the analysis for their amounts. */
function metricNamesIn(body: unknown): string[] {
  const m = (body as { metrics?: unknown } | null)?.metrics;
  const names = Array.isArray(m) ? m : typeof m === "object" && m !== null ? Object.keys(m) : [];
  return names.filter((x): x is string => typeof x === "string").slice(0, 100);
}

function boxOf(units: Units, room: Room, keys: string[]): { box?: [number, number, number, number] } {
  const box = units.centresBox(room, keys);
  return box ? { box } : {};
}

function frame(proposals: ProposalSummary[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.proposals);
  encoding.writeVarString(encoder, JSON.stringify({ proposals }));
  return encoding.toUint8Array(encoder);
}

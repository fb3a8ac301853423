import { Worker } from "node:worker_threads";
import { workerUrl } from "../util/worker-url.ts";
import * as encoding from "lib0/encoding";
import {
  isUnitPlan,
  PLAN_KEYS,
  readAccountsVersion,
  readAllowedDeviation,
  readPins,
  readUnitAssignment,
  TERRITORY_KEYS,
  territoriesMap,
  unitsMap,
} from "../../shared/doc/schema.ts";
import type { PlanBalanceInput } from "../../shared/balance/plan.ts";
import type { ProposalSide } from "../../shared/balance/proposal.ts";
import type { SuggestionEffect } from "../../shared/suggestions/effect.ts";
import type { TerritoryGeometry } from "../../shared/geometry/types.ts";
import { unitIndex } from "../../shared/units/layer.ts";
import type { UnitLayerJson } from "../../shared/units/serialize.ts";
import type { AnalysisMessage } from "../../shared/protocol/analysis.ts";
import { MessageType } from "../../shared/protocol/messages.ts";
import { AccountIndex } from "../../shared/scoring/accounts.ts";
import type { Analysis, AnalysisSettings } from "../../shared/scoring/types.ts";
import type { PlanStore } from "../persistence/store.ts";
import type { DocChanges } from "../../shared/doc/changes.ts";
import type { RoomExtension } from "../rooms/extension.ts";
import type { Room, RoomPeer } from "../rooms/room.ts";
import { Debouncer } from "../util/debounce.ts";
import type { FromWorker, ToWorker, WorkerTerritory } from "./protocol.ts";
import { scoringSeconds } from "../ops/metrics.ts";
import { logger } from "../ops/log.ts";

const scoringLog = logger("scoring");

/** The worker's answers to the questions auto-balance and suggestions ask. */
type WorkerAnswer = Extract<FromWorker, { type: "balance-input" | "what-if" | "suggestion-effect" }>;

/** Quiet time before a recompute, and the longest a change waits for one. */
const DEBOUNCE_MS = 30;
const MAX_WAIT_MS = 200;

/**
 * Live scoring for every loaded plan, in one worker thread (this machine
 * has two cores: one for sync, one for scoring). A plan's Analyzer lives in
 * the worker; the main thread only sends what changed and relays results.
 */
export class Scoring implements RoomExtension {
  readonly name = "scoring";
  private worker: Worker | null = null;
  private readonly plans = new Map<string, PlanScoring>();
  private crashes: number[] = [];

  constructor(private readonly store: PlanStore) {}

  /** Starts scoring a plan's main room; resolves once the first analysis is under way. */
  async onLoad(room: Room): Promise<void> {
    if (room.address.part !== "") return;
    const plan = new PlanScoring(this, room);
    this.plans.set(room.address.planId, plan);
    await plan.load();
  }

  onJoin(room: Room, peer: RoomPeer): void {
    this.forRoom(room)?.join(peer);
  }

  onChange(room: Room, changes: DocChanges): void {
    this.forRoom(room)?.noteChanges(changes);
  }

  onClose(room: Room): void {
    const plan = this.forRoom(room);
    if (!plan) return;
    plan.dispose();
    this.plans.delete(plan.planId);
    this.post({ type: "unload", planId: plan.planId });
  }

  private forRoom(room: Room): PlanScoring | undefined {
    const plan = this.plans.get(room.address.planId);
    return plan?.room === room ? plan : undefined;
  }

  get(planId: string): PlanScoring | undefined {
    return this.plans.get(planId);
  }

  /** The stored accounts and their version (the stored file decides the version, not the document). */
  async accountsOf(planId: string): Promise<{ index: AccountIndex; version: number }> {
    const stored = await this.store.getAccounts(planId);
    return { index: new AccountIndex(stored?.accounts ?? []), version: stored?.version ?? 0 };
  }

  /** The plan's unit layer as stored (null when it has none). */
  async unitsOf(planId: string): Promise<UnitLayerJson | null> {
    return this.store.getData(planId, "units");
  }

  /** The plan's competitors, when it has any. */
  async competitorsOf(planId: string): Promise<AccountIndex | null> {
    const stored = await this.store.getData(planId, "competitors");
    return stored && stored.accounts.length > 0 ? new AccountIndex(stored.accounts) : null;
  }

  post(msg: ToWorker): void {
    this.ensureWorker().postMessage(msg);
  }

  /**
   * Starts the worker now rather than when the first plan opens: loading its
   * code costs about a second of CPU, which would otherwise land in the
   * middle of the first session's edits.
   */
  warm(): void {
    this.ensureWorker();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerUrl("scoring"));
    worker.unref();
    worker.on("message", (msg: FromWorker) => {
      if (msg.type === "pong") {
        this.pings.get(msg.requestId)?.();
        return;
      }
      if (msg.type === "analysis") scoringSeconds.observe(msg.ms / 1000);
      this.plans.get(msg.planId)?.receive(msg);
    });
    worker.on("error", (e) => scoringLog.error({ err: e }, "the scoring worker failed"));
    worker.on("exit", (code) => {
      if (this.worker !== worker) return;
      this.worker = null;
      if (code === 0) return;
      const now = Date.now();
      this.crashes = this.crashes.filter((t) => now - t < 60_000);
      this.crashes.push(now);
      if (this.crashes.length > 3) {
        scoringLog.error(
          { exitCode: code, crashes: this.crashes.length },
          "the scoring worker keeps exiting (more than 3 times in a minute); scoring is off",
        );
        for (const plan of this.plans.values()) plan.fail(new Error("the scoring worker keeps failing"));
        return;
      }
      scoringLog.error({ exitCode: code }, "the scoring worker exited; restarting it");
      for (const plan of this.plans.values()) {
        plan.abandonRequests(new Error("the scoring worker restarted"));
        plan.load().catch(() => {});
      }
    });
    this.worker = worker;
    return worker;
  }

  /**
   * A round trip to the worker (`GET /api/ready`): resolves when it answers,
   * rejects after `timeoutMs`. The ping waits behind the work queued before
   * it, so a worker stuck in one analysis longer than that counts as not alive.
   * Calls while one is out share its answer: a flood of readiness probes
   * queues one message, not one each.
   */
  ping(timeoutMs: number): Promise<void> {
    this.pinging ??= this.roundTrip(timeoutMs).finally(() => {
      this.pinging = null;
    });
    return this.pinging;
  }

  private pinging: Promise<void> | null = null;

  private roundTrip(timeoutMs: number): Promise<void> {
    const worker = this.ensureWorker();
    const requestId = this.nextPing++;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pings.delete(requestId);
        reject(new Error(`the scoring worker did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      this.pings.set(requestId, () => {
        clearTimeout(timer);
        this.pings.delete(requestId);
        resolve();
      });
      worker.postMessage({ type: "ping", requestId } satisfies ToWorker);
    });
  }

  private readonly pings = new Map<number, () => void>();
  private nextPing = 1;

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }
}

/** One plan's live analysis: changes in, results out to every peer. */
export class PlanScoring {
  readonly planId: string;
  private latest: AnalysisMessage | null = null;
  /** The last accountTerritory sent, and the territory ids it indexes. */
  private lastAssignment: { ids: string[]; accountTerritory: Int32Array } | null = null;
  /** Sequence of changes sent to the worker, and of the last one it answered. */
  private sentSeq = 0;
  private doneSeq = 0;
  /** Sequence of analyses published to clients. */
  private publishedSeq = 0;
  /** accountTerritory of the latest analysis, as a plain array (for joiners and the assignments). */
  private fullAssignment: number[] = [];
  private readonly dirty = new Set<string>();
  /** Unit keys painted since the last flush (unit plans). */
  private readonly unitsDirty = new Set<string>();
  private readonly outlineWaiters = new Map<
    number,
    { resolve: (o: Record<string, TerritoryGeometry | null>) => void; reject: (e: Error) => void }
  >();
  private nextOutlineRequest = 1;
  /** Auto-balance's questions waiting for the worker (request id → answer). */
  private readonly balanceWaiters = new Map<
    number,
    { resolve: (m: WorkerAnswer) => void; reject: (e: Error) => void }
  >();
  /** The unit layer the worker holds (its unit count indexes the document's unit keys). */
  private unitCount = 0;
  private pinsDirty = false;
  private settingsDirty = false;
  private readonly debouncer = new Debouncer(async () => this.flush(), DEBOUNCE_MS, MAX_WAIT_MS);
  private waiters: { seq: number; resolve: (a: AnalysisMessage) => void; reject: (e: Error) => void }[] = [];
  private accountsVersion = 0;
  /** Account id → its index in the accounts the worker holds. */
  private accountIndex = new Map<string, number>();
  private disposed = false;
  /** Called with every new analysis (the activity feed fills in reshapes' metrics). */
  readonly analysisListeners = new Set<(analysis: AnalysisMessage) => void>();

  constructor(
    private readonly scoring: Scoring,
    readonly room: Room,
  ) {
    this.planId = room.address.planId;
  }

  /**
   * (Re)loads the plan into the worker. While it reads storage, callers of
   * `current()` wait for it: an answer must never come from the plan as it
   * was before (a new unit layer, new accounts).
   */
  load(): Promise<void> {
    const run = this.loadNow();
    // Waiters only need to know when it ends; the caller of load() hears how (no unhandled rejection here).
    const tracked: Promise<void> = run.then(
      () => undefined,
      () => undefined,
    );
    this.loading = tracked;
    void tracked.then(() => {
      if (this.loading === tracked) this.loading = null;
    });
    return run;
  }

  private loading: Promise<void> | null = null;

  private async loadNow(): Promise<void> {
    this.accountsVersion = readAccountsVersion(this.room.doc);
    const { index: accounts, version } = await this.scoring.accountsOf(this.planId);
    if (this.disposed) return;
    // The socket check refuses a pin naming an account the plan does not have.
    const index = new Map(accounts.ids.map((id, i) => [id, i] as const));
    this.accountIndex = index;
    this.room.accountExists = (id) => index.has(id);
    // The analysis says which accounts it counted: those just read, whatever the document says
    // (an import interrupted between its two steps leaves the document behind until the room reconciles it).
    this.accountsVersion = version;
    const units = isUnitPlan(this.room.doc) ? await this.scoring.unitsOf(this.planId) : null;
    const competitors = await this.scoring.competitorsOf(this.planId);
    if (this.disposed) return;
    const territories: WorkerTerritory[] = [];
    territoriesMap(this.room.doc).forEach((_, id) => {
      const t = this.workerTerritory(id);
      if (t) territories.push(t);
    });
    this.unitCount = units?.ids.length ?? 0;
    const assignment: [number, string][] = [];
    if (units) {
      for (const [key, territoryId] of readUnitAssignment(this.room.doc)) {
        const u = unitIndex(key, this.unitCount);
        if (u >= 0) assignment.push([u, territoryId]);
      }
    }
    this.dirty.clear();
    this.unitsDirty.clear();
    this.pinsDirty = false;
    this.settingsDirty = false;
    this.lastAssignment = null;
    this.scoring.post({
      type: "load",
      planId: this.planId,
      accounts: accounts.toColumns(),
      settings: this.settings(),
      territories,
      pins: [...readPins(this.room.doc)],
      ...(units ? { units: { layer: units, assignment } } : {}),
      ...(competitors ? { competitors: competitors.toColumns() } : {}),
      seq: ++this.sentSeq,
    });
  }

  private settings(): AnalysisSettings {
    return { allowedDeviation: readAllowedDeviation(this.room.doc) };
  }

  private workerTerritory(id: string): WorkerTerritory | null {
    const map = territoriesMap(this.room.doc).get(id);
    const geometry = map?.get(TERRITORY_KEYS.geometry);
    const name = map?.get(TERRITORY_KEYS.name);
    if (typeof name !== "string") return null;
    const targets = (map?.get(TERRITORY_KEYS.targets) ?? {}) as Record<string, number>;
    // A unit plan's territories have no geometry: their units are their shape.
    if (isUnitPlan(this.room.doc)) return { id, name, targets, geometry: null };
    if (!(geometry instanceof Uint8Array)) return null;
    return { id, name, targets, geometry };
  }

  /** Notes which territories, pins and settings a transaction touched (server/rooms/extension.ts). */
  noteChanges(changes: DocChanges): void {
    // A new unit layer (or none), new competitors: everything is scored afresh.
    if (changes.plan.has(PLAN_KEYS.unitsVersion) || changes.plan.has(PLAN_KEYS.competitorsVersion)) {
      this.load().catch((e: Error) =>
        scoringLog.error({ planId: this.planId, err: e }, "reloading the unit layer failed"),
      );
      return;
    }
    if (changes.plan.has(PLAN_KEYS.accountsVersion) && readAccountsVersion(this.room.doc) !== this.accountsVersion) {
      this.load().catch((e: Error) =>
        scoringLog.error({ planId: this.planId, err: e }, "reloading the accounts failed"),
      );
      return;
    }
    let touched = false;
    for (const id of changes.territories.keys()) {
      this.dirty.add(id);
      touched = true;
    }
    if (changes.pins.size > 0) this.pinsDirty = touched = true;
    for (const key of changes.units) {
      this.unitsDirty.add(key);
      touched = true;
    }
    if (changes.plan.has(PLAN_KEYS.allowedDeviation)) this.settingsDirty = touched = true;
    if (touched) this.debouncer.trigger();
  }

  /** Sends what changed to the worker now. */
  private flush(): void {
    this.debouncer.cancel();
    if (this.disposed) return;
    if (this.dirty.size === 0 && this.unitsDirty.size === 0 && !this.pinsDirty && !this.settingsDirty) return;
    const set: WorkerTerritory[] = [];
    const remove: string[] = [];
    for (const id of this.dirty) {
      const t = this.workerTerritory(id);
      if (t) set.push(t);
      else remove.push(id);
    }
    this.scoring.post({
      type: "update",
      planId: this.planId,
      set,
      remove,
      pins: this.pinsDirty ? [...readPins(this.room.doc)] : undefined,
      settings: this.settingsDirty ? this.settings() : undefined,
      units: this.unitsDirty.size > 0 ? this.paintedUnits() : undefined,
      seq: ++this.sentSeq,
    });
    this.dirty.clear();
    this.unitsDirty.clear();
    this.pinsDirty = false;
    this.settingsDirty = false;
  }

  /** The units painted since the last flush, as the worker takes them. */
  private paintedUnits(): [number, string | null][] {
    const units = unitsMap(this.room.doc);
    const out: [number, string | null][] = [];
    for (const key of this.unitsDirty) {
      const u = unitIndex(key, this.unitCount);
      if (u < 0) continue;
      const t = units.get(key);
      out.push([u, typeof t === "string" ? t : null]);
    }
    return out;
  }

  /**
   * The outlines of territories of a unit plan (the union of their units),
   * computed in the worker with every change made so far.
   */
  async outlines(ids: readonly string[]): Promise<Record<string, TerritoryGeometry | null>> {
    await this.current();
    const requestId = this.nextOutlineRequest++;
    return new Promise((resolve, reject) => {
      this.outlineWaiters.set(requestId, { resolve, reject });
      this.scoring.post({ type: "outlines", planId: this.planId, requestId, ids: [...ids] });
    });
  }

  /**
   * What auto-balance needs of this unit plan as it is now (issue 13): its
   * territories, who holds each unit, the adjacency and each unit's amounts
   * of `metrics`, from the worker's analyzer once every change made so far
   * has reached it. `input` is null when a metric is not one it knows.
   */
  async balanceInput(
    metrics: readonly string[],
  ): Promise<{ known: string[]; input: PlanBalanceInput | null; before: ProposalSide | null }> {
    const reply = await this.askBalance((requestId) => ({
      type: "balance-input",
      planId: this.planId,
      requestId,
      metrics: [...metrics],
    }));
    if (reply.type !== "balance-input") throw new Error("the scoring worker answered another question");
    return { known: reply.known, input: reply.input, before: reply.before };
  }

  /**
   * The plan's score and each territory's `metrics` as they would be with
   * these moves applied to the plan as it is now, leaving out (and listing)
   * units that are no longer the move's `from`'s.
   */
  async whatIf(
    moves: [number, string | null, string][],
    metrics: readonly string[],
  ): Promise<{ side: ProposalSide; stale: number[] }> {
    const reply = await this.askBalance((requestId) => ({
      type: "what-if",
      planId: this.planId,
      requestId,
      moves,
      metrics: [...metrics],
    }));
    if (reply.type !== "what-if" || !reply.side) throw new Error("the scoring worker answered another question");
    return { side: reply.side, stale: reply.stale };
  }

  /**
   * A suggestion's effect (issue 15), worked out in the worker on the plan
   * as the document has it now: a drawn territory given `geometry` (the
   * codec's bytes, as accepting writes them), or units given to other
   * territories (unit index → territory id or null).
   */
  async suggestionEffect(
    change: { territoryId: string; geometry: Uint8Array } | { moves: [number, string | null][]; focus: string[] },
  ): Promise<SuggestionEffect> {
    let shape: { territory: WorkerTerritory; geometry: Uint8Array } | undefined;
    if ("geometry" in change) {
      const territory = this.workerTerritory(change.territoryId);
      if (!territory?.geometry) throw new Error(`territory ${change.territoryId} has no shape`);
      shape = { territory, geometry: change.geometry };
    }
    const reply = await this.askBalance((requestId) => ({
      type: "suggestion-effect",
      planId: this.planId,
      requestId,
      ...(shape ? { shape } : { units: change as { moves: [number, string | null][]; focus: string[] } }),
    }));
    if (reply.type !== "suggestion-effect" || !reply.effect)
      throw new Error("the scoring worker answered another question");
    return reply.effect;
  }

  private async askBalance(message: (requestId: number) => ToWorker): Promise<WorkerAnswer> {
    while (this.loading) await this.loading;
    // Every change made so far reaches the worker first: it answers for the plan as the document has it now.
    this.flush();
    const requestId = this.nextOutlineRequest++;
    const reply = await new Promise<WorkerAnswer>((resolve, reject) => {
      this.balanceWaiters.set(requestId, { resolve, reject });
      this.scoring.post(message(requestId));
    });
    if (reply.error) throw new Error(`the scoring worker could not answer: ${reply.error}`);
    return reply;
  }

  /** Fails everyone waiting for an analysis. */
  fail(e: Error): void {
    for (const w of this.waiters.splice(0)) w.reject(e);
    this.abandonRequests(e);
  }

  /** Fails the questions the worker will never answer (it stopped). */
  abandonRequests(e: Error): void {
    for (const w of this.outlineWaiters.values()) w.reject(e);
    this.outlineWaiters.clear();
    for (const w of this.balanceWaiters.values()) w.reject(e);
    this.balanceWaiters.clear();
  }

  receive(msg: Exclude<FromWorker, { type: "pong" }>): void {
    if (this.disposed) return;
    if (msg.type === "outlines") {
      const waiter = this.outlineWaiters.get(msg.requestId);
      this.outlineWaiters.delete(msg.requestId);
      if (msg.error) waiter?.reject(new Error(msg.error));
      else waiter?.resolve(msg.outlines);
      return;
    }
    if (msg.type === "balance-input" || msg.type === "what-if" || msg.type === "suggestion-effect") {
      const waiter = this.balanceWaiters.get(msg.requestId);
      this.balanceWaiters.delete(msg.requestId);
      waiter?.resolve(msg);
      return;
    }
    if (msg.type === "error") {
      scoringLog.error({ planId: this.planId }, `${msg.message}`);
      this.fail(new Error(`the analysis failed: ${msg.message}`));
      return;
    }
    if (msg.seq < this.doneSeq) return;
    this.doneSeq = msg.seq;
    const message = this.toMessage(msg.analysis, msg.ms);
    this.latest = { ...message, accountTerritory: undefined };
    this.joinFrame = null;
    const bytes = frame(message);
    // After the relays already due: an edit's relay never waits behind an analysis.
    setImmediate(() => {
      if (this.disposed) return;
      for (const peer of this.room.peers) peer.sendFrame(bytes);
    });
    for (const listener of this.analysisListeners) listener(this.latest);
    const done = this.waiters.filter((w) => w.seq <= msg.seq);
    this.waiters = this.waiters.filter((w) => w.seq > msg.seq);
    for (const w of done) w.resolve(this.latest);
  }

  /** Adds accountTerritory to the message when it (or what it indexes) changed. */
  private toMessage(a: Analysis, ms: number): AnalysisMessage {
    const { accountTerritory, ...rest } = a;
    const ids = a.territories.map((t) => t.id);
    const last = this.lastAssignment;
    const same =
      last !== null &&
      last.ids.length === ids.length &&
      last.ids.every((id, i) => id === ids[i]) &&
      last.accountTerritory.length === accountTerritory.length &&
      last.accountTerritory.every((v, i) => v === accountTerritory[i]);
    this.lastAssignment = { ids, accountTerritory };
    this.fullAssignment = Array.from(accountTerritory);
    return {
      ...rest,
      seq: ++this.publishedSeq,
      accountsVersion: this.accountsVersion,
      computeMs: Math.round(ms * 10) / 10,
      ...(same ? {} : { accountTerritory: this.fullAssignment }),
    };
  }

  /**
   * The territory an account counts in by the latest analysis (its pin, else
   * the one containing it); none when it is in none or in several, or before
   * the first analysis. A scoped link's first pin of an account is checked
   * against it (issue 15).
   */
  territoryOfAccount(accountId: string): string[] {
    const i = this.accountIndex.get(accountId);
    const last = this.lastAssignment;
    if (i === undefined || !last) return [];
    const t = last.accountTerritory[i];
    const id = t !== undefined && t >= 0 ? last.ids[t] : undefined;
    return id === undefined ? [] : [id];
  }

  /** A joining peer gets the current analysis, with the full assignment. */
  join(peer: RoomPeer): void {
    if (!this.latest) return;
    // Framed once per analysis, however many join: serialising a 2,000-territory
    // analysis (~800 KB) for each newcomer let a flood of reconnects hold the
    // event loop (issue 9's attack benchmark).
    this.joinFrame ??= frame({ ...this.latest, accountTerritory: this.fullAssignment });
    peer.sendFrame(this.joinFrame);
  }

  /** The latest analysis with the full assignment, framed for joiners; null until the next analysis. */
  private joinFrame: Uint8Array | null = null;

  /**
   * The analysis including every change applied so far (waits for the
   * recompute when one is due).
   */
  async current(): Promise<AnalysisMessage> {
    while (this.loading) await this.loading;
    if (this.dirty.size > 0 || this.unitsDirty.size > 0 || this.pinsDirty || this.settingsDirty) this.flush();
    if (this.latest && this.doneSeq >= this.sentSeq) return Promise.resolve(this.latest);
    return new Promise((resolve, reject) => this.waiters.push({ seq: this.sentSeq, resolve, reject }));
  }

  /** The latest analysis published, without waiting for pending changes; null before the first. */
  get latestAnalysis(): AnalysisMessage | null {
    return this.latest;
  }

  /** The current assignment of accounts to territory indices (with `current()`'s territories). */
  assignment(): number[] {
    return this.fullAssignment;
  }

  dispose(): void {
    this.disposed = true;
    this.debouncer.cancel();
    const e = new Error("the plan was closed");
    for (const w of this.waiters.splice(0)) w.reject(e);
    for (const w of this.outlineWaiters.values()) w.reject(e);
    this.outlineWaiters.clear();
    for (const w of this.balanceWaiters.values()) w.reject(e);
    this.balanceWaiters.clear();
  }
}

function frame(message: AnalysisMessage): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.analysis);
  encoding.writeVarString(encoder, JSON.stringify(message));
  return encoding.toUint8Array(encoder);
}

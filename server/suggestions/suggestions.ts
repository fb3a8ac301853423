import type * as Y from "yjs";
import {
  type Author,
  type CommentReply,
  type CommentThread,
  COMMENT_LIMITS,
  commentPermission,
  SERVER_AUTHOR,
  type ThreadEvent,
} from "../../shared/comments/comments.ts";
import type { DocChanges } from "../../shared/doc/changes.ts";
import { encodeValue } from "../../shared/doc/entries.ts";
import { isOrigin, type Origin } from "../../shared/doc/origins.ts";
import {
  commentsMap,
  isUnitPlan,
  PLAN_KEYS,
  readSuggestion,
  readSuggestions,
  readTerritoryProps,
  readThread,
  suggestionsMap,
  TERRITORY_KEYS,
  territoriesMap,
  unitsMap,
  writeSuggestion,
  writeThread,
} from "../../shared/doc/schema.ts";
import { decodeGeometry, encodeGeometry } from "../../shared/geometry/codec.ts";
import { flatten } from "../../shared/geometry/flat.ts";
import { interiorPoint } from "../../shared/geometry/label.ts";
import { newId } from "../../shared/ids.ts";
import type { AnalysisMessage } from "../../shared/protocol/analysis.ts";
import { effectTerritoryIds } from "../../shared/suggestions/effect.ts";
import { type Outdated, outdatedBy, type PlanNow, statusNow } from "../../shared/suggestions/outdated.ts";
import {
  fingerprint,
  type OutdatedInfo,
  SUGGESTION_LIMITS,
  type StoredSuggestion,
  type SuggestedMove,
  type SuggestionChange,
  type SuggestionStatus,
  type SuggestionView,
  territoriesTouched,
} from "../../shared/suggestions/suggestion.ts";
import { unitKey } from "../../shared/units/layer.ts";
import type { Activity } from "../activity/activity.ts";
import type { EntryChange, EntryWrite } from "../rooms/undo.ts";
import type { PlanStore } from "../persistence/store.ts";
import type { RoomExtension } from "../rooms/extension.ts";
import type { Room } from "../rooms/room.ts";
import type { PlanScoring, Scoring } from "../scoring/scoring.ts";
import type { Units } from "../units/units.ts";
import { logger } from "../ops/log.ts";

const suggestionsLog = logger("suggestions");

/** A refusal with its HTTP status and a sentence for the person (the API answers with it). */
export class SuggestionError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Accepted suggestions whose inverse is kept (to be taken back), newest last. */
export const MAX_UNDOABLE = 50;

export interface SuggestionsDeps {
  store: PlanStore;
  /** Null with SCORING=0: suggestions then answer 503 (their effect is measured with the analysis). */
  scoring: Scoring | null;
  units: Units;
  activity: Activity;
}

/** An accepted suggestion's inverse, kept beside the plan (`data-suggestions.json`). */
export interface StoredSuggestionStep {
  id: string;
  at: string;
  changes: EntryChange[];
}

/** What a caller is, as far as suggestions care. */
export interface SuggestionCaller {
  actor: Author;
  role: Author["role"];
}

/** What accepting answers: the plan's score before → after and the overlaps the suggestion's territories have now. */
export interface AcceptAnswer {
  id: string;
  status: SuggestionStatus;
  score: { before: number | null; after: number | null };
  overlaps: { territoryIds: string[]; areaKm2: number }[];
}

class PlanSuggestions {
  steps: StoredSuggestionStep[];
  /** Suggestions being decided right now. */
  readonly busy = new Set<string>();
  /** What transactions changed since the last outdated check, and who changed it. */
  pending: { territories: Set<string>; units: Set<string>; layer: boolean; by: Author | null } | null = null;
  closed = false;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    readonly room: Room,
    steps: StoredSuggestionStep[],
    private readonly store: PlanStore,
  ) {
    this.steps = steps;
  }

  save(): Promise<void> {
    const steps = this.steps;
    const next = this.saving
      .catch(() => {})
      .then(() => this.store.putData(this.room.address.planId, "suggestions", { steps }));
    this.saving = next;
    return next;
  }
}

/**
 * Suggestions (issue 15), an extension of each plan's main room. A
 * suggestion is stored in the plan document (root `suggestions`) beside
 * its comment thread, both written by the server, so everyone sees it live
 * the way comments reach them. Its effect is worked out in the scoring
 * worker when it is made. Accepting applies it as one step through the
 * room's server-side undo (server/rooms/undo.ts), with one feed entry;
 * its inverse is kept in `data-suggestions.json`, so it can be taken back
 * after a restart too. Whenever a transaction changes a territory or units a
 * suggestion rests on, the suggestion is marked outdated (and its thread
 * told), or open again when the change was taken back.
 */
export class Suggestions implements RoomExtension {
  readonly name = "suggestions";
  private readonly plans = new Map<string, PlanSuggestions>();

  constructor(private readonly deps: SuggestionsDeps) {}

  async onLoad(room: Room): Promise<void> {
    if (room.address.part !== "") return;
    const stored = await this.deps.store.getData(room.address.planId, "suggestions");
    const plan = new PlanSuggestions(room, stored?.steps ?? [], this.deps.store);
    for (const step of plan.steps) {
      const s = readSuggestion(room.doc, step.id);
      if (s?.status === "accepted" && !s.undone) room.undo.keep(step.id, step.changes);
    }
    this.plans.set(room.address.planId, plan);
  }

  onClose(room: Room): void {
    const plan = this.forRoom(room);
    if (!plan) return;
    plan.closed = true;
    this.plans.delete(room.address.planId);
  }

  /** Notes what a change touched; suggestions resting on it are checked once the transaction is over. */
  onChange(room: Room, changes: DocChanges, tr: Y.Transaction): void {
    const plan = this.forRoom(room);
    if (!plan || suggestionsMap(room.doc).size === 0) return;
    const layer = changes.plan.has(PLAN_KEYS.unitsVersion);
    if (changes.territories.size === 0 && changes.units.size === 0 && !layer) return;
    const first = plan.pending === null;
    plan.pending ??= { territories: new Set(), units: new Set(), layer: false, by: null };
    for (const [id, fields] of changes.territories) {
      if (fields === null || fields.has(TERRITORY_KEYS.geometry)) plan.pending.territories.add(id);
    }
    for (const key of changes.units) plan.pending.units.add(key);
    plan.pending.layer ||= layer;
    plan.pending.by ??= actorOf(room, tr.origin);
    // After the transaction (a change cannot be written from inside another's observer).
    if (first) setImmediate(() => this.checkOutdated(plan));
  }

  private forRoom(room: Room): PlanSuggestions | undefined {
    const plan = this.plans.get(room.address.planId);
    return plan?.room === room ? plan : undefined;
  }

  private planOf(room: Room): PlanSuggestions {
    const plan = this.forRoom(room);
    if (!plan) throw new SuggestionError(503, "This plan is not loaded right now; try again.");
    return plan;
  }

  // ── reading ─────────────────────────────────────────────────────────────

  /** The plan as outdated checks see it now. */
  private planNow(room: Room): PlanNow {
    const doc = room.doc;
    const territories = territoriesMap(doc);
    const layer = isUnitPlan(doc) ? this.deps.units.layerOf(room) : null;
    const units = unitsMap(doc);
    return {
      hasTerritory: (id) => territories.has(id),
      shapeFingerprint: (id) => {
        const g = territories.get(id)?.get(TERRITORY_KEYS.geometry);
        return g instanceof Uint8Array ? fingerprint(g) : null;
      },
      unitOwner: (unit) => {
        const u = layer?.indexOf.get(unit);
        if (u === undefined) return undefined;
        const t = units.get(unitKey(u));
        return typeof t === "string" ? t : null;
      },
      layerVersion: layer ? layer.version : isUnitPlan(doc) ? -1 : null,
    };
  }

  /** A suggestion as the API shows it: its shape as GeoJSON and its status as of now. */
  view(room: Room, s: StoredSuggestion, now: PlanNow = this.planNow(room)): SuggestionView {
    const { geometry, ...rest } = s;
    const outdated = s.status === "open" || s.status === "outdated" ? outdatedBy(s, now) : null;
    const status = statusNow(s, outdated);
    return {
      ...rest,
      geometry: geometry ? decodeGeometry(geometry) : null,
      status,
      outdated:
        status === "outdated"
          ? (s.outdated ?? { ...(outdated as Outdated), at: new Date().toISOString(), by: null })
          : null,
    };
  }

  list(room: Room, filter: { status?: SuggestionStatus | null; territory?: string | null } = {}): SuggestionView[] {
    this.planOf(room);
    const now = this.planNow(room);
    return readSuggestions(room.doc)
      .map((s) => this.view(room, s, now))
      .filter(
        (s) =>
          (!filter.status || s.status === filter.status) &&
          (!filter.territory || territoriesTouched(s).includes(filter.territory)),
      );
  }

  get(room: Room, id: string): SuggestionView {
    return this.view(room, this.suggestion(room, id));
  }

  private suggestion(room: Room, id: string): StoredSuggestion {
    const s = readSuggestion(room.doc, id);
    if (!s) throw new SuggestionError(404, `There is no suggestion "${id.slice(0, 64)}" in this plan.`);
    return s;
  }

  // ── making one ──────────────────────────────────────────────────────────

  /**
   * Makes a suggestion (the body of `POST …/suggestions`, checked in shape
   * by the caller): checked against the plan, its effect worked out in the
   * scoring worker, then the thread (new, or a reply in the thread of the
   * suggestion it redraws) and the suggestion written in one change.
   */
  async create(
    room: Room,
    caller: SuggestionCaller,
    origin: Origin,
    change: SuggestionChange,
    text: string,
  ): Promise<{ suggestion: SuggestionView; thread: CommentThread }> {
    this.planOf(room);
    const doc = room.doc;
    const scoring = this.scoringOf(room);
    const territoryId = change.territoryId;
    if (!territoriesMap(doc).has(territoryId)) {
      throw new SuggestionError(400, `There is no territory "${territoryId}" in this plan.`);
    }
    if (suggestionsMap(doc).size >= SUGGESTION_LIMITS.perPlan) {
      throw new SuggestionError(413, `This plan has reached its limit of ${SUGGESTION_LIMITS.perPlan} suggestions.`);
    }
    // The thread it joins (a redrawn suggestion) or the limit on new ones.
    let previous: StoredSuggestion | null = null;
    if (change.threadId) {
      const thread = readThread(doc, change.threadId);
      if (!thread) throw new SuggestionError(404, "There is no such comment thread.");
      const problem = commentPermission(caller.actor, "edit", thread);
      if (problem)
        throw new SuggestionError(
          403,
          "Only the person who started this thread, or a manager, can redraw its suggestion.",
        );
      previous = latestOf(doc, thread.id);
      if (previous && previous.territoryId !== territoryId) {
        throw new SuggestionError(
          400,
          `This thread's suggestion is about territory "${previous.territoryId}"; redraw that one, or start a new thread for "${territoryId}".`,
        );
      }
      if (thread.replies.length >= COMMENT_LIMITS.replies) {
        throw new SuggestionError(413, `This thread has reached its limit of ${COMMENT_LIMITS.replies} replies.`);
      }
    } else if (commentsMap(doc).size >= COMMENT_LIMITS.threads) {
      throw new SuggestionError(413, `This plan has reached its limit of ${COMMENT_LIMITS.threads} comment threads.`);
    }

    let geometry: Uint8Array | null = null;
    let moves: SuggestedMove[] | null = null;
    let base: StoredSuggestion["base"];
    let at = change.at;
    let effectOf: () => ReturnType<PlanScoring["suggestionEffect"]>;
    if (change.geometry) {
      if (isUnitPlan(doc)) {
        throw new SuggestionError(
          409,
          "This plan is built from units: suggest the units to move (units), not a shape.",
        );
      }
      const current = territoriesMap(doc).get(territoryId)?.get(TERRITORY_KEYS.geometry);
      if (!(current instanceof Uint8Array)) throw new SuggestionError(409, `Territory "${territoryId}" has no shape.`);
      const bytes = encodeGeometry(change.geometry);
      if (sameBytes(bytes, current)) {
        throw new SuggestionError(400, "The suggested shape is the territory's shape as it is; change it first.");
      }
      let used = 0;
      for (const v of suggestionsMap(doc).values()) {
        const g = (v as { geometry?: unknown } | null)?.geometry;
        if (g instanceof Uint8Array) used += g.length;
      }
      if (used + bytes.length > SUGGESTION_LIMITS.shapeBytes) {
        throw new SuggestionError(
          413,
          "This plan's suggestions hold as many drawn shapes as a plan may keep; suggest with fewer corners, or ask a manager to decide the open ones.",
        );
      }
      geometry = bytes;
      base = { geometry: fingerprint(current), layerVersion: null };
      at ??= interiorPoint(flatten(decodeGeometry(bytes))) as [number, number];
      effectOf = () => scoring.suggestionEffect({ territoryId, geometry: bytes });
    } else {
      const layer = isUnitPlan(doc) ? this.deps.units.layerOf(room) : null;
      if (!layer) {
        throw new SuggestionError(
          409,
          "This plan is drawn, not built from units: suggest a shape (geometry), not units.",
        );
      }
      const territories = territoriesMap(doc);
      const units = unitsMap(doc);
      const unknownUnits: string[] = [];
      const unknownTerritories = new Set<string>();
      const unrelated: string[] = [];
      const list: SuggestedMove[] = [];
      const indices: [number, string | null][] = [];
      for (const [unit, to] of change.units ?? []) {
        const u = layer.indexOf.get(unit);
        if (u === undefined) {
          unknownUnits.push(unit);
          continue;
        }
        if (to !== null && !territories.has(to)) unknownTerritories.add(to);
        const owner = units.get(unitKey(u));
        const from = typeof owner === "string" ? owner : null;
        if (from !== territoryId && to !== territoryId) unrelated.push(unit);
        if (from === to) continue;
        list.push({ unit, from, to });
        indices.push([u, to]);
      }
      if (unknownUnits.length > 0 || unknownTerritories.size > 0) {
        throw new SuggestionError(
          400,
          [
            unknownUnits.length > 0
              ? `${unknownUnits.length === 1 ? "Unit" : "Units"} ${unknownUnits.slice(0, 5).join(", ")}${unknownUnits.length > 5 ? ", …" : ""} ${unknownUnits.length === 1 ? "is" : "are"} not in this plan's unit layer.`
              : "",
            unknownTerritories.size > 0
              ? `There is no territory ${[...unknownTerritories].slice(0, 5).join(", ")} in this plan.`
              : "",
          ]
            .filter(Boolean)
            .join(" "),
          { units: unknownUnits.slice(0, 100), territories: [...unknownTerritories].slice(0, 100) },
        );
      }
      if (unrelated.length > 0) {
        throw new SuggestionError(
          400,
          `A suggestion for "${territoryId}" moves units into or out of it; ${unrelated.slice(0, 5).join(", ")} ${unrelated.length === 1 ? "is" : "are"} neither in it nor given to it.`,
          { units: unrelated.slice(0, 100) },
        );
      }
      if (list.length === 0) {
        throw new SuggestionError(
          400,
          "Every unit named is already where the suggestion would put it; nothing would change.",
        );
      }
      moves = list;
      base = { geometry: null, layerVersion: layer.version };
      if (!at) {
        const box = this.deps.units.centresBox(
          room,
          indices.map(([u]) => unitKey(u)),
        );
        if (box) at = [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2];
      }
      const focus = [
        ...new Set([territoryId, ...list.flatMap((m) => [m.from, m.to]).filter((t): t is string => t !== null)]),
      ];
      effectOf = () => scoring.suggestionEffect({ moves: indices, focus });
    }
    const fits = (): boolean =>
      outdatedBy({ kind: geometry ? "shape" : "units", territoryId, moves, base }, this.planNow(room)) === null;

    // Off the event loop, in the scoring worker, on the plan as it is now.
    const effect = await effectOf();
    // The plan may have changed while the worker answered.
    if (!fits()) {
      throw new SuggestionError(
        409,
        "The territory changed while the suggestion's effect was worked out; draw it again.",
      );
    }
    if (change.threadId && !readThread(doc, change.threadId)) {
      throw new SuggestionError(404, "There is no such comment thread.");
    }

    const now = new Date().toISOString();
    const id = `s-${newId(10)}`;
    const suggestion: StoredSuggestion = {
      id,
      threadId: change.threadId ?? newId(12),
      territoryId,
      by: caller.actor,
      createdAt: now,
      kind: geometry ? "shape" : "units",
      geometry,
      moves,
      base,
      effect,
      status: "open",
      outdated: null,
      decided: null,
      undone: null,
    };
    let thread: CommentThread;
    const stillPrevious = change.threadId ? latestOf(doc, change.threadId) : null;
    if (change.threadId) {
      const t = readThread(doc, change.threadId) as CommentThread;
      thread = withReply(t, caller.actor, text, { kind: "suggestion-redrawn", suggestionId: id }, now);
    } else {
      thread = {
        id: suggestion.threadId,
        author: caller.actor,
        text,
        createdAt: now,
        editedAt: null,
        at: at ?? [0, 0],
        territoryId,
        resolved: null,
        replies: [],
      };
    }
    await room.change(origin, (d) => {
      if (stillPrevious && (stillPrevious.status === "open" || stillPrevious.status === "outdated")) {
        writeSuggestion(d, {
          ...stillPrevious,
          status: "outdated",
          outdated: { at: now, what: "redrawn", by: caller.actor, suggestionId: id },
        });
      }
      writeThread(d, thread);
      writeSuggestion(d, suggestion);
    });
    this.record(room, change.threadId ? "comment-replied" : "comment-added", caller.actor, suggestion, thread, text);
    return { suggestion: this.view(room, suggestion), thread };
  }

  // ── deciding ────────────────────────────────────────────────────────────

  /**
   * Applies an open suggestion as one step by the caller (room.undo): the
   * territory takes the suggested shape, or the units their suggested
   * territory; one feed entry, the thread told. `allowed` is asked with
   * every territory the step changes (a scoped link's check) before anything
   * is written. 409 when it is not open (an outdated one is marked so).
   */
  async accept(
    room: Room,
    caller: SuggestionCaller,
    id: string,
    allowed: (territories: string[]) => void,
  ): Promise<AcceptAnswer> {
    const plan = this.planOf(room);
    const scoring = this.scoringOf(room);
    const s0 = this.suggestion(room, id);
    this.refuseUnlessOpen(room, s0);
    allowed([...new Set([...territoriesTouched(s0), ...effectTerritoryIds(s0.effect)])]);
    if (plan.busy.has(id)) throw new SuggestionError(409, "This suggestion is being decided right now.");
    plan.busy.add(id);
    try {
      const before = (await scoring.current()).balance.score;
      // From here to the change nothing awaits, so no edit falls between the check and the write.
      const s = this.suggestion(room, id);
      this.refuseUnlessOpen(room, s);
      const writes: EntryWrite[] = [];
      if (s.kind === "shape" && s.geometry) {
        writes.push({
          map: "territories",
          key: s.territoryId,
          field: TERRITORY_KEYS.geometry,
          value: encodeValue(s.geometry),
        });
      } else {
        const layer = this.deps.units.layerOf(room);
        for (const m of s.moves ?? []) {
          const u = layer?.indexOf.get(m.unit);
          if (u !== undefined) writes.push({ map: "units", key: unitKey(u), value: m.to });
        }
      }
      const now = new Date().toISOString();
      const accepted: StoredSuggestion = {
        ...s,
        status: "accepted",
        outdated: null,
        decided: { by: caller.actor, at: now, text: null },
      };
      const sentence = `${caller.actor.name} accepted ${possessive(s.by.name)} suggestion.`;
      const changes = await room.undo.apply(
        id,
        { kind: "step", step: "suggestion-accepted", actor: caller.actor },
        writes,
        (d) => {
          writeSuggestion(d, accepted);
          this.tellThread(d, s, caller.actor, sentence, { kind: "suggestion-accepted", suggestionId: id }, now);
        },
      );
      plan.steps = [...plan.steps.filter((x) => x.id !== id), { id, at: now, changes }];
      while (plan.steps.length > MAX_UNDOABLE) {
        const dropped = plan.steps.shift();
        if (dropped) room.undo.forget(dropped.id);
      }
      await plan.save();
      const analysis = await scoring.current();
      const after = analysis.balance.score;
      const touched = new Set(territoriesTouched(s));
      const overlaps = overlapsOf(analysis, touched);
      this.record(room, "suggestion-accepted", caller.actor, s, null, null, { before, after });
      return { id, status: "accepted", score: { before, after }, overlaps };
    } finally {
      plan.busy.delete(id);
    }
  }

  /** Declines an open (or outdated) suggestion with a reply in its thread. */
  async decline(
    room: Room,
    caller: SuggestionCaller,
    origin: Origin,
    id: string,
    text: string,
  ): Promise<SuggestionView> {
    const plan = this.planOf(room);
    const s = this.suggestion(room, id);
    if (s.status === "accepted" || s.status === "declined") {
      throw new SuggestionError(409, `This suggestion was ${s.status} already.`, { status: s.status });
    }
    if (plan.busy.has(id)) throw new SuggestionError(409, "This suggestion is being decided right now.");
    const thread = readThread(room.doc, s.threadId);
    if (thread && thread.replies.length >= COMMENT_LIMITS.replies) {
      throw new SuggestionError(413, `This thread has reached its limit of ${COMMENT_LIMITS.replies} replies.`);
    }
    const now = new Date().toISOString();
    const declined: StoredSuggestion = { ...s, status: "declined", decided: { by: caller.actor, at: now, text } };
    await room.change(origin, (d) => {
      writeSuggestion(d, declined);
      this.tellThread(d, s, caller.actor, text, { kind: "suggestion-declined", suggestionId: id }, now);
    });
    this.record(room, "suggestion-declined", caller.actor, s, null, text);
    return this.view(room, declined);
  }

  /**
   * Takes an accepted suggestion back (room.undo): what it wrote returns
   * where nobody has changed it since; the suggestion is open again (or
   * outdated, when what it rests on changed meanwhile).
   */
  async undo(
    room: Room,
    caller: SuggestionCaller,
    id: string,
    allowed: (territories: string[]) => void,
  ): Promise<{ reverted: number; kept: number; status: SuggestionStatus }> {
    const plan = this.planOf(room);
    const scoring = this.scoringOf(room);
    const s = this.suggestion(room, id);
    allowed([...new Set([...territoriesTouched(s), ...effectTerritoryIds(s.effect)])]);
    if (s.status !== "accepted" || s.undone) {
      throw new SuggestionError(
        409,
        s.undone
          ? "This suggestion was taken back already."
          : `Only an accepted suggestion can be taken back; this one is ${s.status}.`,
        { status: s.status },
      );
    }
    if (!room.undo.has(id)) throw new SuggestionError(409, "This suggestion can no longer be taken back.");
    if (plan.busy.has(id)) throw new SuggestionError(409, "This suggestion is being taken back right now.");
    plan.busy.add(id);
    try {
      const before = (await scoring.current()).balance.score;
      const now = new Date().toISOString();
      let status: SuggestionStatus = "open";
      const territories = territoriesMap(room.doc);
      const result = await room.undo.revert(
        id,
        { kind: "step", step: "suggestion-undone", actor: caller.actor },
        (c) => c.map !== "units" || c.before === null || territories.has(c.before),
        (d) => {
          const current = readSuggestion(d, id) ?? s;
          const outdated = outdatedBy(current, this.planNow(room));
          status = outdated ? "outdated" : "open";
          writeSuggestion(d, {
            ...current,
            status,
            outdated: outdated ? { ...outdated, at: now, by: null } : null,
            undone: { by: caller.actor, at: now },
          });
          this.tellThread(
            d,
            s,
            caller.actor,
            `${caller.actor.name} took the accepted suggestion back.`,
            { kind: "suggestion-undone", suggestionId: id },
            now,
          );
        },
      );
      if (!result) throw new SuggestionError(409, "This suggestion can no longer be taken back.");
      plan.steps = plan.steps.filter((x) => x.id !== id);
      await plan.save();
      const after = (await scoring.current()).balance.score;
      this.record(room, "suggestion-undone", caller.actor, s, null, null, { before, after }, result.kept.length);
      return { reverted: result.reverted.length, kept: result.kept.length, status };
    } finally {
      plan.busy.delete(id);
    }
  }

  // ── going out of date ───────────────────────────────────────────────────

  /**
   * Marks the suggestions that rest on what recent transactions changed as
   * outdated (their thread told what changed and by whom), or open again
   * when the change was taken back; one change for all of them.
   */
  private async checkOutdated(plan: PlanSuggestions): Promise<void> {
    const pending = plan.pending;
    plan.pending = null;
    if (!pending || plan.closed || plan.room.isBroken) return;
    const room = plan.room;
    const now = this.planNow(room);
    const layer = isUnitPlan(room.doc) ? this.deps.units.layerOf(room) : null;
    const at = new Date().toISOString();
    const updates: { s: StoredSuggestion; outdated: Outdated | null }[] = [];
    for (const s of readSuggestions(room.doc)) {
      if (s.status !== "open" && !(s.status === "outdated" && s.outdated?.what !== "redrawn")) continue;
      if (!pending.layer && !this.touches(s, pending, layer?.indexOf ?? null)) continue;
      const outdated = outdatedBy(s, now);
      if ((outdated === null) === (s.status === "open")) continue;
      updates.push({ s, outdated });
    }
    if (updates.length === 0) return;
    try {
      await room.change({ kind: "system", reason: "suggestions-outdated" }, (d) => {
        for (const { s, outdated } of updates) {
          const current = readSuggestion(d, s.id);
          if (!current || current.status !== s.status) continue;
          if (outdated) {
            const info: OutdatedInfo = { ...outdated, at, by: pending.by };
            writeSuggestion(d, { ...current, status: "outdated", outdated: info });
            this.tellThread(
              d,
              current,
              SERVER_AUTHOR,
              outdatedSentence(current, info, d),
              {
                kind: "suggestion-outdated",
                suggestionId: s.id,
                what: info.what,
                ...(info.count !== undefined ? { count: info.count } : {}),
                by: info.by,
              },
              at,
            );
          } else {
            writeSuggestion(d, { ...current, status: "open", outdated: null });
          }
        }
      });
    } catch (e) {
      suggestionsLog.error({ planId: room.address.planId }, `marking suggestions outdated: ${(e as Error).message}`);
    }
  }

  /** Whether a suggestion rests on something in `pending`. */
  private touches(
    s: StoredSuggestion,
    pending: NonNullable<PlanSuggestions["pending"]>,
    indexOf: Map<string, number> | null,
  ): boolean {
    if (territoriesTouched(s).some((t) => pending.territories.has(t))) return true;
    if (pending.units.size === 0 || !indexOf) return false;
    for (const m of s.moves ?? []) {
      const u = indexOf.get(m.unit);
      if (u !== undefined && pending.units.has(unitKey(u))) return true;
    }
    return false;
  }

  // ── helpers ─────────────────────────────────────────────────────────────

  private refuseUnlessOpen(room: Room, s: StoredSuggestion): void {
    if (s.status === "accepted" || s.status === "declined") {
      throw new SuggestionError(409, `This suggestion was ${s.status} already.`, { status: s.status });
    }
    const outdated = s.outdated?.what === "redrawn" ? s.outdated : outdatedBy(s, this.planNow(room));
    if (outdated) {
      throw new SuggestionError(
        409,
        outdated.what === "redrawn"
          ? "A newer suggestion in its thread replaces this one; accept that one."
          : "This suggestion is out of date: what it rests on changed since it was made. Ask for it to be redrawn.",
        { status: "outdated", outdated },
      );
    }
  }

  /** Adds a reply to a suggestion's thread (inside a change). */
  private tellThread(
    d: Y.Doc,
    s: StoredSuggestion,
    author: Author,
    text: string,
    event: ThreadEvent,
    at: string,
  ): void {
    const thread = readThread(d, s.threadId);
    if (!thread || thread.replies.length >= COMMENT_LIMITS.replies) return;
    writeThread(d, withReply(thread, author, text, event, at));
  }

  private scoringOf(room: Room): PlanScoring {
    const scoring = this.deps.scoring?.get(room.address.planId);
    if (!scoring) {
      throw new SuggestionError(
        503,
        "Scoring is not running for this plan, and a suggestion's effect is measured with it; try again shortly.",
      );
    }
    return scoring;
  }

  private record(
    room: Room,
    kind: "comment-added" | "comment-replied" | "suggestion-accepted" | "suggestion-declined" | "suggestion-undone",
    actor: Author,
    s: StoredSuggestion,
    thread: CommentThread | null,
    text: string | null,
    score?: { before: number | null; after: number | null },
    kept?: number,
  ): void {
    const territory = readTerritoryProps(room.doc, s.territoryId);
    const t = thread ?? readThread(room.doc, s.threadId);
    const [lon, lat] = t?.at ?? [0, 0];
    const pad = 0.05;
    this.deps.activity.get(room.address.planId)?.record({
      kind,
      actor,
      commentId: s.threadId,
      ...(territory ? { territoryId: s.territoryId, territoryName: territory.name } : {}),
      ...(t ? { box: [lon - pad, lat - pad, lon + pad, lat + pad] as [number, number, number, number] } : {}),
      details: {
        suggestionId: s.id,
        suggestedBy: s.by.name,
        ...(text ? { excerpt: text.length > 140 ? `${text.slice(0, 139)}…` : text } : {}),
        ...(score ? { score } : {}),
        ...(kept !== undefined ? { kept } : {}),
      },
    });
  }
}

/** The newest suggestion of a thread. */
function latestOf(doc: Y.Doc, threadId: string): StoredSuggestion | null {
  let latest: StoredSuggestion | null = null;
  for (const s of readSuggestions(doc)) if (s.threadId === threadId) latest = s;
  return latest;
}

function withReply(thread: CommentThread, author: Author, text: string, event: ThreadEvent, at: string): CommentThread {
  const reply: CommentReply = { id: newId(12), author, text, createdAt: at, editedAt: null, event };
  return { ...thread, replies: [...thread.replies, reply] };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function possessive(name: string): string {
  return name.endsWith("s") ? `${name}'` : `${name}'s`;
}

/** Overlap issues of an analysis that involve one of `ids`. */
function overlapsOf(analysis: AnalysisMessage, ids: ReadonlySet<string>): AcceptAnswer["overlaps"] {
  return analysis.issues
    .filter((i) => i.kind === "overlap" && i.territoryIds.some((t) => ids.has(t)))
    .map((i) => ({ territoryIds: [...i.territoryIds], areaKm2: i.areaKm2 ?? 0 }));
}

/** Who made a transaction, when the server knows (a socket's person, a REST caller, a step's). */
function actorOf(room: Room, origin: unknown): Author | null {
  if (!isOrigin(origin)) return null;
  if (origin.kind === "connection") {
    for (const peer of room.peers) if (peer.id === origin.connectionId) return peer.actor;
    return null;
  }
  if (origin.kind === "rest" || origin.kind === "step") return origin.actor ?? null;
  return null;
}

/** The English sentence of an outdated suggestion's reply. */
function outdatedSentence(s: StoredSuggestion, info: OutdatedInfo, doc: Y.Doc): string {
  const name = readTerritoryProps(doc, s.territoryId)?.name ?? s.territoryId;
  const by = info.by ? ` by ${info.by.name}` : "";
  const what =
    info.what === "reshaped"
      ? `${name} was reshaped${by}`
      : info.what === "deleted"
        ? `a territory it names was deleted${by}`
        : info.what === "units"
          ? `${info.count ?? 0} of its units were painted elsewhere${by}`
          : `the plan's units were changed${by}`;
  return `This suggestion is out of date: ${what} since it was made. It can be redrawn.`;
}

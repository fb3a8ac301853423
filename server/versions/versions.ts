import type * as Y from "yjs";
import type { Author } from "../../shared/comments/comments.ts";
import type { DocChanges } from "../../shared/doc/changes.ts";
import { isOrigin } from "../../shared/doc/origins.ts";
import { isUnitPlan, readCompetitorsVersion } from "../../shared/doc/schema.ts";
import { LIMITS } from "../../shared/doc/territory.ts";
import { newId } from "../../shared/ids.ts";
import { contentOf, parseContent, type DataVersions, type VersionContent } from "../../shared/versions/content.ts";
import {
  type CheckpointReason,
  MAX_CHECKPOINTS,
  MAX_NAMED_VERSIONS,
  type VersionEntry,
} from "../../shared/versions/entry.ts";
import { summaryLine } from "../../shared/versions/summary.ts";
import { thin } from "../../shared/versions/thinning.ts";
import type { Activity } from "../activity/activity.ts";
import type { Jobs } from "../jobs/jobs.ts";
import {
  DamagedVersionError,
  type KeptKind,
  type PlanStore,
  type StoredRestore,
  type StoredVersion,
} from "../persistence/store.ts";
import type { RoomExtension } from "../rooms/extension.ts";
import type { Room, RoomPeer } from "../rooms/room.ts";
import type { Scoring } from "../scoring/scoring.ts";
import type { Units } from "../units/units.ts";
import type { KeyedText, VersionSide, VersionView } from "./jobs.ts";
import { VersionError } from "./errors.ts";
import { Restorer } from "./restore.ts";
import { logger } from "../ops/log.ts";

const versionsLog = logger("versions");

export interface VersionsDeps {
  store: PlanStore;
  jobs: Jobs;
  units: Units;
  activity: Activity;
  /** Null with SCORING=0 (restores then report no score). */
  scoring: Scoring | null;
  /** At most one checkpoint per this many ms while people edit (VERSION_CHECKPOINT_MS). */
  checkpointEveryMs: number;
}

/** Who a checkpoint is by when no person is behind it. */
export const SERVER_AUTHOR: Author = { id: "system", name: "Wilayah", role: "edit" };

/** Names of automatic checkpoints, by reason (a client can translate by `reason`). */
const CHECKPOINT_NAMES: Record<CheckpointReason, string> = {
  edits: "Checkpoint",
  "accounts-import": "Before an accounts import",
  "competitors-import": "Before a competitors import",
  "units-change": "Before a unit layer change",
  "territories-replace": "Before a territories replace",
  "proposal-accept": "Before accepting a proposal",
  "before-restore": "Before a restore",
  restored: "Restored",
  "before-promote": "Before promoting a scenario",
  promoted: "Promoted a scenario",
};

/** Opened versions kept ready (their territories and analysis), for a person opening one then its analysis. */
const VIEWS_KEPT = 4;
/** A version job's budget in the jobs worker. */
const JOB_TIMEOUT_MS = 60_000;

/** One loaded plan's versions. */
export class PlanVersions {
  /** Oldest first, as stored. */
  list: StoredVersion[];
  restores: StoredRestore[];
  /** Edits since the newest version, and whose the last one was. */
  dirty = false;
  lastActor: Author | null = null;
  timer: NodeJS.Timeout | null = null;
  /** The newest version's content, for the next summary. */
  newest: { id: string; content: VersionContent } | null = null;
  closed = false;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly room: Room,
    list: StoredVersion[],
    restores: StoredRestore[],
  ) {
    this.list = list;
    this.restores = restores;
  }

  get planId(): string {
    return this.room.address.planId;
  }

  /** Runs `fn` after every operation on this plan's versions asked before it (saves, deletes, restores never interleave). */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => {});
    return next;
  }

  find(id: string): StoredVersion {
    const v = this.list.find((x) => x.id === id);
    if (!v) throw new VersionError(404, `There is no version "${id.slice(0, 64)}" in this plan.`);
    return v;
  }
}

/**
 * Versions and checkpoints of a plan (issue 14), an extension of each
 * plan's main room. A version is the plan's content at a moment
 * (shared/versions/content.ts: territories, unit assignment, pins,
 * settings, and the accounts, competitors and unit layer versions it was
 * made with), stored gzipped beside the plan; the data it refers to is kept
 * once per import (`store.keepData`) and let go once no version, restore or
 * import undo refers to it.
 *
 * Checkpoints are taken before every step that replaces much of the plan
 * (imports, a territories replace, an accepted proposal, a restore), at
 * most every `checkpointEveryMs` while people edit and when the last person
 * leaves, and thinned as they age (shared/versions/thinning.ts). Opening
 * and comparing versions score them in the jobs worker, never on the event
 * loop; a restore is one change through the room's server-side undo.
 */
export class Versions implements RoomExtension {
  readonly name = "versions";
  private readonly plans = new Map<string, PlanVersions>();
  /** Opened versions: `<plan>/<version>` → its view (content never changes under an id). */
  private readonly views = new Map<string, Promise<VersionView>>();
  private readonly restorer: Restorer;
  /**
   * Sides a compare may name besides versions and "current": a scenario's
   * "origin" (the origin plan now) and "fork" (what it was made from),
   * given by server/scenarios; null when the plan has no such side.
   */
  extraSide: ((room: Room, id: string) => Promise<VersionSide | null>) | null = null;
  /** The plan whose stored file a plan's kept data is (a scenario's, unchanged since the fork: its origin's). */
  dataOwner: ((planId: string, kind: KeptKind, version: number) => Promise<string>) | null = null;

  constructor(private readonly deps: VersionsDeps) {
    this.restorer = new Restorer(deps, this);
  }

  async onLoad(room: Room): Promise<void> {
    if (room.address.part !== "") return;
    const planId = room.address.planId;
    const list = await this.deps.store.getVersions(planId);
    const restores = (await this.deps.store.getData(planId, "restores"))?.restores ?? [];
    for (const r of restores) room.undo.keep(r.id, r.changes);
    this.plans.set(planId, new PlanVersions(room, list, restores));
  }

  onJoin(_room: Room, _peer: RoomPeer): void {}

  onChange(room: Room, changes: DocChanges, tr: Y.Transaction): void {
    const plan = this.forRoom(room);
    if (!plan || plan.closed) return;
    if (changes.territories.size + changes.units.size + changes.pins.size + changes.plan.size === 0) return;
    const origin = tr.origin;
    if (!isOrigin(origin) || origin.kind === "storage" || origin.kind === "system") return;
    plan.dirty = true;
    plan.lastActor = actorOf(room, origin) ?? plan.lastActor;
    this.schedule(plan);
  }

  async onClose(room: Room): Promise<void> {
    const plan = this.forRoom(room);
    if (!plan) return;
    if (plan.timer) clearTimeout(plan.timer);
    plan.timer = null;
    // The session's end state is kept: the last person left with edits since the newest version.
    if (plan.dirty && !room.isBroken) {
      await plan
        .run(() => this.take(plan, { reason: "edits", by: plan.lastActor ?? SERVER_AUTHOR }))
        .catch((e: Error) => versionsLog.error({ planId: plan.planId }, `checkpoint on close: ${e.message}`));
    }
    plan.closed = true;
    this.plans.delete(plan.planId);
    for (const key of [...this.views.keys()]) if (key.startsWith(`${plan.planId}/`)) this.views.delete(key);
  }

  forRoom(room: Room): PlanVersions | undefined {
    const plan = this.plans.get(room.address.planId);
    return plan?.room === room ? plan : undefined;
  }

  planOf(room: Room): PlanVersions {
    const plan = this.forRoom(room);
    if (!plan) throw new VersionError(503, "This plan is not loaded right now; try again.");
    return plan;
  }

  /** A checkpoint at most every checkpointEveryMs after the newest version, while edits keep coming. */
  private schedule(plan: PlanVersions): void {
    if (plan.timer || plan.closed) return;
    const newest = plan.list.at(-1);
    const since = newest ? Date.now() - Date.parse(newest.at) : 0;
    const wait = Math.max(0, this.deps.checkpointEveryMs - since);
    plan.timer = setTimeout(() => {
      plan.timer = null;
      if (!plan.dirty || plan.closed) return;
      plan
        .run(() => this.take(plan, { reason: "edits", by: plan.lastActor ?? SERVER_AUTHOR }))
        .catch((e: Error) => versionsLog.error({ planId: plan.planId }, `checkpoint: ${e.message}`));
    }, wait);
    plan.timer.unref();
  }

  // ── reading ─────────────────────────────────────────────────────────────

  /** The plan's versions, newest first. */
  list(room: Room): StoredVersion[] {
    return [...this.planOf(room).list].reverse();
  }

  /** A version's content, read and checked (on the event loop: a restore needs it there). */
  async content(plan: PlanVersions, id: string): Promise<VersionContent> {
    if (plan.newest?.id === id) return plan.newest.content;
    const body = await this.body(plan, id);
    return parseContent((JSON.parse(body) as { content: unknown }).content);
  }

  /** A version's stored JSON; damage found reading it is kept on its entry, so the list reports it from then on. */
  private async body(plan: PlanVersions, id: string): Promise<string> {
    try {
      const body = await this.deps.store.getVersionBody(plan.planId, id);
      if (body === null) throw new VersionError(404, `There is no version "${id.slice(0, 64)}" in this plan.`);
      return body;
    } catch (e) {
      if (e instanceof DamagedVersionError) {
        const entry = plan.list.find((v) => v.id === id);
        if (entry) entry.damaged = e.damage;
      }
      throw e;
    }
  }

  /** A version (or the plan now) as the jobs worker reads it: its JSON and the kept data it refers to. */
  private async side(plan: PlanVersions, id: string): Promise<{ side: VersionSide; refs: DataVersions }> {
    let body: string;
    let refs: DataVersions;
    const extra = id === "current" ? null : await this.extraSide?.(plan.room, id);
    if (extra) return { side: extra, refs: { accounts: 0, competitors: 0, units: 0 } };
    if (id === "current") {
      refs = await this.currentRefs(plan.room);
      body = JSON.stringify(contentOf(plan.room.doc, refs));
    } else {
      const entry = plan.find(id);
      body = await this.body(plan, id);
      refs = entry.refs;
    }
    return { refs, side: await this.sideOf(plan.planId, body, refs) };
  }

  /**
   * A content's JSON (or a version's stored JSON) with the kept data of
   * plan `planId` it refers to, as the jobs worker reads a side of a
   * comparison (a scenario compares sides of two plans).
   */
  async sideOf(planId: string, body: string, refs: DataVersions): Promise<VersionSide> {
    const kept = async (kind: KeptKind, version: number): Promise<KeyedText | null> => {
      if (version === 0) return null;
      const text = await this.deps.store.getKeptData(planId, kind, version);
      if (text === null) {
        throw new VersionError(
          409,
          `The ${kind === "units" ? "unit layer" : kind} this version was made with (version ${version}) is no longer kept, so it cannot be opened.`,
        );
      }
      // The length too: a number freed by the thinning may name other data later. Keyed under the plan
      // whose file it is: a scenario's data unchanged since the fork is its origin's, so comparing the
      // two parses it once and scores both sides with one scorer, incrementally.
      const owner = (await this.dataOwner?.(planId, kind, version)) ?? planId;
      return { key: `${owner}/${kind}/${version}/${text.length}`, text };
    };
    return {
      body,
      accounts: await kept("accounts", refs.accounts),
      competitors: await kept("competitors", refs.competitors),
      layer: await kept("units", refs.units),
    };
  }

  /** Two sides compared in the jobs worker (its answer as JSON). */
  compareSides(from: VersionSide, to: VersionSide): Promise<string> {
    return this.deps.jobs.run("version-compare", { from, to }, { timeoutMs: JOB_TIMEOUT_MS });
  }

  /** The data versions the plan refers to now, as stored (the document's copies may lag behind an import). */
  async currentRefs(room: Room): Promise<DataVersions> {
    const planId = room.address.planId;
    return {
      accounts: await this.deps.store.getAccountsVersion(planId),
      competitors: readCompetitorsVersion(room.doc),
      units: isUnitPlan(room.doc) ? (this.deps.units.layerOf(room)?.version ?? 0) : 0,
    };
  }

  /** A version opened: its territories' shapes and its analysis, worked out in the jobs worker (kept for the next call). */
  async view(room: Room, id: string): Promise<{ entry: StoredVersion; view: VersionView }> {
    const plan = this.planOf(room);
    const extra = id === "origin" || id === "fork" ? await this.extraSide?.(room, id) : null;
    if (extra) {
      // A scenario's origin now, or what it was made from: opened afresh each time (the origin moves on).
      const view = await this.deps.jobs.run("version-view", extra, { timeoutMs: JOB_TIMEOUT_MS });
      const at = new Date().toISOString();
      const refs = { accounts: 0, competitors: 0, units: 0 };
      return {
        entry: { id, name: id, at, by: SERVER_AUTHOR, auto: false, reason: null, summary: "", refs, bytes: 0 },
        view,
      };
    }
    const entry = plan.find(id);
    if (entry.damaged) throw damagedVersion(entry);
    const key = `${plan.planId}/${id}`;
    let view = this.views.get(key);
    if (!view) {
      view = this.side(plan, id).then(({ side }) =>
        this.deps.jobs.run("version-view", side, { timeoutMs: JOB_TIMEOUT_MS }),
      );
      this.views.set(key, view);
      while (this.views.size > VIEWS_KEPT) this.views.delete(this.views.keys().next().value as string);
      view.catch(() => {
        if (this.views.get(key) === view) this.views.delete(key);
      });
    }
    return { entry, view: await view };
  }

  /** Two versions, or a version and the plan now (`"current"`), compared in the jobs worker (its answer as JSON). */
  async compare(room: Room, from: string, to: string): Promise<string> {
    const plan = this.planOf(room);
    for (const id of [from, to]) {
      if (id === "current" || id === "origin" || id === "fork") continue;
      const entry = plan.find(id);
      if (entry.damaged) throw damagedVersion(entry);
    }
    const a = await this.side(plan, from);
    const b = await this.side(plan, to);
    return this.compareSides(a.side, b.side);
  }

  // ── saving and deleting ─────────────────────────────────────────────────

  /** A version a person names (`POST …/versions`): always stored, one feed entry. */
  async save(room: Room, by: Author, rawName: unknown): Promise<StoredVersion> {
    const name = versionName(rawName);
    const plan = this.planOf(room);
    const entry = await plan.run(async () => {
      const named = plan.list.filter((v) => !v.auto).length;
      if (named >= MAX_NAMED_VERSIONS) {
        throw new VersionError(
          409,
          `This plan keeps at most ${MAX_NAMED_VERSIONS} named versions; delete one it no longer needs, then save again.`,
        );
      }
      return this.take(plan, { name, by, reason: null });
    });
    this.deps.activity
      .get(plan.planId)
      ?.record({ kind: "version-saved", actor: by, details: { versionId: entry.id, versionName: entry.name } });
    return entry;
  }

  /**
   * An automatic checkpoint before a step that replaces much of the plan
   * (an import, a territories replace, an accepted proposal), by the person
   * taking it. None when the plan is as its newest version has it. Resolves
   * once it is on disk; a failure fails the step (nothing of it is done).
   */
  async checkpoint(room: Room, reason: CheckpointReason, by: Author): Promise<StoredVersion | null> {
    const plan = this.forRoom(room);
    if (!plan) return null;
    return plan.run(() => this.take(plan, { reason, by }));
  }

  /**
   * Takes a version now (call inside plan.run): keeps the data it refers
   * to, reads the plan's content, writes it. An automatic checkpoint equal
   * to the newest version is not taken (the newest is answered).
   */
  async take(
    plan: PlanVersions,
    opts: { reason: CheckpointReason | null; by: Author; name?: string; restoredFrom?: string },
  ): Promise<StoredVersion> {
    const { store } = this.deps;
    const room = plan.room;
    const refs: DataVersions = {
      accounts: await store.keepData(plan.planId, "accounts"),
      competitors: await store.keepData(plan.planId, "competitors"),
      units: isUnitPlan(room.doc) ? await store.keepData(plan.planId, "units") : 0,
    };
    // Read after the last await: what is stored is the plan as it is at this moment.
    const content = contentOf(room.doc, refs);
    const previous = plan.list.at(-1) ?? null;
    const previousContent =
      previous && !previous.damaged ? await this.content(plan, previous.id).catch(() => null) : null;
    // A checkpoint while people edit is not taken again for a plan as it was; one before a step always is (it names the step).
    if (opts.reason === "edits" && previous && previousContent && sameContent(previousContent, content)) {
      plan.dirty = false;
      return previous;
    }
    const summary = summaryLine(previousContent, content);
    const entry: VersionEntry = {
      id: `v-${newId(12)}`,
      name: opts.name ?? CHECKPOINT_NAMES[opts.reason ?? "edits"],
      at: new Date().toISOString(),
      by: opts.by,
      auto: opts.reason !== null,
      reason: opts.reason,
      summary,
      refs,
      bytes: 0,
      ...(opts.restoredFrom ? { restoredFrom: opts.restoredFrom } : {}),
    };
    // Edits from here on are after this version.
    plan.dirty = false;
    entry.bytes = await store.putVersion(plan.planId, entry, content);
    plan.list.push(entry);
    plan.newest = { id: entry.id, content };
    if (plan.closed) return entry;
    await this.thin(plan);
    return entry;
  }

  /** Deletes a version (`DELETE …/versions/:vid`). */
  async remove(room: Room, id: string): Promise<void> {
    const plan = this.planOf(room);
    await plan.run(async () => {
      plan.find(id);
      await this.drop(plan, [id]);
    });
  }

  /** Drops versions (the list first), their views, and kept data no version refers to any more. */
  private async drop(plan: PlanVersions, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.deps.store.deleteVersions(plan.planId, ids);
    const gone = new Set(ids);
    plan.list = plan.list.filter((v) => !gone.has(v.id));
    if (plan.newest && gone.has(plan.newest.id)) plan.newest = null;
    for (const id of ids) this.views.delete(`${plan.planId}/${id}`);
    await this.collect(plan);
  }

  /** The thinning policy (shared/versions/thinning.ts), then the cap on checkpoints. */
  private async thin(plan: PlanVersions): Promise<void> {
    const now = Date.now();
    const drop = new Set(
      thin(
        plan.list.map((v) => ({ id: v.id, at: v.at, auto: v.auto, pinned: !!v.damaged })),
        now,
      ),
    );
    const autos = plan.list.filter((v) => v.auto && !v.damaged && !drop.has(v.id));
    for (const v of autos.slice(0, Math.max(0, autos.length - MAX_CHECKPOINTS))) drop.add(v.id);
    // A checkpoint a kept restore names stays while that restore can be taken back.
    for (const r of plan.restores) {
      if (r.checkpoints.before) drop.delete(r.checkpoints.before);
    }
    await this.drop(plan, [...drop]);
  }

  /**
   * Lets go of kept accounts, competitors and unit layers that nothing
   * refers to any more: no version (damaged ones included), no restore that
   * can still be taken back, no import that can still be undone.
   */
  async collect(plan: PlanVersions): Promise<void> {
    const { store } = this.deps;
    const used: Record<KeptKind, Set<number>> = { accounts: new Set(), competitors: new Set(), units: new Set() };
    for (const v of plan.list) {
      used.accounts.add(v.refs.accounts);
      used.competitors.add(v.refs.competitors);
      used.units.add(v.refs.units);
    }
    for (const r of plan.restores) {
      for (const [kind, d] of Object.entries(r.data) as [KeptKind, { before: number; after: number }][]) {
        used[kind].add(d.before);
        used[kind].add(d.after);
      }
    }
    const undo = await store.getData(plan.planId, "undo-accounts");
    if (undo?.previousVersion !== undefined) used.accounts.add(undo.previousVersion);
    for (const kind of ["accounts", "competitors", "units"] as const) {
      for (const v of await store.keptVersions(plan.planId, kind)) {
        if (!used[kind].has(v)) await store.dropKeptData(plan.planId, kind, v);
      }
    }
  }

  // ── restoring ───────────────────────────────────────────────────────────

  restore(room: Room, id: string, by: Author, body: unknown) {
    return this.restorer.restore(this.planOf(room), id, by, body);
  }

  undoRestore(room: Room, restoreId: string, by: Author) {
    return this.restorer.undo(this.planOf(room), restoreId, by);
  }

  /** Keeps a step that can be taken back like a restore (a promoted scenario): call inside plan.run. */
  keepRestore(plan: PlanVersions, restore: StoredRestore): Promise<void> {
    return this.restorer.keep(plan, restore);
  }

  /** Forgets what an opened version showed (its data is about to change: never, but a deleted version's id may be asked again). */
  forgetView(planId: string, id: string): void {
    this.views.delete(`${planId}/${id}`);
  }
}

/** Whether two contents hold the same plan (the data versions included). */
function sameContent(a: VersionContent, b: VersionContent): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The name a person gave a version: 1–120 characters once trimmed. */
export function versionName(raw: unknown): string {
  if (typeof raw !== "string" || raw.trim().length === 0 || raw.trim().length > LIMITS.name) {
    throw new VersionError(
      400,
      `Send {"name": "…"}: a version's name is text of 1–${LIMITS.name} characters (e.g. "Before the Q3 meeting").`,
    );
  }
  return raw.trim();
}

function damagedVersion(entry: StoredVersion): VersionError {
  return new VersionError(
    503,
    `This version's stored data is damaged (${entry.damaged}), so it cannot be opened; the plan and its other versions are fine. An administrator can restore its file from a backup.`,
    { damaged: true },
  );
}

/** The person behind a transaction, from its origin (the connection's link and name, the REST caller, a step's person). */
function actorOf(room: Room, origin: { kind: string }): Author | null {
  const o = origin as { kind: string; connectionId?: string; actor?: Author };
  if (o.kind === "connection") {
    for (const peer of room.peers) if (peer.id === o.connectionId) return peer.actor;
    return null;
  }
  return o.actor ?? null;
}

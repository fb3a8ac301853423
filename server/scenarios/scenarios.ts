import type * as Y from "yjs";
import type { Author } from "../../shared/comments/comments.ts";
import type { DocChanges } from "../../shared/doc/changes.ts";
import { isOrigin } from "../../shared/doc/origins.ts";
import {
  MAX_SCENARIOS,
  type ScenarioEntry,
  type ScenarioOrigin,
  scenarioName,
} from "../../shared/scenarios/scenario.ts";
import { contentOf, type DataVersions, type VersionContent } from "../../shared/versions/content.ts";
import { summaryLine } from "../../shared/versions/summary.ts";
import { createPlanWithLinks } from "../api/plans.ts";
import type { Activity } from "../activity/activity.ts";
import type { Jobs } from "../jobs/jobs.ts";
import type { Rooms } from "../rooms/rooms.ts";
import type { Scoring } from "../scoring/scoring.ts";
import { Promoter } from "./promote.ts";
import type { KeptKind, PlanMeta, PlanStore } from "../persistence/store.ts";
import type { RoomExtension } from "../rooms/extension.ts";
import type { Room } from "../rooms/room.ts";
import { VersionError } from "../versions/errors.ts";
import type { Versions } from "../versions/versions.ts";
import { logger } from "../ops/log.ts";

const scenariosLog = logger("scenarios");

export interface ScenariosDeps {
  store: PlanStore;
  /** Holds another plan's room meanwhile (the origin's, for a promote). */
  rooms: Pick<Rooms, "with">;
  versions: Versions;
  jobs: Jobs;
  activity: Activity;
  /** Null with SCORING=0. */
  scoring: Scoring | null;
}

/** What `POST /api/plans/:id/scenarios` answers. */
export interface NewScenario {
  id: string;
  name: string;
  createdAt: string;
  origin: ScenarioOrigin;
  links: Record<string, string>;
}

/** Body keys a new scenario takes. */
const KEYS = new Set(["name", "from"]);

/**
 * Scenarios (issue 14): what-if plans forked from a plan, or from one of
 * its versions. A scenario is a plan of its own — made by the same code as
 * any plan, with its own three links, edited live like any plan — whose
 * meta names its origin (`origin: {plan, version?, name, at, by}`) and
 * whose document starts as the origin's version content (the same
 * territory ids, unit keys and pins; shared/scenarios/fork.ts, built in the
 * jobs worker). Its accounts, competitors and unit layer are the origin's
 * stored files under the same version numbers, shared by hard link where
 * the store can (`store.shareData`). The content it was made from is kept
 * beside it (`data-scenario-base.json`) as the base a promote compares
 * against. The origin keeps the list of its scenarios
 * (`data-scenarios.json`), each with a one-line summary of how it differs
 * from what it was made from, brought up to date when the scenario's room
 * closes after edits (and live for a scenario open now).
 *
 * An extension of every plan's main room, to notice edits of scenarios.
 */
export class Scenarios implements RoomExtension {
  readonly name = "scenarios";
  /** Loaded scenario rooms: plan id → its origin and whether it was edited since it loaded. */
  private readonly open = new Map<string, { room: Room; origin: ScenarioOrigin; dirty: boolean }>();
  /** Per origin, the list's read-modify-writes in order. */
  private readonly chains = new Map<string, Promise<unknown>>();

  /** Compare with the origin, and promote into it. */
  readonly promoter: Promoter;

  constructor(private readonly deps: ScenariosDeps) {
    this.promoter = new Promoter({ ...deps, scenarios: this });
    deps.versions.dataOwner = (planId, kind, version) => this.dataOwner(planId, kind, version);
  }

  // ── the room extension ──────────────────────────────────────────────────

  async onLoad(room: Room): Promise<void> {
    if (room.address.part !== "") return;
    const meta = await this.deps.store.getPlan(room.address.planId);
    if (meta?.origin) this.open.set(meta.id, { room, origin: meta.origin, dirty: false });
  }

  onChange(room: Room, changes: DocChanges, tr: Y.Transaction): void {
    const s = this.open.get(room.address.planId);
    if (!s || s.room !== room) return;
    if (changes.territories.size + changes.units.size + changes.pins.size === 0) return;
    if (isOrigin(tr.origin) && tr.origin.kind === "storage") return;
    s.dirty = true;
  }

  async onClose(room: Room): Promise<void> {
    const s = this.open.get(room.address.planId);
    if (!s || s.room !== room) return;
    this.open.delete(room.address.planId);
    if (!s.dirty || room.isBroken) return;
    try {
      const summary = await this.summaryOf(room);
      if (summary !== null) await this.updateEntry(s.origin.plan, room.address.planId, (e) => ({ ...e, summary }));
    } catch (e) {
      scenariosLog.error({ planId: room.address.planId, err: e }, "the scenario's summary could not be made");
    }
  }

  /** How a scenario now differs from what it was made from, in one line (null without its base). */
  private async summaryOf(room: Room): Promise<string | null> {
    const base = await this.base(room.address.planId).catch(() => null);
    if (!base) return null;
    // Its own name is not a change: a scenario is named when it is made.
    const now = { ...contentOf(room.doc, { accounts: 0, competitors: 0, units: base.unitsVersion }), name: base.name };
    const same = { ...base, accountsVersion: 0, competitorsVersion: 0 };
    return summaryLine(same, now) || "No changes";
  }

  // ── reading ─────────────────────────────────────────────────────────────

  /** A scenario's fork base: the content it was made from. */
  async base(scenarioId: string): Promise<VersionContent | null> {
    const base = (await this.deps.store.getData(scenarioId, "scenario-base"))?.base ?? null;
    if (base) this.baseRefs.set(scenarioId, refsOf(base));
    return base;
  }

  /** What each scenario was made with (never changes): plan id → data versions; null for a plan that is not one. */
  private readonly baseRefs = new Map<string, DataVersions | null>();

  /**
   * The plan whose stored file a plan's data of a version is: a scenario's
   * data of the version it was made with is its origin's file (shared, never
   * copied; a later import or restore makes a new version number), so the
   * jobs worker parses it once for both.
   */
  async dataOwner(planId: string, kind: KeptKind, version: number): Promise<string> {
    let refs = this.baseRefs.get(planId);
    const meta = await this.deps.store.getPlan(planId).catch(() => null);
    if (!meta?.origin) return planId;
    if (refs === undefined) {
      await this.base(planId).catch(() => null);
      refs = this.baseRefs.get(planId) ?? null;
    }
    return refs && refs[kind] === version ? meta.origin.plan : planId;
  }

  /**
   * What a scenario says of its origin (`GET /api/plans/:id`): the origin's
   * name now, or `gone: true` once the origin was deleted.
   */
  async originNow(origin: ScenarioOrigin): Promise<ScenarioOrigin & { gone?: true }> {
    const meta = await this.deps.store.getPlan(origin.plan).catch(() => null);
    return meta ? { ...origin, name: meta.name } : { ...origin, gone: true };
  }

  /**
   * A plan's scenarios, oldest first, those deleted meanwhile left out,
   * each under its name now; the summary of one open now is worked out
   * from its document.
   */
  async list(originId: string): Promise<ScenarioEntry[]> {
    const out: ScenarioEntry[] = [];
    for (const e of await this.entries(originId)) {
      const meta = await this.deps.store.getPlan(e.id).catch(() => null);
      if (!meta) continue;
      const open = this.open.get(e.id);
      const summary = open?.dirty ? await this.summaryOf(open.room).catch(() => e.summary) : e.summary;
      out.push({ ...e, name: meta.name, summary });
    }
    return out;
  }

  private async entries(originId: string): Promise<ScenarioEntry[]> {
    return (await this.deps.store.getData(originId, "scenarios"))?.scenarios ?? [];
  }

  /** Runs a change of an origin's list after those asked before it. */
  private inOrder<T>(originId: string, fn: () => Promise<T>): Promise<T> {
    const next = (this.chains.get(originId) ?? Promise.resolve()).then(fn, fn);
    const settled = next.catch(() => {});
    this.chains.set(originId, settled);
    void settled.then(() => {
      if (this.chains.get(originId) === settled) this.chains.delete(originId);
    });
    return next;
  }

  /** Changes one entry of an origin's list (nothing when the origin or the entry is gone). */
  updateEntry(originId: string, scenarioId: string, fn: (e: ScenarioEntry) => ScenarioEntry): Promise<void> {
    return this.inOrder(originId, async () => {
      if (!(await this.deps.store.getPlan(originId).catch(() => null))) return;
      const list = await this.entries(originId);
      if (!list.some((e) => e.id === scenarioId)) return;
      await this.deps.store.putData(originId, "scenarios", {
        scenarios: list.map((e) => (e.id === scenarioId ? fn(e) : e)),
      });
    });
  }

  /** Takes a deleted scenario off its origin's list. */
  forget(originId: string, scenarioId: string): Promise<void> {
    return this.inOrder(originId, async () => {
      if (!(await this.deps.store.getPlan(originId).catch(() => null))) return;
      const list = await this.entries(originId);
      if (!list.some((e) => e.id === scenarioId)) return;
      await this.deps.store.putData(originId, "scenarios", { scenarios: list.filter((e) => e.id !== scenarioId) });
    });
  }

  /** The ids of a plan's scenarios (for closing their sockets opened with an origin's replaced link). */
  async ids(originId: string): Promise<string[]> {
    return (await this.entries(originId)).map((e) => e.id);
  }

  // ── making one ──────────────────────────────────────────────────────────

  /**
   * Makes a scenario of the plan in `room` (`POST /api/plans/:id/scenarios`),
   * from the plan now or from one of its versions (`from`). Everything is
   * on disk before it answers; a failure on the way leaves nothing (the
   * half-made plan is deleted).
   */
  async create(room: Room, meta: PlanMeta, by: Author, body: unknown, linkOrigin: string): Promise<NewScenario> {
    const { store, versions, jobs } = this.deps;
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new VersionError(
        400,
        'Send a JSON object like {"name": "Q3 what-if"} (and "from": a version id to start from one).',
      );
    }
    const b = body as Record<string, unknown>;
    const unknown = Object.keys(b).filter((k) => !KEYS.has(k));
    if (unknown.length > 0) {
      throw new VersionError(
        400,
        `A scenario takes "name" and "from" only, not ${unknown.map((k) => JSON.stringify(k.slice(0, 40))).join(", ")}.`,
      );
    }
    const name = scenarioName(b.name);
    if (name === null) {
      throw new VersionError(400, 'A scenario\'s name is text of 1–120 characters, e.g. {"name": "Q3 what-if"}.');
    }
    if (b.from !== undefined && (typeof b.from !== "string" || b.from.length === 0 || b.from.length > 64)) {
      throw new VersionError(400, '"from" is the id of one of this plan\'s versions (GET …/versions lists them).');
    }
    if (meta.origin) {
      throw new VersionError(
        409,
        `This plan is itself a scenario of “${meta.origin.name}”; make the new scenario from that plan (a scenario is promoted into the plan it was made from, so scenarios are one level deep).`,
      );
    }
    const originId = room.address.planId;
    if ((await this.list(originId)).length >= MAX_SCENARIOS) {
      throw new VersionError(
        409,
        `This plan has ${MAX_SCENARIOS} scenarios, the most it keeps; delete one it no longer needs first.`,
      );
    }
    // What it starts from: a version, or the plan as it is at this moment.
    let content: VersionContent;
    let refs: DataVersions;
    let version: { id: string; name: string } | null = null;
    if (typeof b.from === "string") {
      const plan = versions.planOf(room);
      const entry = plan.find(b.from);
      if (entry.damaged) {
        throw new VersionError(
          503,
          `This version's stored data is damaged (${entry.damaged}), so no scenario can be made from it.`,
          { damaged: true },
        );
      }
      content = await versions.content(plan, entry.id);
      refs = entry.refs;
      version = { id: entry.id, name: entry.name };
    } else {
      refs = await versions.currentRefs(room);
      content = contentOf(room.doc, refs);
    }
    const at = new Date().toISOString();
    const origin: ScenarioOrigin = {
      plan: originId,
      ...(version ? { version: version.id, versionName: version.name } : {}),
      name: meta.name,
      at,
      by,
    };
    const made = await createPlanWithLinks(store, linkOrigin, { name, origin });
    const id = made.meta.id;
    try {
      for (const kind of ["accounts", "competitors", "units"] as const satisfies readonly KeptKind[]) {
        const v = refs[kind];
        if (v > 0 && !(await store.shareData(originId, id, kind, v))) {
          throw new VersionError(
            409,
            `The ${kind === "units" ? "unit layer" : kind} this version was made with (version ${v}) is no longer kept, so no scenario can be made from it.`,
          );
        }
      }
      await store.putData(id, "scenario-base", { base: content });
      this.baseRefs.set(id, refs);
      // The document last: a plan whose document names data versions finds them stored.
      const update = await jobs.run("scenario-fork", { content: JSON.stringify(content), name }, { timeoutMs: 60_000 });
      const doc = await store.openDocument(id, "");
      try {
        await doc.append(update);
      } finally {
        await doc.close();
      }
      await this.inOrder(originId, async () => {
        const entry: ScenarioEntry = {
          id,
          name,
          at,
          by,
          ...(version ? { version: version.id, versionName: version.name } : {}),
          summary: "No changes",
        };
        await store.putData(originId, "scenarios", { scenarios: [...(await this.entries(originId)), entry] });
      });
    } catch (e) {
      await store.deletePlan(id).catch(() => false);
      throw e;
    }
    return { id, name, createdAt: made.meta.createdAt, origin, links: made.links };
  }
}

/** The data versions a content names. */
function refsOf(c: VersionContent): DataVersions {
  return { accounts: c.accountsVersion, competitors: c.competitorsVersion, units: c.unitsVersion };
}

import type { Author } from "../../shared/comments/comments.ts";
import type { Origin } from "../../shared/doc/origins.ts";
import { readUnitsVersion } from "../../shared/doc/schema.ts";
import { newId } from "../../shared/ids.ts";
import {
  type ConflictChoice,
  type PromoteConflict,
  type PromotePlan,
  PromoteRefusal,
  planPromote,
} from "../../shared/scenarios/promote.ts";
import type { ScenarioOrigin } from "../../shared/scenarios/scenario.ts";
import { contentOf, type DataVersions, type VersionContent } from "../../shared/versions/content.ts";
import { restoreWrites } from "../../shared/versions/restore.ts";
import type { Activity } from "../activity/activity.ts";
import { queued } from "../api/accounts.ts";
import type { PlanStore } from "../persistence/store.ts";
import type { Room } from "../rooms/room.ts";
import type { Rooms } from "../rooms/rooms.ts";
import type { Scoring } from "../scoring/scoring.ts";
import { VersionError } from "../versions/errors.ts";
import type { VersionSide } from "../versions/jobs.ts";
import type { Versions } from "../versions/versions.ts";
import type { Scenarios } from "./scenarios.ts";

export interface PromoterDeps {
  store: PlanStore;
  /** Holds another plan's room meanwhile (the origin's, for a promote). */
  rooms: Pick<Rooms, "with">;
  versions: Versions;
  scenarios: Scenarios;
  activity: Activity;
  /** Null with SCORING=0 (promotes then report no score). */
  scoring: Scoring | null;
}

/** What a promote (or its preview) says about the three sides. */
interface PromoteReport {
  origin: { id: string; name: string };
  /** What the scenario was made from: the origin then, or one of its versions. */
  base: { at: string; version: string | null; versionName: string | null };
  conflicts: PromoteConflict[];
  originEdits: PromotePlan["originEdits"];
  scenarioEdits: PromotePlan["scenarioEdits"];
  applied: PromotePlan["applied"];
}

/** `POST …/promote?dryRun=1`: the report, and the comparison of the origin now with the origin promoted (as `GET …/compare`). */
export interface PromotePreview extends PromoteReport {
  dryRun: true;
  /** The comparison's JSON. */
  comparison: string;
}

/** `POST …/promote`. */
export interface PromoteAnswer extends PromoteReport {
  /** Pass to `POST /api/plans/<origin>/restores/:rid/undo` to take it back. */
  restoreId: string;
  /** Entries written in the origin. */
  changed: number;
  /** How conflicts were decided. */
  conflictsTo: ConflictChoice;
  checkpoints: { before: string; after: string };
  score: { before: number | null; after: number | null };
}

/** The body of a promote: `{}` or `{"conflicts": "origin" | "scenario"}`. */
function promoteOptions(body: unknown): { conflicts: ConflictChoice | null } {
  if (body === null || body === undefined) return { conflicts: null };
  if (typeof body !== "object" || Array.isArray(body)) {
    throw new VersionError(400, 'Send {} to promote, or {"conflicts": "origin" | "scenario"} to decide the conflicts.');
  }
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).filter((k) => k !== "conflicts");
  if (unknown.length > 0 || (b.conflicts !== undefined && b.conflicts !== "origin" && b.conflicts !== "scenario")) {
    throw new VersionError(
      400,
      `A promote takes only "conflicts": "origin" (keep the origin's edits where both changed) or "scenario" (take the scenario's)${unknown.length > 0 ? `, not ${unknown.map((k) => JSON.stringify(k.slice(0, 40))).join(", ")}` : ""}.`,
    );
  }
  return { conflicts: (b.conflicts as ConflictChoice | undefined) ?? null };
}

/** Conflicts named in a sentence: up to three names, then how many more. */
function conflictNames(list: readonly PromoteConflict[]): string {
  const names = list.slice(0, 3).map((c) => `“${c.name}”`);
  return list.length > 3 ? `${names.join(", ")} and ${list.length - 3} more` : names.join(", ");
}

/**
 * Promoting a scenario into its origin (issue 14): a three-way merge of
 * the content it was made from, the origin now and the scenario now
 * (shared/scenarios/promote.ts), written into the origin as one change
 * through the origin's server-side undo, exactly as a restore is
 * (server/versions/restore.ts): a checkpoint just before and one just
 * after it, one feed entry, live to every open map of the origin, and
 * taken back with `POST …/restores/:rid/undo` of the origin.
 *
 * Edits made in the origin since the fork are kept. Where both sides
 * changed the same thing differently, the promote refuses (409, naming
 * them) until the caller says how to decide: `{"conflicts": "origin"}`
 * keeps the origin's side there and applies the rest, `"scenario"` takes
 * the scenario's. A careful manager expects to be asked, not to find a
 * colleague's edit overwritten, nor a promote that quietly left half of
 * the scenario out; the preview (`?dryRun=1`) names the conflicts first.
 */
export class Promoter {
  constructor(private readonly deps: PromoterDeps) {
    // A scenario compares with "origin" (the origin now) and "fork" (what it was made from) like with versions.
    deps.versions.extraSide = (room, id) => this.side(room, id);
  }

  private async side(room: Room, id: string): Promise<VersionSide | null> {
    if (id !== "origin" && id !== "fork") return null;
    const { store, versions } = this.deps;
    const scenarioId = room.address.planId;
    const origin = (await store.getPlan(scenarioId))?.origin;
    if (!origin) {
      throw new VersionError(400, `This plan is not a scenario, so it has no "${id}" to compare with.`);
    }
    if (id === "fork") {
      const base = await this.base(scenarioId);
      return versions.sideOf(scenarioId, JSON.stringify(base), refsOf(base));
    }
    await this.originMeta(origin);
    return this.deps.rooms.with({ planId: origin.plan, part: "" }, async (originRoom) => {
      const refs = await versions.currentRefs(originRoom);
      return versions.sideOf(origin.plan, JSON.stringify(contentOf(originRoom.doc, refs)), refs);
    });
  }

  private async base(scenarioId: string): Promise<VersionContent> {
    const base = await this.deps.scenarios.base(scenarioId);
    if (!base) {
      throw new VersionError(
        409,
        "This scenario's record of what it was made from is missing, so it cannot be compared or promoted.",
      );
    }
    return base;
  }

  private async originMeta(origin: ScenarioOrigin): Promise<{ name: string }> {
    const meta = await this.deps.store.getPlan(origin.plan).catch(() => null);
    if (!meta) {
      throw new VersionError(
        409,
        `The plan this scenario was made from (“${origin.name}”) has been deleted; there is nothing to promote into.`,
      );
    }
    return meta;
  }

  /** `POST /api/plans/:scenarioId/promote[?dryRun=1]`, with the scenario's room held. */
  async promote(
    scenario: Room,
    origin: ScenarioOrigin | undefined,
    name: string,
    by: Author,
    body: unknown,
    dryRun: boolean,
  ): Promise<PromotePreview | PromoteAnswer> {
    if (!origin)
      throw new VersionError(
        409,
        "This plan is not a scenario; only a scenario can be promoted into the plan it was made from.",
      );
    const opts = promoteOptions(body);
    const base = await this.base(scenario.address.planId);
    const originName = (await this.originMeta(origin)).name;
    return this.deps.rooms.with<PromotePreview | PromoteAnswer>({ planId: origin.plan, part: "" }, (room) =>
      dryRun
        ? this.preview(room, scenario, base, origin, originName, opts.conflicts ?? "origin")
        : queued(origin.plan, () => {
            const plan = this.deps.versions.planOf(room);
            return plan.run(() => this.promoteNow(room, scenario, base, origin, originName, name, by, opts.conflicts));
          }),
    );
  }

  /** The three sides planned now, with nothing awaited in between (the origin's content and the writes must agree). */
  private plan(
    room: Room,
    scenario: Room,
    base: VersionContent,
    refs: DataVersions,
    choice: ConflictChoice,
  ): PromotePlan {
    try {
      const originNow = contentOf(room.doc, refs);
      // Its own layer version: a scenario whose layer was replaced since the fork is refused.
      const scenarioNow = contentOf(scenario.doc, {
        accounts: 0,
        competitors: 0,
        units: readUnitsVersion(scenario.doc),
      });
      return planPromote(base, originNow, scenarioNow, choice);
    } catch (e) {
      if (e instanceof PromoteRefusal) throw new VersionError(409, e.message);
      throw e;
    }
  }

  private report(plan: PromotePlan, origin: ScenarioOrigin, originName: string): PromoteReport {
    return {
      origin: { id: origin.plan, name: originName },
      base: { at: origin.at, version: origin.version ?? null, versionName: origin.versionName ?? null },
      conflicts: plan.conflicts,
      originEdits: plan.originEdits,
      scenarioEdits: plan.scenarioEdits,
      applied: plan.applied,
    };
  }

  private async preview(
    room: Room,
    scenario: Room,
    base: VersionContent,
    origin: ScenarioOrigin,
    originName: string,
    choice: ConflictChoice,
  ): Promise<PromotePreview> {
    const { versions } = this.deps;
    const refs = await versions.currentRefs(room);
    const now = contentOf(room.doc, refs);
    const plan = this.plan(room, scenario, base, refs, choice);
    // Scored and compared in the jobs worker, as two versions are.
    const comparison = await versions.compareSides(
      await versions.sideOf(origin.plan, JSON.stringify(now), refs),
      await versions.sideOf(origin.plan, JSON.stringify(plan.result), refs),
    );
    return { dryRun: true, ...this.report(plan, origin, originName), comparison };
  }

  private async promoteNow(
    room: Room,
    scenario: Room,
    base: VersionContent,
    origin: ScenarioOrigin,
    originName: string,
    name: string,
    by: Author,
    asked: ConflictChoice | null,
  ): Promise<PromoteAnswer> {
    const { versions } = this.deps;
    const plan = versions.planOf(room);
    // Refused before anything is written when there are conflicts nobody decided.
    const first = this.plan(room, scenario, base, await versions.currentRefs(room), asked ?? "origin");
    if (first.conflicts.length > 0 && asked === null) {
      throw new VersionError(
        409,
        `${first.conflicts.length === 1 ? "One territory was" : `${first.conflicts.length} territories were`} changed both in “${originName}” and in this scenario since it was made: ${conflictNames(first.conflicts)}. Preview the promote to see them, then send {"conflicts": "origin"} to keep “${originName}”'s edits there, or {"conflicts": "scenario"} to take the scenario's.`,
        { conflicts: first.conflicts },
      );
    }
    const scoreBefore = await this.score(room);
    const before = await versions.take(plan, { reason: "before-promote", by, name: `Before promoting “${name}”` });
    // Planned again against the origin as it is at this moment, and written with nothing awaited in between.
    const planned = this.plan(room, scenario, base, before.refs, asked ?? "origin");
    const stepId = `r-${newId(12)}`;
    const step: Origin = { kind: "step", step: "scenario-promoted", actor: by };
    const changes = await room.undo.apply(stepId, step, restoreWrites(room.doc, planned.result));
    const after = await versions.take(plan, { reason: "promoted", by, name: `Promoted “${name}”` });
    const scenarioId = scenario.address.planId;
    await versions.keepRestore(plan, {
      id: stepId,
      versionId: after.id,
      at: new Date().toISOString(),
      by,
      changes,
      data: {},
      checkpoints: { before: before.id, after: after.id },
      promoted: { scenario: scenarioId, name },
    });
    const scoreAfter = await this.score(room);
    const kept = (asked ?? "origin") === "origin" ? planned.conflicts.length : 0;
    this.deps.activity.get(origin.plan)?.record({
      kind: "scenario-promoted",
      actor: by,
      details: {
        scenarioId,
        scenarioName: name,
        count: changes.length,
        kept,
        score: { before: scoreBefore, after: scoreAfter },
      },
    });
    await this.deps.scenarios.updateEntry(origin.plan, scenarioId, (e) => ({
      ...e,
      promoted: { at: new Date().toISOString(), by },
    }));
    return {
      ...this.report(planned, origin, originName),
      restoreId: stepId,
      changed: changes.length,
      conflictsTo: asked ?? "origin",
      checkpoints: { before: before.id, after: after.id },
      score: { before: scoreBefore, after: scoreAfter },
    };
  }

  private async score(room: Room): Promise<number | null> {
    const scoring = this.deps.scoring?.get(room.address.planId);
    if (!scoring) return null;
    return (await scoring.current().catch(() => null))?.balance.score ?? null;
  }
}

/** The data versions a content names. */
function refsOf(c: VersionContent): DataVersions {
  return { accounts: c.accountsVersion, competitors: c.competitorsVersion, units: c.unitsVersion };
}

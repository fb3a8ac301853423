import { createHash } from "node:crypto";
import type { Author } from "../../shared/comments/comments.ts";
import type { Origin } from "../../shared/doc/origins.ts";
import {
  isUnitPlan,
  readAccountsVersion,
  readCompetitorsVersion,
  readUnitAssignment,
  writeAccountsVersion,
  writeCompetitorsVersion,
  writeUnitsVersion,
} from "../../shared/doc/schema.ts";
import { newId } from "../../shared/ids.ts";
import type { UnitLayerJson } from "../../shared/units/serialize.ts";
import { restoreWrites } from "../../shared/versions/restore.ts";
import { queued } from "../api/accounts.ts";
import { type AccountsFile, fromAccountsFile } from "../persistence/accounts-file.ts";
import type { StoredAccounts, StoredRestore } from "../persistence/store.ts";
import type { Room } from "../rooms/room.ts";
import type { EntryChange } from "../rooms/undo.ts";
import { VersionError } from "./errors.ts";
import type { PlanVersions, Versions, VersionsDeps } from "./versions.ts";

/** Restores a plan keeps ready to take back; older ones can no longer be undone (their checkpoints remain). */
export const MAX_RESTORES = 20;

/** What `POST …/versions/:vid/restore` answers. */
export interface RestoreAnswer {
  /** Pass to `POST …/restores/:rid/undo` to take it back. */
  restoreId: string;
  version: { id: string; name: string };
  /** Document entries written (territory fields, unit assignments, pins, settings). */
  changed: number;
  /** Data brought back with it: the accounts and competitors when asked for, the unit layer when it differed. */
  data: { accounts: boolean; competitors: boolean; units: boolean };
  /** The checkpoints taken just before it and of what it made. */
  checkpoints: { before: string; after: string };
  score: { before: number | null; after: number | null };
}

export interface UndoRestoreAnswer {
  /** Entries put back as they were before the restore. */
  reverted: number;
  /** Entries left as they are because someone changed them since. */
  kept: number;
  /** Data taken back too, or left because it changed since (an import after the restore). */
  data: Partial<Record<"accounts" | "competitors" | "units", "reverted" | "kept">>;
  score: { before: number | null; after: number | null };
}

/** The body of a restore: `{}` or `{"accounts": true}`. */
function restoreOptions(body: unknown): { accounts: boolean } {
  if (body === null || body === undefined) return { accounts: false };
  if (typeof body !== "object" || Array.isArray(body)) {
    throw new VersionError(
      400,
      'Send {} to restore territories and assignments, or {"accounts": true} to bring the accounts back too.',
    );
  }
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).filter((k) => k !== "accounts");
  if (unknown.length > 0 || (b.accounts !== undefined && typeof b.accounts !== "boolean")) {
    throw new VersionError(
      400,
      `A restore takes only "accounts" (true or false)${unknown.length > 0 ? `, not ${unknown.map((k) => JSON.stringify(k.slice(0, 40))).join(", ")}` : ""}.`,
    );
  }
  return { accounts: b.accounts === true };
}

/** Which unit is whose, as a digest: a restore that swapped the unit layer can be undone only while it is unchanged. */
function unitsDigest(room: Room): string {
  const entries = [...readUnitAssignment(room.doc)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const h = createHash("sha256");
  for (const [k, t] of entries) h.update(`${k}=${t}\n`);
  return h.digest("hex");
}

/**
 * Restores of versions and taking them back (issue 14). A restore is one
 * change on top of the plan through the room's server-side undo
 * (server/rooms/undo.ts), so it reaches every open socket like any edit and
 * can be taken back where nobody changed things since: the entries that
 * differ from the version (shared/versions/restore.ts), with the unit layer
 * it was made on when that differs and, when asked, its accounts and
 * competitors, each stored again as a new version of their own before the
 * change names them. Checkpoints are taken just before and just after it,
 * and one feed entry says it.
 */
export class Restorer {
  constructor(
    private readonly deps: VersionsDeps,
    private readonly versions: Versions,
  ) {}

  restore(plan: PlanVersions, id: string, by: Author, body: unknown): Promise<RestoreAnswer> {
    const opts = restoreOptions(body);
    const entry = plan.find(id);
    if (entry.damaged) {
      throw new VersionError(
        503,
        `This version's stored data is damaged (${entry.damaged}), so it cannot be restored.`,
        {
          damaged: true,
        },
      );
    }
    // The accounts' queue first, then the versions': the order an import takes them in.
    return queued(plan.planId, () => plan.run(() => this.restoreNow(plan, entry.id, entry.name, by, opts)));
  }

  private async restoreNow(
    plan: PlanVersions,
    id: string,
    name: string,
    by: Author,
    opts: { accounts: boolean },
  ): Promise<RestoreAnswer> {
    const { units } = this.deps;
    const room = plan.room;
    const content = await this.versions.content(plan, id);
    const scoreBefore = await this.score(room);
    const before = await this.versions.take(plan, { reason: "before-restore", by, name: `Before restoring “${name}”` });
    const data: StoredRestore["data"] = {};
    // The unit layer the version was made on, stored again under a new version number before the change names it.
    let layerVersion: number | null = null;
    if (content.unitsVersion !== before.refs.units) {
      if (content.unitsVersion > 0) {
        const layer = await this.keptLayer(plan, content.unitsVersion);
        layerVersion = await units.nextVersion(room);
        await units.prepareLayer(room, { ...layer, version: layerVersion });
      } else {
        layerVersion = 0;
      }
      data.units = { before: before.refs.units, after: layerVersion };
    }
    if (opts.accounts) {
      for (const kind of ["accounts", "competitors"] as const) {
        const want = kind === "accounts" ? content.accountsVersion : content.competitorsVersion;
        const now = before.refs[kind];
        if (want === now) continue;
        data[kind] = { before: now, after: await this.putPoints(plan, kind, want) };
      }
    }
    const stepId = `r-${newId(12)}`;
    const origin: Origin = { kind: "step", step: "version-restored", actor: by };
    // Worked out and written with nothing awaited in between: no edit falls between the two.
    const changes = await room.undo.apply(stepId, origin, restoreWrites(room.doc, content), (doc) => {
      if (layerVersion !== null) writeUnitsVersion(doc, layerVersion);
      if (data.accounts) writeAccountsVersion(doc, data.accounts.after);
      if (data.competitors) writeCompetitorsVersion(doc, data.competitors.after);
    });
    if (data.units) {
      if (data.units.after > 0) units.settleLayer(room);
      else await units.dropLayer(room);
    }
    const digest = data.units && data.units.after > 0 ? unitsDigest(room) : undefined;
    const after = await this.versions.take(plan, {
      reason: "restored",
      by,
      name: `Restored “${name}”`,
      restoredFrom: id,
    });
    const restore: StoredRestore = {
      id: stepId,
      versionId: id,
      at: new Date().toISOString(),
      by,
      changes,
      data,
      checkpoints: { before: before.id, after: after.id },
      ...(digest ? { unitsDigest: digest } : {}),
    };
    await this.keep(plan, restore);
    const scoreAfter = await this.score(room);
    this.deps.activity.get(plan.planId)?.record({
      kind: "version-restored",
      actor: by,
      details: {
        versionId: id,
        versionName: name,
        restoreId: stepId,
        count: changes.length,
        score: { before: scoreBefore, after: scoreAfter },
        ...(data.accounts || data.competitors ? { fields: ["accounts"] } : {}),
      },
    });
    return {
      restoreId: stepId,
      version: { id, name },
      changed: changes.length,
      data: { accounts: !!data.accounts, competitors: !!data.competitors, units: !!data.units },
      checkpoints: { before: before.id, after: after.id },
      score: { before: scoreBefore, after: scoreAfter },
    };
  }

  /**
   * Takes a restore back (`POST …/restores/:rid/undo`): every entry it wrote
   * that nobody has changed since returns to what it was; its accounts and
   * competitors go back unless an import replaced them since; a unit layer
   * it brought back goes back only while nobody has painted since (else 409:
   * restore the checkpoint taken before it instead). One feed entry.
   */
  undo(plan: PlanVersions, restoreId: string, by: Author): Promise<UndoRestoreAnswer> {
    const r = plan.restores.find((x) => x.id === restoreId);
    if (!r) {
      throw new VersionError(
        404,
        `There is no restore "${restoreId.slice(0, 64)}" to take back in this plan (only the ${MAX_RESTORES} latest can be).`,
      );
    }
    return queued(plan.planId, () => plan.run(() => this.undoNow(plan, r, by)));
  }

  private async undoNow(plan: PlanVersions, r: StoredRestore, by: Author): Promise<UndoRestoreAnswer> {
    const { store, units } = this.deps;
    const room = plan.room;
    if (!plan.restores.includes(r) || !room.undo.has(r.id)) {
      throw new VersionError(409, "This restore was taken back already.");
    }
    const answer: UndoRestoreAnswer["data"] = {};
    let layerVersion: number | null = null;
    if (r.data.units) {
      const now = isUnitPlan(room.doc) ? (units.layerOf(room)?.version ?? 0) : 0;
      const painted = r.data.units.after > 0 && unitsDigest(room) !== r.unitsDigest;
      if (now !== r.data.units.after || painted) {
        const before = r.checkpoints.before ? ` (“${plan.list.find((v) => v.id === r.checkpoints.before)?.name}”)` : "";
        throw new VersionError(
          409,
          `This restore brought back another unit layer, and the plan's units have changed since, so it cannot be taken back entry by entry; restore the checkpoint taken just before it${before} instead.`,
          { checkpoint: r.checkpoints.before },
        );
      }
      if (r.data.units.before > 0) {
        const layer = await this.keptLayer(plan, r.data.units.before);
        layerVersion = await units.nextVersion(room);
        await units.prepareLayer(room, { ...layer, version: layerVersion });
      } else {
        layerVersion = 0;
      }
      answer.units = "reverted";
    }
    const back: Partial<Record<"accounts" | "competitors", number>> = {};
    for (const kind of ["accounts", "competitors"] as const) {
      const d = r.data[kind];
      if (!d) continue;
      const now = kind === "accounts" ? await store.getAccountsVersion(plan.planId) : readCompetitorsVersion(room.doc);
      if (now !== d.after) {
        answer[kind] = "kept";
        continue;
      }
      back[kind] = await this.putPoints(plan, kind, d.before);
      answer[kind] = "reverted";
    }
    const scoreBefore = await this.score(room);
    const kind = r.promoted ? "scenario-promote-undone" : "version-restore-undone";
    const origin: Origin = { kind: "step", step: kind, actor: by };
    const result = await room.undo.revert(
      r.id,
      origin,
      (c: EntryChange, exists) =>
        (c.map === "units" || c.map === "pins") && c.before !== null ? exists(c.before) : true,
      (doc) => {
        if (layerVersion !== null) writeUnitsVersion(doc, layerVersion);
        if (back.accounts !== undefined) writeAccountsVersion(doc, back.accounts);
        if (back.competitors !== undefined) writeCompetitorsVersion(doc, back.competitors);
      },
    );
    if (r.data.units) {
      if (layerVersion) units.settleLayer(room);
      else await units.dropLayer(room);
    }
    plan.restores = plan.restores.filter((x) => x !== r);
    await this.saveRestores(plan);
    await this.versions.collect(plan);
    const scoreAfter = await this.score(room);
    const reverted = result?.reverted.length ?? 0;
    const kept = result?.kept.length ?? 0;
    this.deps.activity.get(plan.planId)?.record({
      kind,
      actor: by,
      details: {
        ...(r.promoted
          ? { scenarioId: r.promoted.scenario, scenarioName: r.promoted.name }
          : { versionId: r.versionId, restoreId: r.id }),
        count: reverted,
        kept,
        score: { before: scoreBefore, after: scoreAfter },
      },
    });
    return { reverted, kept, data: answer, score: { before: scoreBefore, after: scoreAfter } };
  }

  /** Keeps a restore (or a step like one: a promoted scenario) so it can be taken back; the oldest beyond MAX_RESTORES are let go. */
  async keep(plan: PlanVersions, restore: StoredRestore): Promise<void> {
    plan.restores.push(restore);
    while (plan.restores.length > MAX_RESTORES) {
      const dropped = plan.restores.shift();
      if (dropped) plan.room.undo.forget(dropped.id);
    }
    await this.saveRestores(plan);
  }

  // ── helpers ─────────────────────────────────────────────────────────────

  private async keptLayer(plan: PlanVersions, version: number): Promise<UnitLayerJson> {
    const text = await this.deps.store.getKeptData(plan.planId, "units", version);
    if (text === null) {
      throw new VersionError(409, `The unit layer this version was made on (version ${version}) is no longer kept.`);
    }
    return JSON.parse(text) as UnitLayerJson;
  }

  /**
   * Makes kept accounts (or competitors) of `version` the plan's again, as
   * a new version (clients refetch, the analysis reloads once the document
   * names it); resolves with that new version once stored.
   */
  private async putPoints(plan: PlanVersions, kind: "accounts" | "competitors", version: number): Promise<number> {
    const { store } = this.deps;
    const doc = plan.room.doc;
    let points: StoredAccounts["accounts"] = [];
    if (version > 0) {
      const text = await store.getKeptData(plan.planId, kind, version);
      if (text === null) {
        throw new VersionError(409, `The ${kind} of this version (version ${version}) are no longer kept.`);
      }
      points =
        kind === "accounts"
          ? fromAccountsFile(JSON.parse(text) as AccountsFile).accounts
          : (JSON.parse(text) as StoredAccounts).accounts;
    }
    if (kind === "accounts") {
      const next = Math.max(await store.getAccountsVersion(plan.planId), readAccountsVersion(doc)) + 1;
      await store.putAccounts(plan.planId, { version: next, importedAt: new Date().toISOString(), accounts: points });
      return next;
    }
    const current = (await store.getData(plan.planId, "competitors"))?.version ?? 0;
    const next = Math.max(current, readCompetitorsVersion(doc)) + 1;
    await store.putData(plan.planId, "competitors", {
      version: next,
      importedAt: new Date().toISOString(),
      accounts: points,
    });
    return next;
  }

  private async saveRestores(plan: PlanVersions): Promise<void> {
    await this.deps.store.putData(plan.planId, "restores", { restores: plan.restores });
  }

  private async score(room: Room): Promise<number | null> {
    const scoring = this.deps.scoring?.get(room.address.planId);
    if (!scoring) return null;
    return (await scoring.current().catch(() => null))?.balance.score ?? null;
  }
}

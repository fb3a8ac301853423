import { deleteTerritory, isUnitPlan, territoryIds } from "../../shared/doc/schema.ts";
import { newId } from "../../shared/ids.ts";
import {
  featuresOf,
  type ParsedTerritories,
  parseTerritoryFeatures,
  TerritoryFileError,
} from "../../shared/territories/import.ts";
import type { PlanApi } from "./context.ts";
import { HttpError, queryFlag, readJson, sendJson } from "./http.ts";
import type { Router } from "./router.ts";
import { createTerritories, toFeatureCollection } from "./territories.ts";

interface TerritoryImportOptions {
  mode: "add" | "replace";
  dryRun: boolean;
  skipInvalid: boolean;
}

function options(url: URL): TerritoryImportOptions {
  const mode = url.searchParams.get("mode") ?? "add";
  if (mode !== "add" && mode !== "replace") throw new HttpError(400, 'mode must be "add" or "replace".');
  return { mode, dryRun: queryFlag(url, "dryRun"), skipInvalid: queryFlag(url, "skipInvalid") };
}

/**
 * Territories from a GeoJSON file (issue 5): added to the plan, or replacing
 * its territories, in one transaction, after an optional dry run that shows
 * what would happen. Parsing and checking are shared/territories/import.ts.
 */
export function territoryImportRoutes(router: Router, api: PlanApi): void {
  const { ctx } = api;

  router.on("POST", "/api/plans/:id/territories/import", async (req, res, { id }, url) => {
    const caller = await api.authorize(req, url, id as string, "edit-plan", "import territories");
    const opts = options(url);
    const body = await readJson(req, ctx.config.maxBodyBytes);
    let features: unknown[];
    try {
      features = featuresOf(body);
    } catch (e) {
      if (e instanceof TerritoryFileError) throw new HttpError(400, e.message);
      throw e;
    }
    const max = ctx.config.maxTerritories;
    if (features.length > max) {
      throw new HttpError(413, `A plan holds at most ${max} territories; this file has ${features.length}.`);
    }
    const answer = await api.withRoom(id as string, async (room) => {
      if (isUnitPlan(room.doc)) {
        throw new HttpError(
          409,
          "This plan is built from units: drawn territories cannot be imported into it. Remove the unit layer first, or paint the territories.",
        );
      }
      const existing = territoryIds(room.doc);
      const kept = opts.mode === "add" ? existing : [];
      const parsed = parseTerritoryFeatures(features, { takenIds: new Set(kept), existingCount: kept.length });
      const summary = summarize(parsed, opts, existing.length);
      let refused: HttpError | null = null;
      if (parsed.problemCount > 0 && !opts.skipInvalid) {
        refused = new HttpError(
          400,
          `${parsed.problemCount} of ${parsed.total} features cannot be imported (the first: feature ${(parsed.problems[0]?.index ?? 0) + 1}, ${parsed.problems[0]?.reason}), so nothing was imported. Fix them, or import the valid ones only with ?skipInvalid=true.`,
          summary,
        );
      } else if (parsed.territories.length === 0) {
        refused = new HttpError(400, "No feature of the file can be imported, so nothing was imported.", summary);
      } else if (kept.length + parsed.territories.length > max) {
        refused = new HttpError(
          413,
          `A plan holds at most ${max} territories; this import would make ${kept.length + parsed.territories.length}.`,
        );
      }
      if (opts.dryRun) return { ...summary, refused: refused?.message ?? null };
      if (refused) throw refused;
      // The checkpoint before a replace (issue 14): restoring it brings the territories back.
      if (opts.mode === "replace") await ctx.versions.checkpoint(room, "territories-replace", caller.actor);
      // A replace keeps what it takes away, so a manager can bring it back (issue 10);
      // any import makes an older one's undo stale.
      const importId = newId(12);
      await ctx.store.putData(
        id as string,
        "undo-territories",
        opts.mode === "replace"
          ? { importId, at: new Date().toISOString(), previous: toFeatureCollection(room.doc).features }
          : null,
      );
      // No actor on the transaction: the feed gets one "territories-imported"
      // entry below instead of one entry per territory created or deleted.
      await room.change({ kind: "rest", method: "POST", path: url.pathname }, (doc) => {
        if (opts.mode === "replace") for (const tid of territoryIds(doc)) deleteTerritory(doc, tid);
        createTerritories(doc, parsed.territories);
      });
      ctx.activity.get(id as string)?.record({
        kind: "territories-imported",
        actor: caller.actor,
        details: { imported: parsed.territories.length, ...(opts.mode === "replace" ? { importId } : {}) },
        ...(parsed.bbox ? { box: parsed.bbox } : {}),
      });
      return {
        ...summary,
        ...(opts.mode === "replace" ? { importId } : {}),
        imported: parsed.territories.length,
        territories: parsed.territories.map((t, i) => ({ index: parsed.indices[i], id: t.id, name: t.name })),
      };
    });
    sendJson(res, opts.dryRun ? 200 : 201, answer);
  });

  router.on("POST", "/api/plans/:id/territories/import/undo", async (req, res, { id }, url) => {
    const caller = await api.authorize(req, url, id as string, "edit-plan", "undo an import");
    const body = (await readJson(req, 4096)) as { importId?: unknown } | null;
    if (typeof body?.importId !== "string") throw new HttpError(400, 'Send {"importId": "<the import\'s id>"}.');
    const restored = await api.withRoom(id as string, async (room) => {
      const undo = await ctx.store.getData(id as string, "undo-territories");
      if (!undo || undo.importId !== body.importId) {
        throw new HttpError(
          409,
          "This import can no longer be undone: only the latest territories import can be taken back.",
        );
      }
      const back = parseTerritoryFeatures(undo.previous, {}).territories;
      await room.change({ kind: "rest", method: "POST", path: url.pathname }, (doc) => {
        for (const tid of territoryIds(doc)) deleteTerritory(doc, tid);
        createTerritories(doc, back);
      });
      await ctx.store.putData(id as string, "undo-territories", null);
      return back.length;
    });
    ctx.activity.get(id as string)?.record({
      kind: "import-undone",
      actor: caller.actor,
      details: { imported: restored, fields: ["territories"] },
    });
    sendJson(res, 200, { territories: restored });
  });
}

/** What a dry run shows and every answer repeats. */
function summarize(parsed: ParsedTerritories, opts: TerritoryImportOptions, existing: number) {
  return {
    dryRun: opts.dryRun,
    mode: opts.mode,
    total: parsed.total,
    valid: parsed.territories.length,
    names: parsed.territories.map((t) => t.name),
    bbox: parsed.bbox,
    vertices: parsed.vertices,
    /** Territories the import removes (mode replace). */
    replaced: opts.mode === "replace" ? existing : 0,
    problems: parsed.problems,
    problemCount: parsed.problemCount,
    warnings: parsed.warnings,
    warningCount: parsed.warningCount,
  };
}

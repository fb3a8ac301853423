import { toAccountColumns } from "../../shared/accounts/columns.ts";
import type { StoredAccounts } from "../persistence/store.ts";
import {
  deleteTerritory,
  isUnitPlan,
  readAccountsVersion,
  readCompetitorsVersion,
  readTerritory,
  readUnitAssignment,
  territoriesMap,
  unitsMap,
  updateTerritory,
  writeUnitAssignments,
  writeUnitTerritory,
} from "../../shared/doc/schema.ts";
import type { TerritoryGeometry } from "../../shared/geometry/types.ts";
import { unitKey } from "../../shared/units/layer.ts";
import {
  accountsGeoJson,
  competitorsTarget,
  importAccounts,
  importOptions,
  importPoints,
  parseUpload,
  undoAccountsImport,
} from "./accounts.ts";
import { commentRoutes } from "./comments.ts";
import { type ApiContext, PlanApi, restOrigin } from "./context.ts";
import { exportRoutes } from "./exports.ts";
import { HttpError, readJson, sendJson } from "./http.ts";
import { VersionedJsonCache } from "./json-cache.ts";
import { linkRoutes } from "./links.ts";
import { planRoutes } from "./plans.ts";
import { proposalRoutes } from "./proposals.ts";
import { suggestionRoutes } from "./suggestions.ts";
import { versionRoutes } from "./versions.ts";
import { scenarioRoutes } from "./scenarios.ts";
import { ALL_FIELDS, enforceScope, restFootprint } from "./scope-check.ts";
import { historyRoutes } from "./history.ts";
import { Router } from "./router.ts";
import { territoryImportRoutes } from "./territory-import.ts";
import { outlinesOf, unitRoutes } from "./units.ts";
import {
  applyTerritoryPut,
  createTerritories,
  parseNewTerritories,
  parseTerritoryPut,
  planFeatureCollection,
  toFeature,
} from "./territories.ts";

export type { ApiContext } from "./context.ts";

function pickOutlines(
  all: Record<string, TerritoryGeometry | null>,
  ids: readonly string[],
): Record<string, TerritoryGeometry | null> {
  return Object.fromEntries(ids.map((id) => [id, all[id] ?? null]));
}

/** `?format=` of a points answer (accounts, competitors): GeoJSON, the default, or columns. */
function pointsFormat(url: URL): "geojson" | "columns" {
  const format = url.searchParams.get("format") ?? "geojson";
  if (format !== "geojson" && format !== "columns") {
    throw new HttpError(400, "format must be geojson (the default) or columns.");
  }
  return format;
}

/** Stored points (none: an empty answer of version 0) in the asked format. */
function pointsAnswer(stored: StoredAccounts | null, format: "geojson" | "columns") {
  const points = stored?.accounts ?? [];
  return format === "columns"
    ? toAccountColumns(points, stored?.version ?? 0)
    : accountsGeoJson(points, stored?.version ?? 0);
}

/**
 * The REST API (documented in server/README.md). Every plan endpoint starts
 * with `api.authorize`: no valid token for the plan, no answer (401); a role
 * too weak for the call, 403.
 */
export function apiRouter(ctx: ApiContext): Router {
  const router = new Router();
  const api = new PlanApi(ctx);
  linkRoutes(router, api);
  planRoutes(router, api);
  commentRoutes(router, api);
  exportRoutes(router, api);
  territoryImportRoutes(router, api);
  unitRoutes(router, api, ctx.units, ctx.jobs);
  proposalRoutes(router, api, ctx.proposals);
  suggestionRoutes(router, api, ctx.suggestions);
  versionRoutes(router, api, ctx.versions);
  scenarioRoutes(router, api, ctx.scenarios);
  historyRoutes(router, api);

  router.on("GET", "/api/plans/:id/analysis", async (req, res, { id }, url) => {
    await api.authorize(req, url, id as string);
    const a = await api.withRoom(id as string, async (room) => {
      await room.whenDurable();
      return api.analysisOf(room);
    });
    const { accountTerritory: _omit, ...body } = a;
    sendJson(res, 200, body);
  });

  // Two formats of a few plans.
  const accountsJson = new VersionedJsonCache(8);
  router.on("GET", "/api/plans/:id/accounts", async (req, res, { id }, url) => {
    await api.authorize(req, url, id as string);
    // The document holds the accounts' version, which moves on with every import.
    const version = await api.withRoom(id as string, async (room) => readAccountsVersion(room.doc));
    const format = pointsFormat(url);
    await accountsJson.send(req, res, `${id}:${format}`, version, async () =>
      pointsAnswer(await ctx.store.getAccounts(id as string), format),
    );
  });

  router.on("POST", "/api/plans/:id/accounts", async (req, res, { id }, url) => {
    const caller = await api.authorize(req, url, id as string, "edit-plan", "import accounts");
    const opts = importOptions(url);
    const parsed = await parseUpload(req, ctx.config.maxBodyBytes);
    const result = await api.withRoom(id as string, (room) =>
      importAccounts(ctx.store, room, parsed, opts, () =>
        ctx.versions.checkpoint(room, "accounts-import", caller.actor),
      ),
    );
    if (!opts.dryRun) {
      const { imported = 0, version } = result as { imported?: number; version?: number };
      ctx.activity.get(id as string)?.record({
        kind: "accounts-imported",
        actor: caller.actor,
        details: { imported, ...(version !== undefined ? { version } : {}) },
      });
    }
    sendJson(res, opts.dryRun ? 200 : 201, result);
  });

  // Competitors (issue 12): the same import as accounts, a point layer of their own.
  router.on("POST", "/api/plans/:id/competitors", async (req, res, { id }, url) => {
    const caller = await api.authorize(req, url, id as string, "edit-plan", "import competitors");
    const opts = importOptions(url);
    const parsed = await parseUpload(req, ctx.config.maxBodyBytes);
    const result = await api.withRoom(id as string, (room) =>
      importPoints(competitorsTarget(ctx.store), ctx.store, room, parsed, opts, () =>
        ctx.versions.checkpoint(room, "competitors-import", caller.actor),
      ),
    );
    if (!opts.dryRun) {
      const { imported = 0 } = result as { imported?: number };
      ctx.activity
        .get(id as string)
        ?.record({ kind: "competitors-imported", actor: caller.actor, details: { imported } });
    }
    sendJson(res, opts.dryRun ? 200 : 201, result);
  });

  router.on("GET", "/api/plans/:id/competitors", async (req, res, { id }, url) => {
    await api.authorize(req, url, id as string);
    const version = await api.withRoom(id as string, async (room) => readCompetitorsVersion(room.doc));
    const format = pointsFormat(url);
    await accountsJson.send(req, res, `${id}:competitors:${format}`, version, async () =>
      pointsAnswer(await ctx.store.getData(id as string, "competitors"), format),
    );
  });

  router.on("POST", "/api/plans/:id/accounts/undo", async (req, res, { id }, url) => {
    const caller = await api.authorize(req, url, id as string, "edit-plan", "undo an import");
    const body = (await readJson(req, 4096)) as { version?: unknown } | null;
    const version = body?.version;
    if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
      throw new HttpError(400, 'Send {"version": <the accounts version the import made>}.');
    }
    const result = await api.withRoom(id as string, (room) => undoAccountsImport(ctx.store, room, version));
    ctx.activity.get(id as string)?.record({
      kind: "import-undone",
      actor: caller.actor,
      details: { imported: result.accounts, fields: ["accounts"] },
    });
    sendJson(res, 200, result);
  });

  router.on("POST", "/api/plans/:id/territories", async (req, res, { id }, url) => {
    const caller = await api.authorize(req, url, id as string, "edit-plan", "add territories", { scoped: true });
    const body = await readJson(req, ctx.config.maxBodyBytes);
    const created = await api.withRoom(id as string, async (room) => {
      const list = parseNewTerritories(body, room.doc);
      const max = ctx.config.maxTerritories;
      const have = territoriesMap(room.doc).size;
      if (have + list.length > max) {
        throw new HttpError(413, `A plan holds at most ${max} territories; this would make ${have + list.length}.`);
      }
      const unitPlan = isUnitPlan(room.doc);
      // A unit plan: each new territory takes the units whose centre lies in its shape (Fill).
      const fills = unitPlan ? list.map((t) => ctx.units.unitsInside(room, t.geometry)) : [];
      const adopt = enforceScope(
        api,
        caller,
        room,
        restFootprint({
          created: new Set(list.map((t) => t.id)),
          fields: new Map(list.map((t) => [t.id, new Set<string>(ALL_FIELDS)])),
          parents: new Map(list.map((t) => [t.id, t.parent])),
          geometries: unitPlan ? new Map() : new Map(list.map((t) => [t.id, [t.geometry]])),
          units: new Map(list.flatMap((t, i) => (fills[i] ?? []).map((u) => [unitKey(u), t.id] as const))),
        }),
      );
      if (unitPlan) {
        await room.change(restOrigin(req, caller), (doc) => {
          list.forEach((t, i) => {
            writeUnitTerritory(doc, t);
            writeUnitAssignments(
              doc,
              (fills[i] as number[]).map((u) => [unitKey(u), t.id] as const),
            );
          });
        });
        adopt();
        const fc = await planFeatureCollection(room.doc, (ids) =>
          outlinesOf(api, room).then((o) => pickOutlines(o, ids)),
        );
        return fc.features.filter((f) => list.some((t) => t.id === f.id));
      }
      await room.change(restOrigin(req, caller), (doc) => createTerritories(doc, list));
      adopt();
      return list.map(toFeature);
    });
    sendJson(res, 201, { type: "FeatureCollection", features: created });
  });

  router.on("GET", "/api/plans/:id/territories/:territoryId", async (req, res, { id, territoryId }, url) => {
    await api.authorize(req, url, id as string);
    const feature = await api.withRoom(id as string, async (room) => {
      await room.whenDurable();
      if (!isUnitPlan(room.doc)) {
        const t = readTerritory(room.doc, territoryId as string);
        return t ? toFeature(t) : null;
      }
      if (!territoriesMap(room.doc).has(territoryId as string)) return null;
      const fc = await planFeatureCollection(room.doc, (ids) =>
        outlinesOf(api, room).then((o) => pickOutlines(o, ids)),
      );
      return fc.features.find((f) => f.id === territoryId) ?? null;
    });
    if (!feature)
      throw new HttpError(404, `There is no territory "${(territoryId as string).slice(0, 64)}" in this plan.`);
    sendJson(res, 200, feature);
  });

  router.on("PUT", "/api/plans/:id/territories/:territoryId", async (req, res, { id, territoryId }, url) => {
    const caller = await api.authorize(req, url, id as string, "edit-plan", "change territories", { scoped: true });
    const put = parseTerritoryPut(await readJson(req, ctx.config.maxBodyBytes));
    const feature = await api.withRoom(id as string, async (room) => {
      const tid = territoryId as string;
      if (territoriesMap(room.doc).has(tid)) {
        enforceScope(
          api,
          caller,
          room,
          restFootprint({
            fields: new Map([[tid, new Set([...Object.keys(put.patch), ...(put.geometry ? ["geometry"] : [])])]]),
            parents: put.patch.parent !== undefined ? new Map([[tid, put.patch.parent]]) : new Map(),
            geometries: put.geometry && !isUnitPlan(room.doc) ? new Map([[tid, [put.geometry]]]) : new Map(),
          }),
        );
      }
      if (isUnitPlan(room.doc)) {
        if (put.geometry) {
          throw new HttpError(
            409,
            "This plan is built from units: a territory's shape is its units. Paint them (PATCH …/units) instead of sending a geometry.",
          );
        }
        const changed = await room.change(restOrigin(req, caller), (doc) =>
          updateTerritory(doc, territoryId as string, put.patch),
        );
        if (!changed) return null;
        const fc = await planFeatureCollection(room.doc, (ids) =>
          outlinesOf(api, room).then((o) => pickOutlines(o, ids)),
        );
        return fc.features.find((f) => f.id === territoryId) ?? null;
      }
      const t = await room.change(restOrigin(req, caller), (doc) => applyTerritoryPut(doc, territoryId as string, put));
      return t ? toFeature(t) : null;
    });
    if (!feature)
      throw new HttpError(404, `There is no territory "${(territoryId as string).slice(0, 64)}" in this plan.`);
    sendJson(res, 200, feature);
  });

  router.on("DELETE", "/api/plans/:id/territories/:territoryId", async (req, res, { id, territoryId }, url) => {
    const caller = await api.authorize(req, url, id as string, "edit-plan", "delete territories", { scoped: true });
    const deleted = await api.withRoom(id as string, (room) => {
      const tid = territoryId as string;
      if (territoriesMap(room.doc).has(tid)) {
        enforceScope(api, caller, room, restFootprint({ deleted: new Set([tid]) }));
      }
      return room.change(restOrigin(req, caller), (doc) => {
        // Its units become unassigned with it.
        for (const [key, t] of readUnitAssignment(doc)) if (t === territoryId) unitsMap(doc).delete(key);
        return deleteTerritory(doc, territoryId as string);
      });
    });
    if (!deleted)
      throw new HttpError(404, `There is no territory "${(territoryId as string).slice(0, 64)}" in this plan.`);
    res.writeHead(204).end();
  });

  return router;
}

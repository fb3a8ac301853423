import { toAccountColumns } from "../../shared/accounts/columns.ts";
import { deleteTerritory, readAccountsVersion, readTerritory, territoriesMap } from "../../shared/doc/schema.ts";
import { accountsGeoJson, importAccounts, importOptions, parseUpload } from "./accounts.ts";
import { commentRoutes } from "./comments.ts";
import { type ApiContext, PlanApi, restOrigin } from "./context.ts";
import { exportRoutes } from "./exports.ts";
import { HttpError, readJson, sendJson } from "./http.ts";
import { VersionedJsonCache } from "./json-cache.ts";
import { planRoutes } from "./plans.ts";
import { Router } from "./router.ts";
import { territoryImportRoutes } from "./territory-import.ts";
import {
  applyTerritoryPut,
  createTerritories,
  parseNewTerritories,
  parseTerritoryPut,
  toFeature,
} from "./territories.ts";

export type { ApiContext } from "./context.ts";

/**
 * The REST API (documented in server/README.md). Every plan endpoint starts
 * with `api.authorize`: no valid token for the plan, no answer (401); a role
 * too weak for the call, 403.
 */
export function apiRouter(ctx: ApiContext): Router {
  const router = new Router();
  const api = new PlanApi(ctx);
  planRoutes(router, api);
  commentRoutes(router, api);
  exportRoutes(router, api);
  territoryImportRoutes(router, api);

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
    const format = url.searchParams.get("format") ?? "geojson";
    if (format !== "geojson" && format !== "columns") {
      throw new HttpError(400, "format must be geojson (the default) or columns.");
    }
    await accountsJson.send(req, res, `${id}:${format}`, version, async () => {
      const stored = await ctx.store.getAccounts(id as string);
      const accounts = stored?.accounts ?? [];
      return format === "columns"
        ? toAccountColumns(accounts, stored?.version ?? 0)
        : accountsGeoJson(accounts, stored?.version ?? 0);
    });
  });

  router.on("POST", "/api/plans/:id/accounts", async (req, res, { id }, url) => {
    const caller = await api.authorize(req, url, id as string, "edit-plan", "import accounts");
    const opts = importOptions(url);
    const parsed = await parseUpload(req, ctx.config.maxBodyBytes);
    const result = await api.withRoom(id as string, (room) => importAccounts(ctx.store, room, parsed, opts));
    if (!opts.dryRun) {
      const imported = (result as { imported?: number }).imported ?? 0;
      ctx.activity.get(id as string)?.record({ kind: "accounts-imported", actor: caller.actor, details: { imported } });
    }
    sendJson(res, opts.dryRun ? 200 : 201, result);
  });

  router.on("POST", "/api/plans/:id/territories", async (req, res, { id }, url) => {
    const caller = await api.authorize(req, url, id as string, "edit-plan", "add territories");
    const body = await readJson(req, ctx.config.maxBodyBytes);
    const created = await api.withRoom(id as string, async (room) => {
      const list = parseNewTerritories(body, room.doc);
      const max = ctx.config.maxTerritories;
      const have = territoriesMap(room.doc).size;
      if (have + list.length > max) {
        throw new HttpError(413, `A plan holds at most ${max} territories; this would make ${have + list.length}.`);
      }
      await room.change(restOrigin(req, caller), (doc) => createTerritories(doc, list));
      return list;
    });
    sendJson(res, 201, { type: "FeatureCollection", features: created.map(toFeature) });
  });

  router.on("GET", "/api/plans/:id/territories/:territoryId", async (req, res, { id, territoryId }, url) => {
    await api.authorize(req, url, id as string);
    const t = await api.withRoom(id as string, async (room) => {
      await room.whenDurable();
      return readTerritory(room.doc, territoryId as string);
    });
    if (!t) throw new HttpError(404, `There is no territory "${(territoryId as string).slice(0, 64)}" in this plan.`);
    sendJson(res, 200, toFeature(t));
  });

  router.on("PUT", "/api/plans/:id/territories/:territoryId", async (req, res, { id, territoryId }, url) => {
    const caller = await api.authorize(req, url, id as string, "edit-plan", "change territories");
    const put = parseTerritoryPut(await readJson(req, ctx.config.maxBodyBytes));
    const t = await api.withRoom(id as string, (room) =>
      room.change(restOrigin(req, caller), (doc) => applyTerritoryPut(doc, territoryId as string, put)),
    );
    if (!t) throw new HttpError(404, `There is no territory "${(territoryId as string).slice(0, 64)}" in this plan.`);
    sendJson(res, 200, toFeature(t));
  });

  router.on("DELETE", "/api/plans/:id/territories/:territoryId", async (req, res, { id, territoryId }, url) => {
    const caller = await api.authorize(req, url, id as string, "edit-plan", "delete territories");
    const deleted = await api.withRoom(id as string, (room) =>
      room.change(restOrigin(req, caller), (doc) => deleteTerritory(doc, territoryId as string)),
    );
    if (!deleted)
      throw new HttpError(404, `There is no territory "${(territoryId as string).slice(0, 64)}" in this plan.`);
    res.writeHead(204).end();
  });

  return router;
}

import { newId } from "../../shared/ids.ts";
import { LIMITS } from "../../shared/doc/territory.ts";
import { deleteTerritory, readTerritory } from "../../shared/doc/schema.ts";
import type { Origin } from "../../shared/doc/origins.ts";
import type { ServerConfig } from "../config.ts";
import type { PlanMeta, PlanStore } from "../persistence/store.ts";
import type { Room } from "../rooms/room.ts";
import type { Rooms } from "../rooms/rooms.ts";
import type { Scoring } from "../scoring/scoring.ts";
import { accountsGeoJson, importAccounts, importOptions, parseUpload } from "./accounts.ts";
import { HttpError, readJson, requestOrigin, sendJson, sendLargeJson } from "./http.ts";
import { Router } from "./router.ts";
import {
  applyTerritoryPut,
  createTerritories,
  parseNewTerritories,
  parseTerritoryPut,
  toFeature,
  toFeatureCollection,
} from "./territories.ts";

export interface ApiContext {
  store: PlanStore;
  rooms: Rooms;
  config: ServerConfig;
  scoring: Scoring;
}

/** The REST API (documented in server/README.md). */
export function apiRouter(ctx: ApiContext): Router {
  const router = new Router();

  /** The plan's metadata; 404 when it does not exist, 500 when it cannot be read. */
  async function planMeta(planId: string): Promise<PlanMeta> {
    let meta: PlanMeta | null;
    try {
      meta = await ctx.store.getPlan(planId);
    } catch (e) {
      throw unreadable(planId, e);
    }
    if (!meta) throw new HttpError(404, `There is no plan "${planId.slice(0, 64)}".`);
    return meta;
  }

  /** Runs `fn` on the plan's main room. */
  async function withPlan<T>(planId: string, fn: (room: Room, meta: PlanMeta) => Promise<T>): Promise<T> {
    const meta = await planMeta(planId);
    let room: Room;
    try {
      room = await ctx.rooms.acquire({ planId, part: "" });
    } catch (e) {
      throw unreadable(planId, e);
    }
    return ctx.rooms.with(room.address, (held) => fn(held, meta));
  }

  router.on("GET", "/api/health", async (_req, res) => {
    sendJson(res, 200, { ok: true, rooms: ctx.rooms.size });
  });

  router.on("POST", "/api/plans", async (req, res) => {
    const body = (await readJson(req, 64 * 1024)) as { name?: unknown };
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new HttpError(400, 'Send a JSON object like {"name": "Java 2027"}.');
    }
    let name = "Untitled plan";
    if (body.name !== undefined) {
      if (typeof body.name !== "string" || body.name.trim().length === 0 || body.name.length > LIMITS.name) {
        throw new HttpError(400, `The plan name must be text of 1–${LIMITS.name} characters.`);
      }
      name = body.name.trim();
    }
    const meta: PlanMeta = { id: newId(12), name, createdAt: new Date().toISOString() };
    await ctx.store.createPlan(meta);
    sendJson(res, 201, { ...meta, links: planLinks(requestOrigin(req), meta.id) });
  });

  router.on("GET", "/api/plans/:id", async (req, res, { id }) => {
    const meta = await planMeta(id as string);
    sendJson(res, 200, { ...meta, links: planLinks(requestOrigin(req), meta.id) });
  });

  /** The analysis including every change made so far. */
  async function analysisOf(room: Room) {
    const plan = ctx.scoring.get(room.address.planId);
    if (!plan) throw new HttpError(503, "Scoring is not running for this plan; try again shortly.");
    return plan.current();
  }

  router.on("GET", "/api/plans/:id/territories", async (req, res, { id }) => {
    const body = await withPlan(id as string, async (room) => {
      // Only what is on disk is acknowledged; never show a state a crash could take back.
      await room.whenDurable();
      const fc = toFeatureCollection(room.doc);
      // Metrics when scoring runs (it is off with SCORING=0): territories are served either way.
      const plan = ctx.scoring.get(room.address.planId);
      const analysis = plan ? await plan.current().catch(() => null) : null;
      const metrics = new Map((analysis?.territories ?? []).map((t) => [t.id, t]));
      for (const f of fc.features) {
        const m = metrics.get(f.id);
        if (m) {
          (f.properties as Record<string, unknown>).metrics = {
            accounts: m.accounts,
            ...m.sums,
            areaKm2: m.areaKm2,
            compactness: m.compactness,
            parts: m.parts,
          };
        }
      }
      return fc;
    });
    await sendLargeJson(req, res, 200, body);
  });

  router.on("GET", "/api/plans/:id/analysis", async (_req, res, { id }) => {
    const a = await withPlan(id as string, async (room) => {
      await room.whenDurable();
      return analysisOf(room);
    });
    const { accountTerritory: _omit, ...body } = a;
    sendJson(res, 200, body);
  });

  router.on("GET", "/api/plans/:id/accounts", async (req, res, { id }) => {
    await planMeta(id as string);
    const stored = await ctx.store.getAccounts(id as string);
    await sendLargeJson(req, res, 200, accountsGeoJson(stored?.accounts ?? [], stored?.version ?? 0));
  });

  router.on("POST", "/api/plans/:id/accounts", async (req, res, { id }, url) => {
    const opts = importOptions(url);
    await planMeta(id as string);
    const parsed = await parseUpload(req, ctx.config.maxBodyBytes);
    const result = await withPlan(id as string, (room) => importAccounts(ctx.store, room, parsed, opts));
    sendJson(res, opts.dryRun ? 200 : 201, result);
  });

  router.on("POST", "/api/plans/:id/territories", async (req, res, { id }) => {
    const body = await readJson(req, ctx.config.maxBodyBytes);
    const created = await withPlan(id as string, async (room) => {
      const list = parseNewTerritories(body, room.doc);
      await room.change(restOrigin("POST", req.url), (doc) => createTerritories(doc, list));
      return list;
    });
    sendJson(res, 201, { type: "FeatureCollection", features: created.map(toFeature) });
  });

  router.on("GET", "/api/plans/:id/territories/:territoryId", async (_req, res, { id, territoryId }) => {
    const t = await withPlan(id as string, async (room) => {
      await room.whenDurable();
      return readTerritory(room.doc, territoryId as string);
    });
    if (!t) throw new HttpError(404, `There is no territory "${(territoryId as string).slice(0, 64)}" in this plan.`);
    sendJson(res, 200, toFeature(t));
  });

  router.on("PUT", "/api/plans/:id/territories/:territoryId", async (req, res, { id, territoryId }) => {
    const put = parseTerritoryPut(await readJson(req, ctx.config.maxBodyBytes));
    const t = await withPlan(id as string, (room) =>
      room.change(restOrigin("PUT", req.url), (doc) => applyTerritoryPut(doc, territoryId as string, put)),
    );
    if (!t) throw new HttpError(404, `There is no territory "${(territoryId as string).slice(0, 64)}" in this plan.`);
    sendJson(res, 200, toFeature(t));
  });

  router.on("DELETE", "/api/plans/:id/territories/:territoryId", async (req, res, { id, territoryId }) => {
    const deleted = await withPlan(id as string, (room) =>
      room.change(restOrigin("DELETE", req.url), (doc) => deleteTerritory(doc, territoryId as string)),
    );
    if (!deleted)
      throw new HttpError(404, `There is no territory "${(territoryId as string).slice(0, 64)}" in this plan.`);
    res.writeHead(204).end();
  });

  return router;
}

function unreadable(planId: string, e: unknown): HttpError {
  console.error(`[api] plan ${planId} could not be loaded: ${(e as Error).message}`);
  return new HttpError(
    500,
    "This plan's stored data could not be read. It has been left untouched; the server log says why.",
  );
}

function restOrigin(method: string, url: string | undefined): Origin {
  return { kind: "rest", method, path: (url ?? "").split("?")[0] ?? "" };
}

/**
 * Share links. Until roles arrive (issue: roles and share links) every link
 * opens the plan for editing; the shape is already the final one.
 */
export function planLinks(origin: string, planId: string): { edit: string; comment: string; view: string } {
  const url = `${origin}/plan/${encodeURIComponent(planId)}`;
  return { edit: url, comment: url, view: url };
}

import type { IncomingMessage } from "node:http";
import {
  isUnitPlan,
  readAccountsVersion,
  readTerritories,
  readTerritoryList,
  readUnitAssignment,
  readUnitsVersion,
  territoriesMap,
  writeUnitAssignments,
} from "../../shared/doc/schema.ts";
import { toCsv } from "../../shared/export/csv.ts";
import type { TerritoryGeometry } from "../../shared/geometry/types.ts";
import { validateGeometry } from "../../shared/geometry/validate.ts";
import { H3_RESOLUTIONS, unitKey } from "../../shared/units/layer.ts";
import { toCompact } from "../../shared/units/compact.ts";
import { layerFromJson } from "../../shared/units/serialize.ts";
import { locatePoints } from "../../shared/units/locate.ts";
import { JobRefused, type Jobs } from "../jobs/jobs.ts";
import type { PlanStore } from "../persistence/store.ts";
import type { Room } from "../rooms/room.ts";
import type { Units } from "../units/units.ts";
import { type PlanApi, restOrigin } from "./context.ts";
import { enforceScope, restFootprint } from "./scope-check.ts";
import { HttpError, readBody, sendJson, sendLargeJson } from "./http.ts";
import { VersionedJsonCache } from "./json-cache.ts";
import type { Router } from "./router.ts";
import { logger } from "../ops/log.ts";

const unitsLog = logger("units");

/** Largest unit file (admin areas): real kecamatan files of a province are tens of megabytes. */
const MAX_UNIT_FILE = 64 * 1024 * 1024;

/**
 * The unit layer over REST (issue 12; server/README.md documents each call):
 * make or replace it (hexagons or admin areas), read it, give units to
 * territories, remove it. Layers are built in the jobs worker.
 */
export function unitRoutes(router: Router, api: PlanApi, units: Units, jobs: Jobs): void {
  const { ctx } = api;

  router.on("POST", "/api/plans/:id/units", async (req, res, { id }, url) => {
    const caller = await api.authorize(req, url, id as string, "edit-plan", "make a unit layer");
    const dryRun = flag(url, "dryRun");
    const body = await readBody(req, Math.max(ctx.config.maxBodyBytes, MAX_UNIT_FILE));
    const text = body.toString("utf8");
    let input: unknown;
    try {
      input = JSON.parse(text);
    } catch {
      throw new HttpError(
        400,
        'Send JSON: {"kind": "h3", "resolution": 6, "area": "territories"} or a GeoJSON FeatureCollection of areas.',
      );
    }
    const answer = await api.withRoom(id as string, async (room) => {
      const version = await units.nextVersion(room);
      const isAdmin = (input as { type?: unknown })?.type === "FeatureCollection";
      const result = await run(async () =>
        isAdmin
          ? jobs.run("admin-layer", { text, version, dryRun })
          : jobs.run("h3-layer", await h3Input(ctx.store, room, input, version, dryRun)),
      );
      const kind = isAdmin ? "admin" : "h3";
      const summary = {
        kind,
        count: result.count,
        ...(isAdmin
          ? pick(result as Record<string, unknown>, [
              "total",
              "problems",
              "problemCount",
              "attributes",
              "idKey",
              "nameKey",
            ])
          : {}),
      };
      if (dryRun) return { dryRun: true, ...summary };
      if (!result.layer || result.count === 0)
        throw new HttpError(400, "No unit could be made from this; nothing changed.", summary);
      const problemCount = "problemCount" in result ? (result.problemCount as number) : 0;
      if (problemCount > 0 && !flag(url, "skipInvalid")) {
        throw new HttpError(
          400,
          `${problemCount} areas of the file cannot be used (see problems), so nothing changed. Fix them, or use the others with ?skipInvalid=1.`,
          summary,
        );
      }
      // The checkpoint before a layer change (issue 14): restoring it brings the old layer back.
      await ctx.versions.checkpoint(room, "units-change", caller.actor);
      const { assigned, unassigned } = await units.install(room, result.layer, restOrigin(req, caller));
      // Kept for the versions that will refer to it now, not in the next save (as an accounts import does).
      await ctx.store
        .keepData(id as string, "units")
        .catch((e: Error) => unitsLog.error({ planId: id }, `keeping layer ${result.layer?.version}: ${e.message}`));
      ctx.activity.get(id as string)?.record({
        kind: "units-created",
        actor: caller.actor,
        details: { imported: result.count, fields: [kind] },
      });
      return { ...summary, assigned, unassigned };
    });
    sendJson(res, dryRun ? 200 : 201, answer);
  });

  // The layer changes rarely and is large: each format is built once per layer and accounts version.
  const unitsJson = new VersionedJsonCache(4);
  router.on("GET", "/api/plans/:id/units", async (req, res, { id }, url) => {
    await api.authorize(req, url, id as string);
    const format = url.searchParams.get("format") ?? "geojson";
    if (format !== "geojson" && format !== "compact")
      throw new HttpError(400, "format must be geojson (the default) or compact.");
    const { unitsVersion, accountsVersion, assignment } = await api.withRoom(id as string, async (room) => ({
      unitsVersion: isUnitPlan(room.doc) ? readUnitsVersion(room.doc) : 0,
      accountsVersion: readAccountsVersion(room.doc),
      // Who owns which unit changes with every stroke: read now, never cached.
      assignment: format === "geojson" ? readUnitAssignment(room.doc) : null,
    }));
    if (unitsVersion === 0) {
      sendJson(
        res,
        200,
        format === "compact" ? null : { type: "FeatureCollection", version: 0, kind: null, features: [] },
      );
      return;
    }
    const built = async () => {
      const stored = await ctx.store.getData(id as string, "units");
      if (!stored)
        throw new HttpError(
          503,
          "This plan's unit layer is not stored; an administrator should look at the server log.",
        );
      const layer = layerFromJson(stored);
      const accounts = (await ctx.store.getAccounts(id as string))?.accounts ?? [];
      const counts = new Int32Array(layer.ids.length);
      const where = locatePoints(
        layer,
        Float64Array.from(accounts, (a) => a.lon),
        Float64Array.from(accounts, (a) => a.lat),
      );
      for (const u of where) if (u >= 0) counts[u]++;
      return { layer, counts };
    };
    if (format === "compact") {
      const version = unitsVersion * 1_000_000 + accountsVersion;
      await unitsJson.send(req, res, `${id}:compact`, version, async () => {
        const { layer, counts } = await built();
        return toCompact(layer, counts);
      });
      return;
    }
    const { layer, counts } = await built();
    const body = {
      type: "FeatureCollection",
      version: layer.version,
      kind: layer.kind,
      resolution: layer.resolution,
      ...(layer.credits ? { credits: layer.credits } : {}),
      features: layer.ids.map((unitId, u) => {
        const properties: Record<string, unknown> = {
          id: unitId,
          name: layer.names[u] ?? "",
          territory: assignment?.get(unitKey(u)) ?? null,
          accounts: counts[u],
        };
        for (const a of layer.attributes) {
          const v = layer.values[a]?.[u] ?? Number.NaN;
          if (!Number.isNaN(v)) properties[a] = v;
        }
        return { type: "Feature", id: unitId, geometry: layer.geometries[u], properties };
      }),
    };
    await sendLargeJson(req, res, 200, body);
  });

  router.on("PATCH", "/api/plans/:id/units", async (req, res, { id }, url) => {
    const caller = await api.authorize(req, url, id as string, "edit-plan", "paint units", { scoped: true });
    const body = (await readJsonBody(req, ctx.config.maxBodyBytes)) as { assign?: unknown } | null;
    const assign = body?.assign;
    if (typeof assign !== "object" || assign === null || Array.isArray(assign)) {
      throw new HttpError(400, 'Send {"assign": {"<unit id>": "<territory id>" | null, …}}.');
    }
    const answer = await api.withRoom(id as string, async (room) => {
      const layer = units.layerOf(room);
      if (!layer || !isUnitPlan(room.doc))
        throw new HttpError(409, "This plan has no unit layer; make one first (POST …/units).");
      const territories = territoriesMap(room.doc);
      const unknownUnits: string[] = [];
      const unknownTerritories: string[] = [];
      const entries: [string, string | null][] = [];
      for (const [unitId, territoryId] of Object.entries(assign as Record<string, unknown>)) {
        const u = layer.indexOf.get(unitId);
        if (u === undefined) unknownUnits.push(unitId);
        else if (territoryId === null) entries.push([unitKey(u), null]);
        else if (typeof territoryId !== "string" || !territories.has(territoryId))
          unknownTerritories.push(String(territoryId));
        else entries.push([unitKey(u), territoryId]);
      }
      if (unknownUnits.length || unknownTerritories.length) {
        throw new HttpError(
          400,
          [
            unknownUnits.length ? `no unit ${list(unknownUnits)} in this plan's layer` : "",
            unknownTerritories.length ? `no territory ${list(unknownTerritories)} in this plan` : "",
          ]
            .filter(Boolean)
            .join("; ")
            .replace(/^./, (c) => c.toUpperCase())
            .concat("; nothing changed."),
          { units: unknownUnits, territories: unknownTerritories },
        );
      }
      enforceScope(api, caller, room, restFootprint({ units: new Map(entries) }));
      await room.change(restOrigin(req, caller), (doc) => writeUnitAssignments(doc, entries));
      return {
        assigned: entries.filter(([, t]) => t !== null).length,
        unassigned: entries.filter(([, t]) => t === null).length,
      };
    });
    sendJson(res, 200, answer);
  });

  router.on("DELETE", "/api/plans/:id/units", async (req, res, { id }, url) => {
    const caller = await api.authorize(req, url, id as string, "edit-plan", "remove the unit layer");
    const answer = await api.withRoom(id as string, async (room) => {
      if (!isUnitPlan(room.doc)) throw new HttpError(409, "This plan has no unit layer to remove.");
      const outlines = await outlinesOf(api, room);
      await ctx.versions.checkpoint(room, "units-change", caller.actor);
      const kept = await units.remove(room, outlines, restOrigin(req, caller));
      ctx.activity
        .get(id as string)
        ?.record({ kind: "units-removed", actor: caller.actor, details: { imported: kept } });
      return { territories: kept };
    });
    sendJson(res, 200, answer);
  });

  router.on("GET", "/api/plans/:id/units.csv", async (req, res, { id }, url) => {
    await api.authorize(req, url, id as string);
    const csv = await api.withRoom(id as string, async (room) => {
      const layer = units.layerOf(room);
      if (!layer || !isUnitPlan(room.doc)) throw new HttpError(409, "This plan has no unit layer.");
      const names = new Map(readTerritoryList(room.doc).map((t) => [t.id, t.name]));
      const assignment = readUnitAssignment(room.doc);
      const rows = layer.ids.map((unitId, u) => {
        const t = assignment.get(unitKey(u)) ?? "";
        return [unitId, layer.names[u] ?? "", t, names.get(t) ?? ""];
      });
      return toCsv(["unit_id", "unit_name", "territory_id", "territory_name"], rows);
    });
    res.writeHead(200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="units.csv"`,
    });
    res.end(csv);
  });
}

/** The outlines of every territory of a unit plan, from the scoring worker. */
export async function outlinesOf(api: PlanApi, room: Room): Promise<Record<string, TerritoryGeometry | null>> {
  const plan = api.ctx.scoring.get(room.address.planId);
  if (!plan) throw new HttpError(503, "Scoring is not running for this plan; outlines cannot be drawn right now.");
  return plan.outlines(readTerritoryList(room.doc).map((t) => t.id));
}

/** What the jobs worker needs to cover an area with hexagons. */
async function h3Input(store: PlanStore, room: Room, input: unknown, version: number, dryRun: boolean) {
  const b = input as { kind?: unknown; resolution?: unknown; area?: unknown } | null;
  if (b?.kind !== "h3")
    throw new HttpError(400, 'Send {"kind": "h3", …} for hexagons, or a GeoJSON FeatureCollection of admin areas.');
  const resolution = b.resolution;
  if (typeof resolution !== "number" || !(H3_RESOLUTIONS as readonly number[]).includes(resolution)) {
    throw new HttpError(
      400,
      `resolution must be one of ${H3_RESOLUTIONS.join(", ")} (5: about 250 km² a hexagon, 8: under 1 km²).`,
    );
  }
  let areas: TerritoryGeometry[];
  if (b.area === "territories") {
    areas = readTerritories(room.doc).map((t) => t.geometry);
    if (areas.length === 0) {
      throw new HttpError(
        400,
        'The plan has no drawn territories to cover; send "area" as a GeoJSON Polygon or MultiPolygon.',
      );
    }
  } else {
    const g = validateGeometry(b.area);
    if (!g.ok) throw new HttpError(400, `area must be "territories" or a GeoJSON Polygon or MultiPolygon: ${g.error}`);
    areas = [g.value];
  }
  // Accounts (and competitors) keep the cell they are in, so every account in the area has a unit.
  const planId = room.address.planId;
  const points: number[] = [];
  for (const a of (await store.getAccounts(planId))?.accounts ?? []) points.push(a.lon, a.lat);
  for (const c of (await store.getData(planId, "competitors"))?.accounts ?? []) points.push(c.lon, c.lat);
  return { areas, resolution, keep: Float64Array.from(points), version, dryRun };
}

function flag(url: URL, name: string): boolean {
  const v = url.searchParams.get(name);
  return v === "1" || v === "true";
}

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, o[k]]));
}

function list(xs: string[]): string {
  const shown = xs.slice(0, 5).map((x) => `"${x.slice(0, 40)}"`);
  return `${shown.join(", ")}${xs.length > 5 ? ` and ${xs.length - 5} more` : ""}`;
}

/** Runs a job; a job refused for what was asked becomes a 400 with its sentence. */
async function run<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof JobRefused) throw new HttpError(400, e.message);
    throw e;
  }
}

async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const body = await readBody(req, limit);
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new HttpError(400, "The body is not valid JSON.");
  }
}

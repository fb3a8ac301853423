import type { ServerResponse } from "node:http";
import { readPins, readPlanName, readTerritories, readTerritoryList } from "../../shared/doc/schema.ts";
import { toCsv } from "../../shared/export/csv.ts";
import { addMetrics } from "../../shared/export/features.ts";
import { assignmentTable, metricsTable, type Table } from "../../shared/export/tables.ts";
import { territoryAt } from "../../shared/geometry/locate.ts";
import type { AnalysisMessage } from "../../shared/protocol/analysis.ts";
import type { Account } from "../../shared/scoring/accounts.ts";
import type { Caller } from "../access/access.ts";
import type { Room } from "../rooms/room.ts";
import type { PlanApi } from "./context.ts";
import { HttpError, sendLargeJson } from "./http.ts";
import type { Router } from "./router.ts";
import { planFeatureCollection } from "./territories.ts";

/** How long an export waits for the analysis to catch up with an accounts import in flight. */
const CONSISTENT_WITHIN_MS = 10_000;

/**
 * The plan's results out (issue 5): territories as GeoJSON with their
 * metrics, accounts with their territory and metrics per territory as CSV.
 * Any link may export (view included): exports only read.
 */
export function exportRoutes(router: Router, api: PlanApi): void {
  const { ctx } = api;

  router.on("GET", "/api/plans/:id/territories", async (req, res, { id }, url) => {
    const caller = await api.authorize(req, url, id as string);
    const { body, name } = await api.withRoom(id as string, async (room) => {
      // Only what is on disk is acknowledged; never show a state a crash could take back.
      await room.whenDurable();
      // Metrics when scoring runs (it is off with SCORING=0): territories are served either way.
      const plan = ctx.scoring.get(room.address.planId);
      const fc = await planFeatureCollection(room.doc, (ids) => {
        if (!plan)
          throw new HttpError(503, "Scoring is not running for this plan; unit outlines cannot be drawn right now.");
        return plan.outlines(ids);
      });
      const analysis = plan ? await plan.current().catch(() => null) : null;
      addMetrics(fc.features, analysis?.territories ?? []);
      return { body: fc, name: planFileName(room, caller) };
    });
    if (flag(url, "download")) attachment(res, `${name}-territories.geojson`);
    await sendLargeJson(req, res, 200, body);
  });

  router.on("GET", "/api/plans/:id/assignments.csv", async (req, res, { id }, url) => {
    const caller = await api.authorize(req, url, id as string);
    const { table, name } = await api.withRoom(id as string, async (room) => {
      await room.whenDurable();
      const { analysis, accounts, assignment } = await consistentAnalysis(api, room);
      const territories = readTerritories(room.doc);
      const geometries = new Map(territories.map((t) => [t.id, t.geometry]));
      // In analysis order (by id), so an account in an overlap goes to the first territory there, every time.
      const ordered = analysis.territories.flatMap((t) => {
        const geometry = geometries.get(t.id);
        return geometry ? [{ id: t.id, geometry }] : [];
      });
      const rowOf = new Map(analysis.territories.map((t, i) => [t.id, i]));
      const byId = new Map(territories.map((t) => [t.id, t]));
      const table = assignmentTable({
        accounts,
        assignment,
        territories: analysis.territories.map((t) => ({
          id: t.id,
          name: byId.get(t.id)?.name ?? t.name,
          reps: byId.get(t.id)?.reps ?? [],
        })),
        pins: readPins(room.doc),
        pickOverlap: (a) => {
          const account = accounts[a] as Account;
          const hit = territoryAt(ordered, [account.lon, account.lat], 0);
          return hit === null ? -1 : (rowOf.get(hit) ?? -1);
        },
      });
      return { table, name: planFileName(room, caller) };
    });
    sendCsv(res, table, `${name}-assignments.csv`, flag(url, "bom"));
  });

  router.on("GET", "/api/plans/:id/metrics.csv", async (req, res, { id }, url) => {
    const caller = await api.authorize(req, url, id as string);
    const { table, name } = await api.withRoom(id as string, async (room) => {
      await room.whenDurable();
      // Consistent with the stored accounts, as the assignments are: sums of the accounts just imported.
      const { analysis } = await consistentAnalysis(api, room);
      const table = metricsTable({
        territories: readTerritoryList(room.doc),
        metrics: analysis.territories,
        balanceMetrics: analysis.balance.metricNames,
      });
      return { table, name: planFileName(room, caller) };
    });
    sendCsv(res, table, `${name}-metrics.csv`, flag(url, "bom"));
  });
}

/**
 * The latest analysis, the stored accounts it indexes and its assignment, all
 * three of the same accounts import. An import stores the accounts, then
 * bumps the document's accounts version, then the scoring reloads: for a
 * moment the analysis can lag behind the stored file, so wait until the
 * versions and lengths agree (503 if they never do).
 */
async function consistentAnalysis(
  api: PlanApi,
  room: Room,
): Promise<{ analysis: AnalysisMessage; accounts: Account[]; assignment: number[] }> {
  const planId = room.address.planId;
  const deadline = Date.now() + CONSISTENT_WITHIN_MS;
  for (;;) {
    const stored = await api.ctx.store.getAccounts(planId);
    const accounts = stored?.accounts ?? [];
    const analysis = await api.analysisOf(room);
    const plan = api.ctx.scoring.get(planId);
    // Read together with the analysis it belongs to: nothing awaited in between.
    const assignment = plan?.latestAnalysis === analysis ? plan.assignment() : null;
    if (assignment && assignment.length === accounts.length && analysis.accountsVersion === (stored?.version ?? 0)) {
      return { analysis, accounts, assignment };
    }
    if (Date.now() > deadline) {
      throw new HttpError(503, "The plan's accounts are being re-imported; try the export again in a moment.");
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A file name for the plan: its name, letters and digits kept, else its id. */
function planFileName(room: Room, caller: Caller): string {
  const raw = readPlanName(room.doc) || caller.meta.name || caller.meta.id;
  const slug = raw
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .toLowerCase()
    .slice(0, 80);
  return slug || caller.meta.id;
}

/** `?name=1`, `?name=true` or a bare `?name`. */
function flag(url: URL, name: string): boolean {
  const v = url.searchParams.get(name);
  return v === "" || v === "1" || v === "true";
}

function attachment(res: ServerResponse, fileName: string): void {
  res.setHeader("content-disposition", `attachment; filename="${fileName}"`);
}

function sendCsv(res: ServerResponse, table: Table, fileName: string, bom: boolean): void {
  const text = toCsv(table.header, table.rows, { bom });
  attachment(res, fileName);
  res.writeHead(200, {
    "content-type": "text/csv; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

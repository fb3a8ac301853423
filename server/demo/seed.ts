import fs from "node:fs/promises";
import * as Y from "yjs";
import { transact } from "../../shared/doc/origins.ts";
import { writeAccountsVersion, writeCompetitorsVersion, writeTerritory } from "../../shared/doc/schema.ts";
import { type Territory, validateNewTerritory } from "../../shared/doc/territory.ts";
import { type Account, AccountIndex } from "../../shared/scoring/accounts.ts";
import { Analyzer } from "../../shared/scoring/analyzer.ts";
import { newAccess } from "../access/tokens.ts";
import type { PlanStore } from "../persistence/store.ts";
import type { TerritoryGeometry } from "../../shared/geometry/types.ts";
import { assignByCentre, writeUnitLayer } from "../../shared/units/convert.ts";
import { coverH3, h3Layer, landMask } from "../../shared/units/h3-layer.ts";
import type { UnitLayer } from "../../shared/units/layer.ts";
import { layerToJson, type UnitLayerJson } from "../../shared/units/serialize.ts";
import { demoAccounts, demoCompetitors, type Place } from "./accounts.ts";
import { estimatePopulation, JAVA_POPULATION, nearestPlaceNames } from "./population.ts";
import { logger } from "../ops/log.ts";

const demoLog = logger("demo");

/** The id of the demo plan that servers before issue 9 kept, with its links public. */
export const OLD_DEMO_PLAN_ID = "demo";
export const DEMO_NAME = "Demo: Java sales territories";
const DEMO_FILE = new URL("./java-territories.geojson", import.meta.url);
const PLACES_FILE = new URL("./java-cities.json", import.meta.url);

/**
 * What every copy of the demo starts from: the plan document (ten
 * territories on Java built from H3 hexagons, accounts and competitors
 * version 1) as one Yjs update, 6,000 demo accounts and 300 demo
 * competitors around real towns, and the unit layer with its population
 * estimate (see server/demo/README.md). Not a plan anyone can open.
 */
export interface DemoTemplate {
  name: string;
  /** The whole plan document, to append to a new plan's log. */
  update: Uint8Array;
  accounts: Account[];
  competitors: Account[];
  units: UnitLayerJson;
}

/** The demo's hexagons: resolution 6 (about 36 km² each) gives Java some 3,700 land units. */
export const DEMO_RESOLUTION = 6;
export const POPULATION_CREDIT = "Population: an estimate from GeoNames places (CC BY 4.0, geonames.org), not a census";

let template: Promise<DemoTemplate> | null = null;

/**
 * The template, built on first use by `build` (the jobs worker's "demo"
 * job: about a second of work) and kept for the life of the process:
 * every copy after the first only writes it out.
 */
export function demoTemplate(build: () => Promise<DemoTemplate>): Promise<DemoTemplate> {
  if (!template) {
    template = build();
    template.catch(() => {
      template = null;
    });
  }
  return template;
}

/**
 * Builds the template (CPU-bound: run it in the jobs worker): the
 * territories checked, the accounts and competitors generated, the
 * hexagons over the territories' land with their population estimate and
 * names, each hexagon given to the territory holding its centre.
 */
export async function buildDemoTemplate(land: TerritoryGeometry[]): Promise<DemoTemplate> {
  const data = JSON.parse(await fs.readFile(DEMO_FILE, "utf8")) as {
    features: { id?: string; geometry: unknown; properties: Record<string, unknown> }[];
  };
  const territories = data.features.map((f, i) => {
    const { id, ...props } = f.properties;
    const t = validateNewTerritory(String(id ?? f.id ?? `t${i + 1}`), f.geometry, props, i);
    if (!t.ok) throw new Error(`demo territory ${i + 1}: ${t.error}`);
    return t.value;
  });
  const places = JSON.parse(await fs.readFile(PLACES_FILE, "utf8")) as Place[];
  const shapes = territories.map((t) => t.geometry);
  const accounts = demoAccounts(places, shapes);
  const competitors = demoCompetitors(places, shapes);
  withTargets(territories, accounts);
  const layer = demoUnits(shapes, places, land, [...accounts, ...competitors]);
  const assignment = fillGaps(layer, assignByCentre(layer.lon, layer.lat, territories));
  const doc = new Y.Doc();
  transact(doc, { kind: "system", reason: "demo plan" }, () => {
    for (const t of territories) writeTerritory(doc, t);
    writeAccountsVersion(doc, 1);
    writeCompetitorsVersion(doc, 1);
    writeUnitLayer(doc, assignment, layer.version);
  });
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return { name: DEMO_NAME, update, accounts, competitors, units: layerToJson(layer) };
}

/** The demo's unit layer: hexagons over the territories, sea left out, each with a population estimate and a name. */
function demoUnits(
  shapes: TerritoryGeometry[],
  places: Place[],
  land: TerritoryGeometry[],
  points: readonly Account[],
): UnitLayer {
  const ids = coverH3({
    areas: shapes,
    resolution: DEMO_RESOLUTION,
    land: landMask(land, [105, -9, 115, -5.5]),
    keep: points.map((p) => [p.lon, p.lat]),
  });
  const layer = h3Layer(ids, DEMO_RESOLUTION, 1);
  layer.names = nearestPlaceNames(layer, places);
  layer.attributes = ["population"];
  layer.values = { population: estimatePopulation(layer, places, JAVA_POPULATION) };
  layer.credits = POPULATION_CREDIT;
  return layer;
}

/**
 * Hexagons whose centre is in none of the drawn territories (a coastal
 * cell kept for an account at sea's edge) go to the territory most of
 * their neighbours are in, so the demo starts with every account covered.
 */
function fillGaps(layer: UnitLayer, assignment: Map<number, string>): Map<number, string> {
  for (let pass = 0; pass < 4; pass++) {
    let changed = false;
    for (let u = 0; u < layer.ids.length; u++) {
      if (assignment.has(u)) continue;
      const votes = new Map<string, number>();
      for (let k = layer.offsets[u] as number; k < (layer.offsets[u + 1] as number); k++) {
        const t = assignment.get(layer.targets[k] as number);
        if (t) votes.set(t, (votes.get(t) ?? 0) + 1);
      }
      const best = [...votes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
      if (best) {
        assignment.set(u, best[0]);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return assignment;
}

/**
 * Realistic revenue targets, so the Targets tab and the wall view show
 * something on first start (issue 10): each territory's target is its demo
 * revenue times a fixed factor between 0.8 and 1.3, rounded to two figures,
 * so some territories are behind, some on track and some have achieved
 * theirs (achievement = actual ÷ target).
 */
export function withTargets(territories: Territory[], accounts: readonly Account[]): void {
  const analyzer = new Analyzer(new AccountIndex([...accounts]), { allowedDeviation: 0.15 });
  for (const t of territories) analyzer.setTerritory(t);
  const revenue = new Map(analyzer.analyze().territories.map((m) => [m.id, m.sums.revenue ?? 0]));
  const factors = [1.05, 0.9, 1.25, 0.95, 1.1, 0.85, 1.3, 1.0, 0.8, 1.15];
  territories.forEach((t, i) => {
    const actual = revenue.get(t.id) ?? 0;
    if (actual <= 0) return;
    const raw = actual * (factors[i % factors.length] as number);
    const step = 10 ** Math.max(0, Math.floor(Math.log10(raw)) - 1);
    const target = Math.round(raw / step) * step;
    t.targets = { ...t.targets, revenue: target };
  });
}

/**
 * Servers before issue 9 kept one shared demo plan whose links, the edit link
 * included, anyone could fetch. Those links were public, so they are
 * replaced (anyone holding them loses access), and the readable tokens are
 * dropped. The plan itself is kept, in case someone's work is in it. Its new
 * links' tokens are never written to the log (issue 16): the log says the
 * links were replaced and names their ids only.
 */
export async function retirePublicDemo(store: PlanStore): Promise<void> {
  const existing = await store.getPlan(OLD_DEMO_PLAN_ID).catch(() => null);
  if (!existing?.publicTokens) return;
  const { access } = newAccess();
  await store.updatePlan(OLD_DEMO_PLAN_ID, ({ publicTokens: _dropped, ...meta }) => ({ ...meta, access }));
  demoLog.warn(
    { planId: OLD_DEMO_PLAN_ID, links: Object.keys(access.links) },
    "the old shared demo plan's public links were replaced; the new links' tokens are not logged",
  );
}

import path from "node:path";
import { fileURLToPath } from "node:url";
import { goldenSuite } from "../../tests/fixtures/golden.ts";
import type { TerritoryGeometry } from "../geometry/types.ts";
import { type Account, AccountIndex } from "./accounts.ts";
import { Analyzer } from "./analyzer.ts";
import { analysisToJSON } from "./json.ts";
import type { AnalysisSettings } from "./types.ts";

/**
 * Golden fixtures, turf style: every tests/fixtures/scoring/in/<case>.geojson
 * is one plan — Polygon and MultiPolygon features are territories
 * (properties id, name, targets), Point features are accounts (properties
 * id, name, and numeric attributes); optional top-level members `settings`
 * (AnalysisSettings) and `pins` ({accountId: territoryId}). Its analysis,
 * plus each account's territories, must equal
 * tests/fixtures/scoring/out/<case>.json. Cases are named after what they
 * cover; `about` says what to look for in the output.
 *
 * `REGEN=1 npx vitest run shared/scoring/fixtures.test.ts` rewrites the
 * outputs; read the diff before committing it. Numbers are compared at 10
 * significant digits, so a last-bit difference in Math.sin between Node
 * versions does not fail the suite.
 */
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../tests/fixtures/scoring");

interface Plan {
  about?: string;
  settings?: AnalysisSettings;
  pins?: Record<string, string>;
  features: { properties: Record<string, unknown>; geometry: { type: string; coordinates: unknown } }[];
}

function round(_key: string, value: unknown): unknown {
  return typeof value === "number" && Number.isFinite(value) && !Number.isInteger(value)
    ? Number(value.toPrecision(10))
    : value;
}

function run(plan: Plan): unknown {
  const accounts: Account[] = [];
  const territories = [];
  for (const f of plan.features) {
    const p = f.properties;
    if (f.geometry.type === "Point") {
      const [lon, lat] = f.geometry.coordinates as [number, number];
      const attrs: Record<string, number> = {};
      for (const [k, v] of Object.entries(p)) if (typeof v === "number") attrs[k] = v;
      accounts.push({ id: String(p.id), name: String(p.name ?? p.id), lon, lat, attrs });
    } else {
      territories.push({
        id: String(p.id),
        name: String(p.name ?? p.id),
        targets: (p.targets ?? {}) as Record<string, number>,
        geometry: f.geometry as TerritoryGeometry,
      });
    }
  }
  const analyzer = new Analyzer(new AccountIndex(accounts), plan.settings ?? { allowedDeviation: 0.15 });
  for (const t of territories) analyzer.setTerritory(t);
  analyzer.setPins(new Map(Object.entries(plan.pins ?? {})));
  const analysis = analysisToJSON(analyzer.analyze());
  const accountTerritories = Object.fromEntries(accounts.map((a) => [a.id, analyzer.territoriesOfAccount(a.id)]));
  return JSON.parse(JSON.stringify({ about: plan.about, analysis, accountTerritories }, round));
}

goldenSuite("scoring golden fixtures", FIXTURES, 12, (text) => run(JSON.parse(text) as Plan));

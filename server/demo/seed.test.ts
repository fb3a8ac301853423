import { beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  readCompetitorsVersion,
  readTerritoryList,
  readUnitAssignment,
  readUnitsVersion,
} from "../../shared/doc/schema.ts";
import { AccountIndex } from "../../shared/scoring/accounts.ts";
import type { Analysis } from "../../shared/scoring/types.ts";
import { UnitAnalyzer } from "../../shared/units/analyzer.ts";
import { unitIndex } from "../../shared/units/layer.ts";
import { layerFromJson } from "../../shared/units/serialize.ts";
import { naturalEarthLand } from "../units/land.ts";
import { buildDemoTemplate, type DemoTemplate, POPULATION_CREDIT } from "./seed.ts";
import { JAVA_POPULATION } from "./population.ts";

describe("the demo template", () => {
  let t: DemoTemplate;
  let doc: Y.Doc;
  let analysis: Analysis;

  beforeAll(async () => {
    t = await buildDemoTemplate(await naturalEarthLand());
    doc = new Y.Doc();
    Y.applyUpdate(doc, t.update);
    const layer = layerFromJson(t.units);
    const a = new UnitAnalyzer(layer, new AccountIndex(t.accounts), new AccountIndex(t.competitors));
    for (const x of readTerritoryList(doc)) a.setTerritory(x);
    a.assign([...readUnitAssignment(doc)].map(([k, id]) => [unitIndex(k, layer.ids.length), id] as const));
    analysis = a.analyze();
  }, 60_000);

  it("is a unit plan: a few thousand hexagons over Java's land, every one given to one of the ten territories", () => {
    expect(t.units.kind).toBe("h3");
    expect(t.units.resolution).toBe(6);
    expect(t.units.ids.length).toBeGreaterThan(3000);
    expect(t.units.ids.length).toBeLessThan(5000);
    expect(readUnitsVersion(doc)).toBe(t.units.version);
    expect(readUnitAssignment(doc).size).toBe(t.units.ids.length);
    const territories = readTerritoryList(doc);
    expect(territories).toHaveLength(10);
    // Units are the truth: no drawn shape is left in the document.
    expect(territories.every((x) => !("geometry" in x) || x.geometry === undefined)).toBe(true);
    expect(analysis.territories.every((m) => m.units !== undefined && (m.units as number) > 50)).toBe(true);
  });

  it("covers every account and competitor, and counts the competitors per territory", () => {
    expect(analysis.unassignedAccountIds).toEqual([]);
    expect(analysis.territories.reduce((n, m) => n + m.accounts, 0)).toBe(6000);
    expect(t.competitors).toHaveLength(300);
    expect(readCompetitorsVersion(doc)).toBe(1);
    expect(analysis.territories.reduce((n, m) => n + (m.competitors ?? 0), 0)).toBe(300);
  });

  it("estimates population from GeoNames places, adding up to Java's, densest in Jakarta, and says so", () => {
    const pop = t.units.values.population as number[];
    const sum = pop.reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - JAVA_POPULATION) / JAVA_POPULATION).toBeLessThan(0.001);
    const densest = pop.indexOf(Math.max(...pop));
    expect(t.units.lon[densest]).toBeGreaterThan(106.6);
    expect(t.units.lon[densest]).toBeLessThan(107.1);
    expect(t.units.lat[densest]).toBeGreaterThan(-6.4);
    expect(t.units.credits).toBe(POPULATION_CREDIT);
    expect(t.units.names.every((n) => n.length > 0)).toBe(true);
    expect(analysis.territories.every((m) => (m.sums.population ?? 0) > 1_000_000)).toBe(true);
  });

  it("starts unbalanced, with revenue targets some behind, some on track and some achieved", () => {
    expect(analysis.balance.score).not.toBeNull();
    expect(analysis.balance.score as number).toBeLessThan(70);
    const territories = readTerritoryList(doc);
    expect(territories.every((x) => (x.targets.revenue ?? 0) > 0)).toBe(true);
    const actual = new Map(analysis.territories.map((m) => [m.id, m.sums.revenue ?? 0]));
    const ratios = territories.map((x) => (actual.get(x.id) ?? 0) / (x.targets.revenue as number));
    expect(ratios.some((r) => r < 0.95)).toBe(true);
    expect(ratios.some((r) => r >= 1)).toBe(true);
  });
});

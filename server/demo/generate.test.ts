import fs from "node:fs";
import { createRequire } from "node:module";
import * as turf from "@turf/turf";
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from "geojson";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import { describe, expect, it } from "vitest";
import { validateTerritoryId } from "../../shared/doc/territory.ts";
import { validateGeometry } from "../../shared/geometry/validate.ts";

// Checks the committed demo data (server/demo/java-territories.geojson), not the
// generator run: the file is what the server seeds the demo plan from.

type Territory = Feature<
  Polygon | MultiPolygon,
  { id: string; name: string; color: string; reps: string[]; targets: object }
>;

const require = createRequire(import.meta.url);
const data = JSON.parse(
  fs.readFileSync(new URL("./java-territories.geojson", import.meta.url), "utf8"),
) as FeatureCollection<Polygon | MultiPolygon> & { attribution?: unknown };
const territories = data.features as Territory[];
const cities = JSON.parse(fs.readFileSync(new URL("./java-cities.json", import.meta.url), "utf8")) as {
  name: string;
  lon: number;
  lat: number;
  population: number;
}[];

const JAVA_BBOX = [105.1, -8.9, 114.7, -5.8] as const;

function polygonsOf(g: Polygon | MultiPolygon): Position[][][] {
  return g.type === "Polygon" ? [g.coordinates] : g.coordinates;
}

function edgesOf(g: Polygon | MultiPolygon): Set<string> {
  const edges = new Set<string>();
  for (const rings of polygonsOf(g)) {
    for (const ring of rings) {
      for (let i = 0; i < ring.length - 1; i++) {
        const a = `${ring[i]?.[0]},${ring[i]?.[1]}`;
        const b = `${ring[i + 1]?.[0]},${ring[i + 1]?.[1]}`;
        edges.add(a < b ? `${a}|${b}` : `${b}|${a}`);
      }
    }
  }
  return edges;
}

/** Java's main island and Madura from the raw Natural Earth data, km². */
function javaAreaKm2(): number {
  const topo = JSON.parse(fs.readFileSync(require.resolve("world-atlas/countries-10m.json"), "utf8")) as Topology<{
    countries: GeometryCollection<{ name: string }>;
  }>;
  const idn = feature(topo, topo.objects.countries).features.find((f) => f.properties?.name === "Indonesia");
  if (idn?.geometry.type !== "MultiPolygon") throw new Error("no Indonesia in world-atlas");
  const areas = idn.geometry.coordinates
    .map((coords) => turf.polygon(coords))
    .filter((p) => {
      const [w, s, e, n] = turf.bbox(p);
      return w >= JAVA_BBOX[0] && s >= JAVA_BBOX[1] && e <= JAVA_BBOX[2] && n <= JAVA_BBOX[3];
    })
    .map((p) => turf.area(p) / 1e6)
    .sort((a, b) => b - a);
  // Java (~127,000 km²) and Madura (~4,400 km²), the two biggest in the box.
  return (areas[0] ?? 0) + (areas[1] ?? 0);
}

describe("demo territories of Java", () => {
  it("has 8–10 territories with valid properties and credits its sources", () => {
    expect(data.type).toBe("FeatureCollection");
    expect(territories.length).toBeGreaterThanOrEqual(8);
    expect(territories.length).toBeLessThanOrEqual(10);
    expect(String(data.attribution)).toMatch(/Natural Earth/);
    expect(String(data.attribution)).toMatch(/GeoNames.*CC BY 4\.0/);
    const ids = territories.map((t) => t.properties.id);
    expect(new Set(ids).size).toBe(ids.length);
    const colors = territories.map((t) => t.properties.color);
    expect(new Set(colors).size).toBe(colors.length);
    for (const t of territories) {
      expect(validateTerritoryId(t.properties.id).ok, t.properties.id).toBe(true);
      expect(t.properties.id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      expect(t.properties.name.length).toBeGreaterThan(0);
      expect(t.properties.color).toMatch(/^#[0-9a-f]{6}$/);
      expect(t.properties.reps).toHaveLength(1);
      expect(t.properties.targets).toEqual({});
    }
  });

  it("has geometries that pass validateGeometry, are single pieces and stay small", () => {
    for (const t of territories) {
      const checked = validateGeometry(t.geometry);
      expect(checked.ok, `${t.properties.id}: ${checked.ok ? "" : checked.error}`).toBe(true);
      expect(polygonsOf(t.geometry), t.properties.id).toHaveLength(1);
      const vertices = polygonsOf(t.geometry).flat().flat().length;
      expect(vertices, t.properties.id).toBeLessThanOrEqual(1500);
    }
  });

  it("lies inside Java's bounding box", () => {
    for (const t of territories) {
      const [w, s, e, n] = turf.bbox(t);
      expect(w, t.properties.id).toBeGreaterThanOrEqual(JAVA_BBOX[0]);
      expect(s, t.properties.id).toBeGreaterThanOrEqual(JAVA_BBOX[1]);
      expect(e, t.properties.id).toBeLessThanOrEqual(JAVA_BBOX[2]);
      expect(n, t.properties.id).toBeLessThanOrEqual(JAVA_BBOX[3]);
    }
  });

  it("has no overlaps between territories", () => {
    for (let i = 0; i < territories.length; i++) {
      for (let j = i + 1; j < territories.length; j++) {
        const a = territories[i] as Territory;
        const b = territories[j] as Territory;
        const overlap = turf.intersect(turf.featureCollection([a, b]));
        const km2 = overlap ? turf.area(overlap) / 1e6 : 0;
        expect(km2, `${a.properties.id} ∩ ${b.properties.id}`).toBeLessThan(0.1);
      }
    }
  });

  it("has neighbours sharing identical boundary edges, and every mainland territory has a neighbour", () => {
    const edges = territories.map((t) => edgesOf(t.geometry));
    const shared = new Map<string, number>();
    for (let i = 0; i < territories.length; i++) {
      for (let j = i + 1; j < territories.length; j++) {
        let count = 0;
        for (const e of edges[i] as Set<string>) if ((edges[j] as Set<string>).has(e)) count++;
        if (count > 0) {
          for (const id of [territories[i]?.properties.id, territories[j]?.properties.id]) {
            shared.set(String(id), (shared.get(String(id)) ?? 0) + count);
          }
        }
      }
    }
    // Madura is an island on its own; everybody else borders someone.
    const mainland = territories.filter((t) => t.properties.id !== "madura");
    for (const t of mainland) expect(shared.get(t.properties.id) ?? 0, t.properties.id).toBeGreaterThan(0);
  });

  it("covers Java without gaps", () => {
    const sum = territories.reduce((acc, t) => acc + turf.area(t) / 1e6, 0);
    const union = turf.union(turf.featureCollection(territories));
    expect(union).not.toBeNull();
    const unionKm2 = turf.area(union as Feature) / 1e6;
    const java = javaAreaKm2();
    expect(Math.abs(unionKm2 - java) / java).toBeLessThan(0.02);
    // Exact shared edges: the pieces add up to the union (no overlap, no sliver).
    expect(Math.abs(sum - unionKm2)).toBeLessThan(1);
    // The union is Java and Madura, with no holes: gaps between territories would show up as holes.
    const parts = polygonsOf((union as Feature<Polygon | MultiPolygon>).geometry);
    expect(parts).toHaveLength(2);
    for (const rings of parts) expect(rings).toHaveLength(1);
  });

  it("lists Indonesian places sorted by population", () => {
    expect(cities.length).toBeGreaterThan(100);
    expect(cities[0]?.name).toBe("Jakarta");
    for (let i = 1; i < cities.length; i++) {
      expect(cities[i]?.population).toBeLessThanOrEqual(cities[i - 1]?.population ?? 0);
      expect(cities[i]?.population).toBeGreaterThan(0);
    }
    for (const c of cities) expect(Object.keys(c).sort()).toEqual(["lat", "lon", "name", "population"]);
  });
});

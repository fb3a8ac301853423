import MultiPolygon from "ol/geom/MultiPolygon.js";
import Polygon from "ol/geom/Polygon.js";
import { describe, expect, it } from "vitest";
import type { Territory } from "../../shared/doc/territory.ts";
import { quantize } from "../../shared/geometry/codec.ts";
import type { TerritoryGeometry } from "../../shared/geometry/types.ts";
import { geometryToOl, olToGeometry, setFeatureProps, territoriesToFeatures, territoryToFeature } from "./convert.ts";
import { box } from "../../tests/fixtures/shapes.ts";

const square = box(106.6, -7.2, 107.4, -6.6);

const withHoleAndIsland: TerritoryGeometry = {
  type: "MultiPolygon",
  coordinates: [
    [
      [
        [110, -8],
        [111, -8],
        [111, -7],
        [110, -7],
        [110, -8],
      ],
      [
        [110.2, -7.8],
        [110.4, -7.8],
        [110.4, -7.6],
        [110.2, -7.8],
      ],
    ],
    [
      [
        [112.1234567, -7.7654321],
        [112.5, -7.7],
        [112.3, -7.2],
        [112.1234567, -7.7654321],
      ],
    ],
  ],
};

const territory = (geometry: TerritoryGeometry): Territory => ({
  id: "t1",
  name: "Bandung Raya",
  color: "#1b9e77",
  reps: [{ name: "Budi" }, { name: "Sari", email: "sari@example.com" }],
  targets: {},
  parent: null,
  geometry,
});

describe("convert", () => {
  it("round-trips a polygon through Web Mercator to the codec's precision", () => {
    const g = geometryToOl(square);
    expect(g).toBeInstanceOf(Polygon);
    expect(g.getExtent()[0]).toBeCloseTo((106.6 * 20037508.342789244) / 180, 3);
    expect(olToGeometry(g)).toEqual(square);
  });

  it("round-trips a multipolygon with a hole, ring by ring", () => {
    const g = geometryToOl(withHoleAndIsland);
    expect(g).toBeInstanceOf(MultiPolygon);
    expect((g as MultiPolygon).getPolygons()).toHaveLength(2);
    expect((g as MultiPolygon).getPolygons()[0]?.getLinearRingCount()).toBe(2);
    expect(olToGeometry(g)).toEqual(withHoleAndIsland);
  });

  it("quantises, closes rings and drops repeated points coming from the map", () => {
    const g = geometryToOl(square) as Polygon;
    const coords = g.getCoordinates()[0] as number[][];
    // An edited ring as OpenLayers may hand it over: a doubled vertex, not closed.
    const edited = [coords[0], coords[1], coords[1], coords[2], coords[3]] as number[][];
    const back = olToGeometry(new Polygon([edited]));
    expect(back).toEqual(square);
    for (const [x, y] of (back as { coordinates: number[][][] }).coordinates[0] ?? []) {
      expect(x).toBe(quantize(x as number));
      expect(y).toBe(quantize(y as number));
    }
  });

  it("reads 3D coordinates as 2D", () => {
    const g = geometryToOl(square) as Polygon;
    const xyz = (g.getCoordinates()[0] as number[][]).map(([x, y]) => [x as number, y as number, 42]);
    expect(olToGeometry(new Polygon([xyz], "XYZ"))).toEqual(square);
  });

  it("builds features with the territory's id and styled properties, in bulk", () => {
    const [f] = territoriesToFeatures([territory(square)]);
    expect(f?.getId()).toBe("t1");
    expect(f?.get("name")).toBe("Bandung Raya");
    expect(f?.get("color")).toBe("#1b9e77");
    expect(f?.get("reps")).toBe("Budi, Sari");
  });

  it("reports whether a property update changed anything", () => {
    const f = territoryToFeature(territory(square));
    expect(
      setFeatureProps(f, {
        name: "Bandung Raya",
        color: "#1b9e77",
        reps: [{ name: "Budi" }, { name: "Sari", email: "sari@example.com" }],
      }),
    ).toBe(false);
    expect(
      setFeatureProps(f, {
        name: "Priangan",
        color: "#1b9e77",
        reps: [{ name: "Budi" }, { name: "Sari", email: "sari@example.com" }],
      }),
    ).toBe(true);
    expect(f.get("name")).toBe("Priangan");
  });

  it("converts 100,000 vertices quickly", () => {
    const ring: [number, number][] = [];
    for (let i = 0; i < 199; i++) {
      const a = (i / 199) * 2 * Math.PI;
      ring.push([quantize(107 + 0.1 * Math.cos(a)), quantize(-7 + 0.1 * Math.sin(a))]);
    }
    ring.push(ring[0] as [number, number]);
    const ts = Array.from({ length: 500 }, (_, i) => ({
      ...territory({ type: "Polygon", coordinates: [ring] }),
      id: `t${i}`,
    }));
    const t0 = performance.now();
    const features = territoriesToFeatures(ts);
    const ms = performance.now() - t0;
    expect(features).toHaveLength(500);
    // Generous: a guard against accidental per-vertex objects, not a benchmark.
    expect(ms).toBeLessThan(1500);
  });
});

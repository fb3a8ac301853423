import fs from "node:fs";
import path from "node:path";
import { cellToBoundary, gridDisk, gridRing, latLngToCell } from "h3-js";
import { describe, expect, it } from "vitest";
import { box } from "../../tests/fixtures/shapes.ts";
import { areaKm2 } from "../geometry/area.ts";
import type { Position, Ring } from "../geometry/types.ts";
import { adminLayer, parseAdminUnits } from "./admin.ts";
import { fromCompact, toCompact } from "./compact.ts";
import { CoverError, coverH3, h3Layer, landMask } from "./h3-layer.ts";
import { contiguityGraph, unitIndex, unitKey } from "./layer.ts";
import { adminNeighbours, components } from "./neighbours.ts";
import { outlineOfAreas, outlineOfCells } from "./outline.ts";

const JAKARTA = latLngToCell(-6.2, 106.8, 7);
const ringOf = (cell: string) => cellToBoundary(cell, true) as Ring;

describe("unit keys", () => {
  it("write an index in base 36, one spelling each", () => {
    for (const i of [0, 1, 35, 36, 27_000, 99_999]) expect(unitIndex(unitKey(i), 100_000)).toBe(i);
    expect(unitKey(27_000)).toBe("ku0");
    for (const bad of ["", "0a0", "-1", "A", "01", "zzzzz", "ku0"]) expect(unitIndex(bad, 27_000)).toBe(-1);
  });
});

describe("coverH3", () => {
  const square = box(106.7, -6.3, 106.9, -6.1);

  it("covers an area with the cells whose centre is inside, sorted", () => {
    const cells = coverH3({ areas: [square], resolution: 7, land: null, keep: [] });
    const expected = areaKm2(square) / 5.16;
    expect(cells.length).toBeGreaterThan(expected * 0.85);
    expect(cells.length).toBeLessThan(expected * 1.15);
    expect([...cells].sort()).toEqual(cells);
  });

  it("leaves out cells whose centre is in the sea, unless they hold a kept point inside the area", () => {
    // "Land" is the western half.
    const land = landMask([box(106.7, -6.3, 106.8, -6.1)], [106, -7, 107, -6]);
    const all = coverH3({ areas: [square], resolution: 7, land: null, keep: [] });
    const onLand = coverH3({ areas: [square], resolution: 7, land, keep: [] });
    expect(onLand.length).toBeLessThan(all.length * 0.6);
    const outlet: Position = [106.88, -6.2];
    const kept = coverH3({ areas: [square], resolution: 7, land, keep: [outlet, [120, 0]] });
    expect(kept).toContain(latLngToCell(outlet[1], outlet[0], 7));
    expect(kept.length).toBe(onLand.length + 1);
  });

  it("refuses a cover far beyond the plan's limit, saying what to do", () => {
    expect(() => coverH3({ areas: [box(95, -11, 141, 6)], resolution: 8, land: null, keep: [] })).toThrow(CoverError);
    expect(() => coverH3({ areas: [box(95, -11, 141, 6)], resolution: 8, land: null, keep: [] })).toThrow(
      /coarser resolution/,
    );
    expect(() => coverH3({ areas: [square], resolution: 4, land: null, keep: [] })).toThrow(/one of 5, 6, 7, 8/);
  });
});

describe("h3Layer", () => {
  it("links neighbours both ways with the length of their shared edge", () => {
    const ids = [...gridDisk(JAKARTA, 2)].sort();
    const layer = h3Layer(ids, 7, 1);
    const centre = ids.indexOf(JAKARTA);
    const row = [...layer.targets.slice(layer.offsets[centre], layer.offsets[centre + 1])];
    expect(row.map((j) => ids[j]).sort()).toEqual(
      gridDisk(JAKARTA, 1)
        .filter((c) => c !== JAKARTA)
        .sort(),
    );
    for (let u = 0; u < ids.length; u++) {
      for (let k = layer.offsets[u] as number; k < (layer.offsets[u + 1] as number); k++) {
        const v = layer.targets[k] as number;
        const back = [...layer.targets.slice(layer.offsets[v], layer.offsets[v + 1])];
        expect(back).toContain(u);
        // Resolution 7 edges are about 1.4 km.
        expect(layer.sharedKm[k]).toBeGreaterThan(1);
        expect(layer.sharedKm[k]).toBeLessThan(2);
      }
    }
    expect(layer.bridges.length).toBe(0);
    expect(layer.perimeterKm[centre]).toBeCloseTo(6 * (layer.sharedKm[layer.offsets[centre] as number] as number), 0);
  });

  it("bridges separate islands to their nearest neighbour, so contiguity sees one piece", () => {
    const far = latLngToCell(-6.2, 107.0, 7);
    const island = latLngToCell(-6.0, 106.8, 7);
    const ids = [...new Set([...gridDisk(JAKARTA, 1), ...gridDisk(far, 1), island])].sort();
    const layer = h3Layer(ids, 7, 1);
    expect(components(ids.length, layer.offsets, layer.targets).count).toBe(3);
    expect(layer.bridges.length).toBe(4);
    const g = contiguityGraph(layer);
    expect(components(ids.length, g.offsets, g.targets).count).toBe(1);
    // The island links to the Jakarta group (nearer), not to the far one.
    const islandIndex = ids.indexOf(island);
    const pairs = [...layer.bridges];
    const linked =
      pairs[pairs.indexOf(islandIndex) % 2 === 0 ? pairs.indexOf(islandIndex) + 1 : pairs.indexOf(islandIndex) - 1];
    expect(gridDisk(JAKARTA, 1)).toContain(ids[linked as number]);
  });
});

describe("outlineOfCells", () => {
  it("draws a group of hexagons as one polygon without internal edges", () => {
    const cells = gridDisk(JAKARTA, 1);
    const g = outlineOfCells(cells.map(ringOf));
    expect(g?.type).toBe("Polygon");
    const ring = (g as { coordinates: Position[][] }).coordinates[0] as Position[];
    expect(ring.length - 1).toBe(18); // a 7-hexagon flower has 18 outer vertices
    const total = cells.reduce((s, c) => s + areaKm2({ type: "Polygon", coordinates: [ringOf(c)] }), 0);
    expect(areaKm2(g as never)).toBeCloseTo(total, 6);
  });

  it("keeps a hole where the middle is missing, and parts apart as a MultiPolygon", () => {
    const ringCells = gridRing(JAKARTA, 1);
    const holed = outlineOfCells(ringCells.map(ringOf));
    expect(holed?.type).toBe("Polygon");
    expect((holed as { coordinates: Position[][] }).coordinates).toHaveLength(2);
    const apart = outlineOfCells([JAKARTA, latLngToCell(-6.5, 107.2, 7)].map(ringOf));
    expect(apart?.type).toBe("MultiPolygon");
    expect(outlineOfCells([])).toBeNull();
  });

  it("unions admin areas that do not share vertices", () => {
    const g = outlineOfAreas([box(0, 0, 1, 1), box(1, 0, 2, 0.5)]);
    expect(g?.type).toBe("Polygon");
    expect(areaKm2(g as never)).toBeCloseTo(areaKm2(box(0, 0, 1, 1)) + areaKm2(box(1, 0, 2, 0.5)), 3);
  });
});

describe("adminNeighbours", () => {
  it("sees areas across a sliver or a gap as neighbours, not areas meeting only at a corner", () => {
    const a = box(106, -7, 106.1, -6.9);
    const gapped = box(106.1005, -7, 106.2, -6.9); // 55 m gap
    const overlapping = box(105.9, -7, 106.0004, -6.9); // 45 m overlap
    const corner = box(106.1, -6.9, 106.2, -6.8); // touches a's corner only
    const far = box(107, -7, 107.1, -6.9);
    const { offsets, targets, sharedKm } = adminNeighbours([a, gapped, overlapping, corner, far]);
    const of = (u: number) => [...targets.slice(offsets[u], offsets[u + 1])];
    expect(of(0)).toEqual([1, 2]);
    expect(of(1)).toEqual([0, 3]); // gapped and corner share an edge
    expect(of(4)).toEqual([]);
    // About 11 km of border (0.1°).
    expect(sharedKm[offsets[0] as number]).toBeGreaterThan(8);
    expect(sharedKm[offsets[0] as number]).toBeLessThan(14);
  });
});

describe("admin areas from a real-looking file", () => {
  const file = JSON.parse(
    fs.readFileSync(path.resolve(import.meta.dirname, "../../tests/fixtures/units/kecamatan-slivers.geojson"), "utf8"),
  );

  it("reads BPS ids as written, names, and numeric properties as attributes, naming bad features by index", () => {
    const parsed = parseAdminUnits(file);
    expect(parsed.idKey).toBe("KDCPUM");
    expect(parsed.nameKey).toBe("WADMKC");
    expect(parsed.units.map((u) => u.id).slice(0, 3)).toEqual(["32.01.010", "32.01.020", "32.01.030"]);
    expect(parsed.units[0]?.name).toBe("Nanggung");
    expect(parsed.attributes).toEqual(["population"]);
    expect(parsed.problems).toEqual([expect.objectContaining({ index: 10, name: "Rusak" })]);
  });

  it("finds the 12 borders of a 3×3 block across slivers and gaps, none across corners, and bridges the island", () => {
    const layer = adminLayer(parseAdminUnits(file).units, 1);
    const pairs = new Set<string>();
    for (let u = 0; u < layer.ids.length; u++) {
      for (let k = layer.offsets[u] as number; k < (layer.offsets[u + 1] as number); k++) {
        const v = layer.targets[k] as number;
        if (u < v) pairs.add(`${u}-${v}`);
      }
    }
    const expected = new Set<string>();
    for (let j = 0; j < 3; j++) {
      for (let i = 0; i < 3; i++) {
        const u = j * 3 + i;
        if (i < 2) expected.add(`${u}-${u + 1}`);
        if (j < 2) expected.add(`${u}-${u + 3}`);
      }
    }
    expect([...pairs].sort()).toEqual([...expected].sort());
    expect(layer.bridges.length).toBe(2);
    expect(layer.values.population?.[0]).toBeGreaterThan(0);
  });

  it("names the first feature of a repeated id as the import shows it (from 1) and by its index", () => {
    const feature = (id: string) => ({ type: "Feature", properties: { id }, geometry: box(106, -7, 106.1, -6.9) });
    const parsed = parseAdminUnits({ type: "FeatureCollection", features: [feature("a"), feature("b"), feature("a")] });
    expect(parsed.problems).toEqual([
      expect.objectContaining({ index: 2, reason: 'id "a" appears twice: also feature 1 (index 0)' }),
    ]);
  });

  it("refuses a file in a projected coordinate system", () => {
    expect(() =>
      parseAdminUnits({ ...file, crs: { type: "name", properties: { name: "urn:ogc:def:crs:EPSG::32748" } } }),
    ).toThrow(/longitude\/latitude/);
  });
});

describe("the compact form the browser takes", () => {
  it("round-trips shapes to a metre and names the unit across each edge, both ways", () => {
    const ids = [...gridDisk(JAKARTA, 2)].sort();
    const layer = h3Layer(ids, 7, 3);
    const data = fromCompact(JSON.parse(JSON.stringify(toCompact(layer, new Int32Array(ids.length)))));
    expect(data.count).toBe(ids.length);
    const centre = ids.indexOf(JAKARTA);
    const ring = (layer.geometries[centre] as { coordinates: Position[][] }).coordinates[0] as Position[];
    const r = data.unitRings[centre] as number;
    const start = data.ringStart[r] as number;
    for (let i = 0; i < ring.length - 1; i++) {
      expect(data.xy[2 * (start + i)]).toBeCloseTo((ring[i] as Position)[0], 5);
      expect(data.xy[2 * (start + i) + 1]).toBeCloseTo((ring[i] as Position)[1], 5);
    }
    // The centre hexagon has a neighbour across each of its six edges; they see it back.
    const across = [...data.across.slice(start, data.ringStart[r + 1])];
    expect(across.every((v) => v >= 0)).toBe(true);
    for (const v of across) {
      const vr = data.unitRings[v] as number;
      expect([...data.across.slice(data.ringStart[vr], data.ringStart[vr + 1])]).toContain(centre);
    }
  });
});

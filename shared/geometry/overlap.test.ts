import { intersect } from "@turf/turf";
import { describe, expect, it } from "vitest";
import { snappedGrid } from "../scoring/synthetic.ts";
import { areaKm2 } from "./area.ts";
import { EdgeIndex } from "./edge-index.ts";
import { flatten } from "./flat.ts";
import { detectOverlap, overlapGeometry } from "./overlap.ts";
import type { Position, Ring, TerritoryGeometry } from "./types.ts";
import { box, closed, polygon as poly } from "../../tests/fixtures/shapes.ts";

const idx = (g: TerritoryGeometry) => new EdgeIndex(flatten(g));
const overlaps = (a: TerritoryGeometry, b: TerritoryGeometry) => detectOverlap(idx(a), idx(b)).overlaps;

describe("detectOverlap", () => {
  it("finds no overlap between snapped neighbours sharing edges exactly (every pair of a grid)", () => {
    const grid = snappedGrid({ cols: 4, rows: 4, seed: 11 }).map((t) => idx(t.geometry));
    let neighbours = 0;
    for (let i = 0; i < grid.length; i++) {
      for (let j = i + 1; j < grid.length; j++) {
        const w = detectOverlap(grid[i] as EdgeIndex, grid[j] as EdgeIndex);
        expect(w.overlaps, `t${i} / t${j}`).toBe(false);
        neighbours++;
      }
    }
    expect(neighbours).toBe(120);
  });

  it("finds no overlap between squares sharing an edge or a corner, either orientation", () => {
    expect(overlaps(box(0, 0, 1, 1), box(1, 0, 2, 1))).toBe(false);
    expect(overlaps(box(0, 0, 1, 1), box(1, 1, 2, 2))).toBe(false);
    const cw = poly([...(box(1, 0, 2, 1).coordinates[0] as Ring)].reverse());
    expect(overlaps(box(0, 0, 1, 1), cw)).toBe(false);
  });

  it("tolerates a neighbour's vertex snapped onto an edge (T-junction) a few millimetres off", () => {
    // b's west side has an extra vertex at (1, 0.5), 1e-8° (≈ 1 mm) into a.
    const b = poly(closed([1, 0], [2, 0], [2, 1], [1, 1], [1 - 1e-8, 0.5]));
    expect(overlaps(box(0, 0, 1, 1), b)).toBe(false);
    // … but 1e-4° (≈ 11 m) into a is an overlap.
    const deep = poly(closed([1, 0], [2, 0], [2, 1], [1, 1], [1 - 1e-4, 0.5]));
    expect(overlaps(box(0, 0, 1, 1), deep)).toBe(true);
  });

  it("finds a vertex strictly inside the neighbour", () => {
    const b = poly(closed([1, 0], [2, 0], [2, 1], [1, 1], [0.9, 0.5]));
    const w = detectOverlap(idx(box(0, 0, 1, 1)), idx(b));
    expect(w.overlaps).toBe(true);
    expect(w.at).toEqual([0.9, 0.5]);
  });

  it("finds edges that cross with no vertex inside the other (a plus sign)", () => {
    const w = detectOverlap(idx(box(0, 1, 3, 2)), idx(box(1, 0, 2, 3)));
    expect(w.overlaps).toBe(true);
    expect(w.witnesses).toBe(4);
  });

  it("finds a duplicate territory (all edges shared, interiors on the same side)", () => {
    expect(overlaps(box(0, 0, 1, 1), box(0, 0, 1, 1))).toBe(true);
    // Same square drawn clockwise from another corner: still the same area.
    expect(overlaps(box(0, 0, 1, 1), poly([...(box(0, 0, 1, 1).coordinates[0] as Ring)].reverse()))).toBe(true);
  });

  it("finds a chord drawn across a neighbour from one of its corners to another", () => {
    const b = poly(closed([1, 0], [2, 0], [2, 1], [1, 1]));
    // a snaps to b's corners (1,0) and (2,1) and cuts straight across b.
    const a = poly(closed([0, 0], [1, 0], [2, 1], [0, 1]));
    expect(overlaps(a, b)).toBe(true);
  });

  it("finds a territory entirely inside another, and none for one inside its hole", () => {
    expect(overlaps(box(0, 0, 4, 4), box(1, 1, 2, 2))).toBe(true);
    const holed = poly(...[box(0, 0, 4, 4), box(1, 1, 3, 3)].map((g) => g.coordinates[0] as Ring));
    expect(overlaps(holed, box(1.5, 1.5, 2.5, 2.5))).toBe(false);
    expect(overlaps(holed, box(1, 1, 3, 3))).toBe(false); // exactly filling the hole
  });

  it("ignores pairs whose boxes do not meet", () => {
    expect(detectOverlap(idx(box(0, 0, 1, 1)), idx(box(3, 3, 4, 4)))).toEqual({
      overlaps: false,
      at: null,
      box: null,
      witnesses: 0,
    });
  });
});

describe("overlapGeometry", () => {
  it("gives the known overlap of two squares: a 0.5° × 1° rectangle", () => {
    const a = box(106, -7, 107, -6);
    const b = box(106.5, -7, 107.5, -6);
    const w = detectOverlap(idx(a), idx(b));
    const g = overlapGeometry(a, b, w.box) as TerritoryGeometry;
    expect(areaKm2(g)).toBeCloseTo(areaKm2(box(106.5, -7, 107, -6)), 6);
    expect(areaKm2(g)).toBeCloseTo(6115.9, 0); // half of the 1° cell at 6–7°S (12,231.9 km²)
  });

  it("clipped to the witnesses' box, gives the same area as clipping the whole territories", () => {
    const grid = snappedGrid({ cols: 2, rows: 1, seed: 5 });
    const a = grid[0]?.geometry as TerritoryGeometry & { type: "Polygon" };
    const b = grid[1]?.geometry as TerritoryGeometry;
    // Push three of a's east-side vertices 0.05° east, into b.
    const ring = (a.coordinates[0] as Ring).map((p) => [...p] as Position);
    let moved = 0;
    for (const p of ring) {
      if (idx(b).classify(p[0], p[1], 1e-9) === 2 && p[1] > -6.9 && moved < 3 && p[0] > 107) {
        p[0] += 0.05;
        moved++;
      }
    }
    const a2: TerritoryGeometry = { type: "Polygon", coordinates: [ring] };
    const w = detectOverlap(idx(a2), idx(b));
    expect(w.overlaps).toBe(true);
    const fast = overlapGeometry(a2, b, w.box) as TerritoryGeometry;
    const full = intersect({
      type: "FeatureCollection",
      features: [
        { type: "Feature", properties: {}, geometry: a2 as never },
        { type: "Feature", properties: {}, geometry: b as never },
      ],
    });
    expect(full).not.toBeNull();
    expect(areaKm2(fast)).toBeGreaterThan(1);
    expect(areaKm2(fast)).toBeCloseTo(areaKm2(full?.geometry as TerritoryGeometry), 6);
  });

  it("returns null when the territories only touch", () => {
    expect(overlapGeometry(box(0, 0, 1, 1), box(1, 0, 2, 1))).toBeNull();
  });
});

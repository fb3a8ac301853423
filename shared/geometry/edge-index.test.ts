import { booleanPointInPolygon } from "@turf/turf";
import { describe, expect, it } from "vitest";
import { mulberry32, snappedGrid } from "../scoring/synthetic.ts";
import { BOUNDARY, EdgeIndex, INSIDE, OUTSIDE } from "./edge-index.ts";
import { flatten } from "./flat.ts";
import type { Position, TerritoryGeometry } from "./types.ts";
import { squareRing } from "../../tests/fixtures/shapes.ts";

const indexOf = (g: TerritoryGeometry) => new EdgeIndex(flatten(g));

describe("EdgeIndex.contains", () => {
  it("knows inside from outside for a square", () => {
    const i = indexOf({ type: "Polygon", coordinates: [squareRing(0, 0, 1)] });
    expect(i.contains(0.5, 0.5)).toBe(true);
    expect(i.contains(1.5, 0.5)).toBe(false);
    expect(i.contains(-0.1, 0.5)).toBe(false);
  });

  it("leaves holes out and takes every part of a MultiPolygon", () => {
    const i = indexOf({
      type: "MultiPolygon",
      coordinates: [[squareRing(0, 0, 4), squareRing(1, 1, 2)], [squareRing(10, 0, 1)]],
    });
    expect(i.contains(0.5, 0.5)).toBe(true);
    expect(i.contains(2, 2)).toBe(false); // in the hole
    expect(i.contains(10.5, 0.5)).toBe(true);
    expect(i.contains(7, 0.5)).toBe(false);
  });

  it("agrees with turf booleanPointInPolygon away from the boundary, for both slab axes", () => {
    const rnd = mulberry32(3);
    const grid = snappedGrid({ cols: 3, rows: 2, seed: 4 });
    // A long east–west strip with a wiggly border: sliced across x.
    const strip: Position[] = [];
    for (let k = 0; k <= 200; k++) strip.push([100 + k * 0.05, 0.2 * Math.sin(k)]);
    for (let k = 200; k >= 0; k--) strip.push([100 + k * 0.05, 1 + 0.2 * Math.cos(k)]);
    strip.push(strip[0] as Position);
    const shapes: TerritoryGeometry[] = [...grid.map((t) => t.geometry), { type: "Polygon", coordinates: [strip] }];
    const axes = new Set<number>();
    for (const g of shapes) {
      const index = indexOf(g);
      axes.add(index.axis);
      const [x0, y0, x1, y1] = index.flat.bbox;
      for (let k = 0; k < 2000; k++) {
        const p: Position = [x0 + (x1 - x0) * rnd(), y0 + (y1 - y0) * rnd()];
        if (index.classify(p[0], p[1], 1e-9) === BOUNDARY) continue;
        expect(index.contains(p[0], p[1])).toBe(booleanPointInPolygon(p, g as never));
      }
    }
    expect([...axes].sort()).toEqual([0, 1]);
  });

  it("puts a point on an edge two snapped neighbours share in exactly one of them", () => {
    const [a, b] = snappedGrid({ cols: 2, rows: 1, seed: 9 }).map((t) => indexOf(t.geometry));
    const ring = (a as EdgeIndex).flat;
    // Points along the shared edge (the east side of a): vertices and midpoints of its edges.
    let checked = 0;
    for (let v = 0; v < ring.next.length; v++) {
      const w = ring.next[v] as number;
      const p: Position = [ring.xy[2 * v] as number, ring.xy[2 * v + 1] as number];
      const q: Position = [ring.xy[2 * w] as number, ring.xy[2 * w + 1] as number];
      if ((b as EdgeIndex).classify(p[0], p[1], 1e-12) !== BOUNDARY) continue;
      if ((b as EdgeIndex).classify(q[0], q[1], 1e-12) !== BOUNDARY) continue;
      for (const t of [0, 0.5]) {
        const x = p[0] + t * (q[0] - p[0]);
        const y = p[1] + t * (q[1] - p[1]);
        expect(Number(a?.contains(x, y)) + Number(b?.contains(x, y))).toBe(1);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });
});

describe("EdgeIndex.classify", () => {
  const i = indexOf({ type: "Polygon", coordinates: [squareRing(0, 0, 1)] });
  it("tells the boundary within a tolerance", () => {
    expect(i.classify(1, 0.5, 1e-9)).toBe(BOUNDARY);
    expect(i.classify(1 + 5e-7, 0.5, 1e-6)).toBe(BOUNDARY);
    expect(i.classify(1 - 5e-7, 0.5, 1e-6)).toBe(BOUNDARY);
    expect(i.classify(1 - 5e-6, 0.5, 1e-6)).toBe(INSIDE);
    expect(i.classify(1 + 5e-6, 0.5, 1e-6)).toBe(OUTSIDE);
    expect(i.classify(0, 0, 1e-9)).toBe(BOUNDARY);
  });
});

describe("EdgeIndex.search", () => {
  it("returns each edge whose box meets the query once, even when it spans many slabs", () => {
    const ring: Position[] = [[0, 0]];
    for (let k = 1; k < 60; k++) ring.push([k, k % 2 ? 0.1 : 0]);
    ring.push([60, 0], [60, 10], [0, 0]); // the last edge crosses every slab
    const index = indexOf({ type: "Polygon", coordinates: [ring] });
    const out: number[] = [];
    const n = index.search(-1, -1, 61, 11, out);
    expect(n).toBe(index.flat.next.length);
    expect(new Set(out.slice(0, n)).size).toBe(n);
    expect(index.search(100, 100, 101, 101, out)).toBe(0);
    const few = index.search(10.2, -1, 10.8, 1, out);
    expect(few).toBeGreaterThanOrEqual(2); // the edge 10→11 and the long diagonal
  });
});

describe("EdgeIndex memory", () => {
  it("keeps at most ~16 slab entries per edge, even for a comb of long edges", () => {
    // 2,000 teeth, each edge spanning the full height and a sliver of width: bad for both axes.
    const ring: Position[] = [];
    for (let k = 0; k < 2000; k++) ring.push([k * 0.001, k % 2 ? 1 : 0], [k * 0.001 + 0.0004, k % 2 ? 1 : 0]);
    ring.push([2, 2], [0, 2], ring[0] as Position);
    const index = indexOf({ type: "Polygon", coordinates: [ring] });
    expect(index.slabEdges.length).toBeLessThanOrEqual(17 * index.flat.next.length);
    // Still right.
    expect(index.contains(0.0002, 0.5)).toBe(
      booleanPointInPolygon([0.0002, 0.5], { type: "Polygon", coordinates: [ring] }),
    );
    expect(index.contains(1, 1.5)).toBe(true);
  });
});

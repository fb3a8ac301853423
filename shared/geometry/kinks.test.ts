import { kinks } from "@turf/turf";
import { describe, expect, it } from "vitest";
import { flatten } from "./flat.ts";
import { checkTopology, selfIntersections } from "./kinks.ts";
import type { Position, TerritoryGeometry } from "./types.ts";
import { closed, multiPolygon as multi, polygon as poly, squareRing } from "../../tests/fixtures/shapes.ts";

const check = (g: TerritoryGeometry) => checkTopology(flatten(g));

describe("checkTopology", () => {
  it("accepts a square, a polygon with a hole, and an island in a lake", () => {
    expect(check(poly(squareRing(0, 0, 1))).valid).toBe(true);
    expect(check(poly(squareRing(0, 0, 4), squareRing(1, 1, 2))).valid).toBe(true);
    expect(check(multi([squareRing(0, 0, 4), squareRing(1, 1, 2)], [squareRing(1.5, 1.5, 1)])).valid).toBe(true);
  });

  it("finds the crossing of a bow-tie, where it is", () => {
    const r = check(poly(closed([0, 0], [1, 1], [1, 0], [0, 1])));
    expect(r).toMatchObject({ valid: false, problem: "self-intersection", intersectionCount: 1 });
    expect(r.at?.[0]).toBeCloseTo(0.5, 12);
    expect(r.at?.[1]).toBeCloseTo(0.5, 12);
  });

  it("finds a figure eight that only touches itself at a vertex (not a simple ring)", () => {
    const r = check(poly(closed([0, 0], [1, 1], [2, 0], [2, 2], [1, 1], [0, 2])));
    expect(r.problem).toBe("self-intersection");
    expect(r.at).toEqual([1, 1]);
  });

  it("finds a spike that doubles back on itself", () => {
    const r = check(poly(closed([0, 0], [2, 0], [2, 2], [2, 3], [2, 1], [0, 2])));
    expect(r.problem).toBe("self-intersection");
  });

  it("ignores repeated consecutive points, but not fewer than 3 distinct corners", () => {
    expect(check(poly(closed([0, 0], [0, 0], [1, 0], [1, 1], [1, 1]))).valid).toBe(true);
    const r = check(poly(closed([0, 0], [1, 0], [1, 0])));
    expect(r.problem).toBe("too-few-points");
    expect(r.at).toEqual([0, 0]);
  });

  it("reports a ring whose corners lie on one line as zero area", () => {
    expect(check(poly(closed([0, 0], [1, 1], [2, 2]))).problem).toBe("zero-area");
    expect(check(poly(closed([106.1, -6.1], [106.2, -6.2], [106.3, -6.3], [106.2, -6.2]))).problem).toBe("zero-area");
  });

  it("reports a hole that crosses its shell, and a hole outside it", () => {
    expect(check(poly(squareRing(0, 0, 2), squareRing(1, 1, 2))).problem).toBe("self-intersection");
    expect(check(poly(squareRing(0, 0, 2), squareRing(5, 5, 1))).problem).toBe("hole-outside");
  });

  it("allows a hole touching its shell at one point, not along an edge", () => {
    expect(check(poly(squareRing(0, 0, 4), closed([0, 2], [1, 1], [1, 3]))).valid).toBe(true);
    expect(check(poly(squareRing(0, 0, 4), closed([0, 1], [1, 1], [1, 3], [0, 3]))).problem).toBe("self-intersection");
  });

  it("reports parts of a MultiPolygon that overlap, or lie one inside the other", () => {
    expect(check(multi([squareRing(0, 0, 2)], [squareRing(1, 1, 2)])).problem).toBe("self-intersection");
    expect(check(multi([squareRing(0, 0, 4)], [squareRing(1, 1, 1)])).problem).toBe("parts-overlap");
    expect(check(multi([squareRing(0, 0, 1)], [squareRing(1, 0, 1)])).problem).toBe("self-intersection"); // sharing an edge
    expect(check(multi([squareRing(0, 0, 1)], [squareRing(1, 1, 1)])).valid).toBe(true); // touching at a corner
  });

  it("agrees with turf kinks on random polygons, with or without crossings", () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    let invalid = 0;
    for (let trial = 0; trial < 200; trial++) {
      const n = 4 + Math.floor(rnd() * 30);
      const ring: Position[] = [];
      for (let i = 0; i < n; i++) {
        const a = (2 * Math.PI * i) / n + (rnd() - 0.5) * (trial % 2 ? 2.5 : 0.5);
        const r = 0.5 + rnd();
        ring.push([106 + r * Math.cos(a), -6 + r * Math.sin(a)]);
      }
      ring.push(ring[0] as Position);
      const g = poly(ring);
      const ours = selfIntersections(g);
      const theirs = kinks(g as never).features.map((f) => f.geometry.coordinates);
      expect(ours.length > 0).toBe(theirs.length > 0);
      // Same points (turf lists each crossing twice, once per segment order).
      const key = (p: number[]) => `${(p[0] as number).toFixed(9)},${(p[1] as number).toFixed(9)}`;
      expect(new Set(ours.map(key))).toEqual(new Set(theirs.map(key)));
      if (ours.length > 0) invalid++;
    }
    expect(invalid).toBeGreaterThan(50);
  });

  it("checks 1,000 vertices without comparing every pair (bounded work, same answer as turf)", () => {
    const ring: Position[] = [];
    for (let i = 0; i < 1000; i++) {
      const a = (2 * Math.PI * i) / 1000;
      ring.push([107 + 0.3 * (1 + 0.2 * Math.sin(7 * a)) * Math.cos(a), -6 + 0.3 * Math.sin(a)]);
    }
    const bad = [...ring];
    [bad[100], bad[600]] = [bad[600] as Position, bad[100] as Position];
    ring.push(ring[0] as Position);
    bad.push(bad[0] as Position);
    expect(check(poly(ring)).valid).toBe(true);
    const r = check(poly(bad));
    expect(r.problem).toBe("self-intersection");
    expect(r.intersectionCount).toBe(kinks(poly(bad) as never).features.length);
  });

  it("caps the list of points but counts them all", () => {
    // A zig-zag crossed by a long edge: 20 crossings.
    const ring: Position[] = [[0, 0]];
    for (let i = 0; i < 20; i++) ring.push([i + 0.5, i % 2 ? -1 : 1]);
    ring.push([20, 0], [0, 0]);
    const r = checkTopology(flatten(poly(ring)), undefined, 5);
    expect(r.intersections).toHaveLength(5);
    expect(r.intersectionCount).toBeGreaterThanOrEqual(19);
  });
});

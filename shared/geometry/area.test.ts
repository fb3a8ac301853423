import { area as turfArea } from "@turf/turf";
import { describe, expect, it } from "vitest";
import { areaKm2, areaM2, perimeterM, polsbyPopper, WGS84_A, WGS84_F } from "./area.ts";
import { flatten } from "./flat.ts";
import type { Position, TerritoryGeometry } from "./types.ts";
import { box } from "../../tests/fixtures/shapes.ts";

const E2 = WGS84_F * (2 - WGS84_F);
const RAD = Math.PI / 180;

/** Radii of curvature of the WGS84 ellipsoid at latitude φ (radians). */
const meridional = (phi: number) => (WGS84_A * (1 - E2)) / (1 - E2 * Math.sin(phi) ** 2) ** 1.5;
const primeVertical = (phi: number) => WGS84_A / Math.sqrt(1 - E2 * Math.sin(phi) ** 2);

/**
 * Area of the lon/lat box [0, dLon] × [lat1, lat2] on the ellipsoid, from
 * its surface element dA = M(φ)·N(φ)·cos φ dφ dλ integrated by Simpson's
 * rule: a different route from area.ts's authalic-latitude formula.
 */
function boxAreaBySimpson(dLonDeg: number, lat1Deg: number, lat2Deg: number, steps = 2000): number {
  const a = lat1Deg * RAD;
  const b = lat2Deg * RAD;
  const h = (b - a) / steps;
  const f = (phi: number) => meridional(phi) * primeVertical(phi) * Math.cos(phi);
  let s = f(a) + f(b);
  for (let i = 1; i < steps; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
  return ((s * h) / 3) * dLonDeg * RAD;
}

describe("areaM2 (WGS84 ellipsoid)", () => {
  it("gives a 1°×1° cell at the equator its ellipsoidal area, 12,308.46 km²", () => {
    const expected = boxAreaBySimpson(1, 0, 1);
    expect(expected / 1e6).toBeCloseTo(12308.46, 2);
    expect(areaKm2(box(0, 0, 1, 1)) * 1e6).toBeCloseTo(expected, 0); // within 1 m² of 12.3 billion
    // turf's sphere (R = 6,371,008.8 m) says 12,364 km²: 0.45 % more, the earth's flattening.
    expect(turfArea(box(0, 0, 1, 1) as never) / expected).toBeCloseTo(1.0045, 3);
  });

  it("matches the integral at other latitudes, south and north, and for a larger box", () => {
    for (const [x0, y0, x1, y1] of [
      [106, -7, 107, -6],
      [10, 59, 12, 60.5],
      [-75, -45, -70, -35],
    ] as const) {
      const expected = boxAreaBySimpson(x1 - x0, y0, y1);
      expect(areaM2(flatten(box(x0, y0, x1, y1))) / expected).toBeCloseTo(1, 10);
    }
  });

  it("does not depend on ring orientation or starting vertex, and subtracts holes", () => {
    const ccw = box(106, -7, 107, -6);
    const cw: TerritoryGeometry = { type: "Polygon", coordinates: [[...(ccw.coordinates[0] as Position[])].reverse()] };
    expect(areaKm2(cw)).toBeCloseTo(areaKm2(ccw), 9);
    const outer = (box(106, -7, 107, -6).coordinates[0] as Position[]).slice();
    const hole = box(106.25, -6.75, 106.75, -6.25).coordinates[0] as Position[];
    const withHole: TerritoryGeometry = { type: "Polygon", coordinates: [outer, hole] };
    expect(areaKm2(withHole)).toBeCloseTo(
      areaKm2(box(106, -7, 107, -6)) - areaKm2(box(106.25, -6.75, 106.75, -6.25)),
      6,
    );
  });

  it("adds the parts of a MultiPolygon", () => {
    const mp: TerritoryGeometry = {
      type: "MultiPolygon",
      coordinates: [box(0, 0, 1, 1).coordinates, box(5, 0, 6, 1).coordinates] as Position[][][],
    };
    expect(areaKm2(mp)).toBeCloseTo(2 * areaKm2(box(0, 0, 1, 1)), 6);
  });

  it("keeps its precision for a tiny ring far from (0, 0)", () => {
    // 1e-5° × 1e-5° at 110°E, 7°S: about 1.1 m × 1.1 m.
    const tiny = areaM2(flatten(box(110, -7, 110.00001, -6.99999)));
    expect(tiny / boxAreaBySimpson(0.00001, -7, -6.99999, 10)).toBeCloseTo(1, 6);
  });
});

describe("perimeterM", () => {
  it("measures one degree along the equator and along a meridian", () => {
    const equator = WGS84_A * RAD; // 111,319.49 m
    const f = flatten(box(0, 0, 1, 1));
    // bottom: equator; top: parallel at 1°; sides: meridian arcs 0°→1° (≈ 110,574.3 m).
    const top = primeVertical(RAD) * Math.cos(RAD) * RAD;
    const side = 110_574.3;
    expect(perimeterM(f)).toBeCloseTo(equator + top + 2 * side, -1); // within ~5 m of 445 km
  });
});

describe("polsbyPopper", () => {
  it("is π/4 for a square and 1 for a circle (the limit of a fine regular polygon)", () => {
    expect(polsbyPopper(1, 4)).toBe(Math.PI / 4);
    // A 1 km × 1 km square on the ground at the equator.
    const dLon = 1000 / primeVertical(0) / RAD;
    const dLat = 1000 / meridional(0) / RAD;
    const f = flatten(box(0, -dLat / 2, dLon, dLat / 2));
    expect(polsbyPopper(areaM2(f), perimeterM(f))).toBeCloseTo(Math.PI / 4, 4);
    const ring: Position[] = [];
    for (let i = 0; i < 720; i++) {
      const a = (2 * Math.PI * i) / 720;
      ring.push([0.01 * Math.cos(a) * (meridional(0) / primeVertical(0)), 0.01 * Math.sin(a)]);
    }
    ring.push(ring[0] as Position);
    const c = flatten({ type: "Polygon", coordinates: [ring] });
    expect(polsbyPopper(areaM2(c), perimeterM(c))).toBeCloseTo(1, 4);
  });

  it("is 0 without a perimeter", () => {
    expect(polsbyPopper(0, 0)).toBe(0);
  });
});

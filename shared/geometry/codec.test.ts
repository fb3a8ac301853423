import { describe, expect, it } from "vitest";
import { COORD_SCALE, decodeGeometry, encodeGeometry, quantize, geometryBox } from "./codec.ts";
import type { Position, Ring, TerritoryGeometry } from "./types.ts";
import { boxRing, circleRing as circle } from "../../tests/fixtures/shapes.ts";

const square = boxRing(106, -7, 107, -6);

function roundTrip(g: TerritoryGeometry): TerritoryGeometry {
  return decodeGeometry(encodeGeometry(g));
}

/** Every coordinate passed through `quantize`: what the codec promises to give back. */
function quantized(g: TerritoryGeometry): TerritoryGeometry {
  const q = (ring: Ring): Ring => ring.map(([x, y]) => [quantize(x), quantize(y)] as Position);
  return g.type === "Polygon"
    ? { type: "Polygon", coordinates: g.coordinates.map(q) }
    : { type: "MultiPolygon", coordinates: g.coordinates.map((p) => p.map(q)) };
}

describe("encodeGeometry / decodeGeometry", () => {
  it("round-trips a Polygon exactly when its coordinates are on the 1e-7 grid", () => {
    const g: TerritoryGeometry = { type: "Polygon", coordinates: [square] };
    expect(roundTrip(g)).toEqual(g);
  });

  it("round-trips a MultiPolygon with holes and negative coordinates", () => {
    const g: TerritoryGeometry = {
      type: "MultiPolygon",
      coordinates: [
        [
          [
            [-74.0059731, 40.7127753],
            [-73.9, 40.7127753],
            [-73.9, 40.8],
            [-74.0059731, 40.7127753],
          ],
          [
            [-73.99, 40.72],
            [-73.95, 40.72],
            [-73.95, 40.75],
            [-73.99, 40.72],
          ],
        ],
        [
          square,
          [
            [106.2, -6.8],
            [106.2, -6.2],
            [106.8, -6.2],
            [106.2, -6.8],
          ],
          [
            [106.9, -6.9],
            [106.95, -6.9],
            [106.95, -6.85],
            [106.9, -6.9],
          ],
        ],
      ],
    };
    expect(roundTrip(g)).toEqual(g);
  });

  it("keeps the Polygon/MultiPolygon distinction, even for a one-part MultiPolygon", () => {
    const mp: TerritoryGeometry = { type: "MultiPolygon", coordinates: [[square]] };
    expect(roundTrip(mp)).toEqual(mp);
    expect(roundTrip({ type: "Polygon", coordinates: [square] }).type).toBe("Polygon");
  });

  it("round-trips the extremes ±180, ±90 and the largest jump between them", () => {
    const g: TerritoryGeometry = {
      type: "Polygon",
      coordinates: [
        [
          [-180, -90],
          [180, -90],
          [180, 90],
          [-180, 90],
          [180, -90],
          [-180, -90],
        ],
      ],
    };
    expect(roundTrip(g)).toEqual(g);
  });

  it("quantises to 1e-7 degrees, the same way `quantize` does", () => {
    const ring: Ring = [
      [106.123456789, -6.987654321],
      [106.00000004, -6.00000006],
      [-0.00000016, 0.00000015],
      [179.99999999, -89.99999996],
      [106.123456789, -6.987654321],
    ];
    const g: TerritoryGeometry = { type: "Polygon", coordinates: [ring] };
    const back = roundTrip(g);
    expect(back).toEqual(quantized(g));
    expect(back.coordinates[0]).toEqual([
      [106.1234568, -6.9876543],
      [106, -6.0000001],
      [-0.0000002, 0.0000002],
      [180, -90],
      [106.1234568, -6.9876543],
    ]);
    expect(COORD_SCALE).toBe(1e7);
  });

  it("is stable: encoding what it decoded gives the same bytes", () => {
    const g: TerritoryGeometry = { type: "Polygon", coordinates: [circle(500, 106.8, -6.2, 0.3)] };
    const once = encodeGeometry(g);
    expect(encodeGeometry(decodeGeometry(once))).toEqual(once);
    expect(decodeGeometry(once)).toEqual(quantized(g));
  });

  it("drops anything after [lon, lat] (altitude)", () => {
    const withZ = square.map(([x, y]) => [x, y, 99]) as unknown as Ring;
    expect(roundTrip({ type: "Polygon", coordinates: [withZ] })).toEqual({ type: "Polygon", coordinates: [square] });
  });

  it("is compact: a 1,000-vertex ring, neighbours about 60 m apart, costs under 6 bytes a vertex", () => {
    // radius 0.1° → neighbours 2π·0.1/999 ≈ 0.00063° apart → deltas fit 2-byte varints.
    const ring = circle(1000, 106.8, -6.2, 0.1);
    const bytes = encodeGeometry({ type: "Polygon", coordinates: [ring] });
    expect(bytes.length / ring.length).toBeLessThan(6);
    // 2 × 2 bytes per vertex after the first, which costs 5 + 4 bytes (a delta from 0,0),
    // and a 6-byte header.
    expect(bytes.length).toBeLessThanOrEqual(4 * 999 + 9 + 6);
    // And far below GeoJSON text.
    expect(bytes.length * 4).toBeLessThan(JSON.stringify(ring).length);
  });

  it("costs 2 bytes a vertex for a densely digitised boundary (neighbours ~ 0.5 m apart)", () => {
    // radius 0.0008° → neighbours ≈ 5e-6° = 50 units apart → 1-byte varints (|delta| < 64).
    const ring = circle(1000, 106.8, -6.2, 0.0008);
    const bytes = encodeGeometry({ type: "Polygon", coordinates: [ring] });
    expect(bytes.length).toBeLessThanOrEqual(2 * 999 + 9 + 6);
  });
});

describe("decodeGeometry refuses bytes it did not write", () => {
  const good = encodeGeometry({
    type: "MultiPolygon",
    coordinates: [[square], [circle(20, -40, 12, 2)]],
  });

  it("throws on empty input", () => {
    expect(() => decodeGeometry(new Uint8Array())).toThrow();
  });

  it("throws on an unknown version or type", () => {
    expect(() => decodeGeometry(Uint8Array.from([2, 1, 0]))).toThrow("unknown geometry encoding 2");
    expect(() => decodeGeometry(Uint8Array.from([0, 1, 0]))).toThrow("unknown geometry encoding 0");
    expect(() => decodeGeometry(Uint8Array.from([1, 3, 0]))).toThrow("unknown geometry type 3");
    expect(() => decodeGeometry(Uint8Array.from([1, 0, 0]))).toThrow("unknown geometry type 0");
  });

  it("throws on every truncation of a valid encoding", () => {
    for (let n = 0; n < good.length; n++) {
      expect(() => decodeGeometry(good.subarray(0, n)), `truncated to ${n} of ${good.length} bytes`).toThrow();
    }
    expect(() => decodeGeometry(good)).not.toThrow();
  });

  it("throws on trailing bytes", () => {
    const longer = new Uint8Array(good.length + 1);
    longer.set(good);
    expect(() => decodeGeometry(longer)).toThrow("geometry has trailing bytes");
  });

  it("throws on counts larger than the input could hold, without allocating them", () => {
    // version 1, Polygon, 2^35 polygons
    expect(() => decodeGeometry(Uint8Array.from([1, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]))).toThrow(
      "geometry is truncated",
    );
    // 1 polygon with 2^28 rings
    expect(() => decodeGeometry(Uint8Array.from([1, 1, 1, 0x80, 0x80, 0x80, 0x80, 0x01]))).toThrow(
      "geometry is truncated",
    );
    // 1 polygon, 1 ring of 2^28 positions
    expect(() => decodeGeometry(Uint8Array.from([1, 1, 1, 1, 0x80, 0x80, 0x80, 0x80, 0x01]))).toThrow(
      "geometry is truncated",
    );
  });

  it("throws on text and on JSON bytes", () => {
    expect(() => decodeGeometry(new TextEncoder().encode(JSON.stringify({ type: "Polygon" })))).toThrow();
    expect(() => decodeGeometry(new TextEncoder().encode("hello"))).toThrow();
  });
});

describe("decimal round trip (issue 5: exported geometry equals what was imported)", () => {
  /** Coordinates as a GIS file writes them: decimal text of up to 7 places, parsed by JSON.parse. */
  function decimalRing(seed: number, places: number): Ring {
    let s = seed;
    const next = () => {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      return s / 2 ** 31;
    };
    const ring: Ring = [];
    for (let i = 0; i < 200; i++) {
      // + 0: "-0" comes back as 0, the same number.
      const lon = Number((-180 + 360 * next()).toFixed(places)) + 0;
      const lat = Number((-90 + 180 * next()).toFixed(places)) + 0;
      ring.push([lon, lat]);
    }
    ring.push(ring[0] as Position);
    return ring;
  }

  it("gives back the very numbers of up to 7 decimals, printed the same", () => {
    for (let places = 0; places <= 7; places++) {
      for (let seed = 1; seed <= 25; seed++) {
        const g: TerritoryGeometry = { type: "Polygon", coordinates: [decimalRing(seed * 31 + places, places)] };
        const back = roundTrip(g);
        expect(back).toEqual(g);
        // The text too: no 106.80000000000001 in an export.
        expect(JSON.stringify(back)).toBe(JSON.stringify(g));
      }
    }
  });

  it("keeps the classic float-noise cases exact", () => {
    const ring: Ring = [
      [106.8, -6.2],
      [106.8000001, -6.2000001],
      [0.1, 0.3],
      [-179.9999999, 89.9999999],
      [106.8, -6.2],
    ];
    expect(JSON.stringify(roundTrip({ type: "Polygon", coordinates: [ring] }).coordinates)).toBe(
      "[[[106.8,-6.2],[106.8000001,-6.2000001],[0.1,0.3],[-179.9999999,89.9999999],[106.8,-6.2]]]",
    );
  });
});

describe("geometryBox", () => {
  it("reads the box straight from the bytes, as decoding would give it", () => {
    const multi: TerritoryGeometry = {
      type: "MultiPolygon",
      coordinates: [
        [
          [
            [106.1, -6.9],
            [106.4, -6.9],
            [106.4, -6.5],
            [106.1, -6.9],
          ],
        ],
        [
          [
            [107.2, -7.3],
            [107.25, -7.3],
            [107.25, -7.1],
            [107.2, -7.3],
          ],
        ],
      ],
    };
    expect(geometryBox(encodeGeometry(multi))).toEqual([106.1, -7.3, 107.25, -6.5]);
    expect(geometryBox(new Uint8Array([9, 9, 9]))).toBeNull();
  });
});

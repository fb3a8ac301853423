import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { goldenSuite } from "../../tests/fixtures/golden.ts";
import type { Position } from "./types.ts";
import { MAX_VERTICES_PER_TERRITORY, validateGeometry } from "./validate.ts";
import { boxRing, polygon } from "../../tests/fixtures/shapes.ts";

/**
 * Golden fixtures, turf style: every tests/fixtures/validate/in/<case>.geojson
 * goes through validateGeometry and must give tests/fixtures/validate/out/<case>.json.
 * `REGEN=1 npx vitest run shared/geometry/validate.test.ts` rewrites the outputs
 * (then `npx biome format --write tests/fixtures/validate/out`); read the diff
 * before committing it.
 *
 * JSON cannot spell NaN or ±Infinity, so in fixture inputs the *strings*
 * "NaN", "Infinity" and "-Infinity" stand for those numbers (any other string
 * stays a string).
 */
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../tests/fixtures/validate");

function reviveNonFinite(_key: string, value: unknown): unknown {
  if (value === "NaN") return Number.NaN;
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  return value;
}

goldenSuite("validateGeometry golden fixtures", FIXTURES, 30, (text) =>
  validateGeometry(JSON.parse(text, reviveNonFinite)),
);

const square = boxRing(106, -7, 107, -6);

function errorOf(input: unknown): string {
  const r = validateGeometry(input);
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.value).slice(0, 200)}`);
  return r.error;
}

/** A closed ring of `n` positions in total (closing one included), on a small circle. */
function circle(n: number): Position[] {
  const ring: Position[] = [];
  for (let i = 0; i < n - 1; i++) {
    const a = (2 * Math.PI * i) / (n - 1);
    ring.push([106 + 0.5 * Math.cos(a), -6 + 0.5 * Math.sin(a)]);
  }
  ring.push(ring[0] as Position);
  return ring;
}

describe("validateGeometry rules", () => {
  it("returns the geometry unchanged when it is valid", () => {
    const g = polygon(square);
    expect(validateGeometry(g)).toEqual({ ok: true, value: g });
  });

  it("returns a copy, not the caller's arrays", () => {
    const g = polygon(square);
    const r = validateGeometry(g);
    if (!r.ok) throw new Error(r.error);
    expect(r.value.coordinates[0]).not.toBe(square);
    expect((r.value.coordinates[0] as Position[])[0]).not.toBe(square[0]);
  });

  it("refuses what is not an object, naming it", () => {
    expect(errorOf(undefined)).toBe("geometry is missing");
    expect(errorOf(null)).toBe("geometry is missing");
    expect(errorOf("Polygon")).toBe("geometry is missing");
    expect(errorOf({ type: 7, coordinates: [] })).toBe("geometry must be a Polygon or MultiPolygon, not number");
    expect(errorOf({ type: "LineString", coordinates: [] })).toBe(
      'geometry must be a Polygon or MultiPolygon, not "LineString"',
    );
  });

  it("cuts a long type name in the message to 40 characters", () => {
    expect(errorOf({ type: "x".repeat(500), coordinates: [] })).toBe(
      `geometry must be a Polygon or MultiPolygon, not "${"x".repeat(40)}"`,
    );
  });

  it("needs at least four positions in every ring, and says which ring", () => {
    expect(errorOf(polygon(square.slice(0, 2).concat([square[0] as Position])))).toBe(
      "polygon, outer ring has 3 positions; a ring needs at least 4 (3 corners and the closing one)",
    );
    expect(errorOf(polygon([]))).toBe(
      "polygon, outer ring has 0 positions; a ring needs at least 4 (3 corners and the closing one)",
    );
    expect(errorOf(polygon(square, square, [[106.5, -6.5]]))).toBe(
      "polygon, hole 2 has 1 positions; a ring needs at least 4 (3 corners and the closing one)",
    );
    // Four positions is the minimum, and enough.
    expect(
      validateGeometry(
        polygon([
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ]),
      ).ok,
    ).toBe(true);
  });

  it("needs every ring closed, exactly", () => {
    const open = square.slice(0, 4).concat([[106, -7 + 1e-12]]);
    expect(errorOf(polygon(open))).toBe("polygon, outer ring is not closed: its last position must equal its first");
    const mp = { type: "MultiPolygon", coordinates: [[square], [square, open]] };
    expect(errorOf(mp)).toBe("polygon 2, hole 1 is not closed: its last position must equal its first");
  });

  it("closes on the first two numbers only: the altitude of the last position does not matter", () => {
    const r = validateGeometry(
      polygon([
        [0, 0, 5],
        [1, 0],
        [1, 1],
        [0, 0, 9],
      ] as unknown as Position[]),
    );
    expect(r).toEqual({
      ok: true,
      value: polygon([
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 0],
      ]),
    });
  });

  it("needs finite numbers, naming the position", () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, "1", null, undefined, 1n]) {
      const ring = square.map((p) => [...p]) as unknown[][];
      (ring[2] as unknown[])[1] = bad;
      expect(errorOf(polygon(ring as Position[]))).toBe(
        "polygon, outer ring, position 3 has a coordinate that is not a finite number",
      );
    }
  });

  it("needs longitude in -180…180 and latitude in -90…90, inclusive", () => {
    const at = (p: Position) => polygon([p, [0, 0], [1, 1], p]);
    expect(validateGeometry(at([180, 90])).ok).toBe(true);
    expect(validateGeometry(at([-180, -90])).ok).toBe(true);
    expect(errorOf(at([180.0000001, 0]))).toBe(
      "polygon, outer ring, position 1 has longitude 180.0000001, outside -180…180",
    );
    expect(errorOf(at([-181, 0]))).toBe("polygon, outer ring, position 1 has longitude -181, outside -180…180");
    expect(errorOf(at([0, 90.5]))).toBe("polygon, outer ring, position 1 has latitude 90.5, outside -90…90");
    expect(errorOf(at([0, -91]))).toBe("polygon, outer ring, position 1 has latitude -91, outside -90…90");
  });

  it("refuses positions that are not [lon, lat] or [lon, lat, alt]", () => {
    for (const bad of [[1], [], [1, 2, 3, 4], "1,2", { 0: 1, 1: 2, length: 2 }]) {
      const ring: unknown[] = [...square];
      ring[1] = bad;
      expect(errorOf(polygon(ring as Position[]))).toBe(
        "polygon, outer ring, position 2 must be [longitude, latitude]",
      );
    }
  });

  it("drops the altitude", () => {
    const withZ = square.map(([x, y], i) => [x, y, i * 10]);
    expect(validateGeometry({ type: "MultiPolygon", coordinates: [[withZ]] })).toEqual({
      ok: true,
      value: { type: "MultiPolygon", coordinates: [[square]] },
    });
  });

  it("accepts a bow-tie: topology is scoring's business, not validation's", () => {
    const bowTie = polygon([
      [0, 0],
      [1, 1],
      [1, 0],
      [0, 1],
      [0, 0],
    ]);
    expect(validateGeometry(bowTie)).toEqual({ ok: true, value: bowTie });
  });

  it("accepts overlapping parts and a hole outside its shell (merged edits can produce them)", () => {
    const mp = {
      type: "MultiPolygon" as const,
      coordinates: [
        [square],
        [
          square,
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      ],
    };
    expect(validateGeometry(mp)).toEqual({ ok: true, value: mp });
  });

  it("refuses a Polygon or MultiPolygon without rings, naming the part", () => {
    expect(errorOf({ type: "Polygon", coordinates: [] })).toBe("polygon has no rings");
    expect(errorOf({ type: "Polygon" })).toBe("Polygon has no coordinates array");
    expect(errorOf({ type: "MultiPolygon", coordinates: [] })).toBe("MultiPolygon has no polygons");
    expect(errorOf({ type: "MultiPolygon", coordinates: [[square], [square], "x"] })).toBe("polygon 3 has no rings");
    expect(errorOf({ type: "MultiPolygon", coordinates: [[square, 5]] })).toBe(
      "polygon 1, hole 1 is not a list of positions",
    );
  });

  describe(`vertex budget (${MAX_VERTICES_PER_TERRITORY})`, () => {
    it("accepts exactly the maximum", () => {
      const g = polygon(circle(MAX_VERTICES_PER_TERRITORY));
      expect(validateGeometry(g).ok).toBe(true);
    });

    it("refuses one more, counting closing positions", () => {
      expect(errorOf(polygon(circle(MAX_VERTICES_PER_TERRITORY + 1)))).toBe(
        `territory has more than ${MAX_VERTICES_PER_TERRITORY} vertices; simplify it first`,
      );
    });

    it("counts every ring of every part together", () => {
      const half = MAX_VERTICES_PER_TERRITORY / 2;
      const ok = { type: "MultiPolygon", coordinates: [[circle(half)], [circle(half - 4), circle(4)]] };
      expect(validateGeometry(ok).ok).toBe(true);
      const over = { type: "MultiPolygon", coordinates: [[circle(half)], [circle(half - 4), circle(5)]] };
      expect(errorOf(over)).toBe(`territory has more than ${MAX_VERTICES_PER_TERRITORY} vertices; simplify it first`);
    });

    it("refuses before looking at the positions of a ring over budget", () => {
      // A ring over budget whose positions are all garbage: the budget error comes first,
      // so a hostile client cannot make the server walk millions of positions.
      const ring = new Array(MAX_VERTICES_PER_TERRITORY + 1).fill("garbage");
      expect(errorOf(polygon(ring))).toBe(
        `territory has more than ${MAX_VERTICES_PER_TERRITORY} vertices; simplify it first`,
      );
    });
  });
});

import { describe, expect, it } from "vitest";
import { geometryArea } from "./clean.ts";
import { splitGeometry } from "./split.ts";
import type { Position, TerritoryGeometry } from "./types.ts";
import { validateGeometry } from "./validate.ts";
import { degreeSquare } from "../../tests/fixtures/shapes.ts";

const square = degreeSquare();

function expectValidPieces(whole: TerritoryGeometry, pieces: [TerritoryGeometry, TerritoryGeometry]): void {
  for (const piece of pieces) expect(validateGeometry(piece).ok).toBe(true);
  const sum = geometryArea(pieces[0]) + geometryArea(pieces[1]);
  expect(sum / geometryArea(whole)).toBeCloseTo(1, 6);
}

describe("splitGeometry", () => {
  it("cuts a square in two along a straight line", () => {
    const r = splitGeometry(square, [
      [105.5, -6.5],
      [107.5, -6.5],
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expectValidPieces(square, r.value);
    const [a, b] = r.value;
    expect(geometryArea(a) / geometryArea(b)).toBeCloseTo(1, 1);
  });

  it("cuts along a bent line, in either drawing direction", () => {
    const line: Position[] = [
      [105.9, -6.2],
      [106.5, -6.8],
      [107.1, -6.2],
    ];
    for (const l of [line, [...line].reverse()]) {
      const r = splitGeometry(square, l);
      expect(r.ok).toBe(true);
      if (r.ok) expectValidPieces(square, r.value);
    }
  });

  it("works with lines leaving through every side of the box (diagonals)", () => {
    const lines: Position[][] = [
      [
        [105.9, -7.1],
        [107.1, -5.9],
      ],
      [
        [107.1, -5.9],
        [105.9, -7.1],
      ],
      [
        [105.9, -5.9],
        [107.1, -7.1],
      ],
      [
        [106.5, -5.5],
        [106.5, -7.5],
      ],
    ];
    for (const l of lines) {
      const r = splitGeometry(square, l);
      expect(r.ok, JSON.stringify(l)).toBe(true);
      if (r.ok) expectValidPieces(square, r.value);
    }
  });

  it("gives a multipolygon piece when a zig-zag crosses three times", () => {
    const r = splitGeometry(square, [
      [105.9, -6.8],
      [106.3, -6.8],
      [106.3, -5.9],
      [106.7, -5.9],
      [106.7, -6.8],
      [107.1, -6.8],
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expectValidPieces(square, r.value);
    expect(r.value.some((g) => g.type === "MultiPolygon")).toBe(true);
  });

  it("splits a multipolygon and keeps the untouched island on one side", () => {
    const multi: TerritoryGeometry = {
      type: "MultiPolygon",
      coordinates: [
        square.coordinates as Position[][],
        [
          [
            [108, -7],
            [109, -7],
            [109, -6.5],
            [108, -7],
          ],
        ],
      ],
    };
    const r = splitGeometry(multi, [
      [106.5, -5.9],
      [106.5, -7.1],
    ]);
    expect(r.ok).toBe(true);
    if (r.ok) expectValidPieces(multi, r.value);
  });

  it("refuses a line that misses the territory", () => {
    const r = splitGeometry(square, [
      [108, -8],
      [109, -8],
    ]);
    expect(r).toMatchObject({ ok: false, reason: "not-crossing" });
  });

  it("refuses a line that ends inside the territory", () => {
    const r = splitGeometry(square, [
      [105.5, -6.5],
      [106.5, -6.5],
    ]);
    expect(r).toMatchObject({ ok: false, reason: "ends-inside" });
  });

  it("refuses a line that only touches a corner", () => {
    const r = splitGeometry(square, [
      [105.5, -7.5],
      [106, -7],
      [105.5, -6.5],
    ]);
    expect(r.ok).toBe(false);
  });

  it("refuses a single point", () => {
    expect(
      splitGeometry(square, [
        [106, -6],
        [106, -6],
      ]),
    ).toMatchObject({ ok: false, reason: "bad-line" });
  });
});

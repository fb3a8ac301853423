import { describe, expect, it } from "vitest";
import { geometryArea } from "./clean.ts";
import { mergeGeometries } from "./merge.ts";
import type { Position, TerritoryGeometry } from "./types.ts";
import { validateGeometry } from "./validate.ts";
import { box } from "../../tests/fixtures/shapes.ts";

describe("mergeGeometries", () => {
  it("merges two squares sharing an edge into one polygon", () => {
    const a = box(106, -7, 106.5, -6);
    const b = box(106.5, -7, 107, -6);
    const r = mergeGeometries(a, b);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.type).toBe("Polygon");
    expect(validateGeometry(r.value).ok).toBe(true);
    expect(geometryArea(r.value) / (geometryArea(a) + geometryArea(b))).toBeCloseTo(1, 6);
  });

  it("merges overlapping territories without counting the overlap twice", () => {
    const a = box(106, -7, 106.6, -6);
    const b = box(106.4, -7, 107, -6);
    const r = mergeGeometries(a, b);
    expect(r.ok).toBe(true);
    if (r.ok) expect(geometryArea(r.value) / geometryArea(box(106, -7, 107, -6))).toBeCloseTo(1, 6);
  });

  it("treats a hairline gap within the tolerance as touching and closes it", () => {
    const a = box(106, -7, 106.5 - 3e-6, -6);
    const b = box(106.5, -7, 107, -6);
    const r = mergeGeometries(a, b);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.type).toBe("Polygon");
  });

  it("merges a territory with a vertex snapped onto the neighbour's edge", () => {
    const a: TerritoryGeometry = {
      type: "Polygon",
      coordinates: [
        [
          [106, -7],
          [106.5, -6.5000000001],
          [106, -6],
          [106, -7],
        ] as Position[],
      ],
    };
    const b = box(106.5, -7, 107, -6);
    const r = mergeGeometries(a, b);
    expect(r.ok).toBe(true);
  });

  it("refuses two territories that are apart", () => {
    const r = mergeGeometries(box(106, -7, 106.4, -6), box(106.6, -7, 107, -6));
    expect(r).toMatchObject({ ok: false, reason: "not-touching" });
  });

  it("keeps the pieces of a multipolygon", () => {
    const a: TerritoryGeometry = {
      type: "MultiPolygon",
      coordinates: [
        box(106, -7, 106.5, -6).coordinates as Position[][],
        box(110, -7, 111, -6).coordinates as Position[][],
      ],
    };
    const r = mergeGeometries(a, box(106.5, -7, 107, -6));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.type).toBe("MultiPolygon");
  });
});

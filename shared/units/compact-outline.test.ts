import { describe, expect, it } from "vitest";
import { box } from "../../tests/fixtures/shapes.ts";
import type { Position, Ring, TerritoryGeometry } from "../geometry/types.ts";
import { fromCompact, toCompact, type UnitsData, unitBoxes } from "./compact.ts";
import { outlineOfUnits } from "./compact-outline.ts";
import { coverH3, h3Layer } from "./h3-layer.ts";
import { outlineOfCells } from "./outline.ts";

/** A resolution-7 layer over a box near Bandung (a few hundred hexagons), as the browser gets it. */
function layer(): UnitsData {
  const ids = coverH3({ areas: [box(107.4, -7.1, 107.8, -6.8)], resolution: 7, land: null, keep: [] });
  const l = h3Layer(ids, 7, 1);
  return fromCompact(toCompact(l, new Int32Array(ids.length)));
}

function ringsOf(d: UnitsData, u: number): Ring[] {
  const out: Ring[] = [];
  for (let r = d.unitRings[u] as number; r < (d.unitRings[u + 1] as number); r++) {
    const ring: Position[] = [];
    for (let i = d.ringStart[r] as number; i < (d.ringStart[r + 1] as number); i++)
      ring.push([d.xy[2 * i] as number, d.xy[2 * i + 1] as number]);
    ring.push(ring[0] as Position);
    out.push(ring);
  }
  return out;
}

/** Each polygon as its rings, each ring as the sorted list of its vertices, so where a ring starts does not matter. */
function normal(g: TerritoryGeometry | null | undefined): string[][][] {
  if (!g) return [];
  const polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
  return polys
    .map((p) =>
      p.map((r) =>
        r
          .slice(0, -1)
          .map(([x, y]) => `${(x as number).toFixed(5)},${(y as number).toFixed(5)}`)
          .sort(),
      ),
    )
    .map((p) => [p[0] as string[], ...p.slice(1).sort((a, b) => (a[0] ?? "").localeCompare(b[0] ?? ""))])
    .sort((a, b) => (a[0]?.[0] ?? "").localeCompare(b[0]?.[0] ?? ""));
}

function both(d: UnitsData, members: readonly number[]) {
  const set = new Set(members);
  return {
    ours: outlineOfUnits(d, members, (u) => set.has(u)),
    cells: outlineOfCells(members.flatMap((u) => ringsOf(d, u))),
  };
}

describe("outlineOfUnits", () => {
  const d = layer();
  const all = Array.from({ length: d.count }, (_, u) => u);

  it("gives the cells' edge-cancellation outline for the whole layer", () => {
    const { ours, cells } = both(d, all);
    expect(ours?.type).toBe("Polygon");
    expect(normal(ours)).toEqual(normal(cells));
  });

  it("keeps holes (a missing unit inside) and pieces (a MultiPolygon), shells counter-clockwise", () => {
    const centre = d.count >> 1;
    const far = all.filter((u) => Math.abs((d.lon[u] as number) - (d.lon[centre] as number)) > 0.12);
    const members = all.filter((u) => u !== centre && !far.includes(u));
    const { ours, cells } = both(d, [...members, ...far.filter((u) => (d.lon[u] as number) > 107.75)]);
    expect(ours?.type).toBe("MultiPolygon");
    expect(normal(ours)).toEqual(normal(cells));
    const withHole = ((ours?.coordinates ?? []) as Ring[][]).find((p) => p.length > 1);
    expect(withHole).toBeDefined();
  });

  it("agrees on a scattered group, and is null for no units", () => {
    const scattered = all.filter((u) => (u * 7919) % 5 < 2);
    const { ours, cells } = both(d, scattered);
    expect(normal(ours)).toEqual(normal(cells));
    expect(outlineOfUnits(d, [], () => false)).toBeNull();
  });

  it("gives up (undefined) when the edges do not pair up, for the caller's general union", () => {
    // Lie about who is across: every edge of unit 0 claims unit 1, which is a member.
    const across = Int32Array.from(d.across);
    for (let i = d.ringStart[d.unitRings[0] as number] as number; i < (d.ringStart[1] as number); i++) across[i] = 1;
    const broken = { ...d, across };
    expect(outlineOfUnits(broken, [0, 1], (u) => u === 0 || u === 1)).toBeUndefined();
  });
});

describe("unitBoxes", () => {
  it("bounds each unit's rings, over the vertices it is given", () => {
    const d = layer();
    const boxes = unitBoxes(d, d.xy);
    expect(boxes).toHaveLength(d.count * 4);
    for (const u of [0, Math.floor(d.count / 2), d.count - 1]) {
      const xs = ringsOf(d, u)
        .flat()
        .map((p) => p[0] as number);
      const ys = ringsOf(d, u)
        .flat()
        .map((p) => p[1] as number);
      expect(Array.from(boxes.subarray(u * 4, u * 4 + 4))).toEqual([
        Math.min(...xs),
        Math.min(...ys),
        Math.max(...xs),
        Math.max(...ys),
      ]);
    }
    // Over other vertices (projected, say), the boxes follow them.
    const doubled = unitBoxes(
      d,
      Float64Array.from(d.xy, (v) => v * 2),
    );
    expect(doubled[4]).toBe((boxes[4] as number) * 2);
  });
});

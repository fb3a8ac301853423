import { describe, expect, it } from "vitest";
import { territoryAt } from "./locate.ts";
import type { TerritoryGeometry } from "./types.ts";
import { box } from "../../tests/fixtures/shapes.ts";

describe("territoryAt", () => {
  const territories = [
    { id: "west", geometry: box(0, 0, 1, 1) },
    { id: "east", geometry: box(1, 0, 2, 1) },
  ];

  it("finds the territory containing the point", () => {
    expect(territoryAt(territories, [0.5, 0.5])).toBe("west");
    expect(territoryAt(territories, [1.5, 0.5])).toBe("east");
  });

  it("takes the nearest boundary just outside, and nothing far away", () => {
    expect(territoryAt(territories, [2.01, 0.5])).toBe("east");
    expect(territoryAt(territories, [5, 5])).toBeNull();
  });

  it("treats holes as outside", () => {
    const ring: TerritoryGeometry = {
      type: "Polygon",
      coordinates: [
        ...box(0, 0, 4, 4).coordinates,
        [
          [1, 1],
          [3, 1],
          [3, 3],
          [1, 3],
          [1, 1],
        ],
      ],
    } as TerritoryGeometry;
    expect(territoryAt([{ id: "donut", geometry: ring }], [2, 2])).toBeNull();
    expect(territoryAt([{ id: "donut", geometry: ring }], [0.5, 2])).toBe("donut");
  });
});

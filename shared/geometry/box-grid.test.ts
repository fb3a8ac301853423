import { describe, expect, it } from "vitest";
import { BoxGrid, boxOf } from "./box-grid.ts";

describe("BoxGrid", () => {
  it("finds the boxes meeting a box, small and province-sized, and forgets deleted ones", () => {
    const grid = new BoxGrid(0.25);
    grid.set("bogor", [106.4, -6.8, 107.1, -6.3]);
    grid.set("far", [120, 0, 120.1, 0.1]);
    grid.set("java", [105, -9, 115, -5]); // more cells than a grid entry takes
    expect(grid.near([106.9, -6.6, 107.0, -6.5])).toEqual(new Set(["bogor", "java"]));
    expect(grid.near([107.1, -6.3, 107.2, -6.2])).toEqual(new Set(["bogor", "java"])); // touching counts
    expect(grid.near([100, 0, 130, 10])).toEqual(new Set(["far"]));
    grid.delete("bogor");
    grid.set("java", null);
    expect(grid.near([106.9, -6.6, 107.0, -6.5])).toEqual(new Set());
    expect(grid.size).toBe(1);
  });

  it("takes a geometry's box from its coordinates", () => {
    expect(
      boxOf([
        [
          [0, 1],
          [2, -1],
          [1, 3],
          [0, 1],
        ],
      ]),
    ).toEqual([0, -1, 2, 3]);
    expect(boxOf([])).toBeNull();
  });
});

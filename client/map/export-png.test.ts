import { describe, expect, it } from "vitest";
import { parseMatrix, pngFileName } from "./export-png.ts";

describe("map PNG export", () => {
  it("reads the CSS matrix OpenLayers puts on a layer canvas", () => {
    expect(parseMatrix("matrix(0.5, 0, 0, 0.5, 10, -4)")).toEqual([0.5, 0, 0, 0.5, 10, -4]);
    expect(parseMatrix("")).toBeNull();
    expect(parseMatrix("translate(3px, 4px)")).toBeNull();
  });

  it("names the file after the plan and the day", () => {
    expect(pngFileName("Jawa Barat — Q3 2025", new Date("2025-07-01T10:00:00Z"))).toBe(
      "jawa-barat-q3-2025-2025-07-01.png",
    );
    expect(pngFileName("   ", new Date("2025-07-01T10:00:00Z"))).toBe("map-2025-07-01.png");
  });
});

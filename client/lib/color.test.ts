import { describe, expect, it } from "vitest";
import { darken, hexToRgba, mix, rgb } from "./color.ts";

describe("colour helpers", () => {
  it("reads #rrggbb", () => {
    expect(rgb("#1b9e77")).toEqual([27, 158, 119]);
    expect(rgb("#FFFFFF")).toEqual([255, 255, 255]);
  });

  it("adds transparency", () => {
    expect(hexToRgba("#1b9e77", 0.55)).toBe("rgba(27, 158, 119, 0.55)");
    expect(hexToRgba("#000000", 1)).toBe("rgba(0, 0, 0, 1)");
  });

  it("darkens each channel by the factor, rounded", () => {
    expect(darken("#ffffff", 0.5)).toBe("#808080");
    expect(darken("#1b9e77")).toBe("#137256");
    expect(darken("#000000")).toBe("#000000");
  });

  it("mixes in sRGB", () => {
    expect(mix("#000000", "#ffffff", 0)).toBe("#000000");
    expect(mix("#000000", "#ffffff", 1)).toBe("#ffffff");
    expect(mix("#000000", "#ffffff", 0.5)).toBe("#808080");
  });
});

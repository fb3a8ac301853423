import { describe, expect, it } from "vitest";
import { overlayPadding } from "./fit-padding.ts";

// The map at 1280×720 beside the 392 px sidebar: 888 × 664.
const MAP = { width: 888, height: 664 };
const BASE: [number, number, number, number] = [90, 80, 90, 80];

describe("padding a fit for what floats over the map", () => {
  it("keeps a shape below a toolbar that reaches past the base padding", () => {
    const twoRows = { x0: 12, y0: 12, x1: 876, y1: 108 };
    expect(overlayPadding(MAP, [twoRows], BASE)).toEqual([122, 80, 90, 80]);
    // One row (44 px) is already inside the base padding.
    expect(overlayPadding(MAP, [{ x0: 12, y0: 12, x1: 876, y1: 56 }], BASE)).toEqual(BASE);
  });

  it("pads a bottom-right card on the side that costs the map least", () => {
    const card = { x0: 626, y0: 442, x1: 876, y1: 552 };
    expect(overlayPadding(MAP, [card], BASE)).toEqual([90, 276, 90, 80]);
    // A wide, short card hugging the bottom claims the bottom instead.
    expect(overlayPadding(MAP, [{ x0: 100, y0: 560, x1: 800, y1: 650 }], BASE)).toEqual([90, 80, 118, 80]);
  });

  it("gives up an axis rather than leaving the shape no room", () => {
    const small = { width: 400, height: 300 };
    const padded = overlayPadding(
      small,
      [
        { x0: 0, y0: 0, x1: 400, y1: 140 },
        { x0: 0, y0: 150, x1: 400, y1: 300 },
      ],
      [20, 20, 20, 20],
    );
    expect(padded).toEqual([20, 20, 20, 20]);
  });

  it("ignores overlays that are hidden or off the map", () => {
    expect(
      overlayPadding(
        MAP,
        [
          { x0: 0, y0: 0, x1: 0, y1: 0 },
          { x0: 900, y0: 10, x1: 1000, y1: 50 },
        ],
        BASE,
      ),
    ).toEqual(BASE);
  });
});

import { describe, expect, it } from "vitest";
import { readNumber } from "../i18n/numbers.ts";
import { outOfScale, targetStep } from "./target-entry.ts";

const typed = { chosen: true, confirmed: false };
const leftField = { chosen: false, confirmed: false };

describe("a target typed in the territory panel", () => {
  it("asks which reading is meant before saving 60.000, in either language", () => {
    expect(targetStep(readNumber("60.000", "en"), null, leftField)).toEqual({ step: "choose" });
    expect(targetStep(readNumber("60.000", "id"), null, leftField)).toEqual({ step: "choose" });
    expect(targetStep(readNumber("60.000", "en", "grouped"), null, typed)).toEqual({ step: "save", value: 60_000 });
    expect(targetStep(readNumber("60.000", "en"), null, typed)).toEqual({ step: "save", value: 60 });
  });

  it("saves unambiguous input at once, clears on empty or 0, refuses text and negatives", () => {
    expect(targetStep(readNumber("1.250.000", "en"), 1_000_000, leftField)).toEqual({ step: "save", value: 1_250_000 });
    expect(targetStep(readNumber("", "en"), 10, leftField)).toEqual({ step: "clear" });
    expect(targetStep(readNumber("0", "en"), 10, leftField)).toEqual({ step: "clear" });
    expect(targetStep(readNumber("lots", "en"), 10, leftField)).toEqual({ step: "invalid" });
    expect(targetStep(readNumber("-5", "en"), 10, leftField)).toEqual({ step: "invalid" });
  });

  it("asks for confirmation of a target more than 100× above or below the actual value", () => {
    // The wall view's "55,470% Achieved": 60 against 33,282 actual.
    const low = targetStep(readNumber("60", "en"), 33_282, typed);
    expect(low).toMatchObject({ step: "confirm", value: 60 });
    expect(targetStep(readNumber("60", "en"), 33_282, { chosen: true, confirmed: true })).toEqual({
      step: "save",
      value: 60,
    });
    expect(targetStep(readNumber("5000000", "en"), 33_282, typed)).toMatchObject({ step: "confirm" });
    expect(targetStep(readNumber("3000000", "en"), 33_282, typed)).toEqual({ step: "save", value: 3_000_000 });
    // Nothing to compare with: no accounts yet.
    expect(targetStep(readNumber("60", "en"), 0, typed)).toEqual({ step: "save", value: 60 });
  });

  it("measures how far off a target is, both ways", () => {
    expect(outOfScale(60, 33_282)).toBeCloseTo(60 / 33_282);
    expect(outOfScale(101, 1)).toBe(101);
    expect(outOfScale(100, 1)).toBeNull();
    expect(outOfScale(0.01, 1)).toBeNull();
    expect(outOfScale(1, null)).toBeNull();
  });
});

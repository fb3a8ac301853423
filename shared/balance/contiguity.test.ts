import { describe, expect, it } from "vitest";
import { toCsr } from "../units/layer.ts";
import { ArticulationCheck } from "./contiguity.ts";
import { grid } from "./testing.ts";

describe("ArticulationCheck", () => {
  it("knows a path's inner units hold it together and its ends do not", () => {
    const g = grid(5, 1);
    const check = new ArticulationCheck(g.offsets, g.targets);
    const owner = new Int32Array(5);
    expect(check.staysWhole(owner, 0, 0)).toBe(true);
    expect(check.staysWhole(owner, 4, 0)).toBe(true);
    for (const u of [1, 2, 3]) expect(check.staysWhole(owner, u, 0)).toBe(false);
  });

  it("finds no cut unit on a ring, and reads only the territory asked about", () => {
    const ring = toCsr(Array.from({ length: 6 }, (_, u) => [(u + 5) % 6, (u + 1) % 6]));
    const check = new ArticulationCheck(ring.offsets, ring.targets);
    for (let u = 0; u < 6; u++) expect(check.staysWhole(new Int32Array(6), u, 0)).toBe(true);
    // Units 0–2 in territory 0, 3–5 in 1: territory 0 is a path 0–1–2, so 1 holds it together.
    const owner = Int32Array.of(0, 0, 0, 1, 1, 1);
    expect(check.staysWhole(owner, 1, 0)).toBe(false);
    expect(check.staysWhole(owner, 0, 0)).toBe(true);
  });

  it("sees a way round on a grid", () => {
    // A 3 × 3 block: the centre is no cut unit, the middle of a 3 × 1 strip is.
    const g = grid(3, 3);
    const check = new ArticulationCheck(g.offsets, g.targets);
    expect(check.staysWhole(new Int32Array(9), 4, 0)).toBe(true);
    const strip = Int32Array.of(1, 1, 1, 0, 0, 0, 1, 1, 1);
    expect(check.staysWhole(strip, 4, 0)).toBe(false);
    expect(check.staysWhole(strip, 3, 0)).toBe(true);
  });
});

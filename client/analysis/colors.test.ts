import { describe, expect, it } from "vitest";
import {
  ACCOUNT_COLORS,
  AccountState,
  accountColors,
  DIVERGING,
  deviationColor,
  deviationLevel,
  pinnedMask,
  NO_DATA_COLOR,
  scoreLevel,
} from "./colors.ts";
import { mix } from "../lib/color.ts";

describe("deviation colours", () => {
  it("is neutral at the reference, the palette's ends at ±2× the allowed deviation, and clamps beyond", () => {
    expect(deviationColor(0, 0.15)).toBe("#f7f7f7");
    expect(deviationColor(0.3, 0.15)).toBe(DIVERGING[8]);
    expect(deviationColor(-0.3, 0.15)).toBe(DIVERGING[0]);
    expect(deviationColor(3.17, 0.15)).toBe(DIVERGING[8]);
    expect(deviationColor(-1, 0.15)).toBe(DIVERGING[0]);
  });

  it("puts the allowed deviation two steps from the middle, blue below and red above", () => {
    expect(deviationColor(0.15, 0.15)).toBe(DIVERGING[6]);
    expect(deviationColor(-0.15, 0.15)).toBe(DIVERGING[2]);
    // Half way between two stops mixes them.
    expect(deviationColor(0.075 / 2, 0.15)).toBe(mix(DIVERGING[4], DIVERGING[5], 0.5));
    const [r, , b] = [1, 2, 3].map((i) => Number.parseInt(deviationColor(-0.2, 0.15).slice(i * 2 - 1, i * 2 + 1), 16));
    expect(b).toBeGreaterThan(r as number);
  });

  it("scales with the allowed deviation, and shows no data for a missing one", () => {
    expect(deviationColor(0.3, 0.3)).toBe(DIVERGING[6]);
    expect(deviationColor(Number.NaN, 0.15)).toBe(NO_DATA_COLOR);
  });

  it("levels follow the server's rule: ok within a, warning to 2a, error beyond", () => {
    expect(deviationLevel(0.15, 0.15)).toBe("ok");
    expect(deviationLevel(-0.16, 0.15)).toBe("warning");
    expect(deviationLevel(0.3, 0.15)).toBe("warning");
    expect(deviationLevel(-0.31, 0.15)).toBe("error");
  });

  it("rates the plan score on the same scale: every territory at ±a scores 100 / (1 + a)", () => {
    expect(scoreLevel(100, 0.15)).toBe("ok");
    expect(scoreLevel(100 / 1.15, 0.15)).toBe("ok");
    expect(scoreLevel(86.9, 0.15)).toBe("warning");
    expect(scoreLevel(100 / 1.3, 0.15)).toBe("warning");
    expect(scoreLevel(76.8, 0.15)).toBe("error");
    expect(scoreLevel(47, 0.15)).toBe("error");
    expect(scoreLevel(77, 0.3)).toBe("ok");
  });
});

describe("account colours", () => {
  const colors = ["#1b9e77", "#d95f02"];

  it("colours each account by its territory, and marks unassigned and conflicting ones", () => {
    const { colors: c, states } = accountColors(Int32Array.of(0, 1, -1, -2, 1), colors);
    expect(c).toEqual(["#1b9e77", "#d95f02", ACCOUNT_COLORS.unassigned, ACCOUNT_COLORS.conflict, "#d95f02"]);
    expect([...states]).toEqual([
      AccountState.assigned,
      AccountState.assigned,
      AccountState.unassigned,
      AccountState.conflict,
      AccountState.assigned,
    ]);
  });

  it("leaves every account pending without an assignment or with one for other accounts", () => {
    expect([...accountColors(null, colors, 3).states]).toEqual([3, 3, 3]);
    const mismatched = accountColors([0, 1], colors, 3);
    expect(mismatched.colors).toEqual([ACCOUNT_COLORS.pending, ACCOUNT_COLORS.pending, ACCOUNT_COLORS.pending]);
  });

  it("marks accounts a pin holds in their territory, and only those (issue 10)", () => {
    const ids = ["a1", "a2", "a3", "a4"];
    const assignment = Int32Array.of(0, 1, 1, -1);
    // a2 pinned to t2 where it is counted; a3's pin names a deleted territory; a4 pinned but counted nowhere.
    const pins = new Map([
      ["a2", "t2"],
      ["a3", "gone"],
      ["a4", "t1"],
    ]);
    const mask = pinnedMask(pins, ids, assignment, ["t1", "t2"]);
    expect([...mask]).toEqual([0, 1, 0, 0]);
    const { colors: c, states } = accountColors(assignment, colors, 4, mask);
    expect(c[1]).toBe("#d95f02");
    expect([...states]).toEqual([
      AccountState.assigned,
      AccountState.pinned,
      AccountState.assigned,
      AccountState.unassigned,
    ]);
    expect([...pinnedMask(pins, ids, null, [])]).toEqual([0, 0, 0, 0]);
  });

  it("treats a territory it has no colour for (deleted since) as pending", () => {
    const { colors: c, states } = accountColors([2, 0], colors);
    expect(c[0]).toBe(ACCOUNT_COLORS.pending);
    expect(states[0]).toBe(AccountState.pending);
    expect(c[1]).toBe("#1b9e77");
  });
});

import { describe, expect, it } from "vitest";
import { parseAnalysisMessage } from "./parse.ts";

const valid = {
  seq: 3,
  accountsVersion: 1,
  computeMs: 4.2,
  territories: [{ id: "t1", name: "A", accounts: 2 }],
  balance: { score: 80, allowedDeviation: 0.15, metricNames: ["accounts"], metrics: {} },
  issues: [{ id: "overlap:a:b", kind: "overlap" }],
  unassignedAccountIds: [],
  overlapAccountIds: [],
  totals: { territories: 1, accounts: 2, unassigned: 0, overlapping: 0 },
  accountTerritory: [0, 0],
};

describe("analysis messages", () => {
  it("reads what the server sends", () => {
    const m = parseAnalysisMessage(JSON.stringify(valid));
    expect(m?.seq).toBe(3);
    expect(m?.accountTerritory).toEqual([0, 0]);
  });

  it("drops garbage instead of breaking the panels", () => {
    expect(parseAnalysisMessage("<html>502</html>")).toBeNull();
    expect(parseAnalysisMessage("null")).toBeNull();
    expect(parseAnalysisMessage(JSON.stringify({ ...valid, territories: "x" }))).toBeNull();
    expect(parseAnalysisMessage(JSON.stringify({ ...valid, balance: null }))).toBeNull();
    expect(parseAnalysisMessage(JSON.stringify({ ...valid, accountTerritory: {} }))).toBeNull();
  });
});

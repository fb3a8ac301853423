import { describe, expect, it } from "vitest";
import { parseOrigin, parsePromoteDone, parsePromotePreview, parseScenarioList } from "./parse.ts";

const comparison = {
  territories: { added: [], removed: [], changed: [{ id: "west", name: "West", fields: ["name"] }] },
  unitsMoved: [],
  accountsMoved: [],
  accounts: { added: 0, removed: 0 },
  metrics: {},
  score: { from: 60, to: 70 },
  settings: {},
  layerChanged: false,
};

describe("scenarios' answers read defensively", () => {
  it("reads a scenario's origin, and nothing for a plan that is not one", () => {
    expect(parseOrigin(undefined)).toBeNull();
    expect(parseOrigin({ plan: "" })).toBeNull();
    expect(
      parseOrigin({
        plan: "p1",
        name: "Jawa",
        version: "v-1",
        versionName: "Q3",
        at: "2026-01-01",
        by: { name: "Ani" },
      }),
    ).toEqual({
      plan: "p1",
      name: "Jawa",
      version: "v-1",
      versionName: "Q3",
      at: "2026-01-01",
      by: { id: "", name: "Ani", role: "edit" },
      gone: false,
    });
    expect(parseOrigin({ plan: "p1", gone: true })?.gone).toBe(true);
  });

  it("keeps the scenarios that read as such", () => {
    const list = parseScenarioList({
      scenarios: [
        { id: "s1", name: "Q3", at: "t", by: { name: "Ani", role: "edit" }, summary: "1 territory changed" },
        { name: "no id" },
        { id: "s2", name: 4, promoted: { at: "t2", by: { name: "Budi" } }, versionName: "Before" },
      ],
    });
    expect(list.map((s) => [s.id, s.name, s.summary, s.versionName, s.promoted?.by.name ?? null])).toEqual([
      ["s1", "Q3", "1 territory changed", null, null],
      ["s2", "", null, "Before", "Budi"],
    ]);
    expect(parseScenarioList(null)).toEqual([]);
  });

  it("reads a promote's preview and answer", () => {
    const preview = parsePromotePreview({
      origin: { id: "p1", name: "Jawa" },
      conflicts: [{ id: "west", name: "West", kind: "edited", fields: ["name", "bogus"], units: 2, pins: -1 }, "x"],
      originEdits: { added: [], removed: [], changed: [{ id: "east", name: "East", fields: ["name"] }], unitsMoved: 3 },
      scenarioEdits: {},
      applied: { changed: 1 },
      comparison,
    });
    expect(preview?.conflicts).toEqual([
      { id: "west", name: "West", kind: "edited", fields: ["name"], units: 2, pins: 0 },
    ]);
    expect(preview?.originEdits.changed).toEqual([{ id: "east", name: "East", fields: ["name"] }]);
    expect(preview?.originEdits.unitsMoved).toBe(3);
    expect(preview?.applied).toEqual({ created: 0, deleted: 0, changed: 1, units: 0, pins: 0 });
    expect(preview?.comparison.score).toEqual({ from: 60, to: 70 });
    expect(parsePromotePreview({ origin: {} })).toBeNull();
    expect(parsePromoteDone({ restoreId: "r-1", changed: 4, conflicts: [{}], conflictsTo: "scenario" })).toMatchObject({
      restoreId: "r-1",
      changed: 4,
      conflicts: 1,
      conflictsTo: "scenario",
    });
    expect(parsePromoteDone({})).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { box } from "../../tests/fixtures/shapes.ts";
import { contentOf, unpackUnits, type VersionContent } from "../versions/content.ts";
import { type PlanSketch, planDoc } from "../versions/testing.ts";
import { readAccountsVersion, readUnitsVersion } from "../doc/schema.ts";
import { forkUpdate } from "./fork.ts";
import { PromoteRefusal, planPromote } from "./promote.ts";

const drawnRefs = { accounts: 1, competitors: 0, units: 0 };
const unitRefs = { accounts: 1, competitors: 0, units: 4 };

function drawn(edit: (s: PlanSketch) => void = () => {}): VersionContent {
  const sketch: PlanSketch = {
    name: "Java",
    allowedDeviation: 0.1,
    territories: [
      { id: "a", name: "Bogor", geometry: box(0, 0, 1, 1) },
      { id: "b", name: "Depok", geometry: box(1, 0, 2, 1) },
      { id: "c", name: "Bekasi", geometry: box(2, 0, 3, 1) },
    ],
    pins: { x1: "a" },
  };
  edit(sketch);
  return contentOf(planDoc(sketch), drawnRefs);
}

/** A unit plan: units 0–3 are a's, 4–7 b's, 8–9 c's. */
function unitPlan(edit: (s: PlanSketch) => void = () => {}): VersionContent {
  const sketch: PlanSketch = {
    name: "Java",
    unitsVersion: 4,
    territories: [
      { id: "a", name: "Bogor" },
      { id: "b", name: "Depok" },
      { id: "c", name: "Bekasi" },
    ],
    units: { a: [0, 1, 2, 3], b: [4, 5, 6, 7], c: [8, 9] },
  };
  edit(sketch);
  return contentOf(planDoc(sketch), unitRefs);
}

const territory = (s: PlanSketch, id: string) => s.territories.find((t) => t.id === id) as PlanSketch["territories"][0];
const move = (s: PlanSketch, unit: number, to: string) => {
  for (const list of Object.values(s.units ?? {})) {
    const i = list.indexOf(unit);
    if (i >= 0) list.splice(i, 1);
  }
  (s.units as Record<string, number[]>)[to] ??= [];
  (s.units as Record<string, number[]>)[to]?.push(unit);
};
const owners = (c: VersionContent) => unpackUnits(c);

describe("planPromote", () => {
  it("with no edits in the origin since the fork, gives the scenario's territories, units and pins", () => {
    const base = drawn();
    const scenario = drawn((s) => {
      territory(s, "a").geometry = box(0, 0, 1.5, 1);
      territory(s, "b").name = "Kota Depok";
      s.territories = s.territories.filter((t) => t.id !== "c");
      s.territories.push({ id: "d", name: "Bandung", geometry: box(5, 5, 6, 6) });
      s.pins = { x1: "b", x2: "d" };
    });
    const plan = planPromote(base, base, scenario);
    expect(plan.conflicts).toEqual([]);
    expect(plan.result.territories).toEqual(scenario.territories);
    expect(plan.result.pins).toEqual({ x1: "b", x2: "d" });
    expect(plan.applied).toEqual({ created: 1, deleted: 1, changed: 2, units: 0, pins: 2 });
    expect(plan.scenarioEdits.added.map((t) => t.name)).toEqual(["Bandung"]);
    expect(plan.originEdits).toMatchObject({ added: [], removed: [], changed: [] });
  });

  it("keeps the origin's edits of other territories and of other fields of the same territory", () => {
    const base = drawn();
    const origin = drawn((s) => {
      territory(s, "a").name = "Kabupaten Bogor";
      territory(s, "c").color = "#123456";
    });
    const scenario = drawn((s) => {
      territory(s, "a").geometry = box(0, 0, 1.5, 1);
    });
    const plan = planPromote(base, origin, scenario);
    expect(plan.conflicts).toEqual([]);
    const a = plan.result.territories.find((t) => t.id === "a");
    expect(a?.name).toBe("Kabupaten Bogor");
    expect(a?.geometry).toBe(scenario.territories.find((t) => t.id === "a")?.geometry);
    expect(plan.result.territories.find((t) => t.id === "c")?.color).toBe("#123456");
    expect(plan.originEdits.changed.map((t) => [t.id, t.fields])).toEqual([
      ["a", ["name"]],
      ["c", ["color"]],
    ]);
  });

  it("names a field both sides changed differently, and decides it as told", () => {
    const base = drawn();
    const origin = drawn((s) => {
      territory(s, "a").geometry = box(0, 0, 0.5, 1);
    });
    const scenario = drawn((s) => {
      territory(s, "a").geometry = box(0, 0, 1.5, 1);
      territory(s, "b").geometry = box(1.5, 0, 2, 1);
    });
    const kept = planPromote(base, origin, scenario);
    expect(kept.conflicts).toEqual([
      { id: "a", name: "Bogor", kind: "edited", fields: ["geometry"], units: 0, pins: 0 },
    ]);
    expect(kept.result.territories.find((t) => t.id === "a")?.geometry).toBe(origin.territories[0]?.geometry);
    expect(kept.result.territories.find((t) => t.id === "b")?.geometry).toBe(scenario.territories[1]?.geometry);
    const forced = planPromote(base, origin, scenario, "scenario");
    expect(forced.result.territories.find((t) => t.id === "a")?.geometry).toBe(scenario.territories[0]?.geometry);
    expect(forced.conflicts).toHaveLength(1);
  });

  it("two sides that made the same change agree", () => {
    const base = drawn();
    const both = (s: PlanSketch) => {
      territory(s, "b").name = "Kota Depok";
    };
    const plan = planPromote(base, drawn(both), drawn(both));
    expect(plan.conflicts).toEqual([]);
    expect(plan.applied.changed).toBe(0);
  });

  it("merges unit moves unit by unit: moves on one side apply, a unit both moved elsewhere is a conflict", () => {
    const base = unitPlan();
    const origin = unitPlan((s) => {
      move(s, 2, "c");
      move(s, 3, "c");
    });
    const scenario = unitPlan((s) => {
      move(s, 1, "b");
      move(s, 2, "b");
    });
    const plan = planPromote(base, origin, scenario);
    expect(owners(plan.result).slice(0, 4)).toEqual(["a", "b", "c", "c"]);
    expect(plan.conflicts.map((c) => [c.id, c.fields, c.units])).toEqual([
      ["c", ["units"], 1],
      ["b", ["units"], 1],
    ]);
    expect(owners(planPromote(base, origin, scenario, "scenario").result).slice(0, 4)).toEqual(["a", "b", "b", "c"]);
    expect(plan.applied.units).toBe(1);
  });

  it("a territory the scenario deleted while the origin painted into it is a conflict of the whole territory", () => {
    const base = unitPlan();
    const origin = unitPlan((s) => move(s, 4, "c"));
    const scenario = unitPlan((s) => {
      s.territories = s.territories.filter((t) => t.id !== "c");
      delete s.units?.c;
      move(s, 8, "b");
    });
    const kept = planPromote(base, origin, scenario);
    expect(kept.conflicts).toEqual([
      { id: "c", name: "Bekasi", kind: "deleted-in-scenario", fields: ["deleted"], units: 0, pins: 0 },
    ]);
    // The origin's Bekasi stays whole, its new unit included.
    expect(owners(kept.result)).toEqual(["a", "a", "a", "a", "c", "b", "b", "b", "c", "c"]);
    const forced = planPromote(base, origin, scenario, "scenario");
    expect(forced.result.territories.map((t) => t.id)).toEqual(["a", "b"]);
    expect(owners(forced.result)).toEqual(["a", "a", "a", "a", "b", "b", "b", "b", "b"]);
  });

  it("a territory the origin deleted while the scenario changed it is a conflict; the scenario's choice brings it back whole", () => {
    const base = unitPlan();
    const origin = unitPlan((s) => {
      s.territories = s.territories.filter((t) => t.id !== "c");
      delete s.units?.c;
    });
    const scenario = unitPlan((s) => {
      territory(s, "c").name = "Kota Bekasi";
    });
    const kept = planPromote(base, origin, scenario);
    expect(kept.conflicts.map((c) => [c.id, c.kind, c.name])).toEqual([["c", "deleted-in-origin", "Kota Bekasi"]]);
    expect(kept.result.territories.map((t) => t.id)).toEqual(["a", "b"]);
    const forced = planPromote(base, origin, scenario, "scenario");
    expect(forced.result.territories.find((t) => t.id === "c")?.name).toBe("Kota Bekasi");
    expect(owners(forced.result).slice(8)).toEqual(["c", "c"]);
  });

  it("a territory deleted in the scenario that the origin left alone goes, with its units unassigned", () => {
    const base = unitPlan();
    const scenario = unitPlan((s) => {
      s.territories = s.territories.filter((t) => t.id !== "c");
      delete s.units?.c;
    });
    const origin = unitPlan((s) => move(s, 0, "b"));
    const plan = planPromote(base, origin, scenario);
    expect(plan.conflicts).toEqual([]);
    expect(owners(plan.result)).toEqual(["b", "a", "a", "a", "b", "b", "b", "b"]);
    expect(plan.applied.deleted).toBe(1);
  });

  it("keeps the origin's settings and data versions", () => {
    const base = drawn();
    const scenario = drawn((s) => {
      s.allowedDeviation = 0.3;
      s.name = "What if";
    });
    const plan = planPromote(base, base, { ...scenario, accountsVersion: 9 });
    expect(plan.result).toMatchObject({ name: "Java", allowedDeviation: 0.1, accountsVersion: 1 });
  });

  it("refuses when either side replaced its unit layer since the fork", () => {
    const base = unitPlan();
    expect(() => planPromote(base, { ...base, unitsVersion: 5 }, base)).toThrow(PromoteRefusal);
    expect(() => planPromote(base, base, { ...base, unitsVersion: 5 })).toThrow(/scenario's unit layer/);
  });
});

describe("forkUpdate", () => {
  it("makes a document holding the content with the same ids, units and pins, under the scenario's name", () => {
    for (const content of [drawn(), unitPlan()]) {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, forkUpdate(content, "What if"));
      const refs = content.unitsVersion > 0 ? unitRefs : drawnRefs;
      expect(contentOf(doc, refs)).toEqual({ ...content, name: "What if" });
      expect(readAccountsVersion(doc)).toBe(1);
      expect(readUnitsVersion(doc)).toBe(content.unitsVersion);
    }
  });
});

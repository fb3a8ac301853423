import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { remoteEdit } from "../../tests/fixtures/remote-edit.ts";
import { box } from "../../tests/fixtures/shapes.ts";
import { checkUpdate, type UpdateLimits } from "../doc/check-update.ts";
import { LOCAL_EDIT, transact } from "../doc/origins.ts";
import {
  commentsMap,
  deleteTerritory,
  pinsMap,
  planMap,
  readTerritory,
  territoriesMap,
  unitsMap,
  updateTerritory,
  writeAllowedDeviation,
  writePin,
  writePlanName,
  writeTerritory,
  writeUnitAssignments,
  writeUnitsVersion,
} from "../doc/schema.ts";
import type { Territory } from "../doc/territory.ts";
import { BoxGrid, boxOf } from "../geometry/box-grid.ts";
import type { TerritoryGeometry } from "../geometry/types.ts";
import {
  checkScope,
  compileScope,
  type LinkScope,
  outsideScope,
  parseScope,
  type ScopeContext,
  type ScopeVerdict,
  scopeAllows,
  territoriesInScope,
} from "./scope.ts";

function territory(id: string, parent: string | null, geometry: TerritoryGeometry): Territory {
  return { id, name: id.toUpperCase(), color: "#1b9e77", reps: [], targets: {}, parent, geometry };
}

/**
 * Three neighbours in a row sharing borders: a | b (region "north") and c
 * (region "south"), each a degree wide.
 */
function plan(): Y.Doc {
  const doc = new Y.Doc();
  for (const root of [planMap, territoriesMap, pinsMap, commentsMap, unitsMap]) root(doc);
  transact(doc, LOCAL_EDIT, () => {
    writeTerritory(doc, territory("a", "north", box(0, 0, 1, 1)));
    writeTerritory(doc, territory("b", "north", box(1, 0, 2, 1)));
    writeTerritory(doc, territory("c", "south", box(2, 0, 3, 1)));
  });
  return doc;
}

/** What the server gives the check: the territories near a box, and their shapes. */
function contextOf(doc: Y.Doc, extra: Partial<ScopeContext> = {}): ScopeContext {
  const grid = new BoxGrid();
  territoriesMap(doc).forEach((_, id) => {
    const t = readTerritory(doc, id);
    if (t) grid.set(id, boxOf(t.geometry.coordinates));
  });
  return {
    near: (b) => grid.near(b),
    geometryOf: (id) => readTerritory(doc, id)?.geometry ?? null,
    ...extra,
  };
}

/** The scope check of a client's edit, as the room runs it after checkUpdate. */
function judge(
  doc: Y.Doc,
  scope: LinkScope,
  edit: (client: Y.Doc) => void,
  opts: { limits?: UpdateLimits; ctx?: Partial<ScopeContext> } = {},
): ScopeVerdict {
  const verdict = checkUpdate(
    doc,
    remoteEdit(doc, (c) => transact(c, LOCAL_EDIT, () => edit(c))),
    opts.limits,
  );
  if (!verdict.ok) throw new Error(`checkUpdate refused: ${verdict.problem}`);
  return checkScope(doc, verdict.footprint, compileScope(scope), contextOf(doc, opts.ctx));
}

const BY_IDS: LinkScope = { territories: ["a", "b"] };
const NORTH: LinkScope = { parent: "north" };

describe.each([
  ["by ids", BY_IDS],
  ["by region", NORTH],
])("a scope %s", (_, scope) => {
  it("lets an edit inside through: a reshape, a rename, a delete", () => {
    const doc = plan();
    expect(judge(doc, scope, (c) => updateTerritory(c, "a", { geometry: box(0, 0, 0.9, 0.9) })).ok).toBe(true);
    expect(judge(doc, scope, (c) => updateTerritory(c, "b", { name: "Bogor" })).ok).toBe(true);
    expect(judge(doc, scope, (c) => deleteTerritory(c, "a")).ok).toBe(true);
  });

  it("refuses an edit outside, naming the territory", () => {
    const doc = plan();
    const v = judge(doc, scope, (c) => updateTerritory(c, "c", { name: "Cirebon" }));
    expect(v).toMatchObject({ ok: false, reason: "outside", territories: ["c"] });
    expect(!v.ok && v.problem).toMatch(/it changes C, outside the territories your link may edit/);
    expect(judge(doc, scope, (c) => deleteTerritory(c, "c"))).toMatchObject({ ok: false, territories: ["c"] });
  });

  it("refuses a shared border moved with a neighbour outside (the neighbour is written)", () => {
    const doc = plan();
    const v = judge(doc, scope, (c) => {
      updateTerritory(c, "b", { geometry: box(1, 0, 2.5, 1) });
      updateTerritory(c, "c", { geometry: box(2.5, 0, 3, 1) });
    });
    expect(v).toMatchObject({ ok: false, reason: "outside", territories: ["c"] });
  });

  it("refuses a shape pushed over a neighbour outside, but not one that only touches it", () => {
    const doc = plan();
    expect(judge(doc, scope, (c) => updateTerritory(c, "b", { geometry: box(1, 0, 2.4, 1) }))).toMatchObject({
      ok: false,
      reason: "overlap",
      territories: ["c"],
    });
    // Snapped to the shared border: touching, not overlapping.
    expect(judge(doc, scope, (c) => updateTerritory(c, "b", { geometry: box(1, 0, 2, 0.8) })).ok).toBe(true);
    // A shape over a neighbour inside is not the scope's business (scoring reports it).
    expect(judge(doc, scope, (c) => updateTerritory(c, "a", { geometry: box(0, 0, 1.5, 1) })).ok).toBe(true);
  });

  it("lets a territory keep an overlap it already had", () => {
    const doc = plan();
    transact(doc, LOCAL_EDIT, () => updateTerritory(doc, "b", { geometry: box(1, 0, 2.2, 1) }));
    expect(judge(doc, scope, (c) => updateTerritory(c, "b", { geometry: box(1, 0, 2.2, 0.9) })).ok).toBe(true);
  });

  it("refuses a split or merge crossing the scope, allows one inside", () => {
    const doc = plan();
    const parent = "parent" in scope ? scope.parent : null;
    // Split c: c reshaped, a new piece made of its half.
    expect(
      judge(doc, scope, (c) => {
        updateTerritory(c, "c", { geometry: box(2, 0, 2.5, 1) });
        writeTerritory(c, territory("c2", parent, box(2.5, 0, 3, 1)));
      }),
    ).toMatchObject({ ok: false, territories: ["c"] });
    // Merge b and c into b.
    expect(
      judge(doc, scope, (c) => {
        updateTerritory(c, "b", { geometry: box(1, 0, 3, 1) });
        deleteTerritory(c, "c");
      }),
    ).toMatchObject({ ok: false, territories: ["c"] });
    // Split a, merge a and b: inside.
    const split = judge(doc, scope, (c) => {
      updateTerritory(c, "a", { geometry: box(0, 0, 0.5, 1) });
      writeTerritory(c, territory("a2", parent, box(0.5, 0, 1, 1)));
    });
    expect(split.ok).toBe(true);
    const merge = judge(doc, scope, (c) => {
      updateTerritory(c, "a", { geometry: box(0, 0, 2, 1) });
      deleteTerritory(c, "b");
    });
    expect(merge.ok).toBe(true);
  });

  it("refuses a new territory over one outside, accepts one drawn in free space", () => {
    const doc = plan();
    const parent = "parent" in scope ? scope.parent : null;
    expect(judge(doc, scope, (c) => writeTerritory(c, territory("n", parent, box(2.5, 0.5, 3.5, 1.5))))).toMatchObject({
      ok: false,
      reason: "overlap",
      territories: ["c"],
    });
    const v = judge(doc, scope, (c) => writeTerritory(c, territory("n", parent, box(0, 1, 1, 2))));
    expect(v).toEqual({ ok: true, adopted: "parent" in scope ? [] : ["n"] });
  });

  it("refuses a change of a territory's region, and plan settings", () => {
    const doc = plan();
    expect(judge(doc, scope, (c) => updateTerritory(c, "a", { parent: "south" }))).toMatchObject({
      ok: false,
      reason: "parent",
      territories: ["a"],
    });
    expect(judge(doc, scope, (c) => writePlanName(c, "Mine now"))).toMatchObject({ ok: false, reason: "plan" });
    expect(judge(doc, scope, (c) => writeAllowedDeviation(c, 0.3))).toMatchObject({ ok: false, reason: "plan" });
  });

  it("checks pins by the territory they leave, the one they name and where the account lies", () => {
    const doc = plan();
    transact(doc, LOCAL_EDIT, () => {
      writePin(doc, "acc-c", "c");
      writePin(doc, "acc-a", "a");
    });
    expect(judge(doc, scope, (c) => writePin(c, "acc-a", "b")).ok).toBe(true);
    expect(judge(doc, scope, (c) => writePin(c, "acc-a", "c"))).toMatchObject({ ok: false, territories: ["c"] });
    expect(judge(doc, scope, (c) => writePin(c, "acc-c", "a"))).toMatchObject({ ok: false, territories: ["c"] });
    expect(judge(doc, scope, (c) => writePin(c, "acc-c", null))).toMatchObject({ ok: false, territories: ["c"] });
    const lies = { accountTerritories: (id: string) => (id === "acc-new" ? ["c"] : ["a"]) };
    expect(judge(doc, scope, (c) => writePin(c, "acc-new", "a"), { ctx: lies })).toMatchObject({
      ok: false,
      territories: ["c"],
    });
    expect(judge(doc, scope, (c) => writePin(c, "acc-other", "b"), { ctx: lies }).ok).toBe(true);
  });
});

describe("a scope in a plan built from units", () => {
  function unitPlan(): Y.Doc {
    const doc = new Y.Doc();
    for (const root of [planMap, territoriesMap, pinsMap, commentsMap, unitsMap]) root(doc);
    transact(doc, LOCAL_EDIT, () => {
      writeUnitsVersion(doc, 1);
      for (const [id, parent] of [
        ["a", "north"],
        ["b", "north"],
        ["c", "south"],
      ] as const) {
        const m = new Y.Map<unknown>();
        territoriesMap(doc).set(id, m);
        m.set("name", id.toUpperCase());
        m.set("color", "#123456");
        m.set("parent", parent);
      }
      writeUnitAssignments(doc, [
        ["0", "a"],
        ["1", "b"],
        ["2", "c"],
      ]);
    });
    return doc;
  }
  const limits = { unitCount: 10 };

  it.each([
    ["by ids", BY_IDS],
    ["by region", NORTH],
  ])("%s: paints inside, refuses a unit taken from or given to a territory outside", (_, scope) => {
    const doc = unitPlan();
    const paint = (entries: [string, string | null][]) =>
      judge(doc, scope, (c) => writeUnitAssignments(c, entries), { limits });
    expect(paint([["0", "b"]]).ok).toBe(true);
    expect(paint([["5", "a"]]).ok).toBe(true); // an unassigned unit
    expect(paint([["0", null]]).ok).toBe(true);
    expect(paint([["2", "a"]])).toMatchObject({ ok: false, territories: ["c"] });
    expect(paint([["1", "c"]])).toMatchObject({ ok: false, territories: ["c"] });
    expect(paint([["2", null]])).toMatchObject({ ok: false, territories: ["c"] });
  });
});

describe("scope helpers", () => {
  it("reads a scope from a request, refusing anything else", () => {
    expect(parseScope({ parent: "jabar" })).toEqual({ ok: true, scope: { parent: "jabar" } });
    expect(parseScope({ territories: ["a", "a", "b"] })).toEqual({ ok: true, scope: { territories: ["a", "b"] } });
    for (const bad of [
      null,
      [],
      {},
      { territories: [] },
      { territories: ["a b"] },
      { parent: "" },
      { parent: "x", territories: ["a"] },
    ]) {
      expect(parseScope(bad).ok).toBe(false);
    }
  });

  it("says which territories are outside, and whether a scope allows a set", () => {
    const doc = plan();
    expect(outsideScope(NORTH, ["a", "c", "b", "c"], doc)).toEqual(["c"]);
    expect(scopeAllows(BY_IDS, ["a", "b"], doc)).toBe(true);
    expect(scopeAllows(BY_IDS, ["a", "c"], doc)).toBe(false);
    expect(scopeAllows(null, ["c"], doc)).toBe(true);
    expect(territoriesInScope(NORTH, doc)).toEqual(["a", "b"]);
  });
});

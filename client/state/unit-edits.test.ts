import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { checkUpdate } from "../../shared/doc/check-update.ts";
import { LOCAL_EDIT } from "../../shared/doc/origins.ts";
import {
  commentsMap,
  pinsMap,
  planMap,
  readTerritoryProps,
  readUnitAssignment,
  territoriesMap,
  undoScope,
  unitsMap,
  writeUnitAssignments,
  writeUnitsVersion,
  writeUnitTerritory,
} from "../../shared/doc/schema.ts";
import { unitKey } from "../../shared/units/layer.ts";
import { deleteTerritories } from "./edits.ts";
import { createUnitTerritory, mergeUnitTerritories, paintUnits, splitUnitTerritory } from "./unit-edits.ts";

/** A unit plan of 20 units: a has units 0–4 (and a rep), b has 5–9, the rest are unassigned. */
function unitPlan(): Y.Doc {
  const doc = new Y.Doc();
  for (const root of [planMap, territoriesMap, pinsMap, commentsMap, unitsMap]) root(doc);
  doc.transact(() => {
    writeUnitsVersion(doc, 1);
    writeUnitTerritory(doc, {
      id: "a",
      name: "Bandung",
      color: "#1b9e77",
      reps: [{ name: "Siti" }],
      targets: {},
      parent: null,
    });
    writeUnitTerritory(doc, {
      id: "b",
      name: "Bogor",
      color: "#d95f02",
      reps: [{ name: "Budi" }],
      targets: {},
      parent: null,
    });
    writeUnitAssignments(
      doc,
      [0, 1, 2, 3, 4].map((u) => [unitKey(u), "a"] as const),
    );
    writeUnitAssignments(
      doc,
      [5, 6, 7, 8, 9].map((u) => [unitKey(u), "b"] as const),
    );
  });
  return doc;
}

/** Runs an edit on a copy and answers the update it made, as the server would check it. */
function serverVerdict(doc: Y.Doc, edit: (copy: Y.Doc) => void) {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  const updates: Uint8Array[] = [];
  copy.on("update", (u: Uint8Array) => updates.push(u));
  edit(copy);
  expect(updates).toHaveLength(1);
  return checkUpdate(doc, updates[0] as Uint8Array, { unitCount: 20 });
}

/** Unit index → territory id. */
const owners = (doc: Y.Doc): Record<string, string> =>
  Object.fromEntries([...readUnitAssignment(doc)].map(([key, t]) => [String(Number.parseInt(key, 36)), t]));

describe("unit edits", () => {
  it("paints a stroke as one change the server accepts, and writes nothing when nothing changes", () => {
    const doc = unitPlan();
    expect(serverVerdict(doc, (c) => paintUnits(c, [5, 6, 12], "a")).ok).toBe(true);
    const r = paintUnits(doc, [5, 6, 12, 0], "a");
    expect(r).toEqual({ ok: true, value: 3 });
    expect(owners(doc)).toMatchObject({ "5": "a", "6": "a", "12": "a", "0": "a" });
    const updates: Uint8Array[] = [];
    doc.on("update", (u: Uint8Array) => updates.push(u));
    expect(paintUnits(doc, [5, 6], "a")).toEqual({ ok: true, value: 0 });
    expect(updates).toHaveLength(0);
  });

  it("takes units out with null, and refuses a territory that is gone or a drawn plan", () => {
    const doc = unitPlan();
    expect(serverVerdict(doc, (c) => paintUnits(c, [0, 1], null)).ok).toBe(true);
    paintUnits(doc, [0, 1], null);
    expect(owners(doc)["0"]).toBeUndefined();
    expect(paintUnits(doc, [2], "ghost")).toEqual({ ok: false, error: { kind: "gone" } });
    expect(owners(doc)["2"]).toBe("a");
    expect(paintUnits(new Y.Doc(), [1], null)).toEqual({ ok: false, error: { kind: "units", reason: "notUnitPlan" } });
  });

  it("is one undo step per stroke", () => {
    const doc = unitPlan();
    const undo = new Y.UndoManager(undoScope(doc), { trackedOrigins: new Set([LOCAL_EDIT]), captureTimeout: 0 });
    paintUnits(doc, [10, 11, 12], "b");
    paintUnits(doc, [0], "b");
    undo.undo();
    expect(owners(doc)).toMatchObject({ "0": "a", "10": "b", "11": "b", "12": "b" });
    undo.undo();
    expect(owners(doc)["10"]).toBeUndefined();
  });

  it("makes a territory of units (Draw and Fill with nothing selected), accepted by the server", () => {
    const doc = unitPlan();
    expect(serverVerdict(doc, (c) => createUnitTerritory(c, [4, 15], { name: "Cirebon" })).ok).toBe(true);
    const r = createUnitTerritory(doc, [4, 15], { name: "Cirebon" });
    if (!r.ok) throw new Error("refused");
    expect(readTerritoryProps(doc, r.value)?.name).toBe("Cirebon");
    expect(owners(doc)).toMatchObject({ "4": r.value, "15": r.value });
    expect(createUnitTerritory(doc, [], { name: "Kosong" })).toEqual({
      ok: false,
      error: { kind: "units", reason: "empty" },
    });
  });

  it("splits a territory's units into a new one with its reps, and refuses a cut that leaves one side empty", () => {
    const doc = unitPlan();
    const name = (n: string) => `${n} (2)`;
    expect(serverVerdict(doc, (c) => splitUnitTerritory(c, "a", [3, 4], 3, name)).ok).toBe(true);
    const r = splitUnitTerritory(doc, "a", [3, 4], 3, name);
    if (!r.ok) throw new Error("refused");
    const [, second] = r.value;
    expect(readTerritoryProps(doc, second)).toMatchObject({ name: "Bandung (2)", reps: [{ name: "Siti" }] });
    expect(owners(doc)).toMatchObject({ "0": "a", "2": "a", "3": second, "4": second });
    expect(splitUnitTerritory(doc, "a", [0, 1, 2], 0, name)).toMatchObject({ ok: false });
  });

  it("merges: the other's units and reps join, the other goes", () => {
    const doc = unitPlan();
    expect(serverVerdict(doc, (c) => mergeUnitTerritories(c, "a", "b")).ok).toBe(true);
    mergeUnitTerritories(doc, "a", "b");
    expect(territoriesMap(doc).has("b")).toBe(false);
    expect(new Set(Object.values(owners(doc)))).toEqual(new Set(["a"]));
    expect(Object.keys(owners(doc))).toHaveLength(10);
    expect(readTerritoryProps(doc, "a")?.reps.map((r) => r.name)).toEqual(["Siti", "Budi"]);
  });

  it("deleting a unit territory leaves its units unassigned in the same step", () => {
    const doc = unitPlan();
    expect(serverVerdict(doc, (c) => deleteTerritories(c, ["b"])).ok).toBe(true);
    deleteTerritories(doc, ["b"]);
    expect(Object.values(owners(doc))).not.toContain("b");
    expect(Object.keys(owners(doc))).toHaveLength(5);
  });
});

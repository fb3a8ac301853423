import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { encodeGeometry } from "../geometry/codec.ts";
import type { Ring, TerritoryGeometry } from "../geometry/types.ts";
import { LOCAL_EDIT, transact } from "./origins.ts";
import {
  deleteTerritory,
  geometryWriter,
  hasTerritory,
  parseTerritory,
  readPlanName,
  readTerritories,
  readTerritory,
  readTerritoryProps,
  territoriesMap,
  territoryIds,
  updateTerritory,
  writePlanName,
  writeTerritory,
} from "./schema.ts";
import type { Territory } from "./territory.ts";
import { box, circleRing, closed, polygon } from "../../tests/fixtures/shapes.ts";

/** A Polygon of `n` positions on a circle around (cx, cy). */
const circle = (n: number, cx: number, cy: number, r: number) => polygon(circleRing(n, cx, cy, r));

function territory(id: string, name: string, geometry: TerritoryGeometry = box(106, -7, 107, -6)): Territory {
  return { id, name, color: "#1b9e77", reps: [{ name: "Budi" }], targets: { revenue: 100 }, parent: null, geometry };
}

function newDoc(clientID?: number): Y.Doc {
  const doc = new Y.Doc();
  if (clientID !== undefined) doc.clientID = clientID;
  return doc;
}

/** Sends each doc's missing updates to the other. */
function sync(a: Y.Doc, b: Y.Doc): void {
  const toB = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b));
  const toA = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a));
  Y.applyUpdate(b, toB);
  Y.applyUpdate(a, toA);
}

/** Counts the updates a doc emits while `fn` runs. */
function countUpdates(doc: Y.Doc, fn: () => void): number {
  let n = 0;
  const onUpdate = () => n++;
  doc.on("update", onUpdate);
  fn();
  doc.off("update", onUpdate);
  return n;
}

/** The keys of a territory's map that `fn` changed. */
function changedKeys(doc: Y.Doc, id: string, fn: () => void): string[] {
  const map = territoriesMap(doc).get(id) as Y.Map<unknown>;
  const keys: string[] = [];
  const observer = (e: Y.YMapEvent<unknown>) => keys.push(...e.keysChanged);
  map.observe(observer);
  fn();
  map.unobserve(observer);
  return keys.sort();
}

/** A territory map with the given raw entries, integrated into a fresh doc. */
function rawTerritory(entries: Record<string, unknown>): Y.Map<unknown> {
  const doc = newDoc();
  const map = new Y.Map<unknown>();
  territoriesMap(doc).set("t", map);
  for (const [k, v] of Object.entries(entries)) map.set(k, v);
  return map;
}

const validEntries = () => ({ name: "A", color: "#1b9e77", geometry: encodeGeometry(box(0, 0, 1, 1)) });

describe("writeTerritory / readTerritory", () => {
  it("round-trips every field", () => {
    const doc = newDoc();
    const t: Territory = {
      id: "t1",
      name: "Jakarta Utara",
      color: "#e7298a",
      reps: [{ name: "Budi" }, { name: "Sari", email: "sari@example.co.id" }],
      targets: { revenue: 1_200_000, visits: 40 },
      parent: "jabodetabek",
      geometry: {
        type: "MultiPolygon",
        coordinates: [box(106, -7, 107, -6).coordinates as Ring[], box(108, -7, 109, -6).coordinates as Ring[]],
      },
    };
    transact(doc, LOCAL_EDIT, () => writeTerritory(doc, t));
    expect(readTerritory(doc, "t1")).toEqual(t);
    expect(hasTerritory(doc, "t1")).toBe(true);
    expect(territoryIds(doc)).toEqual(["t1"]);
    expect(readTerritoryProps(doc, "t1")).toEqual({
      name: t.name,
      color: t.color,
      reps: t.reps,
      targets: t.targets,
      parent: t.parent,
    });
  });

  it("survives a trip through a Yjs update to another document", () => {
    const a = newDoc();
    transact(a, LOCAL_EDIT, () => writeTerritory(a, territory("t1", "A")));
    const b = newDoc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    expect(readTerritory(b, "t1")).toEqual(territory("t1", "A"));
  });

  it("quantises the geometry to 1e-7°", () => {
    const doc = newDoc();
    const g = box(106.123456789, -7, 107, -6.000000001);
    transact(doc, LOCAL_EDIT, () => writeTerritory(doc, territory("t1", "A", g)));
    expect(readTerritory(doc, "t1")?.geometry).toEqual(box(106.1234568, -7, 107, -6));
  });

  it("is one update when called inside transact", () => {
    const doc = newDoc();
    expect(countUpdates(doc, () => transact(doc, LOCAL_EDIT, () => writeTerritory(doc, territory("t1", "A"))))).toBe(1);
  });

  it("rewriting the same territory changes nothing", () => {
    const doc = newDoc();
    transact(doc, LOCAL_EDIT, () => writeTerritory(doc, territory("t1", "A")));
    expect(countUpdates(doc, () => transact(doc, LOCAL_EDIT, () => writeTerritory(doc, territory("t1", "A"))))).toBe(0);
  });

  it("replaces only the fields that differ on an existing territory", () => {
    const doc = newDoc();
    transact(doc, LOCAL_EDIT, () => writeTerritory(doc, territory("t1", "A")));
    const keys = changedKeys(doc, "t1", () =>
      transact(doc, LOCAL_EDIT, () => writeTerritory(doc, { ...territory("t1", "B"), parent: "p" })),
    );
    expect(keys).toEqual(["name", "parent"]);
  });

  it("returns null for absent and malformed territories", () => {
    const doc = newDoc();
    expect(readTerritory(doc, "nope")).toBeNull();
    expect(readTerritoryProps(doc, "nope")).toBeNull();
    territoriesMap(doc).set("bad", new Y.Map());
    expect(readTerritory(doc, "bad")).toBeNull();
    expect(readTerritoryProps(doc, "bad")).toBeNull();
  });
});

describe("updateTerritory", () => {
  it("returns false and writes nothing for a territory that does not exist", () => {
    const doc = newDoc();
    expect(countUpdates(doc, () => expect(updateTerritory(doc, "nope", { name: "X" })).toBe(false))).toBe(0);
    expect(territoryIds(doc)).toEqual([]);
  });

  it("writes only the keys whose value changed, as one update", () => {
    const doc = newDoc();
    transact(doc, LOCAL_EDIT, () => writeTerritory(doc, territory("t1", "A")));
    let keys: string[] = [];
    const n = countUpdates(doc, () => {
      keys = changedKeys(doc, "t1", () => updateTerritory(doc, "t1", { name: "B", color: "#1b9e77" }));
    });
    expect(n).toBe(1);
    expect(keys).toEqual(["name"]);
    expect(readTerritory(doc, "t1")).toEqual({ ...territory("t1", "A"), name: "B" });
  });

  it("writes nothing when every value is the one already there (arrays, objects and geometry compared by value)", () => {
    const doc = newDoc();
    transact(doc, LOCAL_EDIT, () => writeTerritory(doc, territory("t1", "A")));
    const same = territory("t1", "A");
    const n = countUpdates(doc, () =>
      updateTerritory(doc, "t1", {
        name: same.name,
        color: same.color,
        reps: [...same.reps],
        targets: { ...same.targets },
        parent: null,
        geometry: box(106, -7, 107, -6),
      }),
    );
    expect(n).toBe(0);
  });

  it("writes the geometry alone on a reshape", () => {
    const doc = newDoc();
    transact(doc, LOCAL_EDIT, () => writeTerritory(doc, territory("t1", "A")));
    const keys = changedKeys(doc, "t1", () => updateTerritory(doc, "t1", { geometry: box(100, 0, 101, 1) }));
    expect(keys).toEqual(["geometry"]);
    expect(readTerritory(doc, "t1")?.geometry).toEqual(box(100, 0, 101, 1));
  });

  it("can set parent back to null, and leaves out fields that are undefined", () => {
    const doc = newDoc();
    transact(doc, LOCAL_EDIT, () => writeTerritory(doc, { ...territory("t1", "A"), parent: "p" }));
    const keys = changedKeys(doc, "t1", () => updateTerritory(doc, "t1", { parent: null, name: undefined }));
    expect(keys).toEqual(["parent"]);
    expect(readTerritory(doc, "t1")?.parent).toBeNull();
    expect(readTerritory(doc, "t1")?.name).toBe("A");
  });
});

describe("parseTerritory", () => {
  it("accepts a map with a name, a colour and a geometry, filling the optional fields", () => {
    expect(parseTerritory("t", rawTerritory(validEntries()))).toEqual({
      ok: true,
      value: { id: "t", name: "A", color: "#1b9e77", reps: [], targets: {}, parent: null, geometry: box(0, 0, 1, 1) },
    });
  });

  it("reads reps stored as plain names (documents from before rep emails) as { name }", () => {
    const r = parseTerritory(
      "t",
      rawTerritory({ ...validEntries(), reps: ["Budi", { name: "Sari", email: "s@x.id" }] }),
    );
    expect(r.ok && r.value.reps).toEqual([{ name: "Budi" }, { name: "Sari", email: "s@x.id" }]);
  });

  it("refuses what is not a Y.Map", () => {
    for (const v of [undefined, null, {}, "x", new Y.Array()]) {
      expect(parseTerritory("t", v)).toEqual({ ok: false, error: "territory t is not a map" });
    }
  });

  it("refuses unknown keys", () => {
    expect(parseTerritory("t", rawTerritory({ ...validEntries(), owner: "x" }))).toEqual({
      ok: false,
      error: 'territory t has unknown field "owner"',
    });
  });

  it("refuses a missing or non-binary geometry", () => {
    const { geometry: _g, ...noGeometry } = validEntries();
    expect(parseTerritory("t", rawTerritory(noGeometry))).toEqual({ ok: false, error: "territory t has no geometry" });
    for (const bad of [[1, 2, 3], "AQEB", { type: "Polygon" }, 5, new Y.Map(), new Y.Array()]) {
      expect(parseTerritory("t", rawTerritory({ ...validEntries(), geometry: bad }))).toEqual({
        ok: false,
        error: "territory t has no geometry",
      });
    }
  });

  it("refuses undecodable and structurally invalid geometry", () => {
    const garbage = rawTerritory({ ...validEntries(), geometry: Uint8Array.from([9, 9, 9]) });
    expect(parseTerritory("t", garbage)).toEqual({
      ok: false,
      error: "territory t has undecodable geometry: unknown geometry encoding 9",
    });
    const threePositions = encodeGeometry(polygon(closed([0, 0], [1, 0])));
    expect(parseTerritory("t", rawTerritory({ ...validEntries(), geometry: threePositions }))).toEqual({
      ok: false,
      error:
        "territory t: polygon, outer ring has 3 positions; a ring needs at least 4 (3 corners and the closing one)",
    });
    const noRings = encodeGeometry({ type: "MultiPolygon", coordinates: [] });
    expect(parseTerritory("t", rawTerritory({ ...validEntries(), geometry: noRings }))).toEqual({
      ok: false,
      error: "territory t: MultiPolygon has no polygons",
    });
  });

  it("refuses wrongly typed fields", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 5 }, "territory t: name must be text"],
      [{ name: new Y.Text("A") }, "territory t: name must be text"],
      [{ color: "red" }, "territory t: color must be a hex colour like #1b9e77"],
      [{ reps: "Budi" }, "territory t: reps must be a list of names"],
      [{ reps: new Y.Array() }, "territory t: reps must be a list of names"],
      [{ targets: { revenue: -1 } }, "territory t: target for revenue must be a number ≥ 0"],
      [{ targets: [1] }, "territory t: targets must be an object of metric → number"],
      [{ parent: 5 }, "territory t: parent must be a region id or null"],
    ];
    for (const [patch, error] of cases) {
      expect(parseTerritory("t", rawTerritory({ ...validEntries(), ...patch }))).toEqual({ ok: false, error });
    }
  });

  it("refuses a nested Y.Map as targets", () => {
    const r = parseTerritory("t", rawTerritory({ ...validEntries(), targets: new Y.Map() }));
    expect(r.ok).toBe(false);
  });

  it("needs a name and a colour", () => {
    const { name: _n, ...noName } = validEntries();
    const { color: _c, ...noColor } = validEntries();
    for (const entries of [noName, noColor]) {
      expect(parseTerritory("t", rawTerritory(entries))).toEqual({
        ok: false,
        error: "territory t needs a name and a color",
      });
    }
  });
});

describe("deleteTerritory", () => {
  it("removes a territory and says whether there was one", () => {
    const doc = newDoc();
    transact(doc, LOCAL_EDIT, () => {
      writeTerritory(doc, territory("t1", "A"));
      writeTerritory(doc, territory("t2", "B"));
    });
    expect(deleteTerritory(doc, "t1")).toBe(true);
    expect(readTerritory(doc, "t1")).toBeNull();
    expect(hasTerritory(doc, "t1")).toBe(false);
    expect(territoryIds(doc)).toEqual(["t2"]);
    expect(countUpdates(doc, () => expect(deleteTerritory(doc, "t1")).toBe(false))).toBe(0);
  });

  it("wins over a concurrent edit of the deleted territory", () => {
    const a = newDoc(1);
    const b = newDoc(2);
    transact(a, LOCAL_EDIT, () => writeTerritory(a, territory("t1", "A")));
    sync(a, b);
    deleteTerritory(a, "t1");
    updateTerritory(b, "t1", { name: "Renamed" });
    sync(a, b);
    expect(territoryIds(a)).toEqual([]);
    expect(territoryIds(b)).toEqual([]);
  });
});

describe("readTerritories", () => {
  it("lists well-formed territories sorted by name, then id, skipping malformed ones", () => {
    const doc = newDoc();
    transact(doc, LOCAL_EDIT, () => {
      writeTerritory(doc, territory("z", "Bogor"));
      writeTerritory(doc, territory("b", "Aceh"));
      writeTerritory(doc, territory("a", "Aceh"));
      writeTerritory(doc, territory("c", "Cirebon"));
    });
    territoriesMap(doc).set("broken", new Y.Map());
    expect(readTerritories(doc).map((t) => [t.id, t.name])).toEqual([
      ["a", "Aceh"],
      ["b", "Aceh"],
      ["z", "Bogor"],
      ["c", "Cirebon"],
    ]);
  });

  it("is empty for an empty document", () => {
    expect(readTerritories(newDoc())).toEqual([]);
  });
});

describe("plan name", () => {
  it("reads '' when unset and writes only on change", () => {
    const doc = newDoc();
    expect(readPlanName(doc)).toBe("");
    expect(countUpdates(doc, () => writePlanName(doc, "Java 2027"))).toBe(1);
    expect(readPlanName(doc)).toBe("Java 2027");
    expect(countUpdates(doc, () => writePlanName(doc, "Java 2027"))).toBe(0);
  });
});

describe("two documents editing at once", () => {
  function pair(): [Y.Doc, Y.Doc] {
    const a = newDoc(1001);
    const b = newDoc(2002);
    transact(a, LOCAL_EDIT, () => writeTerritory(a, territory("t1", "Original")));
    sync(a, b);
    return [a, b];
  }

  it("keeps both a concurrent rename and a concurrent reshape of the same territory", () => {
    const [a, b] = pair();
    updateTerritory(a, "t1", { name: "Renamed" });
    updateTerritory(b, "t1", { geometry: box(100, 0, 101, 1) });
    sync(a, b);
    const expected = { ...territory("t1", "Renamed"), geometry: box(100, 0, 101, 1) };
    expect(readTerritory(a, "t1")).toEqual(expected);
    expect(readTerritory(b, "t1")).toEqual(expected);
    expect(geometryWriter(a, "t1")).toBe(2002);
    expect(geometryWriter(b, "t1")).toBe(2002);
  });

  it("settles two concurrent reshapes on the same shape everywhere, and names its writer", () => {
    const [a, b] = pair();
    const shapeA = box(100, 0, 101, 1);
    const shapeB = box(110, 10, 111, 11);
    updateTerritory(a, "t1", { geometry: shapeA });
    updateTerritory(b, "t1", { geometry: shapeB });
    expect(geometryWriter(a, "t1")).toBe(1001);
    expect(geometryWriter(b, "t1")).toBe(2002);
    sync(a, b);
    const ga = readTerritory(a, "t1")?.geometry;
    expect(readTerritory(b, "t1")?.geometry).toEqual(ga);
    expect([shapeA, shapeB]).toContainEqual(ga);
    const winner = ga === undefined ? null : JSON.stringify(ga) === JSON.stringify(shapeA) ? 1001 : 2002;
    expect(geometryWriter(a, "t1")).toBe(winner);
    expect(geometryWriter(b, "t1")).toBe(winner);
    expect(Y.encodeStateAsUpdate(a)).toEqual(Y.encodeStateAsUpdate(b));
  });

  it("converges whichever order the updates arrive in", () => {
    const [a, b] = pair();
    const base = Y.encodeStateAsUpdate(a);
    const c = newDoc(3003);
    Y.applyUpdate(c, base);
    const updates: Uint8Array[] = [];
    for (const d of [a, b, c]) d.on("update", (u: Uint8Array) => updates.push(u));
    updateTerritory(a, "t1", { geometry: box(100, 0, 101, 1), name: "From A" });
    updateTerritory(b, "t1", { geometry: box(110, 10, 111, 11), color: "#000000" });
    updateTerritory(c, "t1", { geometry: box(120, 20, 121, 21), reps: [] });
    const [ua, ub, uc] = updates as [Uint8Array, Uint8Array, Uint8Array];
    const x = newDoc();
    const y = newDoc();
    Y.applyUpdate(x, base);
    Y.applyUpdate(y, base);
    for (const u of [ua, ub, uc]) Y.applyUpdate(x, u);
    for (const u of [uc, ua, ub]) Y.applyUpdate(y, u);
    const tx = readTerritory(x, "t1");
    expect(tx).toEqual(readTerritory(y, "t1"));
    expect(tx?.name).toBe("From A");
    expect(tx?.color).toBe("#000000");
    expect(tx?.reps).toEqual([]);
    expect(geometryWriter(x, "t1")).toBe(geometryWriter(y, "t1"));
  });

  it("keeps concurrent edits of different territories", () => {
    const [a, b] = pair();
    transact(a, LOCAL_EDIT, () => writeTerritory(a, territory("t2", "From A")));
    transact(b, LOCAL_EDIT, () => writeTerritory(b, territory("t3", "From B")));
    sync(a, b);
    expect(readTerritories(a).map((t) => t.id)).toEqual(["t2", "t3", "t1"]);
    expect(readTerritories(b)).toEqual(readTerritories(a));
  });
});

describe("geometryWriter", () => {
  it("is null for a territory that does not exist or has no geometry", () => {
    const doc = newDoc();
    expect(geometryWriter(doc, "nope")).toBeNull();
    territoriesMap(doc).set("empty", new Y.Map());
    expect(geometryWriter(doc, "empty")).toBeNull();
  });

  it("is the client that wrote the geometry, not one that only renamed", () => {
    const a = newDoc(11);
    const b = newDoc(22);
    transact(a, LOCAL_EDIT, () => writeTerritory(a, territory("t1", "A")));
    sync(a, b);
    updateTerritory(b, "t1", { name: "B" });
    sync(a, b);
    expect(geometryWriter(a, "t1")).toBe(11);
    updateTerritory(b, "t1", { geometry: box(0, 0, 2, 2) });
    sync(a, b);
    expect(geometryWriter(a, "t1")).toBe(22);
  });
});

describe("document growth", () => {
  it("10,000 reshapes of one territory by one client leave the state about one geometry big", () => {
    const doc = newDoc();
    transact(doc, LOCAL_EDIT, () => writeTerritory(doc, territory("t1", "A", circle(100, 106.8, -6.2, 0.3))));
    const oneGeometry = encodeGeometry(circle(100, 106.8, -6.2, 0.3)).length;
    for (let i = 1; i <= 10_000; i++) {
      transact(doc, LOCAL_EDIT, () =>
        updateTerritory(doc, "t1", { geometry: circle(100, 106.8 + i * 1e-5, -6.2, 0.3) }),
      );
    }
    const state = Y.encodeStateAsUpdate(doc).length;
    expect(oneGeometry).toBeGreaterThan(300);
    expect(state).toBeLessThan(3 * oneGeometry + 2048);
    // And that small state holds the last shape.
    const copy = newDoc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
    expect(readTerritory(copy, "t1")?.geometry.coordinates[0]?.[0]).toEqual([107.2, -6.2]);
  }, 60_000);
});

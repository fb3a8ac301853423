import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { LOCAL_EDIT, transact } from "../../shared/doc/origins.ts";
import { deleteTerritory, territoriesMap, updateTerritory, writeTerritory } from "../../shared/doc/schema.ts";
import type { Territory } from "../../shared/doc/territory.ts";
import { closed, polygon } from "../../tests/fixtures/shapes.ts";
import { collectChanges, type TerritoryChanges } from "./changes.ts";

const t = (id: string, name = id): Territory => ({
  id,
  name,
  color: "#1b9e77",
  reps: [],
  targets: {},
  parent: null,
  geometry: polygon(closed([0, 0], [1, 0], [1, 1])),
});

function record(doc: Y.Doc): TerritoryChanges[] {
  const map = territoriesMap(doc) as Y.Map<unknown>;
  const out: TerritoryChanges[] = [];
  map.observeDeep((events) => out.push(collectChanges(events, map)));
  return out;
}

describe("collectChanges", () => {
  it("names added territories, with their geometry", () => {
    const doc = new Y.Doc();
    const seen = record(doc);
    transact(doc, LOCAL_EDIT, () => {
      writeTerritory(doc, t("a"));
      writeTerritory(doc, t("b"));
    });
    expect(seen).toHaveLength(1);
    expect([...(seen[0]?.ids ?? [])].sort()).toEqual(["a", "b"]);
    expect([...(seen[0]?.geometry ?? [])].sort()).toEqual(["a", "b"]);
  });

  it("tells a rename (no geometry) from a reshape", () => {
    const doc = new Y.Doc();
    transact(doc, LOCAL_EDIT, () => {
      writeTerritory(doc, t("a"));
      writeTerritory(doc, t("b"));
    });
    const seen = record(doc);
    transact(doc, LOCAL_EDIT, () => updateTerritory(doc, "a", { name: "Bandung" }));
    expect([...(seen[0]?.ids ?? [])]).toEqual(["a"]);
    expect(seen[0]?.geometry.size).toBe(0);
    transact(doc, LOCAL_EDIT, () =>
      updateTerritory(doc, "b", {
        geometry: {
          type: "Polygon",
          coordinates: [
            [
              [0, 0],
              [2, 0],
              [2, 2],
              [0, 0],
            ],
          ],
        },
      }),
    );
    expect([...(seen[1]?.geometry ?? [])]).toEqual(["b"]);
  });

  it("names deleted territories", () => {
    const doc = new Y.Doc();
    transact(doc, LOCAL_EDIT, () => writeTerritory(doc, t("a")));
    const seen = record(doc);
    transact(doc, LOCAL_EDIT, () => deleteTerritory(doc, "a"));
    expect([...(seen[0]?.ids ?? [])]).toEqual(["a"]);
  });

  it("works for updates arriving from another replica", () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    const seen = record(b);
    transact(a, LOCAL_EDIT, () => writeTerritory(a, t("x")));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    transact(a, LOCAL_EDIT, () => updateTerritory(a, "x", { color: "#d95f02" }));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
    expect(seen.map((c) => [...c.ids])).toEqual([["x"], ["x"]]);
    expect(seen[1]?.geometry.size).toBe(0);
  });
});

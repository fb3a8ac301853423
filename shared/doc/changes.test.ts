import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { degreeSquare } from "../../tests/fixtures/shapes.ts";
import { changesOf } from "./changes.ts";
import { LOCAL_EDIT, transact } from "./origins.ts";
import {
  deleteTerritory,
  planMap,
  territoriesMap,
  updateTerritory,
  writePin,
  writeTerritory,
  writeUnitAssignments,
} from "./schema.ts";

const t = (id: string) => ({
  id,
  name: id,
  color: "#123456",
  reps: [],
  targets: {},
  parent: null,
  geometry: degreeSquare(),
});

/** The changes `fn` makes, as changesOf reports them. */
function changes(doc: Y.Doc, fn: () => void) {
  let out: ReturnType<typeof changesOf> | null = null;
  const listen = (tr: Y.Transaction) => {
    out = changesOf(doc, tr);
  };
  doc.on("afterTransaction", listen);
  transact(doc, LOCAL_EDIT, fn);
  doc.off("afterTransaction", listen);
  return out as unknown as ReturnType<typeof changesOf>;
}

describe("changesOf", () => {
  it("names territories added, deleted and replaced whole (null), and the fields of those edited", () => {
    const doc = new Y.Doc();
    expect(changes(doc, () => writeTerritory(doc, t("a"))).territories).toEqual(new Map([["a", null]]));
    const edited = changes(doc, () =>
      updateTerritory(doc, "a", {
        name: "A",
        geometry: {
          ...degreeSquare(),
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [1, 1],
              [0, 0],
            ],
          ],
        },
      }),
    );
    expect(edited.territories).toEqual(new Map([["a", new Set(["name", "geometry"])]]));
    expect(changes(doc, () => deleteTerritory(doc, "a")).territories).toEqual(new Map([["a", null]]));
    // Created and edited in one transaction: whole.
    const both = changes(doc, () => {
      writeTerritory(doc, t("b"));
      updateTerritory(doc, "b", { name: "B" });
    });
    expect(both.territories).toEqual(new Map([["b", null]]));
  });

  it("names pins, unit keys, plan settings, and nothing for a transaction that changed nothing", () => {
    const doc = new Y.Doc();
    writeTerritory(doc, t("a"));
    const c = changes(doc, () => {
      writePin(doc, "acc-1", "a");
      writeUnitAssignments(doc, [
        ["0", "a"],
        ["1z", "a"],
      ]);
      planMap(doc).set("name", "Java");
    });
    expect(c.pins).toEqual(new Set(["acc-1"]));
    expect(c.units).toEqual(new Set(["0", "1z"]));
    expect(c.plan).toEqual(new Set(["name"]));
    expect(c.territories.size).toBe(0);
    expect(changes(doc, () => {}).territories.size).toBe(0);
    expect(territoriesMap(doc).size).toBe(1);
  });
});

import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { LOCAL_EDIT, transact } from "../../shared/doc/origins.ts";
import {
  deleteTerritory,
  pinsMap,
  commentsMap,
  planMap,
  territoriesMap,
  updateTerritory,
  writeAccountsVersion,
  writeAllowedDeviation,
  writePin,
  writeTerritory,
} from "../../shared/doc/schema.ts";
import type { Territory } from "../../shared/doc/territory.ts";
import { checkTransaction } from "./check-update.ts";

const square = {
  type: "Polygon" as const,
  coordinates: [
    [
      [106, -7],
      [107, -7],
      [107, -6],
      [106, -6],
      [106, -7],
    ] as [number, number][],
  ],
};

function territory(id: string, name: string): Territory {
  return { id, name, color: "#1b9e77", reps: [], targets: {}, parent: null, geometry: square };
}

/** A plan document as a room holds it: both roots defined as maps, territory t1 present. */
function planDoc(): Y.Doc {
  const doc = new Y.Doc();
  planMap(doc);
  commentsMap(doc);
  transact(doc, LOCAL_EDIT, () => writeTerritory(doc, territory("t1", "Bandung")));
  return doc;
}

/** Runs `fn` as one transaction on `doc` and checks it, as the room does on its probe. */
function check(doc: Y.Doc, fn: () => void): string | null {
  let problem: string | null | undefined;
  doc.transact((tr) => {
    fn();
    problem = checkTransaction(doc, tr);
  });
  if (problem === undefined) throw new Error("not checked");
  return problem;
}

/** Checks a remote update applied to `doc`. */
function checkUpdate(doc: Y.Doc, update: Uint8Array): string | null {
  return check(doc, () => Y.applyUpdate(doc, update));
}

/** The update a fresh client copy of `doc` makes with `fn`. */
function remoteEdit(doc: Y.Doc, fn: (client: Y.Doc) => void): Uint8Array {
  const client = new Y.Doc();
  Y.applyUpdate(client, Y.encodeStateAsUpdate(doc));
  const sv = Y.encodeStateVector(client);
  fn(client);
  return Y.encodeStateAsUpdate(client, sv);
}

describe("checkTransaction accepts", () => {
  it("an empty transaction", () => {
    const doc = planDoc();
    expect(check(doc, () => {})).toBeNull();
  });

  it("a new valid territory, and edits of every field of an existing one", () => {
    const doc = planDoc();
    expect(check(doc, () => writeTerritory(doc, territory("t2", "Bogor")))).toBeNull();
    expect(
      check(doc, () =>
        updateTerritory(doc, "t1", {
          name: "Renamed",
          color: "#000000",
          reps: [{ name: "Budi", email: "budi@example.com" }],
          targets: { revenue: 10 },
          parent: "west",
          geometry: { type: "MultiPolygon", coordinates: [square.coordinates] },
        }),
      ),
    ).toBeNull();
  });

  it("a deleted territory", () => {
    const doc = planDoc();
    expect(check(doc, () => deleteTerritory(doc, "t1"))).toBeNull();
  });

  it("a territory deleted in the same transaction it was broken in", () => {
    const doc = planDoc();
    expect(
      check(doc, () => {
        territoriesMap(doc).get("t1")?.set("bogus", 1);
        deleteTerritory(doc, "t1");
      }),
    ).toBeNull();
  });

  it("a plan name of 1–120 characters, and removing it", () => {
    const doc = planDoc();
    expect(check(doc, () => planMap(doc).set("name", "Java 2027"))).toBeNull();
    expect(check(doc, () => planMap(doc).set("name", "n".repeat(120)))).toBeNull();
    expect(check(doc, () => planMap(doc).delete("name"))).toBeNull();
  });

  it("the same valid edits arriving as a remote update", () => {
    const doc = planDoc();
    const update = remoteEdit(doc, (c) =>
      transact(c, LOCAL_EDIT, () => {
        writeTerritory(c, territory("t2", "Bogor"));
        updateTerritory(c, "t1", { name: "X" });
        planMap(c).set("name", "Plan");
      }),
    );
    expect(checkUpdate(doc, update)).toBeNull();
  });
});

describe("checkTransaction refuses", () => {
  it("a territory that becomes invalid, with parseTerritory's sentence", () => {
    // Each on a fresh document: check() does not roll anything back (the room rebuilds its probe).
    let doc = planDoc();
    expect(check(doc, () => territoriesMap(doc).get("t1")?.set("color", "blue"))).toBe(
      "territory t1: color must be a hex colour like #1b9e77",
    );
    doc = planDoc();
    expect(check(doc, () => territoriesMap(doc).get("t1")?.delete("name"))).toBe(
      "territory t1 needs a name and a color",
    );
    doc = planDoc();
    expect(
      check(doc, () =>
        territoriesMap(doc)
          .get("t1")
          ?.set("geometry", Uint8Array.from([1, 1, 0])),
      ),
    ).toBe("territory t1: polygon has no rings");
  });

  it("a new territory missing its geometry", () => {
    const doc = planDoc();
    expect(
      check(doc, () => {
        const m = new Y.Map<unknown>();
        territoriesMap(doc).set("t2", m);
        m.set("name", "No shape");
        m.set("color", "#000000");
      }),
    ).toBe("territory t2 has no geometry");
  });

  it("a territory value that is not a map", () => {
    const doc = planDoc();
    expect(check(doc, () => (territoriesMap(doc) as unknown as Y.Map<unknown>).set("t2", 5))).toBe(
      "territory t2 is not a map",
    );
  });

  it("a bad territory next to good ones", () => {
    const doc = planDoc();
    expect(
      check(doc, () => {
        writeTerritory(doc, territory("t2", "Good"));
        territoriesMap(doc).get("t1")?.set("extra", "x");
        writeTerritory(doc, territory("t3", "Good too"));
      }),
    ).toBe('territory t1 has unknown field "extra"');
  });

  it("unknown and invalid plan settings", () => {
    const doc = planDoc();
    expect(check(doc, () => planMap(doc).set("owner", "x"))).toBe('unknown plan setting "owner"');
    expect(check(doc, () => planMap(doc).set("o".repeat(100), "x"))).toBe(`unknown plan setting "${"o".repeat(40)}"`);
    expect(check(doc, () => planMap(doc).set("name", ""))).toBe("plan name must be text of 1–120 characters");
    expect(check(doc, () => planMap(doc).set("name", "n".repeat(121)))).toBe(
      "plan name must be text of 1–120 characters",
    );
    expect(check(doc, () => planMap(doc).set("name", 7))).toBe("plan name must be text of 1–120 characters");
  });

  it("a write to the comments, which only the server writes", () => {
    const doc = planDoc();
    expect(
      checkUpdate(
        doc,
        remoteEdit(doc, (c) => c.getMap("comments").set("x", { id: "x", text: "forged" })),
      ),
    ).toMatch(/comments are written by the server/);
  });

  it("a write to a root outside the schema, naming it", () => {
    const doc = planDoc();
    expect(
      checkUpdate(
        doc,
        remoteEdit(doc, (c) => c.getMap("notes").set("x", 1)),
      ),
    ).toBe('the update writes outside the plan\'s schema (root "notes")');
    expect(
      checkUpdate(
        doc,
        remoteEdit(doc, (c) => c.getText("notes").insert(0, "hi")),
      ),
    ).toBe('the update writes outside the plan\'s schema (root "notes")');
  });

  it("a write inside nested data that storage let in earlier", () => {
    const doc = planDoc();
    const nested = new Y.Map<unknown>();
    planMap(doc).set("name", nested); // unchecked, as if loaded from an old snapshot
    expect(check(doc, () => nested.set("x", 1))).toBe("the update writes outside the plan's schema (nested data)");
  });

  it("list content written into the plan map", () => {
    const doc = planDoc();
    const update = remoteEdit(doc, () => {});
    const asArray = new Y.Doc();
    asArray.getArray("plan").push(["not a setting"]);
    expect(checkUpdate(doc, Y.mergeUpdates([update, Y.encodeStateAsUpdate(asArray)]))).toBe(
      "plan settings must be a map",
    );
  });

  it("list content written into the territories map", () => {
    // Content without a key is invisible to Y.Map readers, but it would still be
    // stored, relayed and snapshotted: unvalidated data of any size.
    const doc = planDoc();
    const asArray = new Y.Doc();
    asArray.getArray("territories").push(["x".repeat(10_000)]);
    expect(checkUpdate(doc, Y.encodeStateAsUpdate(asArray))).toBe("territories must be a map");
  });
});

describe("checkTransaction on plan settings and pins", () => {
  function docWithRoots(): Y.Doc {
    const doc = planDoc();
    pinsMap(doc);
    return doc;
  }

  it("accepts a pin of a valid account id to a territory id, and unpinning", () => {
    const doc = docWithRoots();
    expect(check(doc, () => writePin(doc, "acc-1", "t1"))).toBeNull();
    expect(check(doc, () => writePin(doc, "acc-1", null))).toBeNull();
  });

  it("refuses a pin to something that is not a territory id", () => {
    const doc = docWithRoots();
    expect(check(doc, () => pinsMap(doc).set("acc-1", 5 as unknown as string))).toMatch(/pinned to a territory id/);
    expect(check(doc, () => pinsMap(doc).set("bad id", "t1"))).toMatch(/valid account id/);
  });

  it("refuses a client writing the accounts version, which only the server sets", () => {
    const doc = docWithRoots();
    expect(
      checkUpdate(
        doc,
        remoteEdit(doc, (c) => writeAccountsVersion(c, 7)),
      ),
    ).toMatch(/set by the server/);
  });

  it("accepts an allowed deviation between 1 % and 100 %, refuses others", () => {
    const doc = docWithRoots();
    expect(check(doc, () => writeAllowedDeviation(doc, 0.2))).toBeNull();
    expect(check(doc, () => planMap(doc).set("allowedDeviation", 3))).toMatch(/between 0.01 and 1/);
  });
});

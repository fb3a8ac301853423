import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { remoteEdit } from "../../tests/fixtures/remote-edit.ts";
import { degreeSquare } from "../../tests/fixtures/shapes.ts";
import { encodeGeometry } from "../geometry/codec.ts";
import { ID_PATTERN } from "../ids.ts";
import { checkPlanSetting, checkUpdate, type UpdateLimits } from "./check-update.ts";
import { LOCAL_EDIT, transact } from "./origins.ts";
import {
  commentsMap,
  deleteTerritory,
  parseTerritory,
  pinsMap,
  planMap,
  territoriesMap,
  unitsMap,
  updateTerritory,
  writeAccountsVersion,
  writeAllowedDeviation,
  writePin,
  writeTerritory,
  writeUnitAssignments,
  writeUnitsVersion,
} from "./schema.ts";
import type { Territory } from "./territory.ts";

function territory(id: string, name: string): Territory {
  return { id, name, color: "#1b9e77", reps: [], targets: {}, parent: null, geometry: degreeSquare() };
}

/** A plan document as a room holds it: every root defined as a map, territory t1 present. */
function planDoc(): Y.Doc {
  const doc = new Y.Doc();
  planMap(doc);
  territoriesMap(doc);
  pinsMap(doc);
  commentsMap(doc);
  transact(doc, LOCAL_EDIT, () => writeTerritory(doc, territory("t1", "Bandung")));
  return doc;
}

/** checkUpdate's sentence for a remote edit, or null when accepted. */
function problemOf(doc: Y.Doc, fn: (client: Y.Doc) => void, limits?: UpdateLimits): string | null {
  const v = checkUpdate(doc, remoteEdit(doc, fn), limits);
  return v.ok ? null : v.problem;
}

/**
 * The check this replaces, kept as the oracle: apply the update to a copy
 * of the document and look at what the transaction changed.
 */
function oracle(doc: Y.Doc, update: Uint8Array): string | null {
  const probe = new Y.Doc();
  planMap(probe);
  territoriesMap(probe);
  pinsMap(probe);
  commentsMap(probe);
  Y.applyUpdate(probe, Y.encodeStateAsUpdate(doc));
  let problem: string | null = null;
  try {
    probe.transact((tr) => {
      Y.applyUpdate(probe, update);
      const touched = new Set<string>();
      const is = (type: unknown, root: unknown) => type === root;
      for (const [type, keys] of tr.changed) {
        if (is(type, territoriesMap(probe))) {
          for (const k of keys) {
            if (k === null) problem = "territories must be a map";
            else touched.add(k);
          }
        } else if (is(type, planMap(probe))) {
          for (const k of keys) {
            const p = k === null ? "plan settings must be a map" : checkPlanSetting(k, planMap(probe).get(k));
            if (p) problem = p;
          }
        } else if (is(type, pinsMap(probe))) {
          for (const k of keys) {
            const v = k === null ? undefined : pinsMap(probe).get(k);
            if (k === null || !ID_PATTERN.test(k)) problem = "a pin needs a valid account id";
            else if (v !== undefined && (typeof v !== "string" || !ID_PATTERN.test(v))) problem = "bad pin";
          }
        } else if (is(type, commentsMap(probe))) problem = "comments";
        else if (
          type._item?.parent &&
          is(type._item.parent, territoriesMap(probe)) &&
          typeof type._item.parentSub === "string"
        ) {
          touched.add(type._item.parentSub);
        } else problem = "outside the schema";
      }
      for (const id of touched) {
        const value = territoriesMap(probe).get(id);
        if (value === undefined) continue;
        const r = parseTerritory(id, value);
        if (!r.ok) problem = r.error;
      }
    });
  } catch (e) {
    problem = (e as Error).message;
  }
  if (problem === null && (probe.store.pendingStructs || probe.store.pendingDs)) problem = "pending";
  return problem;
}

describe("checkUpdate accepts", () => {
  it("an update with nothing new, as news: false", () => {
    const doc = planDoc();
    const v = checkUpdate(doc, Y.encodeStateAsUpdate(doc));
    expect(v).toMatchObject({ ok: true, news: false });
    expect(
      checkUpdate(
        doc,
        remoteEdit(doc, () => {}),
      ),
    ).toMatchObject({ ok: true, news: false });
  });

  it("a new valid territory, and edits of every field of an existing one, naming what they touch", () => {
    const doc = planDoc();
    const created = checkUpdate(
      doc,
      remoteEdit(doc, (c) => transact(c, LOCAL_EDIT, () => writeTerritory(c, territory("t2", "Bogor")))),
    );
    expect(created).toMatchObject({ ok: true, news: true, territories: new Set(["t2"]) });
    expect(
      problemOf(doc, (c) =>
        updateTerritory(c, "t1", {
          name: "Renamed",
          color: "#000000",
          reps: [{ name: "Budi", email: "budi@example.com" }],
          targets: { revenue: 10 },
          parent: "west",
          geometry: { type: "MultiPolygon", coordinates: [degreeSquare().coordinates] },
        }),
      ),
    ).toBeNull();
  });

  it("a deleted territory, and a territory broken and deleted in one transaction", () => {
    const doc = planDoc();
    expect(
      checkUpdate(
        doc,
        remoteEdit(doc, (c) => deleteTerritory(c, "t1")),
      ),
    ).toMatchObject({
      ok: true,
      news: true,
      territories: new Set(["t1"]),
    });
    expect(
      problemOf(doc, (c) =>
        c.transact(() => {
          territoriesMap(c).get("t1")?.set("bogus", 1);
          deleteTerritory(c, "t1");
        }),
      ),
    ).toBeNull();
  });

  it("a territory replaced whole under the same id", () => {
    const doc = planDoc();
    expect(
      problemOf(doc, (c) =>
        c.transact(() => {
          territoriesMap(c).delete("t1");
          writeTerritory(c, territory("t1", "Again"));
        }),
      ),
    ).toBeNull();
  });

  it("a field written twice in one transaction (the first write is deleted in the update)", () => {
    const doc = planDoc();
    expect(
      problemOf(doc, (c) =>
        c.transact(() => {
          updateTerritory(c, "t1", { name: "One" });
          updateTerritory(c, "t1", { name: "Two" });
        }),
      ),
    ).toBeNull();
  });

  it("a plan name of 1–120 characters, and removing it", () => {
    const doc = planDoc();
    expect(problemOf(doc, (c) => planMap(c).set("name", "Java 2027"))).toBeNull();
    expect(problemOf(doc, (c) => planMap(c).set("name", "n".repeat(120)))).toBeNull();
    transact(doc, LOCAL_EDIT, () => planMap(doc).set("name", "Java"));
    expect(problemOf(doc, (c) => planMap(c).delete("name"))).toBeNull();
  });

  it("a client's offline edits arriving after others changed the same territory", () => {
    const doc = planDoc();
    const offline = new Y.Doc();
    Y.applyUpdate(offline, Y.encodeStateAsUpdate(doc));
    const sv = Y.encodeStateVector(offline);
    updateTerritory(offline, "t1", { name: "Offline" });
    // Meanwhile someone else renames it and the server accepts that.
    const other = remoteEdit(doc, (c) => updateTerritory(c, "t1", { name: "Online" }));
    expect(checkUpdate(doc, other).ok).toBe(true);
    Y.applyUpdate(doc, other);
    expect(checkUpdate(doc, Y.encodeStateAsUpdate(offline, sv)).ok).toBe(true);
  });
});

describe("checkUpdate refuses", () => {
  it("a field that becomes invalid, with the field's sentence", () => {
    const doc = planDoc();
    expect(problemOf(doc, (c) => territoriesMap(c).get("t1")?.set("color", "blue"))).toBe(
      "territory t1: color must be a hex colour like #1b9e77",
    );
    expect(problemOf(doc, (c) => territoriesMap(c).get("t1")?.delete("name"))).toBe(
      "territory t1 needs a name and a color",
    );
    expect(problemOf(doc, (c) => territoriesMap(c).get("t1")?.delete("geometry"))).toBe("territory t1 has no geometry");
    expect(
      problemOf(doc, (c) =>
        territoriesMap(c)
          .get("t1")
          ?.set("geometry", Uint8Array.from([1, 1, 0])),
      ),
    ).toBe("territory t1: polygon has no rings");
  });

  it("a new territory missing a required field", () => {
    const doc = planDoc();
    expect(
      problemOf(doc, (c) =>
        c.transact(() => {
          const m = new Y.Map<unknown>();
          territoriesMap(c).set("t2", m);
          m.set("name", "No shape");
          m.set("color", "#000000");
        }),
      ),
    ).toBe("territory t2 has no geometry");
  });

  it("a territory value that is not a map, or an id REST would refuse", () => {
    const doc = planDoc();
    expect(problemOf(doc, (c) => (territoriesMap(c) as unknown as Y.Map<unknown>).set("t2", 5))).toBe(
      "territory t2 is not a map",
    );
    for (const id of ["../../etc/passwd", "<img onerror=x>", "x".repeat(100_000), "", "__proto__ x"]) {
      expect(
        problemOf(doc, (c) => transact(c, LOCAL_EDIT, () => writeTerritory(c, { ...territory("ok", "A"), id }))),
      ).toMatch(/territory id must be/);
    }
  });

  it("names and reps with surrounding spaces, which REST would have trimmed", () => {
    const doc = planDoc();
    expect(
      problemOf(doc, (c) =>
        territoriesMap(c)
          .get("t1")
          ?.set("name", `a${" ".repeat(1_000_000)}`),
      ),
    ).toMatch(/name (must not start or end with spaces|is longer)/);
    expect(problemOf(doc, (c) => territoriesMap(c).get("t1")?.set("name", " Bogor"))).toMatch(/spaces/);
    expect(
      problemOf(doc, (c) =>
        territoriesMap(c)
          .get("t1")
          ?.set("reps", [{ name: "Budi " }]),
      ),
    ).toMatch(/spaces/);
    expect(
      problemOf(doc, (c) =>
        territoriesMap(c)
          .get("t1")
          ?.set("reps", [{ name: "Budi" }]),
      ),
    ).toBeNull();
  });

  it("a bad territory next to good ones", () => {
    const doc = planDoc();
    expect(
      problemOf(doc, (c) =>
        transact(c, LOCAL_EDIT, () => {
          writeTerritory(c, territory("t2", "Good"));
          territoriesMap(c).get("t1")?.set("extra", "x");
          writeTerritory(c, territory("t3", "Good too"));
        }),
      ),
    ).toBe('territory t1 has unknown field "extra"');
  });

  it("unknown and invalid plan settings", () => {
    const doc = planDoc();
    expect(problemOf(doc, (c) => planMap(c).set("owner", "x"))).toBe('unknown plan setting "owner"');
    expect(problemOf(doc, (c) => planMap(c).set("name", ""))).toBe("plan name must be text of 1–120 characters");
    expect(problemOf(doc, (c) => planMap(c).set("name", 7))).toBe("plan name must be text of 1–120 characters");
    expect(problemOf(doc, (c) => planMap(c).set("allowedDeviation", 3))).toMatch(/between 0.01 and 1/);
    expect(problemOf(doc, (c) => writeAllowedDeviation(c, 0.2))).toBeNull();
    expect(problemOf(doc, (c) => writeAccountsVersion(c, 7))).toMatch(/set by the server/);
  });

  it("deleting the accounts version or a comment, which only the server writes", () => {
    const doc = planDoc();
    transact(doc, LOCAL_EDIT, () => {
      writeAccountsVersion(doc, 3);
      commentsMap(doc).set("c1", { id: "c1" });
    });
    expect(problemOf(doc, (c) => planMap(c).delete("accountsVersion"))).toMatch(/set by the server/);
    expect(problemOf(doc, (c) => commentsMap(c).delete("c1"))).toMatch(/comments are written by the server/);
    expect(problemOf(doc, (c) => commentsMap(c).set("x", { id: "x", text: "forged" }))).toMatch(
      /comments are written by the server/,
    );
  });

  it("a write to a root outside the schema, naming it", () => {
    const doc = planDoc();
    expect(problemOf(doc, (c) => c.getMap("notes").set("x", 1))).toBe(
      'the update writes outside the plan\'s schema (root "notes")',
    );
    expect(problemOf(doc, (c) => c.getText("notes").insert(0, "hi"))).toBe(
      'the update writes outside the plan\'s schema (root "notes")',
    );
  });

  it("a write inside nested data that storage let in earlier, or nested inside a territory", () => {
    const doc = planDoc();
    const nested = new Y.Map<unknown>();
    planMap(doc).set("name", nested); // unchecked, as if loaded from an old snapshot
    expect(problemOf(doc, (c) => (planMap(c).get("name") as Y.Map<unknown>).set("x", 1))).toBe(
      "the update writes outside the plan's schema (nested data)",
    );
    expect(problemOf(planDoc(), (c) => territoriesMap(c).get("t1")?.set("name", new Y.Map()))).toMatch(
      /name must be text/,
    );
  });

  it("list content written into a root map", () => {
    const doc = planDoc();
    const asArray = new Y.Doc();
    asArray.getArray("plan").push(["not a setting"]);
    expect(checkUpdate(doc, Y.encodeStateAsUpdate(asArray))).toMatchObject({
      ok: false,
      problem: "plan settings must be a map",
    });
    const territories = new Y.Doc();
    territories.getArray("territories").push(["x".repeat(10_000)]);
    expect(checkUpdate(doc, Y.encodeStateAsUpdate(territories))).toMatchObject({
      problem: "territories must be a map",
    });
  });

  it("pins: a valid account to a territory id, within the limit, of an account that exists", () => {
    const doc = planDoc();
    const limits: UpdateLimits = { maxPins: 2, accountExists: (id) => id.startsWith("acc-") };
    expect(problemOf(doc, (c) => writePin(c, "acc-1", "t1"), limits)).toBeNull();
    expect(problemOf(doc, (c) => pinsMap(c).set("acc-1", 5 as unknown as string), limits)).toMatch(
      /pinned to a territory id/,
    );
    expect(problemOf(doc, (c) => pinsMap(c).set("bad id", "t1"), limits)).toMatch(/valid account id/);
    expect(problemOf(doc, (c) => writePin(c, "ghost", "t1"), limits)).toBe("there is no account ghost to pin");
    expect(
      problemOf(
        doc,
        (c) =>
          c.transact(() => {
            for (const id of ["acc-1", "acc-2", "acc-3"]) writePin(c, id, "t1");
          }),
        limits,
      ),
    ).toBe("a plan can pin at most 2 accounts");
  });

  it("territories beyond the plan's limit, but not edits of a full plan", () => {
    const doc = planDoc();
    const limits = { maxTerritories: 1 };
    expect(
      problemOf(doc, (c) => transact(c, LOCAL_EDIT, () => writeTerritory(c, territory("t2", "Two"))), limits),
    ).toBe("the plan has reached its limit of 1 territories");
    expect(problemOf(doc, (c) => updateTerritory(c, "t1", { name: "Still fine" }), limits)).toBeNull();
  });

  it("an update that builds on changes the server does not have", () => {
    const doc = planDoc();
    const client = new Y.Doc();
    Y.applyUpdate(client, Y.encodeStateAsUpdate(doc));
    let sv = Y.encodeStateVector(client);
    updateTerritory(client, "t1", { name: "First" });
    sv = Y.encodeStateVector(client); // the server never gets "First"
    updateTerritory(client, "t1", { name: "Second" });
    expect(checkUpdate(doc, Y.encodeStateAsUpdate(client, sv))).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/builds on changes the server does not have/),
    });
  });

  it("an update that does not decode", () => {
    expect(checkUpdate(planDoc(), Uint8Array.from([1, 2, 3, 200, 200]))).toMatchObject({ ok: false });
  });

  it("a deletion that removes a required field with nothing written after it", () => {
    // Hand-built: a new name written *before* the current one (origin = the
    // old value's left), while the update deletes the current one.
    const doc = planDoc();
    const map = territoriesMap(doc).get("t1") as Y.Map<unknown>;
    transact(doc, LOCAL_EDIT, () => map.set("name", "Second"));
    const update = remoteEdit(doc, (c) => {
      c.transact(() => territoriesMap(c).get("t1")?.delete("name"));
    });
    expect(checkUpdate(doc, update)).toMatchObject({ ok: false, problem: "territory t1 needs a name and a color" });
  });
});

describe("checkUpdate never accepts what the probe check refuses", () => {
  /** mulberry32: a small seeded generator, so a failure can be replayed. */
  function rng(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const GOOD_VALUES: Record<string, () => unknown> = {
    name: () => "Name",
    color: () => "#123456",
    reps: () => [{ name: "Sari" }],
    targets: () => ({ revenue: 5 }),
    parent: () => null,
    geometry: () => encodeGeometry(degreeSquare()),
  };
  const BAD_VALUES: Record<string, () => unknown> = {
    name: () => 5,
    color: () => "red",
    reps: () => "Sari",
    targets: () => ({ revenue: -1 }),
    parent: () => "bad id!",
    geometry: () => Uint8Array.from([9, 9, 9]),
    bogus: () => 1,
  };

  /** A random transaction; returns whether every write in it was one an honest client makes. */
  function randomEdit(r: () => number, c: Y.Doc): boolean {
    let honest = true;
    const ids = ["t1", "t2", "t3", "t4"];
    const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
    const ops = 1 + Math.floor(r() * 3);
    c.transact(() => {
      for (let i = 0; i < ops; i++) {
        const id = pick(ids);
        const map = territoriesMap(c).get(id);
        const roll = r();
        if (roll < 0.2) writeTerritory(c, territory(id, `T ${id}`));
        else if (roll < 0.3) territoriesMap(c).delete(id);
        else if (roll < 0.35) {
          const m = new Y.Map<unknown>();
          territoriesMap(c).set(id, m);
          for (const k of ["name", "color", "geometry"]) {
            if (r() < 0.8) m.set(k, (GOOD_VALUES[k] as () => unknown)());
            else honest = false;
          }
        } else if (map && roll < 0.75) {
          const key = pick(Object.keys(GOOD_VALUES));
          map.set(key, (GOOD_VALUES[key] as () => unknown)());
        } else if (map && roll < 0.85) {
          const key = pick(Object.keys(BAD_VALUES));
          map.set(key, (BAD_VALUES[key] as () => unknown)());
          honest = false;
        } else if (map && roll < 0.93) {
          const key = pick(Object.keys(GOOD_VALUES));
          map.delete(key);
          if (["name", "color", "geometry"].includes(key)) honest = false;
        } else if (roll < 0.97) {
          const ok = r() < 0.8;
          planMap(c).set("name", ok ? "Plan" : "");
          if (!ok) honest = false;
        } else writePin(c, `acc-${Math.floor(r() * 5)}`, r() < 0.5 ? id : null);
      }
    });
    return honest;
  }

  it.each([1, 2, 3, 20261204])("on 400 random edits by three clients, some concurrent (seed %i)", (seed) => {
    const r = rng(seed);
    const doc = planDoc();
    const clients = [0, 1, 2].map(() => {
      const c = new Y.Doc();
      Y.applyUpdate(c, Y.encodeStateAsUpdate(doc));
      return c;
    });
    let accepted = 0;
    let refused = 0;
    for (let step = 0; step < 400; step++) {
      const i = Math.floor(r() * clients.length);
      let c = clients[i] as Y.Doc;
      // Sometimes a client catches up first; sometimes it edits a stale copy (concurrency).
      if (r() < 0.6) Y.applyUpdate(c, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(c)));
      const sv = Y.encodeStateVector(c);
      const honest = randomEdit(r, c);
      const update = Y.encodeStateAsUpdate(c, sv);
      const ours = checkUpdate(doc, update);
      const theirs = oracle(doc, update);
      if (ours.ok) {
        expect(theirs, `step ${step}: accepted what the probe refuses`).toBeNull();
        Y.applyUpdate(doc, update);
        accepted++;
      } else {
        // Stricter than the probe only on writes no honest client makes (an
        // incomplete territory that loses a concurrent race, say).
        if (honest) expect(theirs === null ? ours.problem : null, `step ${step}: refused an honest edit`).toBeNull();
        refused++;
        // The refused client starts over from the server, as the Wilayah client does.
        c = new Y.Doc();
        Y.applyUpdate(c, Y.encodeStateAsUpdate(doc));
        clients[i] = c;
      }
      for (const [id, value] of territoriesMap(doc)) expect(parseTerritory(id, value).ok).toBe(true);
    }
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(20);
  });

  it("on 600 updates with flipped bytes: never throws, never accepts what the probe refuses", () => {
    const r = rng(7);
    const doc = planDoc();
    const base = remoteEdit(doc, (c) =>
      transact(c, LOCAL_EDIT, () => {
        writeTerritory(c, territory("t2", "Bogor"));
        updateTerritory(c, "t1", { name: "Renamed", reps: [{ name: "Sari" }] });
        territoriesMap(c).delete("t1");
      }),
    );
    let acceptedMutants = 0;
    for (let i = 0; i < 600; i++) {
      const mutant = Uint8Array.from(base);
      const flips = 1 + Math.floor(r() * 3);
      for (let f = 0; f < flips; f++) mutant[Math.floor(r() * mutant.length)] = Math.floor(r() * 256);
      const ours = checkUpdate(doc, mutant);
      if (ours.ok) {
        acceptedMutants++;
        expect(oracle(doc, mutant), `mutant ${i}`).toBeNull();
      }
    }
    expect(acceptedMutants).toBeGreaterThan(0);
  });
});

describe("checkUpdate in a plan built from units", () => {
  /** A unit plan (layer of 100 units) with territories a and b and no geometry. */
  function unitPlan(): Y.Doc {
    const doc = new Y.Doc();
    for (const root of [planMap, territoriesMap, pinsMap, commentsMap, unitsMap]) root(doc);
    transact(doc, LOCAL_EDIT, () => {
      writeUnitsVersion(doc, 1);
      for (const id of ["a", "b"]) {
        const m = new Y.Map<unknown>();
        territoriesMap(doc).set(id, m);
        m.set("name", id.toUpperCase());
        m.set("color", "#123456");
      }
      writeUnitAssignments(doc, [["0", "a"]]);
    });
    return doc;
  }
  const limits = { unitCount: 100 };

  it("accepts a paint stroke (units given and taken), and a new territory painted in the same update", () => {
    const doc = unitPlan();
    expect(
      problemOf(
        doc,
        (c) =>
          c.transact(() =>
            writeUnitAssignments(c, [
              ["1", "a"],
              ["2", "b"],
              ["0", null],
            ]),
          ),
        limits,
      ),
    ).toBeNull();
    expect(
      problemOf(
        doc,
        (c) =>
          c.transact(() => {
            const m = new Y.Map<unknown>();
            territoriesMap(c).set("c", m);
            m.set("name", "C");
            m.set("color", "#654321");
            writeUnitAssignments(c, [["5", "c"]]);
          }),
        limits,
      ),
    ).toBeNull();
  });

  it("refuses units outside the layer, given to territories that do not exist, or painted into a drawn plan", () => {
    const doc = unitPlan();
    expect(problemOf(doc, (c) => writeUnitAssignments(c, [["2s", "a"]]), limits)).toBe(
      "unit 2s is not in this plan's unit layer",
    );
    expect(problemOf(doc, (c) => writeUnitAssignments(c, [["01", "a"]]), limits)).toMatch(/not in this plan/);
    expect(problemOf(doc, (c) => writeUnitAssignments(c, [["3", "ghost"]]), limits)).toBe(
      "unit 3 is given to territory ghost, which does not exist",
    );
    expect(problemOf(planDoc(), (c) => writeUnitAssignments(c, [["1", "t1"]]), limits)).toMatch(/no units to paint/);
  });

  it("refuses a geometry written to a unit territory, and a client writing the layer version", () => {
    const doc = unitPlan();
    expect(
      problemOf(doc, (c) => territoriesMap(c).get("a")?.set("geometry", encodeGeometry(degreeSquare())), limits),
    ).toMatch(/built from units: paint them/);
    expect(problemOf(doc, (c) => writeUnitsVersion(c, 9), limits)).toMatch(/unit layer is set by the server/);
    // A territory without geometry is whole here; without a name it is not.
    expect(problemOf(doc, (c) => updateTerritory(c, "a", { name: "Renamed" }), limits)).toBeNull();
    expect(problemOf(doc, (c) => territoriesMap(c).get("a")?.delete("name"), limits)).toMatch(/needs a name/);
  });
});

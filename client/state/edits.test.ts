import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { LOCAL_EDIT } from "../../shared/doc/origins.ts";
import {
  readAllowedDeviation,
  readTerritory,
  readTerritoryProps,
  readPins,
  territoriesMap,
  territoryIds,
  undoScope,
} from "../../shared/doc/schema.ts";
import { PALETTE } from "../../shared/doc/territory.ts";
import {
  createTerritory,
  deleteTerritories,
  leastUsedColor,
  mergeTerritories,
  nextDefaultName,
  patchTerritory,
  pinAccount,
  setAllowedDeviation,
  setGeometries,
  splitTerritory,
} from "./edits.ts";
import { box } from "../../tests/fixtures/shapes.ts";

const undoManager = (doc: Y.Doc) =>
  new Y.UndoManager(territoriesMap(doc), { trackedOrigins: new Set([LOCAL_EDIT]), captureTimeout: 0 });

function sync(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

describe("edits", () => {
  it("creates a territory with a palette colour and refuses an invalid shape without writing", () => {
    const doc = new Y.Doc();
    const r = createTerritory(doc, box(106, -7, 107, -6), { name: "Priangan" });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(readTerritoryProps(doc, r.value)?.color).toBe(PALETTE[0]);
    const bad = createTerritory(
      doc,
      {
        type: "Polygon",
        coordinates: [
          [
            [0, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      },
      { name: "Bad" },
    );
    expect(bad).toMatchObject({ ok: false, error: { kind: "geometry" } });
    expect(territoryIds(doc)).toHaveLength(1);
  });

  it("refuses an empty name and keeps the old one", () => {
    const doc = new Y.Doc();
    const r = createTerritory(doc, box(106, -7, 107, -6), { name: "Priangan" });
    if (!r.ok) throw new Error("setup");
    expect(patchTerritory(doc, r.value, { name: "   " })).toMatchObject({ ok: false, error: { kind: "props" } });
    expect(readTerritoryProps(doc, r.value)?.name).toBe("Priangan");
    expect(patchTerritory(doc, "nope", { name: "X" })).toMatchObject({ ok: false, error: { kind: "gone" } });
  });

  it("picks the least used colour and the next free default name", () => {
    const doc = new Y.Doc();
    const name = (n: number) => `Territory ${n}`;
    for (let i = 0; i < 3; i++) createTerritory(doc, box(i, 0, i + 1, 1), { name: nextDefaultName(doc, name) });
    expect(readTerritory(doc, territoryIds(doc)[0] as string)).not.toBeNull();
    const names = territoryIds(doc)
      .map((id) => readTerritoryProps(doc, id)?.name)
      .sort();
    expect(names).toEqual(["Territory 1", "Territory 2", "Territory 3"]);
    expect(leastUsedColor(doc)).toBe(PALETTE[3]);
    expect(leastUsedColor(doc, [PALETTE[3]])).toBe(PALETTE[4]);
  });

  it("undo takes back only my own edits, not a collaborator's", () => {
    const mine = new Y.Doc();
    const theirs = new Y.Doc();
    const undo = undoManager(mine);
    const created = createTerritory(mine, box(106, -7, 107, -6), { name: "Priangan" });
    if (!created.ok) throw new Error("setup");
    const id = created.value;
    sync(mine, theirs);
    // They rename; I recolour.
    expect(patchTerritory(theirs, id, { name: "Bandung Raya" }).ok).toBe(true);
    sync(mine, theirs);
    expect(patchTerritory(mine, id, { color: "#7570b3" }).ok).toBe(true);
    sync(mine, theirs);

    undo.undo();
    sync(mine, theirs);
    for (const doc of [mine, theirs]) {
      expect(readTerritoryProps(doc, id)).toMatchObject({ name: "Bandung Raya", color: PALETTE[0] });
    }
    undo.redo();
    sync(mine, theirs);
    expect(readTerritoryProps(theirs, id)).toMatchObject({ name: "Bandung Raya", color: "#7570b3" });
  });

  it("writes a move of several territories as one undoable step", () => {
    const doc = new Y.Doc();
    const undo = undoManager(doc);
    const a = createTerritory(doc, box(0, 0, 1, 1), { name: "A" });
    const b = createTerritory(doc, box(1, 0, 2, 1), { name: "B" });
    if (!a.ok || !b.ok) throw new Error("setup");
    const r = setGeometries(
      doc,
      new Map([
        [a.value, box(0, 1, 1, 2)],
        [b.value, box(1, 1, 2, 2)],
      ]),
    );
    expect(r.ok).toBe(true);
    undo.undo();
    expect(readTerritory(doc, a.value)?.geometry).toEqual(box(0, 0, 1, 1));
    expect(readTerritory(doc, b.value)?.geometry).toEqual(box(1, 0, 2, 1));
  });

  it("splits into two territories that keep the reps, and merges them back", () => {
    const doc = new Y.Doc();
    const undo = undoManager(doc);
    const r = createTerritory(doc, box(106, -7, 107, -6), { name: "Priangan", reps: [{ name: "Budi" }] });
    if (!r.ok) throw new Error("setup");
    const split = splitTerritory(
      doc,
      r.value,
      [
        [105.9, -6.5],
        [107.1, -6.5],
      ],
      (n) => `${n} (2)`,
    );
    expect(split.ok).toBe(true);
    if (!split.ok) return;
    const [keep, other] = split.value;
    expect(readTerritoryProps(doc, other)).toMatchObject({ name: "Priangan (2)", reps: [{ name: "Budi" }] });
    expect(readTerritoryProps(doc, other)?.color).not.toBe(readTerritoryProps(doc, keep)?.color);

    const merged = mergeTerritories(doc, keep, other);
    expect(merged.ok).toBe(true);
    expect(territoryIds(doc)).toEqual([keep]);
    expect(readTerritory(doc, keep)?.geometry.type).toBe("Polygon");

    undo.undo(); // the merge
    expect(territoryIds(doc).sort()).toEqual([keep, other].sort());
  });

  it("refuses a split line that misses, and a merge of territories apart", () => {
    const doc = new Y.Doc();
    const a = createTerritory(doc, box(106, -7, 107, -6), { name: "A" });
    const b = createTerritory(doc, box(108, -7, 109, -6), { name: "B" });
    if (!a.ok || !b.ok) throw new Error("setup");
    expect(
      splitTerritory(
        doc,
        a.value,
        [
          [110, -8],
          [111, -8],
        ],
        (n) => n,
      ),
    ).toMatchObject({ ok: false, error: { kind: "split", reason: "not-crossing" } });
    expect(mergeTerritories(doc, a.value, b.value)).toMatchObject({
      ok: false,
      error: { kind: "merge", reason: "not-touching" },
    });
    expect(territoryIds(doc)).toHaveLength(2);
  });

  it("deletes several territories in one step", () => {
    const doc = new Y.Doc();
    const undo = undoManager(doc);
    const a = createTerritory(doc, box(0, 0, 1, 1), { name: "A" });
    const b = createTerritory(doc, box(1, 0, 2, 1), { name: "B" });
    if (!a.ok || !b.ok) throw new Error("setup");
    expect(deleteTerritories(doc, [a.value, b.value, "missing"])).toEqual({ ok: true, value: 2 });
    expect(territoryIds(doc)).toHaveLength(0);
    undo.undo();
    expect(territoryIds(doc)).toHaveLength(2);
  });
});

describe("allowed deviation", () => {
  it("writes a whole percentage as a fraction, tagged as a local edit", () => {
    const doc = new Y.Doc();
    const origins: unknown[] = [];
    doc.on("afterTransaction", (tr: Y.Transaction) => origins.push(tr.origin));
    const r = setAllowedDeviation(doc, 20);
    expect(r).toEqual({ ok: true, value: 0.2 });
    expect(readAllowedDeviation(doc)).toBe(0.2);
    expect(origins).toEqual([LOCAL_EDIT]);
  });

  it("refuses what the server would refuse, and writes nothing", () => {
    const doc = new Y.Doc();
    for (const bad of [0, 0.4, 101, -5, Number.NaN]) {
      expect(setAllowedDeviation(doc, bad).ok, String(bad)).toBe(false);
    }
    expect(readAllowedDeviation(doc)).toBe(0.15);
  });
});

describe("pins", () => {
  it("pins an account to a territory and unpins it, each an undoable local edit (issue 10)", () => {
    const doc = new Y.Doc();
    const t = createTerritory(doc, box(106, -7, 107, -6), { name: "Priangan" });
    if (!t.ok) throw new Error("no territory");
    const undo = new Y.UndoManager(undoScope(doc), { trackedOrigins: new Set([LOCAL_EDIT]), captureTimeout: 0 });
    const origins: unknown[] = [];
    doc.on("afterTransaction", (tr: Y.Transaction) => origins.push(tr.origin));
    expect(pinAccount(doc, "acc-1", t.value)).toEqual({ ok: true, value: undefined });
    expect(readPins(doc)).toEqual(new Map([["acc-1", t.value]]));
    expect(origins).toEqual([LOCAL_EDIT]);
    expect(pinAccount(doc, "acc-1", null).ok).toBe(true);
    expect(readPins(doc).size).toBe(0);
    undo.undo();
    expect(readPins(doc).get("acc-1")).toBe(t.value);
    undo.undo();
    expect(readPins(doc).size).toBe(0);
  });

  it("refuses a pin the server would refuse, and writes nothing", () => {
    const doc = new Y.Doc();
    const t = createTerritory(doc, box(106, -7, 107, -6), { name: "Priangan" });
    if (!t.ok) throw new Error("no territory");
    expect(pinAccount(doc, "acc-1", "no-such-territory")).toEqual({ ok: false, error: { kind: "gone" } });
    expect(pinAccount(doc, "acc 1", t.value).ok).toBe(false);
    expect(readPins(doc).size).toBe(0);
  });
});

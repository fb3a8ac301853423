import { afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import type { Origin } from "../../shared/doc/origins.ts";
import { encodeValue } from "../../shared/doc/entries.ts";
import {
  readPins,
  readTerritory,
  readUnitAssignment,
  territoriesMap,
  unitsMap,
  writePin,
  writeUnitAssignments,
} from "../../shared/doc/schema.ts";
import { encodeGeometry } from "../../shared/geometry/codec.ts";
import { planDoc } from "../../shared/versions/testing.ts";
import { box } from "../../tests/fixtures/shapes.ts";
import { strokeUpdate } from "../../tests/fixtures/remote-edit.ts";
import { MemoryStore } from "../persistence/memory-store.ts";
import { Room, type RoomOptions } from "./room.ts";
import type { EntryWrite } from "./undo.ts";

const OPTS: RoomOptions = { compactLogBytes: Number.POSITIVE_INFINITY, compactWaitMs: 10, compactMaxWaitMs: 50 };
const STEP: Origin = { kind: "system", reason: "a proposal accepted" };
const rooms: Room[] = [];

async function unitRoom(): Promise<Room> {
  const store = new MemoryStore();
  await store.createPlan({ id: "p1", name: "P", createdAt: "2027-01-01T00:00:00.000Z" });
  const room = new Room({ planId: "p1", part: "" }, await store.openDocument("p1", ""), OPTS);
  rooms.push(room);
  await room.change(STEP, (doc) =>
    writeUnitAssignments(doc, [
      ["0", "west"],
      ["1", "west"],
      ["2", "east"],
    ]),
  );
  return room;
}

/** An edit of someone else's, as a socket's update would apply. */
function paint(room: Room, entries: [string, string | null][]): void {
  Y.applyUpdate(room.doc, strokeUpdate(room.doc, entries), { kind: "connection", connectionId: "c2" });
}

afterEach(async () => {
  for (const r of rooms.splice(0)) await r.close();
});

describe("ServerUndo", () => {
  it("applies writes as one change, keeps what changed, and takes it all back", async () => {
    const room = await unitRoom();
    const transactions: unknown[] = [];
    room.doc.on("afterTransaction", (tr: Y.Transaction) => transactions.push(tr.origin));
    const changes = await room.undo.apply("p-1", STEP, [
      { map: "units", key: "1", value: "east" },
      { map: "units", key: "2", value: "east" },
      { map: "units", key: "3", value: "east" },
      { map: "pins", key: "acc-9", value: "east" },
    ]);
    expect(transactions).toEqual([STEP]);
    // Unit 2 was east already: no change.
    expect(changes).toEqual([
      { map: "units", key: "1", before: "west", after: "east" },
      { map: "units", key: "3", before: null, after: "east" },
      { map: "pins", key: "acc-9", before: null, after: "east" },
    ]);
    const result = await room.undo.revert("p-1", STEP);
    expect(result?.kept).toEqual([]);
    expect(result?.reverted).toHaveLength(3);
    expect([...readUnitAssignment(room.doc)].sort()).toEqual([
      ["0", "west"],
      ["1", "west"],
      ["2", "east"],
    ]);
    expect(readPins(room.doc).size).toBe(0);
    // A step is taken back once.
    expect(await room.undo.revert("p-1", STEP)).toBeNull();
  });

  it("leaves entries someone changed since as they are, and those whose old value may not come back", async () => {
    const room = await unitRoom();
    await room.undo.apply("p-2", STEP, [
      { map: "units", key: "0", value: "east" },
      { map: "units", key: "1", value: "east" },
      { map: "units", key: "2", value: "west" },
    ]);
    paint(room, [["0", "north"]]);
    const result = await room.undo.revert("p-2", STEP, (c) => c.key !== "2");
    expect(result?.reverted.map((c) => c.key)).toEqual(["1"]);
    expect(result?.kept.map((c) => c.key)).toEqual(["0", "2"]);
    expect(unitsMap(room.doc).toJSON()).toEqual({ "0": "north", "1": "west", "2": "west" });
  });

  it("takes back a step kept from storage, after the room loaded again", async () => {
    const room = await unitRoom();
    await room.change(STEP, (doc) => writePin(doc, "acc-1", "west"));
    room.undo.keep("p-3", [{ map: "pins", key: "acc-1", before: "east", after: "west" }]);
    expect(room.undo.has("p-3")).toBe(true);
    await room.undo.revert("p-3", STEP);
    expect(readPins(room.doc).get("acc-1")).toBe("east");
  });
});

describe("ServerUndo on territories (a restored version, issue 14)", () => {
  /** A drawn plan: West and East, and the writes that delete East and create North whole. */
  async function drawnRoom(): Promise<Room> {
    const room = await unitRoom();
    const sketch = planDoc({
      territories: [
        { id: "west", name: "West", geometry: box(106, -7, 107, -6) },
        { id: "east", name: "East", geometry: box(107, -7, 108, -6) },
      ],
    });
    await room.change(STEP, (doc) => {
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(sketch));
      unitsMap(doc).clear();
    });
    return room;
  }
  const north = (id = "north"): EntryWrite[] => [
    { map: "territories", key: id, field: "name", value: encodeValue("North") },
    { map: "territories", key: id, field: "color", value: encodeValue("#d95f02") },
    { map: "territories", key: id, field: "reps", value: encodeValue([]) },
    { map: "territories", key: id, field: "targets", value: encodeValue({}) },
    { map: "territories", key: id, field: "parent", value: encodeValue(null) },
    { map: "territories", key: id, field: "geometry", value: encodeValue(encodeGeometry(box(106, -6, 108, -5))) },
  ];
  const gone = (room: Room, id: string): EntryWrite[] =>
    [...(territoriesMap(room.doc).get(id)?.keys() ?? [])].map((field) => ({
      map: "territories",
      key: id,
      field,
      value: null,
    }));

  it("brings back a territory the step deleted and removes one it created, whole", async () => {
    const room = await drawnRoom();
    await room.undo.apply("r-1", STEP, [...gone(room, "east"), ...north()]);
    expect(readTerritory(room.doc, "north")?.name).toBe("North");
    expect(territoriesMap(room.doc).has("east")).toBe(false);
    const result = await room.undo.revert("r-1", STEP);
    expect(result?.kept).toEqual([]);
    expect(territoriesMap(room.doc).has("north")).toBe(false);
    expect(readTerritory(room.doc, "east")?.name).toBe("East");
  });

  it("keeps a territory it created whole when someone changed a field of it, or painted a unit into it, since", async () => {
    const room = await drawnRoom();
    await room.undo.apply("r-2", STEP, [...north("north"), ...north("south")]);
    await room.change({ kind: "connection", connectionId: "c2" }, (doc) => {
      territoriesMap(doc).get("north")?.set("name", "Utara");
      unitsMap(doc).set("5", "south");
    });
    const result = await room.undo.revert("r-2", STEP);
    expect(result?.reverted).toEqual([]);
    expect(result?.kept).toHaveLength(12);
    expect(readTerritory(room.doc, "north")?.name).toBe("Utara");
    expect(readTerritory(room.doc, "south")?.name).toBe("North");
  });

  it("puts back fields of a territory that still exists, and leaves those of one deleted since", async () => {
    const room = await drawnRoom();
    await room.undo.apply("r-3", STEP, [
      { map: "territories", key: "west", field: "name", value: encodeValue("Barat") },
      { map: "territories", key: "east", field: "name", value: encodeValue("Timur") },
    ]);
    await room.change({ kind: "connection", connectionId: "c2" }, (doc) => territoriesMap(doc).delete("east"));
    const result = await room.undo.revert("r-3", STEP);
    expect(result?.reverted.map((c) => c.key)).toEqual(["west"]);
    expect(readTerritory(room.doc, "west")?.name).toBe("West");
    expect(territoriesMap(room.doc).has("east")).toBe(false);
  });

  it("gives a unit back to a territory only when that territory is there once the step is taken back", async () => {
    const room = await drawnRoom();
    await room.change(STEP, (doc) => unitsMap(doc).set("1", "east"));
    await room.undo.apply("r-4", STEP, [...gone(room, "east"), { map: "units", key: "1", value: null }]);
    const result = await room.undo.revert(
      "r-4",
      STEP,
      (c, exists) => c.before === null || c.map !== "units" || exists(c.before),
    );
    expect(result?.kept).toEqual([]);
    expect(unitsMap(room.doc).get("1")).toBe("east");
    expect(territoriesMap(room.doc).has("east")).toBe(true);
  });
});

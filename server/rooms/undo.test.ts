import { afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import type { Origin } from "../../shared/doc/origins.ts";
import { readPins, readUnitAssignment, unitsMap, writePin, writeUnitAssignments } from "../../shared/doc/schema.ts";
import { strokeUpdate } from "../../tests/fixtures/remote-edit.ts";
import { MemoryStore } from "../persistence/memory-store.ts";
import { Room, type RoomOptions } from "./room.ts";

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

import { afterEach, describe, expect, it, vi } from "vitest";
import { readTerritory, writeTerritory } from "../../shared/doc/schema.ts";
import type { Part } from "../../shared/protocol/rooms.ts";
import { MemoryStore } from "../persistence/memory-store.ts";
import type { StoredDocument } from "../persistence/store.ts";
import type { RoomPeer } from "./room.ts";
import { Rooms, type RoomsOptions } from "./rooms.ts";
import { box } from "../../tests/fixtures/shapes.ts";

const ADDRESS = { planId: "p1", part: "" } as const;
const OPTS: RoomsOptions = {
  idleMs: 0,
  compactLogBytes: Number.POSITIVE_INFINITY,
  compactWaitMs: 10,
  compactMaxWaitMs: 50,
};
const SYSTEM = { kind: "system", reason: "test" } as const;

const all: Rooms[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const r of all.splice(0)) await r.closeAll();
  vi.restoreAllMocks();
});

/** A MemoryStore that counts document opens and can be told to fail the next ones. */
class CountingStore extends MemoryStore {
  opens = 0;
  failNext = 0;
  override async openDocument(planId: string, part: Part): Promise<StoredDocument> {
    this.opens++;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("disk unreadable");
    }
    return super.openDocument(planId, part);
  }
}

async function setup(opts: Partial<RoomsOptions> = {}) {
  const store = new CountingStore();
  await store.createPlan({ id: "p1", name: "P", createdAt: "2027-01-01T00:00:00.000Z" });
  const rooms = new Rooms(store, { ...OPTS, ...opts });
  all.push(rooms);
  return { store, rooms };
}

const peer = (id: string): RoomPeer => ({
  id,
  role: "edit",
  actor: { id: `person-${id}`, name: "", role: "edit" },
  noteName() {},
  sendUpdate() {},
  sendAwareness() {},
  sendFrame() {},
  refuse() {},
  close() {},
});

/** A territory to store: what it is does not matter here, only that the room holds it. */
const territory = (id: string, name: string) => ({
  id,
  name,
  color: "#000000",
  reps: [],
  targets: {},
  parent: null,
  geometry: box(0, 0, 1, 1),
});

describe("Rooms", () => {
  it("loads a document once for concurrent users", async () => {
    const { store, rooms } = await setup();
    const [a, b] = await Promise.all([rooms.acquire(ADDRESS), rooms.acquire(ADDRESS)]);
    expect(a).toBe(b);
    expect(store.opens).toBe(1);
    expect(rooms.isLoaded(ADDRESS)).toBe(true);
    expect(rooms.size).toBe(1);
  });

  it("forgets a failed load, so the next attempt reads storage again", async () => {
    const { store, rooms } = await setup();
    store.failNext = 1;
    await expect(rooms.acquire(ADDRESS)).rejects.toThrow("disk unreadable");
    expect(rooms.isLoaded(ADDRESS)).toBe(false);
    const room = await rooms.acquire(ADDRESS);
    expect(room.isBroken).toBe(false);
    expect(store.opens).toBe(2);
  });

  it("rejects for a plan that does not exist and keeps nothing loaded", async () => {
    const { rooms } = await setup();
    await expect(rooms.acquire({ planId: "nope", part: "" })).rejects.toThrow("plan nope does not exist");
    expect(rooms.size).toBe(0);
  });

  it("unloads a room nobody uses, compacting it, and loads it afresh with the same content", async () => {
    const { store, rooms } = await setup();
    await rooms.with(ADDRESS, (room) => room.change(SYSTEM, (doc) => writeTerritory(doc, territory("t1", "A"))));
    // with() released it; idleMs 0 unloads at once, compacting first.
    await vi.waitFor(() => expect(rooms.isLoaded(ADDRESS)).toBe(false));
    expect((await store.openDocument("p1", "")).updates).toHaveLength(1);
    const again = await rooms.acquire(ADDRESS);
    expect(readTerritory(again.doc, "t1")?.name).toBe("A");
  });

  it("keeps a room loaded while a peer is in it", async () => {
    vi.useFakeTimers();
    const { rooms } = await setup();
    const room = await rooms.acquire(ADDRESS);
    const p = peer("a");
    room.join(p);
    rooms.release(room);
    await vi.advanceTimersByTimeAsync(20);
    expect(rooms.isLoaded(ADDRESS)).toBe(true);
    room.leave(p);
    rooms.release(room);
    await vi.waitFor(() => expect(rooms.isLoaded(ADDRESS)).toBe(false));
  });

  it("keeps a room loaded while with() runs", async () => {
    vi.useFakeTimers();
    const { rooms } = await setup();
    let loadedInside = false;
    await rooms.with(ADDRESS, async (room) => {
      rooms.release(room);
      await vi.advanceTimersByTimeAsync(20);
      loadedInside = rooms.isLoaded(ADDRESS);
    });
    expect(loadedInside).toBe(true);
  });

  it("waits for the idle delay, and a new user within it cancels the unload", async () => {
    vi.useFakeTimers();
    const { store, rooms } = await setup({ idleMs: 50 });
    const room = await rooms.acquire(ADDRESS);
    rooms.release(room);
    await vi.advanceTimersByTimeAsync(49);
    expect(rooms.isLoaded(ADDRESS)).toBe(true);
    const same = await rooms.acquire(ADDRESS);
    expect(same).toBe(room);
    await vi.advanceTimersByTimeAsync(100);
    expect(rooms.isLoaded(ADDRESS)).toBe(true);
    expect(store.opens).toBe(1);
  });

  it("gives a user arriving during the unload a fresh room, not the closing one", async () => {
    const { store, rooms } = await setup();
    const first = await rooms.acquire(ADDRESS);
    rooms.release(first);
    const second = await rooms.acquire(ADDRESS);
    expect(second).not.toBe(first);
    expect(store.opens).toBe(2);
  });

  it("closeAll compacts and unloads every room", async () => {
    const { store, rooms } = await setup();
    const room = await rooms.acquire(ADDRESS);
    room.join(peer("a"));
    await room.change(SYSTEM, (doc) => writeTerritory(doc, territory("t1", "A")));
    await room.change(SYSTEM, (doc) => writeTerritory(doc, territory("t2", "B")));
    await rooms.closeAll();
    expect(rooms.size).toBe(0);
    expect((await store.openDocument("p1", "")).updates).toHaveLength(1);
  });
});

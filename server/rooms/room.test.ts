import type { Role } from "../../shared/access/roles.ts";
import type { Author } from "../../shared/comments/comments.ts";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import { LOCAL_EDIT, type Origin, transact } from "../../shared/doc/origins.ts";
import {
  planMap,
  readPlanName,
  readTerritories,
  readTerritory,
  territoriesMap,
  updateTerritory,
  writeTerritory,
} from "../../shared/doc/schema.ts";
import type { Territory } from "../../shared/doc/territory.ts";
import { encodeGeometry } from "../../shared/geometry/codec.ts";
import type { Refusal } from "../../shared/protocol/messages.ts";
import { MemoryStore } from "../persistence/memory-store.ts";
import type { StoredDocument } from "../persistence/store.ts";
import { Room, type RoomOptions, type RoomPeer } from "./room.ts";
import { PRESENCE_DEFAULTS } from "./presence.ts";
import { box, closed, polygon } from "../../tests/fixtures/shapes.ts";

// ── test doubles ─────────────────────────────────────────────────────────────

/** A stored document whose appends stay pending until the test says they are on disk. */
class ManualDocument implements StoredDocument {
  readonly updates: Uint8Array[];
  readonly appended: Uint8Array[] = [];
  readonly compactions: Uint8Array[] = [];
  private readonly pending: { resolve: () => void; reject: (e: Error) => void }[] = [];
  closed = false;

  constructor(updates: Uint8Array[] = []) {
    this.updates = updates;
  }

  get logBytes(): number {
    return this.appended.reduce((n, u) => n + u.length, 0);
  }

  append(update: Uint8Array): Promise<void> {
    this.appended.push(update);
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }

  async compact(state: Uint8Array): Promise<void> {
    this.compactions.push(state);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Makes the oldest `n` pending appends durable (all by default). */
  flush(n = this.pending.length): void {
    for (const p of this.pending.splice(0, n)) p.resolve();
  }

  failNext(e: Error): void {
    this.pending.shift()?.reject(e);
  }
}

class FakePeer implements RoomPeer {
  readonly updates: Uint8Array[] = [];
  readonly awareness: Uint8Array[] = [];
  readonly refusals: Refusal[] = [];
  readonly closes: [number, string][] = [];
  name = "";
  constructor(
    readonly id: string,
    readonly role: Role = "edit",
  ) {}
  get actor(): Author {
    return { id: `person-${this.id}`, name: this.name, role: this.role };
  }
  noteName(name: string): void {
    this.name = name;
  }
  sendUpdate(update: Uint8Array): void {
    this.updates.push(update);
  }
  sendAwareness(update: Uint8Array): void {
    this.awareness.push(update);
  }
  sendFrame(): void {}
  refuse(refusal: Refusal): void {
    this.refusals.push(refusal);
  }
  close(code: number, reason: string): void {
    this.closes.push([code, reason]);
  }
}

const ADDRESS = { planId: "p1", part: "" } as const;
const NO_COMPACTION: RoomOptions = {
  compactLogBytes: Number.POSITIVE_INFINITY,
  compactWaitMs: 10,
  compactMaxWaitMs: 50,
  // Presence at once, so these tests see it synchronously (presence.test.ts covers the pacing).
  presence: { ...PRESENCE_DEFAULTS, minIntervalMs: 0, flushMs: 0 },
};

const rooms: Room[] = [];
const manualDocs: ManualDocument[] = [];

function makeRoom(stored: StoredDocument = manual(), opts: RoomOptions = NO_COMPACTION): Room {
  const room = new Room(ADDRESS, stored, opts);
  rooms.push(room);
  return room;
}

function manual(updates: Uint8Array[] = []): ManualDocument {
  const d = new ManualDocument(updates);
  manualDocs.push(d);
  return d;
}

afterEach(async () => {
  for (const d of manualDocs.splice(0)) d.flush();
  for (const r of rooms.splice(0)) await r.close().catch(() => {});
  vi.restoreAllMocks();
});

/** Lets promise callbacks (the relay after an append) run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

// ── documents ────────────────────────────────────────────────────────────────

function territory(id: string, name: string, geometry = box(106, -7, 107, -6)): Territory {
  return { id, name, color: "#1b9e77", reps: [], targets: {}, parent: null, geometry };
}

/** A client's copy of the room's document. */
function clientOf(room: Room): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(room.doc));
  return doc;
}

/** The update that `fn` makes on `doc`, as one transaction. */
function edit(doc: Y.Doc, fn: (doc: Y.Doc) => void): Uint8Array {
  const updates: Uint8Array[] = [];
  const onUpdate = (u: Uint8Array) => updates.push(u);
  doc.on("update", onUpdate);
  transact(doc, LOCAL_EDIT, () => fn(doc));
  doc.off("update", onUpdate);
  if (updates.length !== 1) throw new Error(`expected one update, got ${updates.length}`);
  return updates[0] as Uint8Array;
}

/** A room holding territory t1, durable, with three peers joined. */
async function roomWithPeers() {
  const stored = manual();
  const room = makeRoom(stored);
  const seeded = room.change({ kind: "system", reason: "test" }, (doc) =>
    writeTerritory(doc, territory("t1", "Bandung")),
  );
  stored.flush();
  await seeded;
  stored.appended.length = 0;
  const a = new FakePeer("a");
  const b = new FakePeer("b");
  const c = new FakePeer("c");
  for (const p of [a, b, c]) room.join(p);
  return { stored, room, a, b, c };
}

// ── updates ──────────────────────────────────────────────────────────────────

describe("Room: a valid update", () => {
  it("is applied at once, appended, and relayed to the other peers only once on disk", async () => {
    const { stored, room, a, b, c } = await roomWithPeers();
    const before = Y.encodeStateAsUpdate(room.doc);
    const update = edit(clientOf(room), (doc) => writeTerritory(doc, territory("t2", "Cirebon")));

    room.receiveUpdate(a, update);

    expect(readTerritory(room.doc, "t2")).toEqual(territory("t2", "Cirebon"));
    expect(stored.appended).toHaveLength(1);
    await settle();
    // Not durable yet: nobody has seen it.
    expect(b.updates).toEqual([]);
    expect(c.updates).toEqual([]);

    stored.flush();
    await settle();
    expect(b.updates).toHaveLength(1);
    expect(c.updates).toHaveLength(1);
    // Never echoed to its sender.
    expect(a.updates).toEqual([]);
    expect(a.refusals).toEqual([]);
    // What was relayed is what was stored, and it carries the change.
    expect(b.updates[0]).toEqual(stored.appended[0]);
    const peerCopy = new Y.Doc();
    Y.applyUpdate(peerCopy, before);
    Y.applyUpdate(peerCopy, b.updates[0] as Uint8Array);
    expect(readTerritory(peerCopy, "t2")).toEqual(territory("t2", "Cirebon"));
  });

  it("relays each update only once its own append is durable, in order", async () => {
    const { stored, room, a, b } = await roomWithPeers();
    const client = clientOf(room);
    const u1 = edit(client, (doc) => updateTerritory(doc, "t1", { name: "One" }));
    const u2 = edit(client, (doc) => updateTerritory(doc, "t1", { name: "Two" }));
    room.receiveUpdate(a, u1);
    room.receiveUpdate(a, u2);
    expect(stored.appended).toHaveLength(2);
    const seq = room.seq;
    let durable = false;
    void room.whenDurable(seq).then(() => {
      durable = true;
    });

    stored.flush(1);
    await settle();
    expect(b.updates).toHaveLength(1);
    expect(durable).toBe(false);

    stored.flush(1);
    await settle();
    expect(b.updates).toHaveLength(2);
    expect(durable).toBe(true);
    expect(readTerritory(room.doc, "t1")?.name).toBe("Two");
  });

  it("that the room already has is neither stored nor relayed again", async () => {
    const { stored, room, a, b } = await roomWithPeers();
    const u = edit(clientOf(room), (doc) => updateTerritory(doc, "t1", { name: "Once" }));
    room.receiveUpdate(a, u);
    stored.flush();
    await settle();
    room.receiveUpdate(b, u);
    await settle();
    expect(stored.appended).toHaveLength(1);
    expect(a.updates).toEqual([]);
    expect(b.updates).toHaveLength(1);
    expect(b.refusals).toEqual([]);
  });
});

describe("Room.change", () => {
  it("resolves only after the change is appended and durable, and returns fn's result", async () => {
    const { stored, room, a, b } = await roomWithPeers();
    let resolved = false;
    const origin: Origin = { kind: "rest", method: "PATCH", path: "/api/plans/p1/territories/t1" };
    const done = room
      .change(origin, (doc) => {
        updateTerritory(doc, "t1", { name: "From REST" });
        return 42;
      })
      .then((v) => {
        resolved = true;
        return v;
      });
    expect(readTerritory(room.doc, "t1")?.name).toBe("From REST");
    expect(stored.appended).toHaveLength(1);
    await settle();
    expect(resolved).toBe(false);
    expect(a.updates).toEqual([]);

    stored.flush();
    expect(await done).toBe(42);
    // A server change has no sender: everyone gets it.
    expect(a.updates).toHaveLength(1);
    expect(b.updates).toHaveLength(1);
  });

  it("keeps the probe level with server changes, so peers can build on them", async () => {
    const { stored, room, a } = await roomWithPeers();
    const done = room.change({ kind: "system", reason: "t" }, (doc) => writeTerritory(doc, territory("t9", "Server")));
    stored.flush();
    await done;
    const u = edit(clientOf(room), (doc) => updateTerritory(doc, "t9", { name: "Peer" }));
    room.receiveUpdate(a, u);
    expect(a.refusals).toEqual([]);
    expect(readTerritory(room.doc, "t9")?.name).toBe("Peer");
  });
});

// ── refusals ─────────────────────────────────────────────────────────────────

const threePositions = encodeGeometry(polygon(closed([0, 0], [1, 0])));

/** Bad edits a client can make on its copy, with the sentence the room must refuse them with. */
const badEdits: [string, (doc: Y.Doc) => void, string][] = [
  [
    "a new territory whose ring has 3 positions",
    (doc) => {
      const m = new Y.Map<unknown>();
      territoriesMap(doc).set("t2", m);
      m.set("name", "Bad");
      m.set("color", "#000000");
      m.set("geometry", threePositions);
    },
    "territory t2: polygon, outer ring has 3 positions; a ring needs at least 4 (3 corners and the closing one)",
  ],
  [
    "a reshape of t1 into a 3-position ring",
    (doc) => territoriesMap(doc).get("t1")?.set("geometry", threePositions),
    "territory t1: polygon, outer ring has 3 positions; a ring needs at least 4 (3 corners and the closing one)",
  ],
  [
    "an unknown root map",
    (doc) => doc.getMap("evil").set("x", 1),
    'the update writes outside the plan\'s schema (root "evil")',
  ],
  [
    "an unknown root array",
    (doc) => doc.getArray("log").push([1]),
    'the update writes outside the plan\'s schema (root "log")',
  ],
  [
    "an unknown key on a territory",
    (doc) => territoriesMap(doc).get("t1")?.set("bogus", 1),
    'territory t1 has unknown field "bogus"',
  ],
  [
    "a non-binary geometry",
    (doc) => territoriesMap(doc).get("t1")?.set("geometry", "AQEB"),
    "territory t1 has no geometry",
  ],
  ["a deleted geometry", (doc) => territoriesMap(doc).get("t1")?.delete("geometry"), "territory t1 has no geometry"],
  [
    "a nested Y.Map inside a territory",
    (doc) => territoriesMap(doc).get("t1")?.set("name", new Y.Map()),
    "territory t1: name must be text",
  ],
  [
    "a nested Y.Map as a territory's targets",
    (doc) => {
      const nested = new Y.Map<unknown>();
      territoriesMap(doc).get("t1")?.set("targets", nested);
      nested.set("revenue", 5);
    },
    "",
  ],
  [
    "a territory that is not a map",
    (doc) => (territoriesMap(doc) as Y.Map<unknown>).set("t3", "hello"),
    "territory t3 is not a map",
  ],
  [
    "list content in the territories map",
    (doc) => doc.getArray("territories").push(["x".repeat(10_000)]),
    "territories must be a map",
  ],
  ["an unknown plan setting", (doc) => planMap(doc).set("owner", "mallory"), 'unknown plan setting "owner"'],
  ["an empty plan name", (doc) => planMap(doc).set("name", "  "), "plan name must be text of 1–120 characters"],
];

describe("Room: an invalid update", () => {
  for (const [label, bad, problem] of badEdits) {
    it(`is refused, not stored, not relayed, and leaves the room working: ${label}`, async () => {
      const { stored, room, a, b, c } = await roomWithPeers();
      const before = Y.encodeStateAsUpdate(room.doc);
      const seq = room.seq;
      const update = edit(clientOf(room), bad);

      room.receiveUpdate(a, update);

      expect(a.refusals).toHaveLength(1);
      const refusal = a.refusals[0] as Refusal;
      expect(refusal.code).toBe("invalid-update");
      expect(refusal.reset).toBe(true);
      if (problem) expect(refusal.message).toBe(`Your change was refused: ${problem}.`);
      else expect(refusal.message).toMatch(/^Your change was refused: territory t1: /);
      expect(Y.encodeStateAsUpdate(room.doc)).toEqual(before);
      expect(room.seq).toBe(seq);
      expect(room.doc.share.has("evil")).toBe(false);
      expect(stored.appended).toEqual([]);
      stored.flush();
      await settle();
      expect(b.updates).toEqual([]);
      expect(c.updates).toEqual([]);

      // The probe was rebuilt without the bad change: a valid edit of the same
      // territory from someone else goes through.
      const good = edit(clientOf(room), (doc) => updateTerritory(doc, "t1", { name: "Renamed by B" }));
      room.receiveUpdate(b, good);
      expect(b.refusals).toEqual([]);
      expect(readTerritory(room.doc, "t1")?.name).toBe("Renamed by B");
      expect(stored.appended).toHaveLength(1);
      stored.flush();
      await settle();
      expect(a.updates).toHaveLength(1);
      expect(c.updates).toHaveLength(1);
      expect(b.updates).toEqual([]);
      // And the refused client, reset and resynced, can edit again.
      const retry = edit(clientOf(room), (doc) => writeTerritory(doc, territory("t2", "Retry")));
      room.receiveUpdate(a, retry);
      expect(a.refusals).toHaveLength(1);
      expect(readTerritory(room.doc, "t2")?.name).toBe("Retry");
    });
  }

  it("is refused when it does not decode", async () => {
    const { stored, room, a, b } = await roomWithPeers();
    const before = Y.encodeStateAsUpdate(room.doc);
    room.receiveUpdate(a, Uint8Array.from([200, 1, 2, 3]));
    expect(a.refusals).toHaveLength(1);
    expect(a.refusals[0]?.code).toBe("invalid-update");
    expect(a.refusals[0]?.reset).toBe(true);
    expect(a.refusals[0]?.message).toMatch(/^Your change was refused: the update could not be decoded \(/);
    expect(Y.encodeStateAsUpdate(room.doc)).toEqual(before);
    expect(stored.appended).toEqual([]);
    await settle();
    expect(b.updates).toEqual([]);
  });

  it("refuses the whole update when only part of it is bad", async () => {
    const { stored, room, a } = await roomWithPeers();
    const update = edit(clientOf(room), (doc) => {
      writeTerritory(doc, territory("t2", "Good part"));
      territoriesMap(doc).get("t1")?.set("bogus", 1);
    });
    room.receiveUpdate(a, update);
    expect(a.refusals).toHaveLength(1);
    expect(readTerritory(room.doc, "t2")).toBeNull();
    expect(stored.appended).toEqual([]);
  });

  it("keeps out a valid update that depends on a refused one", async () => {
    const { stored, room, a, b } = await roomWithPeers();
    const beforeDoc = clientOf(room);
    const client = clientOf(room);
    const bad = edit(client, (doc) => {
      const m = new Y.Map<unknown>();
      territoriesMap(doc).set("t2", m);
      m.set("name", "Bad");
      m.set("color", "#000000");
      m.set("geometry", threePositions);
    });
    // On its own this would be a valid reshape, but it builds on the refused territory.
    const dependent = edit(client, (doc) => updateTerritory(doc, "t2", { geometry: box(0, 0, 1, 1) }));

    room.receiveUpdate(a, bad);
    expect(a.refusals).toHaveLength(1);
    room.receiveUpdate(a, dependent);
    expect(a.refusals).toHaveLength(2);
    expect(a.refusals[1]?.message).toMatch(/builds on changes the server does not have/);
    // Nothing waits inside the document to leak into snapshots or joiners' state.
    expect(room.doc.store.pendingStructs).toBeNull();
    expect(Y.encodeStateAsUpdate(room.doc)).toEqual(Y.encodeStateAsUpdate(beforeDoc));

    expect(readTerritory(room.doc, "t2")).toBeNull();
    expect(territoriesMap(room.doc).has("t2")).toBe(false);
    expect(readTerritories(room.doc)).toEqual(readTerritories(beforeDoc));
    expect(Y.encodeStateVector(room.doc)).toEqual(Y.encodeStateVector(beforeDoc));
    expect(stored.appended).toEqual([]);
    await settle();
    expect(b.updates).toEqual([]);

    // The room still takes valid updates from others.
    const good = edit(clientOf(room), (doc) => updateTerritory(doc, "t1", { name: "Still works" }));
    room.receiveUpdate(b, good);
    expect(b.refusals).toEqual([]);
    expect(readTerritory(room.doc, "t1")?.name).toBe("Still works");
  });

  it("does not let a refused change reach a later snapshot", async () => {
    const { stored, room, a, b } = await roomWithPeers();
    room.receiveUpdate(
      a,
      edit(clientOf(room), (doc) => territoriesMap(doc).get("t1")?.set("bogus", 1)),
    );
    room.receiveUpdate(
      b,
      edit(clientOf(room), (doc) => updateTerritory(doc, "t1", { name: "After" })),
    );
    stored.flush();
    await room.whenDurable();
    await room.compact();
    expect(stored.compactions).toHaveLength(1);
    const reloaded = new Y.Doc();
    Y.applyUpdate(reloaded, stored.compactions[0] as Uint8Array);
    expect([...(territoriesMap(reloaded).get("t1")?.keys() ?? [])].sort()).toEqual([
      "color",
      "geometry",
      "name",
      "parent",
      "reps",
      "targets",
    ]);
    expect(readTerritory(reloaded, "t1")?.name).toBe("After");
  });
});

// ── storage ──────────────────────────────────────────────────────────────────

describe("Room: read-only links", () => {
  for (const role of ["comment", "view"] as const) {
    it(`refuses every change from a ${role} link as forbidden: not applied, stored or relayed`, async () => {
      const { room, stored, a } = await roomWithPeers();
      const reader = new FakePeer(role, role);
      room.join(reader);
      const before = Y.encodeStateAsUpdate(room.doc);
      const client = clientOf(room);
      room.receiveUpdate(
        reader,
        edit(client, (d) => writeTerritory(d, territory("t2", "Forged"))),
      );
      await settle();
      expect(reader.refusals).toEqual([expect.objectContaining({ code: "forbidden", reset: true })]);
      expect(reader.refusals[0]?.message).toMatch(role === "view" ? /only lets you watch/ : /comment but not edit/);
      expect(Y.encodeStateAsUpdate(room.doc)).toEqual(before);
      expect(stored.appended).toHaveLength(0);
      expect(a.updates).toHaveLength(0);
      // The handshake's answer carries nothing new: accepted silently.
      room.receiveUpdate(reader, Y.encodeStateAsUpdate(clientOf(room), Y.encodeStateVector(room.doc)), true);
      expect(reader.refusals).toHaveLength(1);
      // Outside the handshake a read-only link has nothing to send: refused from its role alone.
      room.receiveUpdate(reader, Y.encodeStateAsUpdate(clientOf(room), Y.encodeStateVector(room.doc)));
      expect(reader.refusals).toHaveLength(2);
      // And an editor is served as before.
      room.receiveUpdate(
        a,
        edit(clientOf(room), (d) => writeTerritory(d, territory("t3", "Real"))),
      );
      stored.flush();
      await settle();
      expect(readTerritory(room.doc, "t3")?.name).toBe("Real");
      expect(reader.updates).toHaveLength(1);
    });
  }

  it("refuses a read-only link's update without reading it, whatever the plan's size", async () => {
    const { room } = await roomWithPeers();
    const reader = new FakePeer("v", "view");
    room.join(reader);
    // Not even a valid update: the role decides before anything is decoded.
    room.receiveUpdate(reader, Uint8Array.from([7, 7, 7]));
    expect(reader.refusals).toEqual([expect.objectContaining({ code: "forbidden" })]);
    // A handshake that carries changes is refused too.
    const forged = edit(clientOf(room), (d) => writeTerritory(d, territory("t9", "Forged")));
    room.receiveUpdate(reader, forged, true);
    expect(reader.refusals).toHaveLength(2);
    expect(readTerritory(room.doc, "t9")).toBeNull();
  });
});

describe("Room storage", () => {
  it("loads the stored updates without storing or relaying them again", async () => {
    const source = new Y.Doc();
    const u1 = edit(source, (doc) => writeTerritory(doc, territory("t1", "Stored")));
    const u2 = edit(source, (doc) => planMap(doc).set("name", "Java 2027"));
    const stored = manual([u1, u2]);
    const room = makeRoom(stored);
    const a = new FakePeer("a");
    room.join(a);
    expect(readTerritory(room.doc, "t1")?.name).toBe("Stored");
    expect(readPlanName(room.doc)).toBe("Java 2027");
    expect(room.seq).toBe(0);
    await settle();
    expect(stored.appended).toEqual([]);
    expect(a.updates).toEqual([]);
    // Nothing changed since loading: no compaction either.
    await room.compact();
    expect(stored.compactions).toEqual([]);
  });

  it("compacts only when something changed since the last compaction", async () => {
    const { stored, room } = await roomWithPeers();
    const compactionsBefore = stored.compactions.length;
    await room.compact();
    expect(stored.compactions).toHaveLength(compactionsBefore + 1);
    await room.compact();
    expect(stored.compactions).toHaveLength(compactionsBefore + 1);
  });

  it("writes a snapshot holding the whole document", async () => {
    const store = new MemoryStore();
    await store.createPlan({ id: "p1", name: "P", createdAt: "2027-01-01T00:00:00.000Z" });
    const room = makeRoom(await store.openDocument("p1", ""));
    for (const [id, name] of [
      ["t1", "A"],
      ["t2", "B"],
      ["t3", "C"],
    ] as const) {
      await room.change({ kind: "system", reason: "t" }, (doc) => writeTerritory(doc, territory(id, name)));
    }
    expect((await store.openDocument("p1", "")).updates).toHaveLength(3);
    await room.compact();
    const reopened = await store.openDocument("p1", "");
    expect(reopened.updates).toHaveLength(1);
    const copy = new Y.Doc();
    Y.applyUpdate(copy, reopened.updates[0] as Uint8Array);
    expect(readTerritories(copy)).toEqual(readTerritories(room.doc));
    expect(readTerritories(copy).map((t) => t.name)).toEqual(["A", "B", "C"]);
  });

  it("compacts by itself once the log passes compactLogBytes (debounced)", async () => {
    const store = new MemoryStore();
    await store.createPlan({ id: "p1", name: "P", createdAt: "2027-01-01T00:00:00.000Z" });
    const room = makeRoom(await store.openDocument("p1", ""), {
      compactLogBytes: 1,
      compactWaitMs: 5,
      compactMaxWaitMs: 20,
    });
    await room.change({ kind: "system", reason: "t" }, (doc) => writeTerritory(doc, territory("t1", "A")));
    await room.change({ kind: "system", reason: "t" }, (doc) => updateTerritory(doc, "t1", { name: "B" }));
    await vi.waitFor(async () => {
      const updates = (await store.openDocument("p1", "")).updates;
      expect(updates).toHaveLength(1);
      const copy = new Y.Doc();
      Y.applyUpdate(copy, updates[0] as Uint8Array);
      expect(readTerritory(copy, "t1")?.name).toBe("B");
    });
  });

  it("compacts on close, after waiting for pending appends", async () => {
    const stored = manual();
    const room = new Room(ADDRESS, stored, NO_COMPACTION);
    void room.change({ kind: "system", reason: "t" }, (doc) => writeTerritory(doc, territory("t1", "A")));
    const closing = room.close();
    await settle();
    expect(stored.compactions).toEqual([]);
    expect(stored.closed).toBe(false);
    stored.flush();
    await closing;
    expect(stored.compactions).toHaveLength(1);
    expect(stored.closed).toBe(true);
    const copy = new Y.Doc();
    Y.applyUpdate(copy, stored.compactions[0] as Uint8Array);
    expect(readTerritory(copy, "t1")?.name).toBe("A");
  });

  it("stops serving when an append fails: waiters rejected, peers closed, nothing relayed", async () => {
    const { stored, room, a, b } = await roomWithPeers();
    const u = edit(clientOf(room), (doc) => updateTerritory(doc, "t1", { name: "Lost" }));
    room.receiveUpdate(a, u);
    const waiting = room.whenDurable();
    stored.failNext(new Error("disk full"));
    await expect(waiting).rejects.toThrow("storage failed: disk full");
    expect(room.isBroken).toBe(true);
    expect(b.updates).toEqual([]);
    expect(a.closes).toEqual([[1011, "The server could not save changes; reconnecting"]]);
    expect(b.closes).toEqual([[1011, "The server could not save changes; reconnecting"]]);
    await expect(room.change({ kind: "system", reason: "t" }, () => 1)).rejects.toThrow("storage failed");
    // Later updates are ignored, not applied.
    const later = edit(clientOf(room), (doc) => updateTerritory(doc, "t1", { name: "Ignored" }));
    room.receiveUpdate(b, later);
    expect(readTerritory(room.doc, "t1")?.name).toBe("Lost");
  });
});

// ── awareness ────────────────────────────────────────────────────────────────

/** An awareness update announcing `state` for `clientId` at `clock`. */
function awarenessUpdate(clientId: number, clock: number, state: Record<string, unknown> | null): Uint8Array {
  // Same layout as awarenessProtocol.encodeAwarenessUpdate, with a chosen client id and clock.
  const doc = new Y.Doc();
  doc.clientID = clientId;
  const aw = new awarenessProtocol.Awareness(doc);
  try {
    aw.setLocalState(state);
    aw.meta.set(clientId, { clock, lastUpdated: Date.now() });
    return awarenessProtocol.encodeAwarenessUpdate(aw, [clientId]);
  } finally {
    aw.destroy();
    doc.destroy();
  }
}

const presence = (name: string) => ({ user: { name, color: "#e7298a", id: name }, cursor: null, selection: [] });
/** The state as the room keeps it: id and role are the connection's, whatever was sent. */
const bound = (name: string, peer: FakePeer) => ({
  ...presence(name),
  user: { ...presence(name).user, id: peer.actor.id, role: peer.role },
});

describe("Room awareness", () => {
  it("keeps each peer's presence and relays it to everyone", async () => {
    const { room, a, b } = await roomWithPeers();
    room.receiveAwareness(a, awarenessUpdate(100, 1, presence("Ani")));
    expect(room.awareness.getStates().get(100)).toEqual(bound("Ani", a));
    expect(a.awareness).toHaveLength(1);
    expect(b.awareness).toHaveLength(1);
  });

  it("does not let a peer overwrite another peer's client id, or remove it", async () => {
    const { room, a, b } = await roomWithPeers();
    room.receiveAwareness(a, awarenessUpdate(100, 1, presence("Ani")));
    const relayedBefore = a.awareness.length;

    room.receiveAwareness(b, awarenessUpdate(100, 5, presence("Mallory")));
    expect(room.awareness.getStates().get(100)).toEqual(bound("Ani", a));
    room.receiveAwareness(b, awarenessUpdate(100, 6, null));
    expect(room.awareness.getStates().get(100)).toEqual(bound("Ani", a));
    expect(a.awareness).toHaveLength(relayedBefore);

    // Its own id is fine.
    room.receiveAwareness(b, awarenessUpdate(200, 1, presence("Budi")));
    expect(room.awareness.getStates().get(200)).toEqual(bound("Budi", b));
    // And its owner can keep updating it.
    room.receiveAwareness(a, awarenessUpdate(100, 2, presence("Ani 2")));
    expect(room.awareness.getStates().get(100)).toEqual(bound("Ani 2", a));
  });

  it("drops states over 16 KiB", async () => {
    const { room, a } = await roomWithPeers();
    room.receiveAwareness(a, awarenessUpdate(100, 1, { ...presence("Ani"), selection: ["x".repeat(17 * 1024)] }));
    expect(room.awareness.getStates().has(100)).toBe(false);
  });

  it("throws on an awareness update that does not decode or holds no JSON", async () => {
    const { room, a } = await roomWithPeers();
    expect(() => room.receiveAwareness(a, Uint8Array.from([1, 100]))).toThrow();
    const notJson = Uint8Array.from([1, 100, 1, 3, ...new TextEncoder().encode("{x:")]);
    expect(() => room.receiveAwareness(a, notJson)).toThrow();
    expect(room.awareness.getStates().has(100)).toBe(false);
  });

  it("lets the same person's new socket take over presence from one that has not closed yet", async () => {
    const { room, a, b } = await roomWithPeers();
    room.receiveAwareness(a, awarenessUpdate(100, 3, presence("Ani")));
    // Same person (FakePeer ids derive the person id), same role: a reconnect after a network drop.
    const aAgain = new FakePeer("a");
    room.join(aAgain);
    room.receiveAwareness(aAgain, awarenessUpdate(100, 4, presence("Ani back")));
    expect(room.awareness.getStates().get(100)).toEqual(bound("Ani back", aAgain));
    // The stale socket closing later does not take the person away.
    room.leave(a);
    expect(room.awareness.getStates().get(100)).toEqual(bound("Ani back", aAgain));
    // Someone else still cannot.
    room.receiveAwareness(b, awarenessUpdate(100, 9, presence("Mallory")));
    expect(room.awareness.getStates().get(100)).toEqual(bound("Ani back", aAgain));
  });

  it("takes a reconnecting client's state again with the clock it had before", async () => {
    const { room, a } = await roomWithPeers();
    room.receiveAwareness(a, awarenessUpdate(100, 3, presence("Ani")));
    room.leave(a);
    const again = new FakePeer("a2");
    room.join(again);
    // y-websocket resends its current state on reconnect without bumping the clock.
    room.receiveAwareness(again, awarenessUpdate(100, 3, presence("Ani")));
    expect(room.awareness.getStates().get(100)).toEqual(bound("Ani", again));
  });

  it("removes a peer's states when it leaves, tells the others, and frees the id", async () => {
    const { room, a, b, c } = await roomWithPeers();
    room.receiveAwareness(a, awarenessUpdate(100, 1, presence("Ani")));
    // One presence per connection: a second client id on the same socket is dropped.
    room.receiveAwareness(a, awarenessUpdate(101, 1, presence("Ani, 2nd id")));
    expect(room.awareness.getStates().has(101)).toBe(false);
    room.receiveAwareness(b, awarenessUpdate(200, 1, presence("Budi")));
    const seenByB = b.awareness.length;

    room.leave(a);

    expect(room.peers.has(a)).toBe(false);
    expect([...room.awareness.getStates().keys()].sort()).toEqual([200]);
    expect(b.awareness.length).toBeGreaterThan(seenByB);
    // B's view, rebuilt from what it was sent, no longer has A's states.
    const view = new awarenessProtocol.Awareness(new Y.Doc());
    try {
      for (const u of b.awareness) awarenessProtocol.applyAwarenessUpdate(view, u, "server");
      expect([...view.getStates().keys()].filter((id) => id !== view.clientID).sort()).toEqual([200]);
    } finally {
      view.destroy();
    }
    expect(room.awarenessSnapshot()).not.toBeNull();
    // Someone else may now use the freed id.
    room.receiveAwareness(c, awarenessUpdate(100, 9, presence("Citra")));
    expect(room.awareness.getStates().get(100)).toEqual(bound("Citra", c));
  });

  it("writes the connection's person id and role over whatever a client claims", async () => {
    const { room } = await roomWithPeers();
    const viewer = new FakePeer("v", "view");
    room.join(viewer);
    const claim = { ...presence("Boss"), user: { name: "Boss", color: "#000000", id: "manager-1", role: "edit" } };
    room.receiveAwareness(viewer, awarenessUpdate(300, 1, claim));
    const state = room.awareness.getStates().get(300) as { user: { id: string; role: string; name: string } };
    expect(state.user).toEqual({ name: "Boss", color: "#000000", id: "person-v", role: "view" });
    expect(viewer.name).toBe("Boss");
  });

  it("has no snapshot when nobody is present", async () => {
    const { room } = await roomWithPeers();
    expect(room.awarenessSnapshot()).toBeNull();
  });
});

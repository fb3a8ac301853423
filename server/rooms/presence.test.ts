import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as encoding from "lib0/encoding";
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import type { Role } from "../../shared/access/roles.ts";
import { Presence, PRESENCE_DEFAULTS, type PresenceOptions } from "./presence.ts";
import type { RoomPeer } from "./room.ts";

class Peer implements RoomPeer {
  readonly sent: Uint8Array[] = [];
  readonly actor;
  constructor(
    readonly id: string,
    readonly role: Role = "edit",
  ) {
    this.actor = { id: `person-${id}`, name: id, role };
  }
  sendUpdate(): void {}
  sendAwareness(update: Uint8Array): void {
    this.sent.push(update);
  }
  sendFrame(): void {}
  refuse(): void {}
  close(): void {}
  noteName(): void {}
}

/** An awareness message with the given entries: [clientId, clock, state]. */
function message(...entries: [number, number, unknown][]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, entries.length);
  for (const [id, clock, state] of entries) {
    encoding.writeVarUint(e, id);
    encoding.writeVarUint(e, clock);
    encoding.writeVarString(e, JSON.stringify(state));
  }
  return encoding.toUint8Array(e);
}

const cursor = (x: number) => ({ user: { name: "Ani", color: "#000000" }, cursor: [x, 0] });

/** What a peer's view of presence is, rebuilt from what it was sent. */
function viewOf(peer: Peer): Map<number, unknown> {
  const view = new awarenessProtocol.Awareness(new Y.Doc());
  for (const u of peer.sent) awarenessProtocol.applyAwarenessUpdate(view, u, "server");
  const states = new Map(view.getStates());
  states.delete(view.clientID);
  view.destroy();
  return states;
}

describe("Presence", () => {
  let presence: Presence;
  const peers = new Set<Peer>();
  function make(opts: Partial<PresenceOptions> = {}): Presence {
    presence = new Presence(new Y.Doc(), () => peers, { ...PRESENCE_DEFAULTS, ...opts });
    return presence;
  }
  beforeEach(() => {
    vi.useFakeTimers();
    peers.clear();
  });
  afterEach(() => {
    presence.destroy();
    vi.useRealTimers();
  });

  it("takes one socket's changes at most every 50 ms, keeping only the latest meanwhile", () => {
    make();
    const a = new Peer("a");
    const watcher = new Peer("w");
    peers.add(a).add(watcher);
    for (let x = 1; x <= 200; x++) presence.receive(a, message([100, x, cursor(x)]));
    // The first at once; 199 more within the same instant wait as one.
    expect((presence.awareness.getStates().get(100) as { cursor: number[] }).cursor).toEqual([1, 0]);
    vi.advanceTimersByTime(60);
    expect((presence.awareness.getStates().get(100) as { cursor: number[] }).cursor).toEqual([200, 0]);
    vi.advanceTimersByTime(200);
    // The watcher got two messages, not 200, and sees the latest cursor.
    expect(watcher.sent.length).toBeLessThanOrEqual(2);
    expect((viewOf(watcher).get(100) as { cursor: number[] }).cursor).toEqual([200, 0]);
  });

  it("sends the changes of many sockets together, at most every 50 ms", () => {
    make({ minIntervalMs: 0 });
    const watcher = new Peer("w");
    peers.add(watcher);
    for (let i = 0; i < 50; i++) {
      const p = new Peer(`p${i}`);
      peers.add(p);
      presence.receive(p, message([1000 + i, 1, cursor(i)]));
    }
    vi.advanceTimersByTime(60);
    expect(watcher.sent.length).toBeLessThanOrEqual(2);
    expect(viewOf(watcher).size).toBe(50);
  });

  it("keeps one presence per socket: 9,000 client ids from one socket make one presence", () => {
    make({ minIntervalMs: 0, flushMs: 0 });
    const mallory = new Peer("m", "view");
    peers.add(mallory);
    const entries: [number, number, unknown][] = [];
    for (let id = 1; id <= 9000; id++) entries.push([id, 1, { user: { name: "x" } }]);
    // Sent in messages under the size cap.
    for (let i = 0; i < entries.length; i += 1000) presence.receive(mallory, message(...entries.slice(i, i + 1000)));
    expect(presence.awareness.getStates().size).toBe(1);
    expect(presence.snapshot()?.length ?? 0).toBeLessThan(200);
  });

  it("drops a state that would take the plan past its total, and messages over the size cap", () => {
    make({ minIntervalMs: 0, flushMs: 0, maxTotalChars: 3000, maxStateChars: 1200 });
    const big = { user: { name: "x" }, selection: ["s".repeat(1000)] };
    for (let i = 0; i < 5; i++) {
      const p = new Peer(`p${i}`);
      peers.add(p);
      presence.receive(p, message([i + 1, 1, big]));
    }
    expect(presence.awareness.getStates().size).toBe(2);
    expect(presence.size).toBeLessThanOrEqual(3000);
    const huge = new Uint8Array(PRESENCE_DEFAULTS.maxMessageBytes + 1);
    expect(() => presence.receive(new Peer("q"), huge)).toThrow(/at most/);
  });

  it("frees a socket's share when it leaves and tells everyone, once", () => {
    make({ minIntervalMs: 0 });
    const a = new Peer("a");
    const watcher = new Peer("w");
    peers.add(a).add(watcher);
    presence.receive(a, message([100, 1, cursor(1)]));
    vi.advanceTimersByTime(60);
    expect(viewOf(watcher).has(100)).toBe(true);
    const before = presence.size;
    expect(before).toBeGreaterThan(0);
    peers.delete(a);
    presence.leave(a);
    vi.advanceTimersByTime(60);
    expect(presence.size).toBe(0);
    expect(viewOf(watcher).has(100)).toBe(false);
  });
});

import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as awarenessProtocol from "y-protocols/awareness";
import type * as Y from "yjs";
import type { RoomPeer } from "./room.ts";

export interface PresenceOptions {
  /** Most often one socket's presence is taken (later changes wait and replace each other). */
  minIntervalMs: number;
  /** Most often the room sends presence changes to everyone (changes in between go out together). */
  flushMs: number;
  /** Largest presence state, in characters: a name, a cursor and a selection fit easily. */
  maxStateChars: number;
  /** Largest presence of a whole plan together, in characters: what a newcomer is sent first. */
  maxTotalChars: number;
  /** Largest awareness message a socket may send, in bytes. */
  maxMessageBytes: number;
}

export const PRESENCE_DEFAULTS: PresenceOptions = {
  minIntervalMs: 50,
  flushMs: 50,
  maxStateChars: 16 * 1024,
  maxTotalChars: 2 * 1024 * 1024,
  maxMessageBytes: 64 * 1024,
};

interface Entry {
  clientId: number;
  clock: number;
  /** The state as JSON, already bound to the connection; "null" when the client left. */
  state: string;
}

interface Inbox {
  pending: Entry | null;
  lastApplied: number;
  timer: NodeJS.Timeout | null;
}

/**
 * The people in a plan (y-protocols awareness), bound to their connections
 * and bounded, so that no socket can make presence expensive for others:
 *
 * - one presence per connection: the first client id a socket announces is
 *   its own, and entries for any other id are dropped (y-websocket sends only
 *   its document's client id); nobody can write or clear another's;
 * - a socket's changes are taken at most every `minIntervalMs`, later ones
 *   replacing earlier ones meanwhile (a cursor only needs its latest place);
 * - changes go out to everyone at most every `flushMs`, together;
 * - states over `maxStateChars`, or that would take the plan past
 *   `maxTotalChars`, are dropped.
 *
 * Presence is bound to the connection: whatever a client writes, its
 * `user.id` and `user.role` are the socket's (see bindPresence).
 */
export class Presence {
  readonly awareness: awarenessProtocol.Awareness;
  private readonly owner = new Map<number, RoomPeer>();
  private readonly idOf = new Map<RoomPeer, number>();
  private readonly sizes = new Map<number, number>();
  private total = 0;
  private readonly inbox = new Map<RoomPeer, Inbox>();
  private readonly changed = new Set<number>();
  /** Clocks of states removed since the last flush (their meta is forgotten at once, see leave). */
  private readonly removedClocks = new Map<number, number>();
  private flushTimer: NodeJS.Timeout | null = null;
  private lastFlush = 0;

  constructor(
    doc: Y.Doc,
    private readonly peers: () => Iterable<RoomPeer>,
    private readonly opts: PresenceOptions = PRESENCE_DEFAULTS,
  ) {
    this.awareness = new awarenessProtocol.Awareness(doc);
    this.awareness.setLocalState(null);
    this.awareness.on("update", this.onUpdate);
  }

  /**
   * An awareness message from a peer. Throws on one that does not decode or
   * holds a state that is not JSON (the connection closes as malformed).
   */
  receive(peer: RoomPeer, update: Uint8Array): void {
    if (update.length > this.opts.maxMessageBytes) {
      throw new Error(`presence updates are at most ${this.opts.maxMessageBytes} bytes`);
    }
    const entries = decodeEntries(update);
    let mine: Entry | null = null;
    for (const e of entries) {
      if (!this.mayUse(peer, e.clientId)) continue;
      if (e.state.length > this.opts.maxStateChars) continue;
      mine = { ...e, state: bindPresence(e.state, peer) };
    }
    if (!mine) return;
    const box = this.inbox.get(peer) ?? { pending: null, lastApplied: 0, timer: null };
    this.inbox.set(peer, box);
    const wait = box.lastApplied + this.opts.minIntervalMs - Date.now();
    if (wait <= 0 && !box.timer) {
      this.apply(peer, box, mine);
      return;
    }
    box.pending = mine;
    box.timer ??= setTimeout(
      () => {
        box.timer = null;
        const next = box.pending;
        box.pending = null;
        if (next && this.inbox.get(peer) === box) this.apply(peer, box, next);
      },
      Math.max(0, wait),
    );
  }

  /** Whether `peer` may speak for `clientId`: its own, or a new one while it has none. */
  private mayUse(peer: RoomPeer, clientId: number): boolean {
    const own = this.idOf.get(peer);
    if (own !== undefined) return own === clientId;
    const owner = this.owner.get(clientId);
    // The same person reconnecting (same person id, same link role) takes
    // their presence over from the socket the server has not yet seen die.
    if (owner && owner !== peer && !samePerson(owner, peer)) return false;
    if (owner && owner !== peer) this.idOf.delete(owner);
    this.owner.set(clientId, peer);
    this.idOf.set(peer, clientId);
    return true;
  }

  private apply(peer: RoomPeer, box: Inbox, e: Entry): void {
    box.lastApplied = Date.now();
    const size = e.state === "null" ? 0 : e.state.length;
    const next = this.total - (this.sizes.get(e.clientId) ?? 0) + size;
    if (size > 0 && next > this.opts.maxTotalChars) return;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint(encoder, e.clientId);
    encoding.writeVarUint(encoder, e.clock);
    encoding.writeVarString(encoder, e.state);
    awarenessProtocol.applyAwarenessUpdate(this.awareness, encoding.toUint8Array(encoder), peer);
  }

  private readonly onUpdate = ({
    added,
    updated,
    removed,
  }: {
    added: number[];
    updated: number[];
    removed: number[];
  }): void => {
    for (const id of [...added, ...updated]) {
      const size = JSON.stringify(this.awareness.getStates().get(id) ?? null).length;
      this.total += size - (this.sizes.get(id) ?? 0);
      this.sizes.set(id, size);
      this.changed.add(id);
    }
    for (const id of removed) {
      this.total -= this.sizes.get(id) ?? 0;
      this.sizes.delete(id);
      this.removedClocks.set(id, this.awareness.meta.get(id)?.clock ?? 0);
      this.changed.add(id);
    }
    if (this.changed.size === 0 || this.flushTimer) return;
    const wait = this.lastFlush + this.opts.flushMs - Date.now();
    if (wait <= 0) this.flush();
    else this.flushTimer = setTimeout(() => this.flush(), wait);
  };

  /** Sends every change since the last flush to everyone, as one message. */
  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.lastFlush = Date.now();
    if (this.changed.size === 0) return;
    const states = this.awareness.getStates();
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, this.changed.size);
    for (const id of this.changed) {
      const state = states.get(id);
      const clock = state === undefined ? (this.removedClocks.get(id) ?? 0) : (this.awareness.meta.get(id)?.clock ?? 0);
      encoding.writeVarUint(encoder, id);
      encoding.writeVarUint(encoder, clock);
      encoding.writeVarString(encoder, JSON.stringify(state ?? null));
    }
    this.changed.clear();
    this.removedClocks.clear();
    const bytes = encoding.toUint8Array(encoder);
    for (const peer of this.peers()) peer.sendAwareness(bytes);
  }

  /** Everyone's current presence, for a peer that just joined. */
  snapshot(): Uint8Array | null {
    const ids = [...this.awareness.getStates().keys()];
    return ids.length ? awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids) : null;
  }

  /** Removes a peer's presence and tells everyone. */
  leave(peer: RoomPeer): void {
    const box = this.inbox.get(peer);
    if (box?.timer) clearTimeout(box.timer);
    this.inbox.delete(peer);
    const id = this.idOf.get(peer);
    this.idOf.delete(peer);
    if (id === undefined || this.owner.get(id) !== peer) return;
    this.owner.delete(id);
    awarenessProtocol.removeAwarenessStates(this.awareness, [id], null);
    // Forget its clock too: a client that reconnects resends its state with
    // the clock it had, which y-protocols would otherwise ignore as not newer,
    // leaving the person invisible until their next change (up to 15 s).
    this.awareness.meta.delete(id);
  }

  /** The total size of everyone's presence, in characters. */
  get size(): number {
    return this.total;
  }

  destroy(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const box of this.inbox.values()) if (box.timer) clearTimeout(box.timer);
    this.inbox.clear();
    this.awareness.destroy();
  }
}

/** Reads an awareness message's entries; throws on one that does not decode. */
function decodeEntries(update: Uint8Array): Entry[] {
  const decoder = decoding.createDecoder(update);
  const len = decoding.readVarUint(decoder);
  const entries: Entry[] = [];
  for (let i = 0; i < len; i++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const state = decoding.readVarString(decoder);
    entries.push({ clientId, clock, state });
  }
  return entries;
}

function samePerson(a: RoomPeer, b: RoomPeer): boolean {
  return a.actor.id === b.actor.id && a.role === b.role && !a.actor.id.startsWith("anon-");
}

/**
 * Presence is bound to the connection: whatever a client writes, its
 * `user.id` and `user.role` are the ones the server knows for the socket
 * (its person id and link role), so nobody can pose as another person or
 * as a manager. The name is the person's own choice and is noted for the feed.
 * Throws on a state that is not JSON.
 */
function bindPresence(state: string, peer: RoomPeer): string {
  const value = JSON.parse(state) as unknown;
  if (typeof value !== "object" || value === null) return "null"; // the client left
  const user = (value as { user?: unknown }).user;
  const name = typeof user === "object" && user !== null ? (user as { name?: unknown }).name : undefined;
  if (typeof name === "string" && name.trim()) peer.noteName(name);
  return JSON.stringify({
    ...value,
    user: { ...(typeof user === "object" && user !== null ? user : {}), id: peer.actor.id, role: peer.role },
  });
}

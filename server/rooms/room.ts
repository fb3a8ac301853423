import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import { isOrigin, type Origin, STORAGE, transact } from "../../shared/doc/origins.ts";
import { commentsMap, pinsMap, planMap, territoriesMap } from "../../shared/doc/schema.ts";
import type { Refusal } from "../../shared/protocol/messages.ts";
import { can, forbiddenMessage, type Role } from "../../shared/access/roles.ts";
import type { Author } from "../../shared/comments/comments.ts";
import type { RoomAddress } from "../../shared/protocol/rooms.ts";
import type { StoredDocument } from "../persistence/store.ts";
import { Debouncer } from "../util/debounce.ts";
import { checkTransaction } from "./check-update.ts";

/** What a room needs from a connection: an id to tag origins and a way to send. */
export interface RoomPeer {
  readonly id: string;
  /** The link's role: only "edit" may change the document. */
  readonly role: Role;
  /** Who is behind the connection, for the activity feed and presence. */
  readonly actor: Author;
  sendUpdate(update: Uint8Array): void;
  sendAwareness(update: Uint8Array): void;
  /** A whole message framed once by the sender for every peer (the server's analysis). */
  sendFrame(frame: Uint8Array): void;
  refuse(refusal: Refusal): void;
  close(code: number, reason: string): void;
  /** The name this person shows in their presence (the feed names them by it). */
  noteName(name: string): void;
}

export interface RoomOptions {
  /** Most territories a plan may hold (one abuser must not starve the server). */
  maxTerritories?: number;
  compactLogBytes: number;
  compactWaitMs: number;
  compactMaxWaitMs: number;
}

/**
 * One plan document in memory: its Yjs document, the people connected to
 * it and their awareness, and the durable path between them.
 *
 * Every accepted update follows one path: validated on the probe document,
 * applied to the real document, appended to the log and fdatasync'ed, and
 * only then relayed. So nothing a client has seen can be lost by a crash.
 *
 * The probe is a second copy of the document. y-protocols cannot take an
 * update back once applied, so a client's update is tried on the probe
 * first; if it would break the schema the probe is rebuilt from the real
 * document and the update goes nowhere.
 */
export class Room {
  readonly address: RoomAddress;
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  readonly peers = new Set<RoomPeer>();
  /** Awareness client ids each peer has announced: a peer may only speak for its own. */
  private readonly awarenessOwner = new Map<number, RoomPeer>();
  private probe: Y.Doc;
  private readonly stored: StoredDocument;
  private readonly opts: RoomOptions;
  /** The append of the client update being applied right now (see receiveUpdate). */
  private appending: Promise<void> | null = null;
  /** Sequence number of the last update applied to `doc`. */
  private appliedSeq = 0;
  /** Sequence number of the last update that is on disk. */
  private durableSeq = 0;
  private readonly durableWaiters: { seq: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  private dirtySinceCompaction = false;
  private readonly compactor: Debouncer;
  private broken: Error | null = null;
  /** REST handlers and other in-flight users that keep the room loaded. */
  holds = 0;
  /** Called for each peer that joins (the scoring sends it the current analysis). */
  readonly joinListeners = new Set<(peer: RoomPeer) => void>();
  /** Called once when the room closes. */
  readonly closeListeners = new Set<() => void>();

  constructor(address: RoomAddress, stored: StoredDocument, opts: RoomOptions) {
    this.address = address;
    this.stored = stored;
    this.opts = opts;
    this.doc = new Y.Doc();
    defineRoots(this.doc);
    transact(this.doc, STORAGE, () => {
      for (const u of stored.updates) Y.applyUpdate(this.doc, u, STORAGE);
    });
    this.probe = this.makeProbe();
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    this.awareness.setLocalState(null);
    this.awareness.on("update", this.onAwarenessUpdate);
    this.doc.on("update", this.onDocUpdate);
    this.compactor = new Debouncer(() => this.compact(), opts.compactWaitMs, opts.compactMaxWaitMs);
  }

  private makeProbe(): Y.Doc {
    const probe = new Y.Doc();
    defineRoots(probe);
    // The real document never holds pending updates: receiveUpdate refuses them.
    Y.applyUpdate(probe, Y.encodeStateAsUpdate(this.doc));
    return probe;
  }

  /** An update from a peer (sync step 2 or update message). */
  receiveUpdate(peer: RoomPeer, update: Uint8Array): void {
    if (this.broken) return;
    let problem: string | null = null;
    let forbidden = false;
    let news = false;
    try {
      this.probe.transact((tr) => {
        const before = territoriesMap(this.probe).size;
        Y.applyUpdate(this.probe, update);
        news = tr.deleteSet.clients.size > 0 || !sameState(tr.beforeState, this.probe);
        // Comment and view links are read-only here, whatever they send; an
        // update with nothing new (the sync handshake's answer) is harmless.
        if (news && !can(peer.role, "edit-plan")) {
          forbidden = true;
          problem = forbiddenMessage(peer.role, "change territories or plan settings");
          return;
        }
        problem = checkTransaction(this.probe, tr);
        const after = territoriesMap(this.probe).size;
        const max = this.opts.maxTerritories;
        if (problem === null && max !== undefined && after > max && after > before) {
          problem = `the plan has reached its limit of ${max} territories`;
        }
      });
      // An update that needs changes the server does not have (typically
      // edits made on top of a refused one) would wait inside the document,
      // unvalidated, and leak into snapshots and new joiners' state.
      if (problem === null && (this.probe.store.pendingStructs || this.probe.store.pendingDs)) {
        problem = "it builds on changes the server does not have (an earlier change of yours was refused)";
      }
    } catch (e) {
      problem = `the update could not be decoded (${(e as Error).message})`;
    }
    if (problem !== null) {
      this.probe.destroy();
      this.probe = this.makeProbe();
      peer.refuse(
        forbidden
          ? { code: "forbidden", message: problem, reset: true }
          : { code: "invalid-update", message: `Your change was refused: ${problem}.`, reset: true },
      );
      return;
    }
    // Nothing the room lacks (a resent update): nothing to store or relay.
    if (!news) return;
    // Start the disk write with the client's own bytes (validated, and
    // idempotent to replay), so the real document's apply and re-encoding
    // overlap the fdatasync instead of preceding it.
    this.appending = this.stored.append(update);
    try {
      Y.applyUpdate(this.doc, update, { kind: "connection", connectionId: peer.id } satisfies Origin);
    } finally {
      this.appending = null;
    }
  }

  /**
   * A change made by the server (REST call, demo seeding). Resolves once the
   * change is on disk, i.e. when it may be acknowledged.
   */
  async change<T>(origin: Origin, fn: (doc: Y.Doc) => T): Promise<T> {
    if (this.broken) throw this.broken;
    const result = transact(this.doc, origin, () => fn(this.doc));
    await this.whenDurable(this.appliedSeq);
    return result;
  }

  /** Resolves once every update applied up to `seq` is on disk. */
  whenDurable(seq = this.appliedSeq): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    if (seq <= this.durableSeq) return Promise.resolve();
    return new Promise((resolve, reject) => this.durableWaiters.push({ seq, resolve, reject }));
  }

  get seq(): number {
    return this.appliedSeq;
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === STORAGE) return;
    const seq = ++this.appliedSeq;
    this.dirtySinceCompaction = true;
    // Keep the probe level with the real document for changes it did not see.
    const fromPeer = isOrigin(origin) && origin.kind === "connection";
    if (!fromPeer) Y.applyUpdate(this.probe, update);
    const sender = fromPeer ? origin.connectionId : null;
    const durable = fromPeer && this.appending ? this.appending : this.stored.append(update);
    durable.then(
      () => {
        this.durableSeq = seq;
        for (const peer of this.peers) if (peer.id !== sender) peer.sendUpdate(update);
        this.settleWaiters();
        // Debounced, so a burst does not compact on every update; but a log
        // four times past the threshold is folded now, whatever the pace.
        if (this.stored.logBytes >= 4 * this.opts.compactLogBytes) this.compactor.flushNow();
        else if (this.stored.logBytes >= this.opts.compactLogBytes) this.compactor.trigger();
      },
      (e: Error) => this.fail(e),
    );
  };

  private settleWaiters(): void {
    for (let i = this.durableWaiters.length - 1; i >= 0; i--) {
      const w = this.durableWaiters[i];
      if (w && w.seq <= this.durableSeq) {
        this.durableWaiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  /** Storage failed: nothing more can be made durable, so stop serving this room. */
  private fail(e: Error): void {
    if (this.broken) return;
    this.broken = new Error(`storage failed: ${e.message}`, { cause: e });
    console.error(`[room ${this.address.planId}] ${this.broken.message}`);
    for (const w of this.durableWaiters.splice(0)) w.reject(this.broken);
    for (const peer of [...this.peers]) peer.close(1011, "The server could not save changes; reconnecting");
  }

  get isBroken(): boolean {
    return this.broken !== null;
  }

  // ── awareness ────────────────────────────────────────────────────────────

  /**
   * An awareness update from a peer. Entries for a client id that another
   * peer announced are dropped: presence is bound to the connection.
   */
  receiveAwareness(peer: RoomPeer, update: Uint8Array): void {
    const filtered = filterAwareness(
      update,
      (clientId) => {
        const owner = this.awarenessOwner.get(clientId);
        // The same person reconnecting (same person id, same link role) takes
        // their presence over from the socket the server has not yet seen die.
        if (owner && owner !== peer && !samePerson(owner, peer)) return false;
        if (owner !== peer) this.awarenessOwner.set(clientId, peer);
        return true;
      },
      (state) => bindPresence(state, peer),
    );
    if (filtered) awarenessProtocol.applyAwarenessUpdate(this.awareness, filtered, peer);
  }

  private readonly onAwarenessUpdate = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    _origin: unknown,
  ): void => {
    const changed = [...added, ...updated, ...removed];
    if (changed.length === 0) return;
    const bytes = awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed);
    for (const peer of this.peers) peer.sendAwareness(bytes);
  };

  /** Current awareness of everyone, for a peer that just joined. */
  awarenessSnapshot(): Uint8Array | null {
    const ids = [...this.awareness.getStates().keys()];
    return ids.length ? awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids) : null;
  }

  join(peer: RoomPeer): void {
    this.peers.add(peer);
    for (const listener of this.joinListeners) listener(peer);
  }

  leave(peer: RoomPeer): void {
    this.peers.delete(peer);
    const owned: number[] = [];
    for (const [clientId, owner] of this.awarenessOwner) {
      if (owner === peer) {
        owned.push(clientId);
        this.awarenessOwner.delete(clientId);
      }
    }
    if (owned.length) awarenessProtocol.removeAwarenessStates(this.awareness, owned, null);
    // Forget their clocks too: a client that reconnects resends its state with
    // the clock it had, which y-protocols would otherwise ignore as not newer,
    // leaving the person invisible until their next change (up to 15 s).
    for (const clientId of owned) this.awareness.meta.delete(clientId);
  }

  get inUse(): boolean {
    return this.peers.size > 0 || this.holds > 0;
  }

  // ── storage ──────────────────────────────────────────────────────────────

  /** Folds the update log into the snapshot (debounced; forced on unload). */
  async compact(): Promise<void> {
    if (this.broken || !this.dirtySinceCompaction) return;
    this.dirtySinceCompaction = false;
    await this.stored.compact(Y.encodeStateAsUpdate(this.doc));
  }

  /** Compacts and releases everything. The room must not be used afterwards. */
  async close(): Promise<void> {
    this.compactor.cancel();
    for (const listener of this.closeListeners) listener();
    try {
      if (!this.broken) {
        await this.whenDurable();
        await this.compact();
      }
    } finally {
      await this.stored.close().catch(() => {});
      this.awareness.destroy();
      this.doc.destroy();
      this.probe.destroy();
    }
  }
}

/**
 * Whether a transaction (still running) added no structs: its `afterState`
 * is only filled in when it ends, so compare with the live store.
 */
function sameState(before: Map<number, number>, doc: Y.Doc): boolean {
  for (const [client, structs] of doc.store.clients) {
    const last = structs[structs.length - 1];
    const clock = last ? last.id.clock + last.length : 0;
    if ((before.get(client) ?? 0) !== clock) return false;
  }
  return true;
}

/** Creates the root types before any update is applied, so they are typed maps. */
function defineRoots(doc: Y.Doc): void {
  planMap(doc);
  territoriesMap(doc);
  pinsMap(doc);
  commentsMap(doc);
}

/**
 * Rewrites an awareness update keeping only the entries `keep` accepts.
 * Throws on an update that does not decode. Returns null when nothing is left.
 */
function filterAwareness(
  update: Uint8Array,
  keep: (clientId: number) => boolean,
  rewrite: (state: string) => string,
): Uint8Array | null {
  const decoder = decoding.createDecoder(update);
  const encoder = encoding.createEncoder();
  const len = decoding.readVarUint(decoder);
  const entries: [number, number, string][] = [];
  for (let i = 0; i < len; i++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const state = decoding.readVarString(decoder);
    if (state.length > MAX_AWARENESS_STATE) continue;
    if (keep(clientId)) entries.push([clientId, clock, rewrite(state)]);
  }
  if (entries.length === 0) return null;
  encoding.writeVarUint(encoder, entries.length);
  for (const [clientId, clock, state] of entries) {
    encoding.writeVarUint(encoder, clientId);
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarString(encoder, state);
  }
  return encoding.toUint8Array(encoder);
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
  if (typeof value !== "object" || value === null) return state; // null: the client left
  const user = (value as { user?: unknown }).user;
  const name = typeof user === "object" && user !== null ? (user as { name?: unknown }).name : undefined;
  if (typeof name === "string" && name.trim()) peer.noteName(name);
  return JSON.stringify({
    ...value,
    user: { ...(typeof user === "object" && user !== null ? user : {}), id: peer.actor.id, role: peer.role },
  });
}

/** Presence states larger than this (in characters) are dropped: a name, a cursor and a selection fit easily. */
const MAX_AWARENESS_STATE = 16 * 1024;

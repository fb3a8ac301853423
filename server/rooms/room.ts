import * as Y from "yjs";
import { changesOf, isEmpty } from "../../shared/doc/changes.ts";
import { checkUpdate, type UpdateFootprint } from "../../shared/doc/check-update.ts";
import { isOrigin, type Origin, STORAGE, transact } from "../../shared/doc/origins.ts";
import { commentsMap, pinsMap, planMap, suggestionsMap, territoriesMap } from "../../shared/doc/schema.ts";
import type { Refusal } from "../../shared/protocol/messages.ts";
import { can, forbiddenMessage, type Role } from "../../shared/access/roles.ts";
import type { ScopeVerdict } from "../../shared/access/scope.ts";
import type { Author } from "../../shared/comments/comments.ts";
import type { RoomAddress } from "../../shared/protocol/rooms.ts";
import type { StoredDocument, UpdateMeta } from "../persistence/store.ts";
import { Debouncer } from "../util/debounce.ts";
import type { RoomExtension } from "./extension.ts";
import { Presence, type PresenceOptions } from "./presence.ts";
import { ServerUndo } from "./undo.ts";
import { logger } from "../ops/log.ts";
import { timedCommit, updatesAccepted } from "../ops/metrics.ts";

const roomLog = logger("room");

/**
 * A scoped edit link's reach (issue 15; server/access/scopes.ts): asked
 * before a change is applied, told once it was.
 */
export interface PeerScope {
  check(footprint: UpdateFootprint): ScopeVerdict;
  /** The change was accepted: territories it created join a scope by ids. */
  accepted(verdict: ScopeVerdict): void;
}

/** What a room needs from a connection: an id to tag origins and a way to send. */
export interface RoomPeer {
  readonly id: string;
  /** The link's role: only "edit" may change the document. */
  readonly role: Role;
  /** A scoped edit link's scope; absent or null: the whole plan. */
  readonly scope?: PeerScope | null;
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
  /** Most accounts a plan may pin by hand. */
  maxPins?: number;
  compactLogBytes: number;
  compactWaitMs: number;
  compactMaxWaitMs: number;
  /** Presence limits (presence.ts); the defaults when absent. */
  presence?: PresenceOptions;
}

/**
 * One plan document in memory: its Yjs document, the people connected to
 * it and their awareness, and the durable path between them.
 *
 * Every accepted update follows one path: checked against the document
 * without being applied (shared/doc/check-update.ts: Yjs cannot take an
 * update back, so nothing is applied before it is known to be good),
 * applied, appended to the log and fdatasync'ed, and only then relayed. So
 * nothing a client has seen can be lost by a crash, and a refused update
 * costs in proportion to its own size, never to the document's.
 */
export class Room {
  readonly address: RoomAddress;
  readonly doc: Y.Doc;
  readonly peers = new Set<RoomPeer>();
  private readonly presence: Presence;
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
  /** What hangs off the room, in order (extension.ts). */
  readonly extensions: readonly RoomExtension[];
  /** Steps the server took for people (an accepted proposal), kept so they can be taken back (undo.ts). */
  readonly undo: ServerUndo;

  constructor(
    address: RoomAddress,
    stored: StoredDocument,
    opts: RoomOptions,
    extensions: readonly RoomExtension[] = [],
  ) {
    this.extensions = extensions;
    this.address = address;
    this.stored = stored;
    this.opts = opts;
    this.doc = new Y.Doc();
    defineRoots(this.doc);
    transact(this.doc, STORAGE, () => {
      for (const u of stored.updates) Y.applyUpdate(this.doc, u, STORAGE);
    });
    this.presence = new Presence(this.doc, () => this.peers, opts.presence);
    this.doc.on("update", this.onDocUpdate);
    this.doc.on("afterTransaction", this.onTransaction);
    this.compactor = new Debouncer(() => this.compact(), opts.compactWaitMs, opts.compactMaxWaitMs);
    this.undo = new ServerUndo((origin, fn) => this.change(origin, fn), this.doc);
  }

  /**
   * Whether an account exists, for pins (set by whoever holds the plan's
   * accounts; pins are not checked against accounts until then).
   */
  accountExists: ((id: string) => boolean) | null = null;

  /** Units in the plan's unit layer, set by whoever loads the layer (unit keys index it); 0: none. */
  unitCount = 0;

  /**
   * An update from a peer: sync step 2 (`handshake`, the answer to the
   * server's step 1) or an update message.
   *
   * A read-only link (comment, view) is refused from its role alone, before
   * anything is decoded: its handshake passes when it carries no changes
   * (its first number, the count of clients with changes, is 0; its delete
   * set is not even read: a read-only socket deletes nothing).
   */
  receiveUpdate(peer: RoomPeer, update: Uint8Array, handshake = false): void {
    if (this.broken) return;
    if (!can(peer.role, "edit-plan")) {
      if (handshake && update.length > 0 && update[0] === 0) return;
      peer.refuse({
        code: "forbidden",
        message: forbiddenMessage(peer.role, "change territories or plan settings"),
        reset: true,
      });
      return;
    }
    const verdict = checkUpdate(this.doc, update, {
      maxTerritories: this.opts.maxTerritories,
      maxPins: this.opts.maxPins,
      accountExists: this.accountExists ?? undefined,
      unitCount: this.unitCount,
    });
    if (!verdict.ok) {
      peer.refuse({ code: "invalid-update", message: `Your change was refused: ${verdict.problem}.`, reset: true });
      return;
    }
    // Nothing the room lacks (a resent update, a handshake): nothing to store or relay.
    if (!verdict.news) return;
    if (peer.scope) {
      // A scoped link: what the update touches must lie inside its scope (shared/access/scope.ts).
      const judged = peer.scope.check(verdict.footprint);
      if (!judged.ok) {
        peer.refuse({
          code: "out-of-scope",
          message: `Your change was refused: ${judged.problem}.`,
          reset: true,
          reason: judged.reason,
          territories: judged.territories,
        });
        return;
      }
      peer.scope.accepted(judged);
    }
    // Start the disk write with the client's own bytes (checked, and
    // idempotent to replay), so the document's apply and re-encoding
    // overlap the fdatasync instead of preceding it.
    updatesAccepted.inc();
    this.appending = this.append(update, { at: Date.now(), by: peer.actor });
    try {
      Y.applyUpdate(this.doc, update, { kind: "connection", connectionId: peer.id } satisfies Origin);
    } finally {
      this.appending = null;
    }
    // checkUpdate refuses whatever would wait for missing changes; should
    // anything slip through, it must not sit unvalidated in the document.
    if (this.doc.store.pendingStructs || this.doc.store.pendingDs) {
      roomLog.error({ planId: this.address.planId }, "an accepted update left pending changes; dropped them");
      this.doc.store.pendingStructs = null;
      this.doc.store.pendingDs = null;
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
    const fromPeer = isOrigin(origin) && origin.kind === "connection";
    const sender = fromPeer ? origin.connectionId : null;
    const durable =
      fromPeer && this.appending ? this.appending : this.append(update, { at: Date.now(), by: actorOf(origin) });
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

  /** The store's durable append, timed for `wilayah_commit_seconds` whatever the store. */
  private append(update: Uint8Array, meta: UpdateMeta): Promise<void> {
    return timedCommit(this.stored.append(update, meta));
  }

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
    roomLog.error({ planId: this.address.planId, err: e }, this.broken.message);
    for (const w of this.durableWaiters.splice(0)) w.reject(this.broken);
    for (const peer of [...this.peers]) peer.close(1011, "The server could not save changes; reconnecting");
  }

  get isBroken(): boolean {
    return this.broken !== null;
  }

  // ── presence ─────────────────────────────────────────────────────────────

  /** An awareness update from a peer (see presence.ts); throws on one that does not decode. */
  receiveAwareness(peer: RoomPeer, update: Uint8Array): void {
    this.presence.receive(peer, update);
  }

  get awareness(): Presence["awareness"] {
    return this.presence.awareness;
  }

  /** Current awareness of everyone, for a peer that just joined. */
  awarenessSnapshot(): Uint8Array | null {
    return this.presence.snapshot();
  }

  join(peer: RoomPeer): void {
    this.peers.add(peer);
    for (const ext of this.extensions) ext.onJoin?.(this, peer);
  }

  /** Tells the extensions what each transaction changed (computed once, for all of them). */
  private readonly onTransaction = (tr: Y.Transaction): void => {
    if (tr.origin === STORAGE || tr.changed.size === 0) return;
    const changes = changesOf(this.doc, tr);
    if (isEmpty(changes)) return;
    for (const ext of this.extensions) ext.onChange?.(this, changes, tr);
  };

  leave(peer: RoomPeer): void {
    this.peers.delete(peer);
    this.presence.leave(peer);
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

  /**
   * Releases a room whose load failed: closes the extensions that loaded
   * (reverse order) and lets go of storage without compacting anything.
   */
  async abandon(loaded: readonly RoomExtension[]): Promise<void> {
    this.compactor.cancel();
    for (const ext of [...loaded].reverse()) await Promise.resolve(ext.onClose?.(this)).catch(() => {});
    this.doc.off("afterTransaction", this.onTransaction);
    await this.stored.close().catch(() => {});
    this.presence.destroy();
    this.doc.destroy();
  }

  /** Compacts and releases everything. The room must not be used afterwards. */
  async close(): Promise<void> {
    this.compactor.cancel();
    for (const ext of [...this.extensions].reverse()) {
      try {
        await ext.onClose?.(this);
      } catch (e) {
        roomLog.error({ planId: this.address.planId, extension: ext.name, err: e }, "an extension failed on close");
      }
    }
    this.doc.off("afterTransaction", this.onTransaction);
    try {
      if (!this.broken) {
        await this.whenDurable();
        await this.compact();
      }
    } finally {
      await this.stored.close().catch(() => {});
      this.presence.destroy();
      this.doc.destroy();
    }
  }
}

/** Who a server-side change is by, for its history (issue 14): the REST caller or the person a step is for. */
function actorOf(origin: unknown): Author | null {
  if (!isOrigin(origin)) return null;
  if (origin.kind === "rest") return origin.actor ?? null;
  if (origin.kind === "step") return origin.actor;
  return null;
}

/** Creates the root types before any update is applied, so they are typed maps. */
function defineRoots(doc: Y.Doc): void {
  planMap(doc);
  territoriesMap(doc);
  pinsMap(doc);
  commentsMap(doc);
  suggestionsMap(doc);
}

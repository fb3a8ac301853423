import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as authProtocol from "y-protocols/auth";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import type { WebSocket } from "ws";
import type { Role } from "../../shared/access/roles.ts";
import type { Author } from "../../shared/comments/comments.ts";
import { newId } from "../../shared/ids.ts";
import { CloseCode, MessageType, type Refusal } from "../../shared/protocol/messages.ts";
import { openSockets, updatesRefused } from "../ops/metrics.ts";
import type { PeerScope, Room, RoomPeer } from "./room.ts";

/** Refusals allowed in a minute before the server gives up on a connection. */
const MAX_REFUSALS_PER_MINUTE = 10;
const PING_INTERVAL_MS = 30_000;

/** What one socket may cost the server (server/config.ts has the defaults and the variables). */
export interface ConnectionLimits {
  /**
   * Document updates one socket may send: on average per second (0: no
   * limit), and in a burst. The editor writes once per gesture (a drag, a
   * paint stroke), so a person stays far below; a script sending 9,000 a
   * second does not.
   */
  updatesPerSecond: number;
  updateBurst: number;
  /**
   * Bytes the server may have queued for one socket before it counts as a
   * reader that does not keep up and is dropped (it reconnects and resyncs).
   * A first sync of a very large plan fits well within the default.
   */
  maxBufferedBytes: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  updatesPerSecond: 50,
  updateBurst: 200,
  maxBufferedBytes: 32 * 1024 * 1024,
};

type Handler = (conn: Connection, decoder: decoding.Decoder) => void;

/**
 * The message table (y-websocket's messageHandlers[]): numbers from
 * shared/protocol/messages.ts, the y-protocols ones unchanged.
 */
const handlers: Partial<Record<number, Handler>> = {
  [MessageType.sync]: (conn, decoder) => {
    const kind = decoding.readVarUint(decoder);
    switch (kind) {
      case syncProtocol.messageYjsSyncStep1:
        conn.answerSyncStep1(decoding.readVarUint8Array(decoder));
        return;
      case syncProtocol.messageYjsSyncStep2:
        conn.receiveUpdate(decoding.readVarUint8Array(decoder), true);
        return;
      case syncProtocol.messageYjsUpdate:
        conn.receiveUpdate(decoding.readVarUint8Array(decoder), false);
        return;
      default:
        throw new Error(`unknown sync message ${kind}`);
    }
  },
  [MessageType.awareness]: (conn, decoder) => {
    conn.room.receiveAwareness(conn, decoding.readVarUint8Array(decoder));
  },
  [MessageType.queryAwareness]: (conn) => {
    conn.sendAwarenessSnapshot();
  },
  [MessageType.analysis]: (conn) => {
    conn.refuse({
      code: "forbidden",
      message: "The analysis is computed by the server from the plan; it cannot be written.",
      reset: false,
    });
  },
  [MessageType.activity]: (conn) => {
    conn.refuse({
      code: "forbidden",
      message: "The activity feed is recorded by the server; it cannot be written.",
      reset: false,
    });
  },
  [MessageType.proposals]: (conn) => {
    conn.refuse({
      code: "forbidden",
      message: "Proposals are made by the server; start one over the API (POST …/proposals).",
      reset: false,
    });
  },
};

/**
 * A room relays one update to every peer: frame it once, not once per
 * socket (with 100 peers the copies cost more than the validation).
 */
const updateFrames = new WeakMap<Uint8Array, Uint8Array>();
const awarenessFrames = new WeakMap<Uint8Array, Uint8Array>();

function framed(
  payload: Uint8Array,
  cache: WeakMap<Uint8Array, Uint8Array>,
  write: (encoder: encoding.Encoder) => void,
): Uint8Array {
  let frame = cache.get(payload);
  if (!frame) {
    const encoder = encoding.createEncoder();
    write(encoder);
    frame = encoding.toUint8Array(encoder);
    cache.set(payload, frame);
  }
  return frame;
}

/** Who opened a socket: from its link and the identity it sent at the upgrade. */
export interface ConnectionIdentity {
  role: Role;
  /** The person id the server issued to their browser (POST /api/people); identifies, does not authenticate. */
  personId: string;
  name: string;
  /** The hash of the token the socket was opened with: rotating that link closes it. */
  tokenHash: string;
  /** A scoped edit link's scope (issue 15); absent: the whole plan. */
  scope?: PeerScope | null;
}

/** One WebSocket in one room. */
export class Connection implements RoomPeer {
  readonly id = newId(12);
  readonly role: Role;
  readonly tokenHash: string;
  readonly scope: PeerScope | null;
  private name: string;
  private readonly personId: string;
  private alive = true;
  private readonly ping: NodeJS.Timeout;
  private refusals: number[] = [];
  private closed = false;
  /** Token bucket for document updates (see ConnectionLimits). */
  private updateTokens: number;
  private tokensAt = Date.now();

  constructor(
    private readonly ws: WebSocket,
    readonly room: Room,
    identity: ConnectionIdentity,
    private readonly onClose: (conn: Connection) => void,
    private readonly limits: ConnectionLimits = DEFAULT_CONNECTION_LIMITS,
  ) {
    this.updateTokens = limits.updateBurst;
    this.role = identity.role;
    this.tokenHash = identity.tokenHash;
    this.scope = identity.scope ?? null;
    this.personId = identity.personId;
    this.name = identity.name;
    ws.binaryType = "nodebuffer";
    ws.on("message", (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    ws.on("close", (code) => {
      this.closeCode ??= code;
      this.dispose();
    });
    ws.on("error", () => this.dispose());
    ws.on("pong", () => {
      this.alive = true;
    });
    this.ping = setInterval(() => {
      if (!this.alive) {
        ws.terminate();
        return;
      }
      this.alive = false;
      ws.ping();
    }, PING_INTERVAL_MS);
    this.ping.unref();
    openSockets.inc();
    room.join(this);
    // Start the standard handshake: our state vector, then everyone's presence.
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MessageType.sync);
    syncProtocol.writeSyncStep1(encoder, room.doc);
    this.send(encoding.toUint8Array(encoder));
    this.sendAwarenessSnapshot();
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    if (!isBinary) {
      this.close(CloseCode.malformed, "Sync messages must be binary");
      return;
    }
    try {
      const decoder = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      const type = decoding.readVarUint(decoder);
      const handler = handlers[type];
      // Unknown message types are ignored, as y-websocket does, for forward compatibility.
      if (handler) handler(this, decoder);
    } catch (e) {
      this.refuse({
        code: "malformed",
        message: `The server could not read a message: ${(e as Error).message}`,
        reset: false,
      });
      this.close(CloseCode.malformed, "Malformed sync message");
    }
  }

  /** Sync step 1 from the client: answer with what it lacks, once that is durable. */
  answerSyncStep1(stateVector: Uint8Array): void {
    const diff = Y.encodeStateAsUpdate(this.room.doc, stateVector);
    this.room.whenDurable().then(
      () => {
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, MessageType.sync);
        encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep2);
        encoding.writeVarUint8Array(encoder, diff);
        this.send(encoding.toUint8Array(encoder));
      },
      () => {},
    );
  }

  /** A document update from this socket, within its rate. */
  receiveUpdate(update: Uint8Array, handshake: boolean): void {
    const { updatesPerSecond, updateBurst } = this.limits;
    if (updatesPerSecond > 0) {
      const now = Date.now();
      this.updateTokens = Math.min(updateBurst, this.updateTokens + ((now - this.tokensAt) / 1000) * updatesPerSecond);
      this.tokensAt = now;
      if (this.updateTokens < 1) {
        this.refuse({
          code: "rate-limited",
          message: `You are sending changes faster than the server takes them (at most ${updatesPerSecond} a second); this one was not saved.`,
          reset: true,
        });
        return;
      }
      this.updateTokens -= 1;
    }
    this.room.receiveUpdate(this, update, handshake);
  }

  get actor(): Author {
    return { id: this.personId, name: this.name, role: this.role };
  }

  noteName(name: string): void {
    this.name = name.trim().slice(0, 60);
  }

  sendUpdate(update: Uint8Array): void {
    this.send(
      framed(update, updateFrames, (encoder) => {
        encoding.writeVarUint(encoder, MessageType.sync);
        syncProtocol.writeUpdate(encoder, update);
      }),
    );
  }

  sendAwareness(update: Uint8Array): void {
    this.send(
      framed(update, awarenessFrames, (encoder) => {
        encoding.writeVarUint(encoder, MessageType.awareness);
        encoding.writeVarUint8Array(encoder, update);
      }),
    );
  }

  sendFrame(frame: Uint8Array): void {
    this.send(frame);
  }

  sendAwarenessSnapshot(): void {
    const snapshot = this.room.awarenessSnapshot();
    if (snapshot) this.sendAwareness(snapshot);
  }

  refuse(refusal: Refusal): void {
    updatesRefused.inc({ reason: refusal.code });
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MessageType.refused);
    encoding.writeVarString(encoder, JSON.stringify(refusal));
    this.send(encoding.toUint8Array(encoder));
    if (refusal.code === "forbidden") {
      // y-protocols' own "permission denied", which the stock y-websocket client logs.
      const auth = encoding.createEncoder();
      encoding.writeVarUint(auth, MessageType.auth);
      authProtocol.writePermissionDenied(auth, refusal.message);
      this.send(encoding.toUint8Array(auth));
    }
    const now = Date.now();
    this.refusals = this.refusals.filter((t) => now - t < 60_000);
    this.refusals.push(now);
    if (this.refusals.length > MAX_REFUSALS_PER_MINUTE) {
      this.close(CloseCode.tooManyRefusals, "Too many refused changes");
    }
  }

  private send(bytes: Uint8Array): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    // A reader that does not keep up would make the server hold everything
    // sent to it meanwhile: past the bound it is dropped, not buffered for.
    if (this.ws.bufferedAmount + bytes.length > this.limits.maxBufferedBytes) {
      this.ws.terminate();
      this.dispose();
      return;
    }
    this.ws.send(bytes, { binary: true }, this.onSent);
  }

  private readonly onSent = (err?: Error): void => {
    if (err) this.dispose();
  };

  /** The close code the server closed this socket with, if it did (the endpoint penalises 4429). */
  closedWith: number | null = null;

  /**
   * How the socket ended, for the log: the code it was closed with (by the
   * server or the client); 1006 when it was dropped without one.
   */
  closeCode: number | null = null;

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closedWith = code;
    this.closeCode = code;
    this.ws.close(code, reason);
    this.dispose();
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeCode ??= 1006;
    openSockets.dec();
    clearInterval(this.ping);
    this.room.leave(this);
    this.onClose(this);
  }
}

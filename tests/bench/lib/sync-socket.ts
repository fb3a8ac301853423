import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import WebSocket from "ws";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { LOCAL_EDIT, transact } from "../../../shared/doc/origins.ts";
import { MessageType } from "../../../shared/protocol/messages.ts";

/**
 * A bare client speaking the y-protocols sync messages over a raw `ws`
 * socket: far lighter than a WebsocketProvider + Y.Doc per client, so a
 * single process can hold a hundred of them without its own CPU time
 * showing up as server latency.
 *
 * The hot path (a relayed update arriving) only reads the first two bytes
 * and takes the time; decoding the update itself is left to the benchmark,
 * after the timed part, so that the 100th receiver is not timestamped late
 * because the bench process was busy decoding for the first 99.
 */
export class SyncSocket {
  readonly ws: WebSocket;
  /** The client's document: writers have one; receivers answer the handshake with an empty state. */
  readonly doc: Y.Doc | null;
  /** Every sync update message received, with its arrival time (when `record` is on). */
  readonly updates: { t: number; bytes: Buffer }[] = [];
  record = true;
  /** Called for every sync update message, after it is recorded. */
  onUpdate: ((bytes: Buffer, t: number) => void) | null = null;
  readonly refusals: string[] = [];
  /** Analysis frames (message 21) the server pushed: how many, their bytes, and the latest one (undecoded). */
  analysisFrames = 0;
  analysisBytes = 0;
  lastAnalysis: Buffer | null = null;
  synced = false;
  closed = false;
  private onSynced: (() => void) | null = null;

  private constructor(ws: WebSocket, doc: Y.Doc | null) {
    this.ws = ws;
    this.doc = doc;
    ws.binaryType = "nodebuffer";
    ws.on("message", (data: Buffer) => {
      const t = performance.now();
      if (data[0] === MessageType.sync) {
        const kind = data[1];
        if (kind === syncProtocol.messageYjsUpdate) {
          if (this.record) this.updates.push({ t, bytes: data });
          this.onUpdate?.(data, t);
        } else if (kind === syncProtocol.messageYjsSyncStep1) this.answerStep1(data);
        else if (kind === syncProtocol.messageYjsSyncStep2) this.takeStep2(data);
      } else if (data[0] === MessageType.analysis) {
        this.analysisFrames++;
        this.analysisBytes += data.length;
        this.lastAnalysis = data;
      } else if (data[0] === MessageType.refused) {
        const d = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        decoding.readVarUint(d);
        this.refusals.push(decoding.readVarString(d));
      }
    });
    ws.on("close", () => {
      this.closed = true;
    });
    ws.on("error", () => {});
  }

  /** Opens a socket, runs the sync handshake both ways and resolves once the server's step 2 is in. */
  static connect(url: string, doc: Y.Doc | null = null, timeoutMs = 30_000): Promise<SyncSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`no sync handshake from ${url} within ${timeoutMs} ms`));
      }, timeoutMs);
      ws.once("unexpected-response", (_req, res) => {
        clearTimeout(timer);
        reject(new Error(`upgrade to ${url} refused: ${res.statusCode}`));
      });
      ws.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      ws.once("open", () => {
        const s = new SyncSocket(ws, doc);
        s.onSynced = () => {
          clearTimeout(timer);
          resolve(s);
        };
        const enc = encoding.createEncoder();
        encoding.writeVarUint(enc, MessageType.sync);
        if (doc) syncProtocol.writeSyncStep1(enc, doc);
        else {
          encoding.writeVarUint(enc, syncProtocol.messageYjsSyncStep1);
          encoding.writeVarUint8Array(enc, EMPTY_STATE_VECTOR);
        }
        ws.send(encoding.toUint8Array(enc));
      });
    });
  }

  private answerStep1(data: Buffer): void {
    const d = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    decoding.readVarUint(d);
    decoding.readVarUint(d);
    const sv = decoding.readVarUint8Array(d);
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, MessageType.sync);
    encoding.writeVarUint(enc, syncProtocol.messageYjsSyncStep2);
    encoding.writeVarUint8Array(enc, this.doc ? Y.encodeStateAsUpdate(this.doc, sv) : EMPTY_UPDATE);
    this.ws.send(encoding.toUint8Array(enc));
  }

  private takeStep2(data: Buffer): void {
    if (this.doc) Y.applyUpdate(this.doc, decodeUpdateMessage(data), "server");
    this.synced = true;
    this.onSynced?.();
    this.onSynced = null;
  }

  /** Sends an already encoded message (see {@link updateMessage}). */
  send(message: Uint8Array): void {
    this.ws.send(message);
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    this.closed = true;
  }
}

const EMPTY_STATE_VECTOR = Y.encodeStateVector(new Y.Doc());
const EMPTY_UPDATE = Y.encodeStateAsUpdate(new Y.Doc());

/** The wire message for a Yjs update (y-protocols sync "update"). */
export function updateMessage(update: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MessageType.sync);
  syncProtocol.writeUpdate(enc, update);
  return encoding.toUint8Array(enc);
}

/** The Yjs update inside a sync step 2 or update message. */
export function decodeUpdateMessage(data: Uint8Array): Uint8Array {
  const d = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  const type = decoding.readVarUint(d);
  if (type !== MessageType.sync) throw new Error(`not a sync message (${type})`);
  const kind = decoding.readVarUint(d);
  if (kind !== syncProtocol.messageYjsSyncStep2 && kind !== syncProtocol.messageYjsUpdate)
    throw new Error(`not an update (${kind})`);
  return decoding.readVarUint8Array(d);
}

/**
 * The highest clock of `client` that a relayed update carries, i.e. which of
 * that client's edits it is. Each edit of a single writer covers its own
 * clock range, so this identifies the edit.
 */
export function updateEndClock(data: Uint8Array, client: number): number | null {
  const meta = Y.parseUpdateMeta(decodeUpdateMessage(data));
  return meta.to.get(client) ?? null;
}

/**
 * Runs `fn` as one local edit on `doc` and returns the Yjs update it made,
 * plus the writer's clock after it (to recognise the update when relayed).
 */
export function captureEdit(doc: Y.Doc, fn: () => void): { update: Uint8Array; endClock: number } | null {
  const parts: Uint8Array[] = [];
  const onUpdate = (u: Uint8Array) => parts.push(u);
  doc.on("update", onUpdate);
  try {
    transact(doc, LOCAL_EDIT, fn);
  } finally {
    doc.off("update", onUpdate);
  }
  if (parts.length === 0) return null;
  return {
    update: parts.length === 1 ? (parts[0] as Uint8Array) : Y.mergeUpdates(parts),
    endClock: Y.getState(doc.store, doc.clientID),
  };
}

/** Connects `n` receivers, `batch` at a time (100 simultaneous upgrades is itself a burst). */
export async function connectMany(url: string, n: number, batch = 20): Promise<SyncSocket[]> {
  const out: SyncSocket[] = [];
  try {
    for (let i = 0; i < n; i += batch) {
      const k = Math.min(batch, n - i);
      out.push(...(await Promise.all(Array.from({ length: k }, () => SyncSocket.connect(url)))));
    }
  } catch (e) {
    for (const s of out) s.close();
    throw e;
  }
  return out;
}

/** The JSON payload of an analysis frame (message 21: a var string after the type). */
export function decodeAnalysisFrame(data: Uint8Array): unknown {
  const d = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  const type = decoding.readVarUint(d);
  if (type !== MessageType.analysis) throw new Error(`not an analysis frame (${type})`);
  return JSON.parse(decoding.readVarString(d));
}

import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import WebSocket from "ws";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import type { ActivityEntry } from "../../shared/activity/activity.ts";
import type { ProposalSummary } from "../../shared/balance/proposal.ts";
import type { AnalysisMessage } from "../../shared/protocol/analysis.ts";
import { MessageType, type Refusal } from "../../shared/protocol/messages.ts";
import { type LinkRole, withToken } from "./harness.ts";

/**
 * A client that speaks the sync protocol by hand, for tests that must send
 * what a well-behaved client never would. It keeps a document of what the
 * server sent, and records refusals and the close.
 */
export class RawClient {
  readonly doc = new Y.Doc();
  readonly refusals: Refusal[] = [];
  /** y-protocols auth "permission denied" reasons (what a stock y-websocket client logs). */
  readonly permissionDenied: string[] = [];
  /** Analyses the server sent (message `analysis`), oldest first. */
  readonly analyses: AnalysisMessage[] = [];
  readonly awareness = new Map<number, unknown>();
  /** Activity entries the server streamed (message 22), by seq: later versions replace earlier ones. */
  readonly activity = new Map<number, ActivityEntry>();
  /** Proposal summaries the server streamed (message 23), oldest first. */
  readonly proposals: ProposalSummary[] = [];
  closed: { code: number; reason: string } | null = null;
  synced = false;
  private constructor(
    readonly ws: WebSocket,
    /** Reads only refusals and the handshake's end: for tests that open a hundred sockets and need no document. */
    private readonly lite = false,
  ) {
    ws.binaryType = "nodebuffer";
    ws.on("message", (data: Buffer) => this.onMessage(new Uint8Array(data)));
    ws.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
    // As every client does on open: our state vector, so the server sends what we lack.
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MessageType.sync);
    syncProtocol.writeSyncStep1(encoder, this.doc);
    ws.send(encoding.toUint8Array(encoder));
  }

  /**
   * Opens a socket; rejects with the HTTP status when the upgrade is refused.
   * The plan's token for `role` is added unless the URL has one or `role` is null.
   * `localAddress`: a loopback alias (127.0.0.x) to connect from, as another address would.
   */
  static connect(
    url: string,
    role: LinkRole | null = "edit",
    opts: { lite?: boolean; localAddress?: string } = {},
  ): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(role ? withToken(url, role) : url, {
        perMessageDeflate: false,
        localAddress: opts.localAddress,
      });
      ws.once("open", () => resolve(new RawClient(ws, opts.lite)));
      ws.once("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (d) => {
          body += d;
        });
        res.on("end", () =>
          reject(
            Object.assign(new Error(`upgrade refused: ${res.statusCode} ${body}`), { status: res.statusCode, body }),
          ),
        );
      });
      ws.once("error", reject);
    });
  }

  private onMessage(bytes: Uint8Array): void {
    const decoder = decoding.createDecoder(bytes);
    const type = decoding.readVarUint(decoder);
    if (this.lite && type === MessageType.sync) {
      if (decoding.readVarUint(decoder) === syncProtocol.messageYjsSyncStep2) this.synced = true;
      return;
    }
    if (this.lite && type !== MessageType.refused && type !== MessageType.auth) return;
    if (type === MessageType.sync) {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MessageType.sync);
      const kind = syncProtocol.readSyncMessage(decoder, encoder, this.doc, "server");
      if (kind === syncProtocol.messageYjsSyncStep2) this.synced = true;
      if (encoding.length(encoder) > 1) this.ws.send(encoding.toUint8Array(encoder));
    } else if (type === MessageType.awareness) {
      const update = decoding.readVarUint8Array(decoder);
      const d = decoding.createDecoder(update);
      const n = decoding.readVarUint(d);
      for (let i = 0; i < n; i++) {
        const id = decoding.readVarUint(d);
        decoding.readVarUint(d);
        const state = JSON.parse(decoding.readVarString(d));
        if (state === null) this.awareness.delete(id);
        else this.awareness.set(id, state);
      }
    } else if (type === MessageType.analysis) {
      this.analyses.push(JSON.parse(decoding.readVarString(decoder)) as AnalysisMessage);
    } else if (type === MessageType.auth) {
      decoding.readVarUint(decoder); // 0: permission denied, the only kind y-protocols has
      this.permissionDenied.push(decoding.readVarString(decoder));
    } else if (type === MessageType.activity) {
      const { entries } = JSON.parse(decoding.readVarString(decoder)) as { entries: ActivityEntry[] };
      for (const e of entries) this.activity.set(e.seq, e);
    } else if (type === MessageType.proposals) {
      const { proposals } = JSON.parse(decoding.readVarString(decoder)) as { proposals: ProposalSummary[] };
      this.proposals.push(...proposals);
    } else if (type === MessageType.refused) {
      this.refusals.push(JSON.parse(decoding.readVarString(decoder)) as Refusal);
    }
  }

  /** Sends a Yjs update as a sync "update" message. */
  sendUpdate(update: Uint8Array): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MessageType.sync);
    syncProtocol.writeUpdate(encoder, update);
    this.ws.send(encoding.toUint8Array(encoder));
  }

  /** Sends an awareness update claiming `clientId` with `state`. */
  sendAwareness(clientId: number, clock: number, state: unknown): void {
    const inner = encoding.createEncoder();
    encoding.writeVarUint(inner, 1);
    encoding.writeVarUint(inner, clientId);
    encoding.writeVarUint(inner, clock);
    encoding.writeVarString(inner, JSON.stringify(state));
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MessageType.awareness);
    encoding.writeVarUint8Array(encoder, encoding.toUint8Array(inner));
    this.ws.send(encoding.toUint8Array(encoder));
  }

  /** The latest analysis received, if any. */
  get analysis(): AnalysisMessage | undefined {
    return this.analyses[this.analyses.length - 1];
  }

  /** Sends arbitrary bytes (or text) as one frame. */
  sendRaw(data: Uint8Array | string): void {
    this.ws.send(data);
  }

  close(): void {
    this.ws.close();
  }
}

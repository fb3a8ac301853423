import * as decoding from "lib0/decoding";
import type * as encoding from "lib0/encoding";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { LOCAL_EDIT } from "../../shared/doc/origins.ts";
import { undoScope } from "../../shared/doc/schema.ts";
import type { ActivityEntry } from "../../shared/activity/activity.ts";
import type { AnalysisMessage } from "../../shared/protocol/analysis.ts";
import type { ProposalSummary } from "../../shared/balance/proposal.ts";
import { CloseCode, MessageType, type Refusal } from "../../shared/protocol/messages.ts";
import { parseEntries } from "../activity/feed.ts";
import { parseAnalysisMessage } from "../analysis/parse.ts";
import { parseProposalsMessage } from "../balance/parse.ts";
import { ApiError, getPlan, type PlanInfo } from "../lib/api.ts";

/**
 * How the plan's connection looks to a person:
 * - connecting: first attempt, nothing synced yet
 * - connected: socket open
 * - reconnecting: was connected, lost it, retrying
 * - offline: the browser says it has no network
 * - unreachable: repeated failures and the REST API does not answer either
 * - not-found / denied: the server says the plan does not exist / the link gives no access; we stop retrying
 * - revoked: the link was replaced by a manager (rotated); we stop retrying
 */
export type ConnectionStatus =
  | "connecting"
  | "connected"
  | "reconnecting"
  | "offline"
  | "unreachable"
  | "not-found"
  | "denied"
  | "revoked";

/** Statuses after which the session stops retrying on its own. */
const TERMINAL: ReadonlySet<ConnectionStatus> = new Set(["not-found", "denied", "revoked"]);

export interface PlanSessionEvents {
  status: (status: ConnectionStatus) => void;
  /** The document has every update the server had when we (re)connected. */
  synced: (synced: boolean) => void;
  /** The server refused one of our updates. */
  refused: (refusal: Refusal) => void;
  /** Doc, provider and undo manager were replaced after a refusal; rebind to the new ones. */
  reset: (session: PlanSession) => void;
  /**
   * The server's latest analysis of the plan (message 21). `accountTerritory`
   * is only present when it changed; the first message on each connection has it.
   */
  analysis: (analysis: AnalysisMessage) => void;
  /** Activity feed entries added or updated (message 22); a known `seq` replaces the old entry. */
  activity: (entries: ActivityEntry[]) => void;
  /**
   * Auto-balance proposals started, progressing, ended or changed (message
   * 23). `first`: the connection's first such message, which lists every
   * proposal of the plan (the list starts again from it); later ones carry
   * only the summaries that changed.
   */
  proposals: (proposals: ProposalSummary[], first: boolean) => void;
}

export interface PlanSessionOptions {
  token?: string | null;
  /** Who connects: the person id the server issued to this browser, its secret and their name (sync params). */
  person?: { id: string; name: string; secret?: string };
  /** `ws://host:port`; defaults to this page's origin. */
  wsOrigin?: string;
  /** Consecutive failed connections before asking the REST API why. */
  probeAfterFailures?: number;
  /** Open the socket at once (default); false waits for {@link PlanSession.start} (e.g. until the person id is known). */
  connect?: boolean;
}

/**
 * One open plan: its Y.Doc, the y-websocket provider that syncs it, and the
 * undo manager over the territories (own edits only).
 *
 * Offline edits stay in the doc; y-websocket sends them when it reconnects.
 * The doc is thrown away only when the server refuses one of our updates
 * with `reset: true` (an update cannot be taken back in Yjs, so the only way
 * to match the server again is a fresh doc).
 */
export class PlanSession {
  readonly planId: string;
  readonly token: string | null;
  doc!: Y.Doc;
  provider!: WebsocketProvider;
  undo!: Y.UndoManager;
  status: ConnectionStatus = "connecting";
  synced = false;
  /** The plan's REST record, once a probe has fetched it. */
  planInfo: PlanInfo | null = null;
  /** Incremented on each reset, for UIs that key on it. */
  generation = 0;

  #wsOrigin: string;
  #everConnected = false;
  #failures = 0;
  #probeAfter: number;
  #probing = false;
  #destroyed = false;
  #listeners: { [K in keyof PlanSessionEvents]: Set<PlanSessionEvents[K]> } = {
    status: new Set(),
    synced: new Set(),
    refused: new Set(),
    reset: new Set(),
    analysis: new Set(),
    activity: new Set(),
    proposals: new Set(),
  };
  /** Query parameters of the sync socket: token, person, secret, name. Read on every (re)connect. */
  #params: Record<string, string> = {};
  /** Our own link is being replaced: its socket closing with 4401 is expected, not "revoked". */
  #ownRotation = false;
  /** The socket may be opened (see the `connect` option). */
  #started = true;
  // The browser knows before the socket does (y-websocket only notices a dead
  // socket after 30 s of silence): close on "offline", reconnect on "online".
  // Edits made meanwhile stay in the doc and are sent on reconnect.
  #onOnline = () => {
    if (!TERMINAL.has(this.status) && this.#started) this.provider.connect();
    this.#updateStatus();
  };
  #onOffline = () => {
    this.provider.disconnect();
    this.#updateStatus();
  };

  constructor(planId: string, options: PlanSessionOptions = {}) {
    this.planId = planId;
    this.token = options.token ?? null;
    this.#probeAfter = options.probeAfterFailures ?? 3;
    this.#started = options.connect ?? true;
    if (this.token) this.#params.token = this.token;
    if (options.person) this.#setPersonParams(options.person);
    this.#wsOrigin = options.wsOrigin ?? `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}`;
    this.#open();
    window.addEventListener("online", this.#onOnline);
    window.addEventListener("offline", this.#onOffline);
  }

  on<K extends keyof PlanSessionEvents>(event: K, fn: PlanSessionEvents[K]): () => void {
    this.#listeners[event].add(fn);
    return () => this.#listeners[event].delete(fn);
  }

  #emit<K extends keyof PlanSessionEvents>(event: K, ...args: Parameters<PlanSessionEvents[K]>): void {
    for (const fn of this.#listeners[event]) (fn as (...a: Parameters<PlanSessionEvents[K]>) => void)(...args);
  }

  #open(): void {
    const doc = new Y.Doc();
    // A copy: y-websocket reads it on each connect, and setPerson() updates it.
    const params = { ...this.#params };
    // disableBc: every update goes through the server, which validates it;
    // tabs syncing behind its back could re-inject a refused update.
    const provider = new WebsocketProvider(`${this.#wsOrigin}/sync`, this.planId, doc, {
      params,
      disableBc: true,
      maxBackoffTime: 4000,
      connect: this.#started,
    });
    provider.messageHandlers[MessageType.refused] = (
      _encoder: encoding.Encoder,
      decoder: decoding.Decoder,
      p: WebsocketProvider,
    ) => {
      const refusal = parseRefusal(decoding.readVarString(decoder));
      // Leave y-websocket's message loop before tearing the provider down.
      setTimeout(() => {
        if (p !== this.provider) return;
        this.#emit("refused", refusal);
        if (refusal.reset) this.reset();
      }, 0);
    };
    // Metrics, balance and issues, computed by the server after every change
    // and sent to everyone (read only: the server refuses this message from a client).
    provider.messageHandlers[MessageType.analysis] = (
      _encoder: encoding.Encoder,
      decoder: decoding.Decoder,
      p: WebsocketProvider,
    ) => {
      const analysis = parseAnalysisMessage(decoding.readVarString(decoder));
      if (!analysis || p !== this.provider) return;
      this.#emit("analysis", analysis);
    };
    // The activity feed, live: entries added or updated (written by the server only).
    provider.messageHandlers[MessageType.activity] = (
      _encoder: encoding.Encoder,
      decoder: decoding.Decoder,
      p: WebsocketProvider,
    ) => {
      let entries: ActivityEntry[] = [];
      try {
        entries = parseEntries(JSON.parse(decoding.readVarString(decoder)));
      } catch {
        return;
      }
      if (entries.length === 0 || p !== this.provider) return;
      this.#emit("activity", entries);
    };
    // Auto-balance proposals (issue 13): summaries, written by the server only. The first
    // message of each connection lists every proposal; the socket opening says a new one began.
    let firstProposals = true;
    provider.messageHandlers[MessageType.proposals] = (
      _encoder: encoding.Encoder,
      decoder: decoding.Decoder,
      p: WebsocketProvider,
    ) => {
      const proposals = parseProposalsMessage(decoding.readVarString(decoder));
      if (p !== this.provider) return;
      const first = firstProposals;
      firstProposals = false;
      this.#emit("proposals", proposals, first);
    };
    provider.on("status", ({ status }: { status: string }) => {
      if (status === "connected") firstProposals = true;
      if (status === "disconnected") forgetPeerClocks(provider);
      if (provider === this.provider) this.#updateStatus();
    });
    provider.on("connection-close", () => {
      if (provider !== this.provider) return;
      this.#failures++;
      this.#updateStatus();
      if (this.#failures >= this.#probeAfter) void this.probe();
    });
    provider.on("closed", ({ code }: { code: number }) => {
      if (provider !== this.provider) return;
      if (code === CloseCode.tooManyRefusals) {
        // The server gave up on this document's state; start again from its copy.
        setTimeout(() => this.reset(), 0);
      } else if (code === CloseCode.linkRevoked) {
        // A manager replaced the link this page was opened with. When it is
        // our own rotation the page moves to the new link itself.
        if (!this.#ownRotation) this.#setStatus("revoked");
      } else {
        this.#setStatus(code === 4404 ? "not-found" : "denied");
      }
    });
    provider.on("sync", (synced: boolean) => {
      if (provider !== this.provider) return;
      if (synced) this.#failures = 0;
      this.synced = synced;
      this.#emit("synced", synced);
    });
    this.doc = doc;
    this.provider = provider;
    this.undo = new Y.UndoManager(undoScope(doc), {
      // Identity matters: only transactions tagged with this very object are ours to undo.
      trackedOrigins: new Set([LOCAL_EDIT]),
      // Each user action is one transaction; do not fold quick successive ones together.
      captureTimeout: 0,
    });
  }

  #updateStatus(): void {
    if (this.#destroyed) return;
    if (TERMINAL.has(this.status)) return;
    let next: ConnectionStatus;
    if (typeof navigator !== "undefined" && navigator.onLine === false) {
      next = "offline";
    } else if (this.provider.wsconnected) {
      next = "connected";
      this.#everConnected = true;
      this.#failures = 0;
    } else if (this.status === "unreachable" && this.#failures > 0) {
      next = "unreachable";
    } else {
      next = this.#everConnected ? "reconnecting" : "connecting";
    }
    this.#setStatus(next);
  }

  #setStatus(next: ConnectionStatus): void {
    if (next === this.status) return;
    this.status = next;
    this.#emit("status", next);
  }

  /**
   * A refused WebSocket upgrade reaches the browser as a bare close (1006)
   * whatever the HTTP status was, so after a few failures ask the REST API
   * whether the plan exists and the link is good.
   */
  async probe(): Promise<void> {
    if (this.#probing || this.#destroyed) return;
    this.#probing = true;
    try {
      const plan = await getPlan(this.planId, this.token);
      this.planInfo = plan;
      // The plan exists: a transient failure; y-websocket keeps retrying.
    } catch (e) {
      if (this.#destroyed || this.provider.wsconnected) return;
      const status = e instanceof ApiError ? e.status : 0;
      if (status === 404) {
        this.provider.disconnect();
        this.#setStatus("not-found");
      } else if (status === 401 && e instanceof ApiError && e.reason === "revoked") {
        // A refused upgrade is a bare 1006 in the browser; the API says why.
        this.provider.disconnect();
        this.#setStatus("revoked");
      } else if (status === 401 || status === 403) {
        this.provider.disconnect();
        this.#setStatus("denied");
      } else if (this.#failures > 0 && (typeof navigator === "undefined" || navigator.onLine !== false)) {
        this.#setStatus("unreachable");
      }
    } finally {
      this.#probing = false;
    }
  }

  /** Opens the socket of a session created with `connect: false` (no-op otherwise). */
  start(): void {
    if (this.#started || this.#destroyed) return;
    this.#started = true;
    this.provider.connect();
  }

  /** The person behind this connection changed (the server issued an id, or a new name). */
  setPerson(person: { id: string; name: string; secret?: string }, reconnect = false): void {
    this.#setPersonParams(person);
    this.provider.params = { ...this.#params };
    // The server binds presence and activity to the person the socket was opened as.
    if (reconnect && this.provider.wsconnected) {
      this.provider.disconnect();
      this.provider.connect();
    }
  }

  #setPersonParams(person: { id: string; name: string; secret?: string }): void {
    this.#params.person = person.id;
    this.#params.name = person.name;
    // Without its secret the server treats the id as anyone's: the socket is anonymous.
    if (person.secret) this.#params.secret = person.secret;
    else delete this.#params.secret;
  }

  /**
   * Our own link is being replaced (rotate of the role we hold): the server
   * closes this socket with 4401, which is then expected, not a revocation.
   */
  expectOwnRotation(on: boolean): void {
    this.#ownRotation = on;
  }

  /** Drops the local document and starts over from the server's state. */
  reset(): void {
    if (this.#destroyed) return;
    this.#teardown();
    this.synced = false;
    this.generation++;
    this.#open();
    this.#emit("synced", false);
    this.#emit("reset", this);
  }

  /** Reconnects after a `not-found`/`denied` stop or a manual disconnect. */
  retry(): void {
    this.status = "connecting";
    this.#failures = 0;
    this.#emit("status", this.status);
    this.provider.connect();
  }

  #teardown(): void {
    this.undo.destroy();
    this.provider.awareness.setLocalState(null);
    this.provider.destroy();
    this.provider.awareness.destroy();
    this.doc.destroy();
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    window.removeEventListener("online", this.#onOnline);
    window.removeEventListener("offline", this.#onOffline);
    this.#teardown();
    for (const set of Object.values(this.#listeners)) set.clear();
  }
}

/**
 * On disconnect y-websocket drops the others' presence but keeps their
 * clocks, and after reconnecting y-protocols ignores every state that is not
 * newer than the clock it remembers: people who did not move stayed
 * invisible for up to 15 s. Forgetting the clocks lets the server's
 * snapshot bring them back at once.
 */
function forgetPeerClocks(provider: WebsocketProvider): void {
  const awareness = provider.awareness;
  for (const clientId of [...awareness.meta.keys()]) {
    if (clientId !== awareness.clientID && !awareness.states.has(clientId)) awareness.meta.delete(clientId);
  }
}

const REFUSAL_CODES = new Set<string>([
  "invalid-update",
  "malformed",
  "forbidden",
  "rate-limited",
  "out-of-scope",
] satisfies Refusal["code"][]);

export function parseRefusal(json: string): Refusal {
  try {
    const v = JSON.parse(json) as Partial<Refusal>;
    return {
      code: v.code !== undefined && REFUSAL_CODES.has(v.code) ? v.code : "invalid-update",
      message: typeof v.message === "string" ? v.message : "the change was not accepted.",
      reset: v.reset === true,
      // A scoped link's refusal (issue 15): why, and which territories, to say it in the reader's language.
      ...(typeof v.reason === "string" ? { reason: v.reason } : {}),
      ...(Array.isArray(v.territories)
        ? { territories: v.territories.filter((x): x is string => typeof x === "string").slice(0, 50) }
        : {}),
    };
  } catch {
    return { code: "malformed", message: "the change was not accepted.", reset: true };
  }
}

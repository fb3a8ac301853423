/**
 * Sync wire protocol: the y-websocket message numbers, unchanged, so the
 * stock `y-websocket` client connects, plus Wilayah's own numbered messages
 * (stock clients log and ignore numbers they do not know).
 */
export const MessageType = {
  /** y-protocols sync: step 1, step 2, update. */
  sync: 0,
  /** y-protocols awareness update. */
  awareness: 1,
  /** y-protocols auth (permission denied). */
  auth: 2,
  /** Ask for every awareness state. */
  queryAwareness: 3,
  /**
   * Server → client: an update of yours was refused and not stored or
   * relayed. Payload: JSON {@link Refusal}. Because y-protocols cannot take an
   * update back, a client that gets `reset: true` must drop its document and
   * resync from the server (client/sync/provider.ts does).
   */
  refused: 20,
  /**
   * Server → client: the plan's analysis (metrics, balance, issues), JSON
   * {@link AnalysisMessage}. Computed by the server; a client that sends
   * this message is refused ("forbidden"): nobody can write the analysis.
   */
  analysis: 21,
  /**
   * Server → client: activity feed entries added or updated, JSON
   * {@link ActivityMessage} (shared/activity/activity.ts). Written by the
   * server only; a client that sends it is refused ("forbidden").
   */
  activity: 22,
  /**
   * Server → client: auto-balance proposals started, progressing, ended,
   * accepted, discarded or undone, JSON {@link ProposalsMessage}
   * (shared/balance/proposal.ts); the first one a socket gets lists every
   * proposal of the plan. Written by the server only; a client that sends
   * it is refused ("forbidden").
   */
  proposals: 23,
} as const;

export type RefusalCode =
  /** The update decoded but would make a territory structurally invalid. */
  | "invalid-update"
  /** The message could not be decoded at all. */
  | "malformed"
  /** The role of the link does not allow this write (issue: roles). */
  | "forbidden"
  /** The socket sent more than its share of updates; this one was dropped. */
  | "rate-limited"
  /** A scoped edit link's change reaches outside its scope (issue 15): `territories` names what it may not touch. */
  | "out-of-scope";

export interface Refusal {
  code: RefusalCode;
  /** A sentence a person can act on. */
  message: string;
  /** Drop local state and resync: the refused change stays in the sender's document otherwise. */
  reset: boolean;
  /** out-of-scope: why (shared/access/scope.ts `ScopeReason`), so a client can say it in its own language. */
  reason?: string;
  /** out-of-scope: the territories outside the scope that the change touched. */
  territories?: string[];
}

/** Close codes the server uses; 4000–4999 are free for applications (RFC 6455 §7.4.2). */
export const CloseCode = {
  /** The server is shutting down; reconnect. */
  goingAway: 1001,
  /** Another server instance serves the plan now (issue 16; RFC 6455's "service restart"): reconnect. */
  moved: 1012,
  /** Undecodable message (RFC 6455: unsupported data). */
  malformed: 1003,
  /** Frame over the size limit (RFC 6455: message too big). */
  tooBig: 1009,
  /** Storage could not load the plan. */
  loadFailed: 4500,
  /** Too many refused updates in a row from this connection. */
  tooManyRefusals: 4429,
  /** The link this socket was opened with was replaced by a manager; it no longer gives access. */
  linkRevoked: 4401,
  /** A manager deleted the plan (or it was an idle demo copy); it no longer exists. */
  planDeleted: 4404,
} as const;

/** Largest sync frame the server accepts, in bytes. */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;

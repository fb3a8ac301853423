import type { Author } from "../comments/comments.ts";

/**
 * The activity feed: who changed what, when. Recorded by the server from
 * the connection's link and name (never from what an update claims), stored
 * with the plan, paged over REST and streamed live (message 22).
 */
export type ActivityKind =
  | "territory-created"
  | "territory-renamed"
  | "territory-reshaped"
  | "territory-updated"
  | "territory-deleted"
  | "comment-added"
  | "comment-replied"
  | "comment-resolved"
  | "comment-reopened"
  | "accounts-imported"
  | "territories-imported"
  | "link-rotated"
  /** A unit layer made or replaced (details.imported: units, details.fields: [kind]). */
  | "units-created"
  /** The unit layer removed: back to drawn territories (details.imported: territories kept). */
  | "units-removed"
  /**
   * Units painted into or out of a territory, one entry per territory a
   * stroke changed (details.count: units, details.gained / details.lost;
   * box: the changed units' centres).
   */
  | "territory-painted"
  /** Competitors imported (details.imported). */
  | "competitors-imported"
  /** An import taken back (details.fields: ["accounts"] or ["territories"], details.imported: what is back). */
  | "import-undone"
  /**
   * An auto-balance proposal accepted (details.count: units moved,
   * details.skipped: moves left out, details.score: the plan's balance score
   * before → after, details.proposalId; box: the moved units' centres).
   */
  | "proposal-accepted"
  /** An accepted proposal taken back (details.count: units put back, details.kept: units left as others changed them, details.score). */
  | "proposal-undone"
  /** A version saved with a name (issue 14; details.versionId, details.versionName). Automatic checkpoints are not activity. */
  | "version-saved"
  /**
   * A version brought back as a new change (details.versionId, details.versionName,
   * details.count: entries written, details.fields: ["accounts"] when the accounts came back too, details.score).
   */
  | "version-restored"
  /** A restore taken back (details.versionId, details.count: entries put back, details.kept: left as others changed them, details.score). */
  | "version-restore-undone"
  /**
   * A scenario promoted into this plan (issue 14): details.scenarioId, details.scenarioName,
   * details.count: entries written, details.kept: conflicts left as this plan had them, details.score.
   */
  | "scenario-promoted"
  /** A promote taken back (details.scenarioId, details.scenarioName, details.count, details.kept, details.score). */
  | "scenario-promote-undone"
  /**
   * A suggestion (issue 15) accepted: applied as one step (details.suggestionId,
   * details.suggestedBy: whose it was, details.score before → after; commentId: its thread).
   */
  | "suggestion-accepted"
  /** A suggestion declined, with the reply (details.suggestionId, details.suggestedBy, details.excerpt). */
  | "suggestion-declined"
  /** An accepted suggestion taken back (details.suggestionId, details.suggestedBy, details.kept, details.score). */
  | "suggestion-undone";

/** A territory's headline metrics, to show how an edit moved them. */
export interface MetricSnapshot {
  accounts: number;
  /** Sum of each numeric account attribute (revenue, potential, …). */
  sums: Record<string, number>;
  areaKm2: number;
}

export interface ActivityEntry {
  /** Increases by one per entry in a plan; pages and live updates are keyed on it. */
  seq: number;
  kind: ActivityKind;
  actor: Author;
  /** ISO 8601: when it first happened. */
  at: string;
  /**
   * ISO 8601: when it last happened. Successive reshapes of one territory by
   * one person within a couple of minutes are one entry (a drag is dozens of
   * updates), updated in place; the live stream resends the entry.
   */
  lastAt: string;
  /** How many edits this entry stands for. */
  count: number;
  territoryId?: string;
  /** The territory's name at the time (it may be renamed or deleted later). */
  territoryName?: string;
  commentId?: string;
  /** Where to zoom: [minLon, minLat, maxLon, maxLat]. */
  box?: [number, number, number, number];
  /** Kind-specific: {from, to} for renames, {before, after} metrics for reshapes and strokes, {imported} for imports, {count, gained, lost} for strokes, … */
  details?: ActivityDetails;
}

export interface ActivityDetails {
  from?: string;
  to?: string;
  /** Which fields a territory-updated entry changed (color, reps, targets, parent). */
  fields?: string[];
  before?: MetricSnapshot | null;
  after?: MetricSnapshot | null;
  /** Rows or features imported. */
  imported?: number;
  /** A short quote of a comment's text. */
  excerpt?: string;
  /** The rotated link's role. */
  role?: string;
  /** link-rotated of a labelled link (issue 15): its label. */
  label?: string;
  /** An accounts import: the accounts version it made (it can be undone while that is still the plan's). */
  version?: number;
  /** A territories import in replace mode: its id, to undo it while it is the latest. */
  importId?: string;
  /** territory-painted: units whose territory changed (gained + lost), added up over coalesced strokes. */
  count?: number;
  /** territory-painted: units painted into the territory. */
  gained?: number;
  /** territory-painted: units painted out of it (to another territory, or unassigned). */
  lost?: number;
  /** proposal-accepted / -undone: which proposal (GET …/proposals/:pid). */
  proposalId?: string;
  /** proposal-accepted: moves left out (units changed since the run started, or that would split a territory). */
  skipped?: number;
  /** proposal-undone: units left as they are because someone changed them since. */
  kept?: number;
  /** version-saved / -restored / -restore-undone: which version (GET …/versions/:vid/territories) and its name. */
  versionId?: string;
  versionName?: string;
  /** version-restored / -restore-undone: the restore (POST …/restores/:rid/undo takes it back while it is kept). */
  restoreId?: string;
  /** scenario-promoted / -promote-undone: which scenario (a plan of its own) and its name. */
  scenarioId?: string;
  scenarioName?: string;
  /** suggestion-accepted / -declined / -undone: which suggestion (GET …/suggestions/:sid), and whose it was. */
  suggestionId?: string;
  suggestedBy?: string;
  /** proposal-accepted / -undone, version-restored / -restore-undone: the plan's balance score (0–100) before and after. */
  score?: { before: number | null; after: number | null };
}

/** One page of the feed, newest first. */
export interface ActivityPage {
  entries: ActivityEntry[];
  /** Pass as `before` to get the next (older) page; null at the start of the plan. */
  next: number | null;
}

/** Server → client (message 22): entries added or updated since the last message. */
export interface ActivityMessage {
  entries: ActivityEntry[];
}

export interface ActivityFilter {
  person?: string;
  territory?: string;
}

/** Whether an entry passes a feed filter. */
export function matchesFilter(entry: ActivityEntry, filter: ActivityFilter): boolean {
  if (filter.person && entry.actor.id !== filter.person) return false;
  if (filter.territory && entry.territoryId !== filter.territory) return false;
  return true;
}

/** Entries older than this are never merged into (ms). */
export const COALESCE_WINDOW_MS = 2 * 60_000;

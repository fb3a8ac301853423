import type { ActivityEntry } from "../../shared/activity/activity.ts";
import type { Role } from "../../shared/access/roles.ts";
import type { Author } from "../../shared/comments/comments.ts";
import type { PlanAccess } from "../access/tokens.ts";
import type { Part } from "../../shared/protocol/rooms.ts";
import type { Account } from "../../shared/scoring/accounts.ts";
import type { StoredSuggestionStep } from "../suggestions/suggestions.ts";
import type { UnitLayerJson } from "../../shared/units/serialize.ts";
import type { Proposal } from "../../shared/balance/proposal.ts";
import type { EntryChange } from "../rooms/undo.ts";
import type { VersionContent } from "../../shared/versions/content.ts";
import type { VersionEntry } from "../../shared/versions/entry.ts";
import type { ScenarioEntry, ScenarioOrigin } from "../../shared/scenarios/scenario.ts";
import type { HistoryQuery } from "../../shared/history/history.ts";
import type { RawHistoryPage, ScorePoint } from "./history-files.ts";
import type { UpdateMeta } from "./update-log.ts";

export type { RawHistoryEntry, RawHistoryPage, ScorePoint } from "./history-files.ts";
export type { UpdateMeta } from "./update-log.ts";

/** What the server keeps about a plan besides its documents. */
export interface PlanMeta {
  id: string;
  name: string;
  /** ISO 8601. */
  createdAt: string;
  /** Hashed share-link tokens (server/access/tokens.ts). Absent only in plans made before roles existed. */
  access?: PlanAccess;
  /**
   * Readable tokens that the first demo plan kept (before issue 9) so that
   * GET /api/demo could hand out its edit link. Only read, to know that those
   * links were public and must be replaced (server/demo/seed.ts); never
   * written, never handed out.
   */
  publicTokens?: Partial<Record<Role, string>>;
  /** Set on a copy of the demo (GET /api/demo): when it was made. Idle copies are deleted (server/demo/copies.ts). */
  demoCopy?: { createdAt: string };
  /** Set on a scenario (issue 14): the plan (and version) it was forked from. The origin's links open it too. */
  origin?: ScenarioOrigin;
}

/**
 * A plan's stored data is damaged and no complete second copy of it is left.
 * This is the store's one way of saying so, whatever the store: the plan is
 * refused — every read and every write of it rejects with this error — until
 * an operator restores it, and nothing is written over what was found. The
 * message is a sentence for the person calling (the API answers 503 with it);
 * `file` and `damage` tell the operator where to look.
 */
export class DamagedError extends Error {
  constructor(
    readonly planId: string,
    /** Where the damage is: for the lowdb store a file of the plan's folder, e.g. "main.3.log". */
    readonly file: string,
    /** What is wrong with it, e.g. "record 2 (at byte 96) fails its checksum, and intact records follow it". */
    readonly damage: string,
  ) {
    super(
      `This plan's stored data is damaged (${file}: ${damage}) and no complete copy is left to recover it from, so the server refuses the plan until an administrator restores it. Nothing has been written over it.`,
    );
    this.name = "DamagedError";
  }
}

/**
 * A version of a plan (issue 14), or the accounts, competitors or unit layer
 * it refers to, is damaged. Only what needs that file is refused (503, the
 * sentence saying which); the plan and its other versions serve on. The
 * damaged file is copied aside and left where it is, for an operator.
 */
export class DamagedVersionError extends Error {
  constructor(
    readonly planId: string,
    /** The file in the plan's folder, e.g. "versions/v-3kx9a.json.gz". */
    readonly file: string,
    readonly damage: string,
  ) {
    super(
      `This version's stored data is damaged (${file}: ${damage}), so it cannot be read; the plan and its other versions are fine. An administrator can restore the file from a backup.`,
    );
    this.name = "DamagedVersionError";
  }
}

/**
 * A write the storage refused because the disk is full or the data folder
 * cannot be written. Nothing of that write was kept; the API answers 503.
 */
export class StorageWriteError extends Error {
  constructor(
    readonly reason: "full" | "read-only",
    options?: ErrorOptions,
  ) {
    super(
      reason === "full"
        ? "The server's disk is full; nothing was saved. Try again once an administrator has freed some space."
        : "The server cannot write to its data folder (it is read-only); nothing was saved.",
      options,
    );
    this.name = "StorageWriteError";
  }
}

/**
 * A write refused because another server instance has taken this plan over
 * (issue 16): the store's fence for the plan is gone or older than the one
 * in storage. Nothing of that write was kept; the caller must let go of the
 * plan (its owner now is the other instance).
 */
export class FencedError extends Error {
  constructor(readonly planId: string) {
    super(
      `Another server instance now serves plan ${planId}; this instance's write was refused and nothing of it was saved.`,
    );
    this.name = "FencedError";
  }
}

/** A demo copy as the registry lists it (server/demo/copies.ts). */
export interface DemoCopyEntry {
  createdAt: string;
  lastUsedAt: string;
}

/**
 * Data of the whole server rather than of a plan, shared by every instance
 * on the same storage (issue 16). Never fenced: any instance writes it.
 */
export interface ServerData {
  /** The key of person secrets (server/access/people.ts), base64url: made once, by whichever instance starts first. */
  "person-key": { key: string };
  /** Which plans are copies of the demo and when each was last used (server/demo/copies.ts). */
  "demo-copies": { copies: Record<string, DemoCopyEntry> };
}

/**
 * A write of server data: `person-key` is written only when none is stored
 * yet (the first key wins, so instances starting together agree on one);
 * `demo-copies` is merged entry by entry — an entry given is written (when
 * both have it, the later `lastUsedAt` wins), an entry given as null is
 * removed, entries not named are left as they are (another instance's).
 */
export interface ServerDataWrite {
  "person-key": { key: string };
  "demo-copies": { copies: Record<string, DemoCopyEntry | null> };
}

/**
 * Storage behind a small interface (y-websocket's bindState/writeState,
 * Hocuspocus's Database): lowdb + an update log is the default; an in-memory
 * one serves unit tests; PostgreSQL can come later without touching rooms.
 *
 * Failures every implementation reports the same way: damaged data as a
 * DamagedError (from any method, for as long as the damage is there), a full
 * or read-only disk as a StorageWriteError. Other errors mean storage could
 * not be reached or read at all.
 */
export interface PlanStore {
  /** The ids of every stored plan (a tool copying a store walks them), in no particular order. */
  listPlans(): Promise<string[]>;
  /** Creates a plan; rejects when the id is taken. */
  createPlan(meta: PlanMeta): Promise<void>;
  getPlan(id: string): Promise<PlanMeta | null>;
  /** Rewrites a plan's metadata; resolves once it is on disk. Rejects when the plan does not exist. */
  updatePlan(id: string, fn: (meta: PlanMeta) => PlanMeta): Promise<PlanMeta>;
  /**
   * Removes a plan and everything stored for it; false when there was none.
   * Its rooms must be closed first. Once it resolves, getPlan answers null.
   */
  deletePlan(id: string): Promise<boolean>;
  /**
   * Opens one document of a plan for a room. Rejects when stored data cannot
   * be read (DamagedError when it is damaged); the caller must then not write
   * anything for it.
   */
  openDocument(planId: string, part: Part): Promise<StoredDocument>;
  /**
   * The plan's accounts, or null when none were imported. The stored
   * accounts are the one source of truth for the accounts and their version.
   */
  getAccounts(planId: string): Promise<StoredAccounts | null>;
  /** The stored accounts' version (0 when none were imported), without reading the accounts. */
  getAccountsVersion(planId: string): Promise<number>;
  /** Replaces the plan's accounts and their version in one atomic step; resolves once they are on disk. */
  putAccounts(planId: string, accounts: StoredAccounts): Promise<void>;
  /** Reference data of a plan other than accounts (null when there is none): see {@link PlanData}. */
  getData<K extends keyof PlanData>(planId: string, kind: K): Promise<PlanData[K] | null>;
  /** Replaces one kind of reference data in one atomic step (null removes it); resolves once on disk. */
  putData<K extends keyof PlanData>(planId: string, kind: K, value: PlanData[K] | null): Promise<void>;
  /**
   * The plan's versions (issue 14), oldest first. A version whose file is
   * missing is listed with `damaged` saying so, never left out.
   */
  getVersions(planId: string): Promise<StoredVersion[]>;
  /** Stores a version: its content, then the list naming it; resolves with its size on disk once both are. */
  putVersion(planId: string, entry: VersionEntry, content: VersionContent): Promise<number>;
  /** A version's stored JSON (`{entry, content}`), checked but not parsed; DamagedVersionError when damaged, null when unknown. */
  getVersionBody(planId: string, id: string): Promise<string | null>;
  /** Removes versions: first from the list, then their files. */
  deleteVersions(planId: string, ids: readonly string[]): Promise<void>;
  /**
   * Keeps the plan's current accounts (competitors, unit layer) for the
   * versions that refer to them, once per import: resolves with the version
   * kept (0 when there are none), at once when it is kept already.
   */
  keepData(planId: string, kind: KeptKind): Promise<number>;
  /**
   * The stored JSON of one version of the accounts (competitors, unit
   * layer), checked but not parsed (see keptData in accounts-file.ts), from
   * what is kept or from the current file; null when neither holds it.
   */
  getKeptData(planId: string, kind: KeptKind, version: number): Promise<string | null>;
  /** The versions of a kind kept. */
  keptVersions(planId: string, kind: KeptKind): Promise<number[]>;
  /** Lets a kept version go (no version refers to it any more). */
  dropKeptData(planId: string, kind: KeptKind, version: number): Promise<void>;
  /**
   * Gives plan `to` the accounts (competitors, unit layer) of plan `from`
   * at `version` as its own current data of that version (a new scenario,
   * issue 14): the same stored file by reference where the store can (the
   * lowdb store hard-links it: files are only ever replaced, never written
   * in place), else a copy. Resolves once on disk; false when `from` holds
   * no such version.
   */
  shareData(from: string, to: string, kind: KeptKind, version: number): Promise<boolean>;
  /**
   * One page of a document's history for replay (issue 14): the state at or
   * before `query.from` (none when the document started empty) and the
   * updates after it with their times and authors, up to `query.to`, about
   * `maxBytes` of them; `next` continues the page. Stored bytes, not decoded.
   */
  getHistory(planId: string, part: Part, query: HistoryQuery, maxBytes: number): Promise<RawHistoryPage>;
  /** Records balance scores with their times (the replay's score curve). */
  appendScores(planId: string, points: readonly ScorePoint[]): Promise<void>;
  /** The scores recorded between two times, plus the last one before `from`. */
  getScores(planId: string, from: number, to: number): Promise<ScorePoint[]>;
  /** The plan's activity feed, oldest first ([] when nothing happened yet). */
  getActivity(planId: string): Promise<ActivityEntry[]>;
  /** Replaces the stored feed; resolves once it is on disk. */
  putActivity(planId: string, entries: readonly ActivityEntry[]): Promise<void>;
  /** Server-wide data of a kind (null when none is stored yet): see {@link ServerData}. */
  getServerData<K extends keyof ServerData>(kind: K): Promise<ServerData[K] | null>;
  /** Writes server-wide data as {@link ServerDataWrite} says; resolves with what is stored after it. */
  putServerData<K extends keyof ServerData>(kind: K, value: ServerDataWrite[K]): Promise<ServerData[K]>;
  /**
   * Proves storage reachable and writable, for `GET /api/ready` (issue 16):
   * writes a small marker durably and reads it back; rejects when it cannot
   * (a StorageWriteError for a full or read-only disk).
   */
  ping(): Promise<void>;
  /** The ids of the plans refused for damage right now (see DamagedError), for `GET /api/ready`. */
  damagedPlans(): string[];
  close(): Promise<void>;
}

/**
 * Accounts are reference data, not co-edited, so they live beside the
 * document rather than in it; the document carries only their version.
 */
export interface StoredAccounts {
  /** Increases with every import; clients refetch when the document's copy changes. */
  version: number;
  /** ISO 8601. */
  importedAt: string;
  accounts: Account[];
}

/**
 * Reference data kept beside a plan's document, one JSON value per kind,
 * each replaced whole and atomically (like the accounts) and checked for
 * damage when read.
 */
export interface PlanData {
  /** The plan's unit layer (shared/units/serialize.ts); the document carries its version. */
  units: UnitLayerJson;
  /** Competing outlets, stored like accounts; the document carries their version. */
  competitors: StoredAccounts;
  /** The accounts the latest accounts import replaced, so that a manager can bring them back (issue 10). */
  "undo-accounts": AccountsUndo;
  /** The territories the latest territories replace took away. */
  "undo-territories": TerritoriesUndo;
  /** Auto-balance's proposals (issue 13), so a restart keeps those that finished. */
  proposals: StoredProposals;
  /** Restores of versions (issue 14) that can still be taken back, with their inverse. */
  restores: StoredRestores;
  /** Accepted suggestions (issue 15) that can still be taken back, with their inverse. */
  suggestions: { steps: StoredSuggestionStep[] };
  /** A plan's scenarios (issue 14), oldest first. */
  scenarios: { scenarios: ScenarioEntry[] };
  /** A scenario's fork base (issue 14): the content it was made from, which promoting compares against. */
  "scenario-base": { base: VersionContent };
}

/** Every kind of {@link PlanData}, for code that walks them all (copying a store, tests). */
export const PLAN_DATA_KINDS = Object.keys({
  units: true,
  competitors: true,
  "undo-accounts": true,
  "undo-territories": true,
  proposals: true,
  restores: true,
  suggestions: true,
  scenarios: true,
  "scenario-base": true,
} satisfies Record<keyof PlanData, true>) as (keyof PlanData)[];

/** A restore of a version kept so that it can be taken back (server/versions/). */
export interface StoredRestore {
  /** The restore's id (also its step id in room.undo). */
  id: string;
  /** The version restored. */
  versionId: string;
  at: string;
  by: Author;
  /** The document entries it wrote, before and after. */
  changes: EntryChange[];
  /** Data versions it changed, before → after (the accounts when asked for, the unit layer when it differed). */
  data: Partial<Record<KeptKind, { before: number; after: number }>>;
  /** The checkpoints taken before and after it. */
  checkpoints: { before: string | null; after: string | null };
  /** When it changed the unit layer: a digest of which unit was whose right after it (undo needs it unchanged). */
  unitsDigest?: string;
  /** Not a restore but a scenario promoted into this plan (issue 14), kept the same way; `versionId` is the checkpoint after it. */
  promoted?: { scenario: string; name: string };
}

export interface StoredRestores {
  restores: StoredRestore[];
}

/** Data a version refers to rather than holds: each kind kept once per import. */
export type KeptKind = "accounts" | "competitors" | "units";

/** A version as listed: its entry, and what is wrong with its file when it is damaged or missing. */
export interface StoredVersion extends VersionEntry {
  damaged?: string;
}

/** A plan's proposals, oldest first. */
export interface StoredProposals {
  proposals: StoredProposal[];
}

/** A proposal as kept: an accepted one also keeps the inverse of what it applied, to be undone. */
export interface StoredProposal extends Proposal {
  undo?: EntryChange[];
}

/** What an accounts import replaced, kept until the next one. */
export interface AccountsUndo {
  /** The accounts version the import made: it can be undone only while that is still the plan's. */
  version: number;
  at: string;
  /**
   * The accounts version before it (0: the plan had none), kept with the
   * plan's versions (keepData: the checkpoint before the import refers to
   * it), so the accounts are stored once, not again for the undo.
   */
  previousVersion?: number;
  /** Files written before issue 14 hold the accounts before it themselves (null: the plan had none). */
  previous?: StoredAccounts | null;
}

/** What a territories import in replace mode took away, kept until the next territories import. */
export interface TerritoriesUndo {
  /** The import's id (its activity entry names it). */
  importId: string;
  at: string;
  /** The territories as they were, as the REST API writes them (GeoJSON features). */
  previous: unknown[];
}

/** One document's durable state while a room has it open. */
export interface StoredDocument {
  /** The stored updates (snapshot first, then the log), to apply in order. */
  readonly updates: readonly Uint8Array[];
  /** Bytes in the update log since the last compaction. */
  readonly logBytes: number;
  /**
   * Appends an update, with when and by whom when known (kept in the same
   * record, for history and replay); resolves once it is on disk (group
   * commit, fdatasync).
   */
  append(update: Uint8Array, meta?: UpdateMeta): Promise<void>;
  /**
   * Replaces snapshot and log with `state`, which must contain every update
   * appended before this call. Updates appended meanwhile are kept.
   */
  compact(state: Uint8Array): Promise<void>;
  /** Waits for pending appends; no more appends afterwards. */
  close(): Promise<void>;
}

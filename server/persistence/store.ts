import type { ActivityEntry } from "../../shared/activity/activity.ts";
import type { Role } from "../../shared/access/roles.ts";
import type { PlanAccess } from "../access/tokens.ts";
import type { Part } from "../../shared/protocol/rooms.ts";
import type { Account } from "../../shared/scoring/accounts.ts";

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
}

/**
 * Storage behind a small interface (y-websocket's bindState/writeState,
 * Hocuspocus's Database): lowdb + an update log is the default; an in-memory
 * one serves unit tests; PostgreSQL can come later without touching rooms.
 */
export interface PlanStore {
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
   * be read; the caller must then not write anything for it.
   */
  openDocument(planId: string, part: Part): Promise<StoredDocument>;
  /** The plan's accounts, or null when none were imported. */
  getAccounts(planId: string): Promise<StoredAccounts | null>;
  /** Replaces the plan's accounts; resolves once they are on disk. */
  putAccounts(planId: string, accounts: StoredAccounts): Promise<void>;
  /** The plan's activity feed, oldest first ([] when nothing happened yet). */
  getActivity(planId: string): Promise<ActivityEntry[]>;
  /** Replaces the stored feed; resolves once it is on disk. */
  putActivity(planId: string, entries: readonly ActivityEntry[]): Promise<void>;
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

/** One document's durable state while a room has it open. */
export interface StoredDocument {
  /** The stored updates (snapshot first, then the log), to apply in order. */
  readonly updates: readonly Uint8Array[];
  /** Bytes in the update log since the last compaction. */
  readonly logBytes: number;
  /** Appends an update; resolves once it is on disk (group commit, fdatasync). */
  append(update: Uint8Array): Promise<void>;
  /**
   * Replaces snapshot and log with `state`, which must contain every update
   * appended before this call. Updates appended meanwhile are kept.
   */
  compact(state: Uint8Array): Promise<void>;
  /** Waits for pending appends; no more appends afterwards. */
  close(): Promise<void>;
}

import type { Author } from "../comments/comments.ts";
import type { DataVersions } from "./content.ts";

/**
 * Why an automatic checkpoint was taken (a named version has none): before a
 * step that replaces much of the plan, so that restoring it takes the step
 * back; every few minutes while people edit; and around a restore.
 */
export type CheckpointReason =
  | "edits"
  | "accounts-import"
  | "competitors-import"
  | "units-change"
  | "territories-replace"
  | "proposal-accept"
  | "before-restore"
  | "restored"
  /** Before and after a scenario was promoted into this plan (issue 14). */
  | "before-promote"
  | "promoted";

/** What the list of a plan's versions says of each (its content is stored apart). */
export interface VersionEntry {
  id: string;
  name: string;
  /** ISO 8601. */
  at: string;
  /** Who saved it, or whose step the checkpoint was taken for. */
  by: Author;
  /** An automatic checkpoint (thinned as it ages) rather than a version a person named. */
  auto: boolean;
  /** Why a checkpoint was taken; null for a named version. */
  reason: CheckpointReason | null;
  /** What changed since the version before it, in one line. */
  summary: string;
  /** The accounts, competitors and unit layer it was made with. */
  refs: DataVersions;
  /** Its size on disk (gzipped), bytes. */
  bytes: number;
  /** A "restored" checkpoint: the version that was brought back. */
  restoredFrom?: string;
}

/** Versions a plan keeps with a name; beyond, saving asks to delete one first. */
export const MAX_NAMED_VERSIONS = 200;
/** Checkpoints a plan keeps at most, whatever the thinning leaves (the oldest go first). */
export const MAX_CHECKPOINTS = 1_000;

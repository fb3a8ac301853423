import type { Author } from "../comments/comments.ts";
import { LIMITS } from "../doc/territory.ts";

/**
 * What a scenario (issue 14) knows of its origin: a what-if plan forked
 * from a plan as it was then, or from one of its versions. Kept in the
 * scenario plan's meta and answered by `GET /api/plans/:id`.
 */
export interface ScenarioOrigin {
  /** The origin plan's id. */
  plan: string;
  /** The origin's version it was made from; absent when made from the plan as it was then. */
  version?: string;
  /** That version's name. */
  versionName?: string;
  /** The origin plan's name (when it was made; `GET /api/plans/:id` gives the current one). */
  name: string;
  /** ISO 8601: when the scenario was made. */
  at: string;
  by: Author;
}

/** A scenario as its origin lists it (`GET /api/plans/:id/scenarios`). */
export interface ScenarioEntry {
  id: string;
  name: string;
  at: string;
  by: Author;
  /** The origin's version it was made from, when it was. */
  version?: string;
  versionName?: string;
  /** How it differs from what it was made from, in one line, as of the last time it was edited (null: not known yet). */
  summary: string | null;
  /** When it was last promoted into the origin, and by whom. */
  promoted?: { at: string; by: Author };
}

/** Scenarios one plan may have at once; beyond, making one asks to delete one first. */
export const MAX_SCENARIOS = 50;

/**
 * A scenario's name: 1–120 characters once trimmed; null when it is not.
 *
 * @example scenarioName("  Q3 what-if ") // "Q3 what-if"
 */
export function scenarioName(raw: unknown): string | null {
  if (typeof raw !== "string") return null;
  const name = raw.trim();
  return name.length === 0 || name.length > LIMITS.name ? null : name;
}

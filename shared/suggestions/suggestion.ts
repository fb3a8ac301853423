import type { Author } from "../comments/comments.ts";
import { fail, validateGeometry } from "../geometry/validate.ts";
import type { Checked } from "../geometry/validate.ts";
import type { TerritoryGeometry } from "../geometry/types.ts";
import { ID_PATTERN } from "../ids.ts";
import type { SuggestionEffect } from "./effect.ts";

/**
 * A suggestion (issue 15): a comment thread with a proposed change of one
 * territory attached — the shape it should have (drawn plans) or the units
 * that should change hands (unit plans) — and its effect on the plan,
 * worked out by the server. Written into the plan document by the server
 * only (root `suggestions`, shared/doc/schema.ts), so it reaches every open
 * map live like the comments do; a manager accepts it (one undoable step)
 * or declines it with a reply.
 */
export type SuggestionStatus = "open" | "accepted" | "declined" | "outdated";

export const SUGGESTION_STATUSES: readonly SuggestionStatus[] = ["open", "accepted", "declined", "outdated"];

/** One unit that would change territory: `from` its territory when the suggestion was made (null: none). */
export interface SuggestedMove {
  unit: string;
  from: string | null;
  to: string | null;
}

/** Why a suggestion no longer fits the plan. */
export interface OutdatedInfo {
  /** ISO 8601. */
  at: string;
  /**
   * `reshaped`: its territory's shape changed; `deleted`: a territory it
   * names is gone; `units`: some of its units changed territory; `layer`:
   * the plan's units were made, replaced or removed; `redrawn`: its author
   * drew a newer suggestion in the same thread.
   */
  what: "reshaped" | "deleted" | "units" | "layer" | "redrawn";
  /** Who made the change, when the server knows. */
  by: Author | null;
  /** `units`: the units that changed (at most {@link SUGGESTION_LIMITS.listed}), and how many in all. */
  units?: string[];
  count?: number;
  /** `redrawn`: the suggestion that replaces this one. */
  suggestionId?: string;
}

/** What the server keeps of a suggestion (in the document; the geometry in the codec's bytes). */
export interface StoredSuggestion {
  id: string;
  threadId: string;
  territoryId: string;
  by: Author;
  /** ISO 8601. */
  createdAt: string;
  kind: "shape" | "units";
  /** The proposed shape (shared/geometry/codec.ts), for `shape`. */
  geometry: Uint8Array | null;
  /** The moves, for `units`. */
  moves: SuggestedMove[] | null;
  /**
   * What it was made against: a fingerprint of the territory's shape then
   * ({@link fingerprint} of its bytes; `shape`), the unit layer's version
   * (`units`). `from` of each move is the rest of it.
   */
  base: { geometry: string | null; layerVersion: number | null };
  effect: SuggestionEffect;
  status: SuggestionStatus;
  outdated: OutdatedInfo | null;
  /** Accepted or declined: by whom and when (and the reply's text for a decline). */
  decided: { by: Author; at: string; text: string | null } | null;
  /** An accepted suggestion taken back. */
  undone: { by: Author; at: string } | null;
}

/** A suggestion as the API answers it: the shape as GeoJSON. */
export type SuggestionView = Omit<StoredSuggestion, "geometry"> & { geometry: TerritoryGeometry | null };

export const SUGGESTION_LIMITS = {
  /** Units one suggestion may move. */
  units: 5_000,
  /** Suggestions kept per plan (every status). */
  perPlan: 1_000,
  /** Suggestions one person may make per minute in a plan (and a burst of this many). */
  perMinute: 10,
  /** Units listed in an outdated suggestion's `units`. */
  listed: 50,
  /**
   * Bytes of suggested shapes (the codec's) a plan's document may hold, every
   * status together: every client syncs them, so a plan of many detailed
   * suggestions stops taking more (about a million vertices).
   */
  shapeBytes: 8 * 1024 * 1024,
} as const;

/** A request's change, checked in shape (the server checks it against the plan next). */
export interface SuggestionChange {
  territoryId: string;
  geometry: TerritoryGeometry | null;
  /** Unit id (the layer's) → territory id, or null for none. */
  units: Map<string, string | null> | null;
  /** A thread to add it to (a redrawn suggestion), or null for a new thread. */
  threadId: string | null;
  /** Where the thread's pin goes, when given. */
  at: [number, number] | null;
}

const FIELDS = new Set(["territory", "geometry", "units", "text", "thread", "at"]);

/**
 * Checks the body of `POST …/suggestions` in shape: a territory id, and
 * exactly one of `geometry` (a Polygon or MultiPolygon, checked with the
 * rules of a territory) or `units` (unit id → territory id or null, at most
 * {@link SUGGESTION_LIMITS.units}). The text is checked as a comment's.
 *
 * @example parseSuggestionChange({ territory: "bogor", geometry: square, text: "…" }).ok // true
 */
export function parseSuggestionChange(body: unknown): Checked<SuggestionChange> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return fail('send a JSON object like {"territory": "…", "geometry": {…}, "text": "…"}');
  }
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (!FIELDS.has(key))
      return fail(`unknown field "${key.slice(0, 40)}"; send territory, geometry or units, and text`);
  }
  if (typeof b.territory !== "string" || !ID_PATTERN.test(b.territory)) {
    return fail("territory must be the id of the territory the suggestion changes");
  }
  const hasGeometry = b.geometry !== undefined && b.geometry !== null;
  const hasUnits = b.units !== undefined && b.units !== null;
  if (hasGeometry === hasUnits) {
    return fail(
      "send either geometry (the territory's suggested shape) or units (unit id → territory id), one of them",
    );
  }
  let geometry: TerritoryGeometry | null = null;
  if (hasGeometry) {
    const g = validateGeometry(b.geometry);
    if (!g.ok) return fail(`the suggested shape: ${g.error}`);
    geometry = g.value;
  }
  let units: Map<string, string | null> | null = null;
  if (hasUnits) {
    if (typeof b.units !== "object" || Array.isArray(b.units)) {
      return fail('units must be an object of unit id → territory id, like {"871f1d489ffffff": "bogor"}');
    }
    const entries = Object.entries(b.units as Record<string, unknown>);
    if (entries.length === 0) return fail("units is empty: name at least one unit to move");
    if (entries.length > SUGGESTION_LIMITS.units) {
      return fail(`a suggestion may move at most ${SUGGESTION_LIMITS.units} units; this one moves ${entries.length}`);
    }
    units = new Map();
    for (const [unit, to] of entries) {
      if (unit.length === 0 || unit.length > 64) return fail(`unit "${unit.slice(0, 40)}" is not a unit id`);
      if (to !== null && (typeof to !== "string" || !ID_PATTERN.test(to))) {
        return fail(`unit ${unit.slice(0, 40)} must go to a territory id or null`);
      }
      units.set(unit, to);
    }
  }
  let threadId: string | null = null;
  if (b.thread !== undefined && b.thread !== null) {
    if (typeof b.thread !== "string" || !ID_PATTERN.test(b.thread)) return fail("thread must be a comment thread id");
    threadId = b.thread;
  }
  let at: [number, number] | null = null;
  if (b.at !== undefined && b.at !== null) {
    const [lon, lat] = Array.isArray(b.at) ? (b.at as unknown[]) : [];
    if (
      !Array.isArray(b.at) ||
      b.at.length !== 2 ||
      typeof lon !== "number" ||
      typeof lat !== "number" ||
      !(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90)
    ) {
      return fail("at must be [longitude, latitude] on the map");
    }
    at = [lon, lat];
  }
  return { ok: true, value: { territoryId: b.territory, geometry, units, threadId, at } };
}

/**
 * A 64-bit FNV-1a digest of bytes as hex: whether a territory's shape is
 * still the one a suggestion was made against, without keeping a copy of it.
 *
 * @example fingerprint(new Uint8Array([1, 2])) // "…16 hex digits…"
 */
export function fingerprint(bytes: Uint8Array): string {
  // Two 32-bit FNV-1a lanes with different offsets: 64 bits without BigInt.
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < bytes.length; i++) {
    const x = bytes[i] as number;
    a = Math.imul(a ^ x, 0x01000193);
    b = Math.imul(b ^ x, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

/** The units a suggestion moves, as `{unit id: territory}` (what `POST …/suggestions` took). */
export function unitsOf(s: Pick<StoredSuggestion, "moves">): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const m of s.moves ?? []) out[m.unit] = m.to;
  return out;
}

/** Every territory a suggestion touches: its own, and those its units come from or go to. */
export function territoriesTouched(s: Pick<StoredSuggestion, "territoryId" | "moves">): string[] {
  const out = new Set([s.territoryId]);
  for (const m of s.moves ?? []) {
    if (m.from) out.add(m.from);
    if (m.to) out.add(m.to);
  }
  return [...out].sort();
}

/**
 * Reads a stored suggestion defensively (only the server writes them, but
 * a client must not break on a value it does not expect); null when it is
 * not one.
 */
export function parseSuggestion(value: unknown): StoredSuggestion | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Partial<StoredSuggestion>;
  if (typeof v.id !== "string" || typeof v.threadId !== "string" || typeof v.territoryId !== "string") return null;
  if (v.kind !== "shape" && v.kind !== "units") return null;
  if (!SUGGESTION_STATUSES.includes(v.status as SuggestionStatus)) return null;
  if (typeof v.effect !== "object" || v.effect === null || typeof v.by !== "object" || v.by === null) return null;
  return {
    id: v.id,
    threadId: v.threadId,
    territoryId: v.territoryId,
    by: v.by,
    createdAt: String(v.createdAt ?? ""),
    kind: v.kind,
    geometry: v.geometry instanceof Uint8Array ? v.geometry : null,
    moves: Array.isArray(v.moves) ? v.moves : null,
    base: v.base ?? { geometry: null, layerVersion: null },
    effect: v.effect,
    status: v.status as SuggestionStatus,
    outdated: v.outdated ?? null,
    decided: v.decided ?? null,
    undone: v.undone ?? null,
  };
}

import type { Checked } from "../geometry/validate.ts";
import { fail } from "../geometry/validate.ts";
import { can, forbiddenMessage, type Role } from "../access/roles.ts";

/**
 * Comment threads pinned on the map. Only the server writes them (into the
 * plan document's `comments` root, see shared/doc/schema.ts), on behalf of
 * the person whose link and name made the request: so "their own" is
 * decided by the server, never by what a client claims.
 */

/** Who wrote something: the name they gave and the id the server issued to their browser. */
export interface Author {
  id: string;
  name: string;
  role: Role;
}

/**
 * The id of a caller whose person id did not prove itself (no secret, or a
 * wrong one): one per role, shared by every such caller, so it owns nothing.
 *
 * @example anonymousId("comment") // "anon-comment"
 */
export function anonymousId(role: Role): string {
  return `anon-${role}`;
}

/** Whether an author id is an anonymous caller's (see {@link anonymousId}). */
export function isAnonymous(id: string): boolean {
  return id.startsWith("anon-");
}

export interface CommentReply {
  id: string;
  author: Author;
  text: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601, set when the text was edited. */
  editedAt: string | null;
  /**
   * What happened to the thread's suggestion (issue 15), when this reply
   * says it: written by the server with the person who did it as author
   * (the server's own name for an outdated one), so the rep is told in the
   * thread; `text` says it in English, a client may say it in its words.
   */
  event?: ThreadEvent;
}

/** A reply that reports what became of a suggestion. */
export interface ThreadEvent {
  kind:
    | "suggestion-accepted"
    | "suggestion-declined"
    | "suggestion-outdated"
    | "suggestion-undone"
    | "suggestion-redrawn";
  suggestionId: string;
  /** suggestion-outdated: what changed (shared/suggestions/suggestion.ts, OutdatedInfo.what) and who changed it. */
  what?: string;
  /** suggestion-outdated of units: how many changed. */
  count?: number;
  by?: Author | null;
}

/** The author of the replies the server writes itself (a suggestion gone out of date). */
export const SERVER_AUTHOR: Author = { id: "wilayah", name: "Wilayah", role: "view" };

export interface CommentThread {
  id: string;
  author: Author;
  text: string;
  createdAt: string;
  editedAt: string | null;
  /** Where the pin sits, lon/lat WGS84. */
  at: [number, number];
  /** The territory under the pin when it was placed (or chosen), or null. */
  territoryId: string | null;
  /** Set while the thread is resolved. */
  resolved: { by: Author; at: string } | null;
  replies: CommentReply[];
}

export const COMMENT_LIMITS = {
  /** Characters in one comment or reply. */
  text: 2000,
  /** Replies in one thread. */
  replies: 200,
  /** Threads in one plan. */
  threads: 5000,
} as const;

/**
 * Checks comment text: trimmed, not empty, at most {@link COMMENT_LIMITS.text}
 * characters. Text is stored and shown as text; it is never interpreted as HTML.
 *
 * @example validateCommentText("  Our outlets  ") // { ok: true, value: "Our outlets" }
 */
export function validateCommentText(input: unknown): Checked<string> {
  if (typeof input !== "string") return fail("the comment must be text");
  const text = input.trim();
  if (text.length === 0) return fail("the comment is empty");
  if (text.length > COMMENT_LIMITS.text) {
    return fail(`the comment is ${text.length} characters long; the limit is ${COMMENT_LIMITS.text}`);
  }
  return { ok: true, value: text };
}

/** Checks a pin's place: `[lon, lat]` in range. */
export function validateCommentPlace(input: unknown): Checked<[number, number]> {
  if (!Array.isArray(input) || input.length !== 2) return fail("the comment needs a place [longitude, latitude]");
  const [lon, lat] = input as unknown[];
  if (typeof lon !== "number" || typeof lat !== "number" || !Number.isFinite(lon) || !Number.isFinite(lat)) {
    return fail("the comment's place must be two numbers [longitude, latitude]");
  }
  if (lon < -180 || lon > 180 || lat < -90 || lat > 90) return fail("the comment's place is not on the map");
  return { ok: true, value: [lon, lat] };
}

/** What someone may do to an existing thread or reply. */
export type CommentAction = "reply" | "edit" | "resolve" | "reopen";

/**
 * Whether `who` may do `action` on `thread` (or on one of its replies when
 * `reply` is given). A rep edits only their own words and resolves or reopens
 * only threads they started; a manager may do all of it; a viewer nothing.
 * Returns null when allowed, or a sentence saying why not.
 */
export function commentPermission(
  who: { id: string; role: Role },
  action: CommentAction,
  thread: CommentThread,
  reply?: CommentReply,
): string | null {
  if (!can(who.role, "comment")) return forbiddenMessage(who.role, "comment");
  if (can(who.role, "moderate-comments")) return null;
  switch (action) {
    case "reply":
      return null;
    // Anonymous callers share one id, so nothing they wrote is anyone's own.
    case "edit": {
      const owner = reply ? reply.author : thread.author;
      return owner.id === who.id && !isAnonymous(who.id) ? null : "You can only edit your own comments.";
    }
    case "resolve":
    case "reopen":
      return thread.author.id === who.id && !isAnonymous(who.id)
        ? null
        : `Only the person who started this thread, or a manager, can ${action} it.`;
  }
}

/** Unresolved threads per territory id (threads on no territory are counted under ""). */
export function openCountByTerritory(threads: Iterable<CommentThread>): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of threads) {
    if (t.resolved) continue;
    const key = t.territoryId ?? "";
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

/**
 * Reads a stored thread defensively (the document is only written by the
 * server, but a client must not crash on a value it does not expect).
 */
export function parseThread(value: unknown): CommentThread | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Partial<CommentThread>;
  if (typeof v.id !== "string" || typeof v.text !== "string" || !isAuthor(v.author)) return null;
  if (!Array.isArray(v.at) || v.at.length !== 2 || typeof v.createdAt !== "string") return null;
  return {
    id: v.id,
    author: v.author,
    text: v.text,
    createdAt: v.createdAt,
    editedAt: typeof v.editedAt === "string" ? v.editedAt : null,
    at: [Number(v.at[0]), Number(v.at[1])],
    territoryId: typeof v.territoryId === "string" ? v.territoryId : null,
    resolved: v.resolved && isAuthor(v.resolved.by) ? { by: v.resolved.by, at: String(v.resolved.at) } : null,
    replies: Array.isArray(v.replies)
      ? v.replies.filter(
          (r): r is CommentReply =>
            typeof r === "object" &&
            r !== null &&
            typeof r.id === "string" &&
            typeof r.text === "string" &&
            isAuthor(r.author),
        )
      : [],
  };
}

function isAuthor(v: unknown): v is Author {
  return (
    typeof v === "object" &&
    v !== null &&
    typeof (v as Author).id === "string" &&
    typeof (v as Author).name === "string" &&
    typeof (v as Author).role === "string"
  );
}

import type { ActivityEntry } from "../activity/activity.ts";
import type { Author } from "../comments/comments.ts";

/**
 * GET /api/plans/:id/history (issue 14, replay): one page of a plan's
 * history, oldest first. A page that starts a read (no cursor) begins with
 * the document's state at or before `from` (a snapshot; none when the plan
 * started from an empty document), then every update after it, so applying
 * the entries in order to a fresh Y.Doc rebuilds the plan at any moment of
 * the page. Feed entries and balance scores of the page's time span ride
 * along for the timeline.
 */
export type HistoryEntry =
  /** The document's state (Y.encodeStateAsUpdate, base64) at `at`. */
  | { at: string; by: null; kind: "snapshot"; state: string }
  /** One accepted update (base64) and who made it (null: the server itself, or a log from before times were kept). */
  | { at: string; by: Author | null; kind: "update"; update: string }
  /** A feed entry that started in the page's span. */
  | { at: string; by: Author; kind: "activity"; entry: ActivityEntry }
  /** The plan's balance score (0–100, null: nothing to score) as scoring found it then. */
  | { at: string; by: null; kind: "score"; score: number | null };

export interface HistoryPage {
  entries: HistoryEntry[];
  /** Pass as `from` for the next page; null when the page reached `to` (or the present). */
  next: string | null;
}

/** A page carries about this many bytes of updates and snapshots (one larger entry still fits alone). */
export const HISTORY_PAGE_BYTES = 1024 * 1024;

/**
 * Where a page continues: an update's place in the log (generation, index)
 * and the end of the span the page before covered (epoch ms; feed entries
 * and scores after it come next). Written `g<gen>.<index>.<after>`.
 */
export interface HistoryCursor {
  gen: number;
  index: number;
  after: number;
}

export function formatCursor(c: HistoryCursor): string {
  return `g${c.gen}.${c.index}.${c.after}`;
}

/** The query of a history call, checked: times as epoch ms. */
export interface HistoryQuery {
  from: number;
  to: number;
  cursor: HistoryCursor | null;
}

/**
 * Reads `from` (an ISO 8601 time, epoch milliseconds, or a page's `next`)
 * and `to` (a time; default: now). A sentence for the caller when they do
 * not read.
 *
 * @example parseHistoryQuery("2026-12-05T08:00:00Z", null, Date.now()) // {from: 1796457600000, to: now, cursor: null}
 */
export function parseHistoryQuery(
  from: string | null,
  to: string | null,
  now: number,
): { ok: true; query: HistoryQuery } | { ok: false; error: string } {
  let cursor: HistoryCursor | null = null;
  let fromMs = 0;
  if (from !== null && from !== "") {
    const m = /^g(\d{1,9})\.(\d{1,9})\.(\d{1,15}(?:\.\d{1,9})?)$/.exec(from);
    if (m) cursor = { gen: Number(m[1]), index: Number(m[2]), after: Number(m[3]) };
    else {
      const t = parseTime(from);
      if (t === null)
        return {
          ok: false,
          error: `from must be a time (ISO 8601 or epoch milliseconds) or a page's next; got "${cut(from)}".`,
        };
      fromMs = t;
    }
  }
  let toMs = now;
  if (to !== null && to !== "") {
    const t = parseTime(to);
    if (t === null)
      return { ok: false, error: `to must be a time (ISO 8601 or epoch milliseconds); got "${cut(to)}".` };
    toMs = t;
  }
  if (cursor) fromMs = cursor.after;
  if (toMs < fromMs) return { ok: false, error: "to must not be before from." };
  return { ok: true, query: { from: fromMs, to: toMs, cursor } };
}

function parseTime(s: string): number | null {
  if (/^\d{1,15}$/.test(s)) return Number(s);
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s)) return null;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : null;
}

const cut = (s: string) => (s.length > 40 ? `${s.slice(0, 39)}…` : s);

import type { ActivityEntry } from "../../shared/activity/activity.ts";
import type { HistoryPage } from "../../shared/history/history.ts";
import type { TimelineUpdate } from "../../shared/history/timeline.ts";

/** Speeds a replay plays at: real time, and faster for a long session. */
export const SPEEDS = [1, 5, 15, 60] as const;
export type Speed = (typeof SPEEDS)[number];

/** A quiet spell this long between feed entries separates two sessions. */
export const SESSION_GAP_MS = 45 * 60_000;

/**
 * When the latest session started: walking the feed from its newest entry
 * back, the first quiet spell longer than `gap` ends it. A minute before
 * its first entry, so the replay opens on the plan as the session found it.
 * Null when the feed is empty (the replay then covers all history kept).
 *
 * @example latestSessionStart([{at: "…T10:00Z", lastAt: "…T10:05Z"}, {at: "…T07:00Z", …}]) // 09:59
 */
export function latestSessionStart(
  newestFirst: readonly Pick<ActivityEntry, "at" | "lastAt">[],
  gap = SESSION_GAP_MS,
): number | null {
  const first = newestFirst[0];
  if (!first) return null;
  let start = Date.parse(first.at);
  for (const e of newestFirst.slice(1)) {
    if (start - Date.parse(e.lastAt) > gap) break;
    start = Math.min(start, Date.parse(e.at));
  }
  return start - 60_000;
}

/** What a replay needs from history pages, decoded. */
export interface DecodedHistory {
  snapshot: { at: number; state: Uint8Array } | null;
  updates: TimelineUpdate[];
  activity: ActivityEntry[];
  scores: { at: number; score: number | null }[];
}

/** Turns history pages (oldest first) into the timeline's inputs: bytes from base64, times as epoch ms. */
export function decodeHistory(pages: readonly HistoryPage[]): DecodedHistory {
  const out: DecodedHistory = { snapshot: null, updates: [], activity: [], scores: [] };
  for (const page of pages) {
    for (const e of page.entries) {
      const at = Date.parse(e.at);
      if (e.kind === "snapshot") {
        // A snapshot starts a read (the first page); one later would only repeat what came before it.
        if (out.updates.length === 0) out.snapshot = { at, state: fromBase64(e.state) };
      } else if (e.kind === "update") out.updates.push({ at, by: e.by, update: fromBase64(e.update) });
      else if (e.kind === "activity") out.activity.push(e.entry);
      else out.scores.push({ at, score: e.score });
    }
  }
  out.activity.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  out.scores.sort((a, b) => a.at - b.at);
  return out;
}

function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The feed entry being replayed at `t`: the last one started at or before it, if it is still going or recent. */
export function entryAt(activity: readonly ActivityEntry[], t: number, recentMs = 3 * 60_000): ActivityEntry | null {
  let found: ActivityEntry | null = null;
  for (const e of activity) {
    if (Date.parse(e.at) <= t) found = e;
    else break;
  }
  if (!found) return null;
  return t - Date.parse(found.lastAt) <= recentMs ? found : null;
}

/**
 * The score curve as an SVG path in a `width` × `height` box over the
 * replay's span: a step line (the score holds until the next analysis),
 * 0 at the bottom and 100 at the top; gaps (no score: an empty plan) break it.
 */
export function scorePath(
  scores: readonly { at: number; score: number | null }[],
  start: number,
  end: number,
  width: number,
  height: number,
): string {
  const span = Math.max(1, end - start);
  const x = (t: number) => (Math.min(end, Math.max(start, t)) - start) * (width / span);
  const y = (s: number) => height - (s / 100) * height;
  let d = "";
  let prev: number | null = null;
  for (let i = 0; i < scores.length; i++) {
    const p = scores[i] as { at: number; score: number | null };
    const nextAt = scores[i + 1]?.at ?? end;
    if (p.score === null || nextAt < start || p.at > end) {
      prev = null;
      continue;
    }
    const x0 = x(p.at).toFixed(1);
    const x1 = x(nextAt).toFixed(1);
    const y0 = y(p.score).toFixed(1);
    d += prev === null ? `M${x0} ${y0}` : `V${y0}`;
    d += `H${x1}`;
    prev = p.score;
  }
  return d;
}

/** The score at `t` (the last recorded at or before it). */
export function scoreAt(scores: readonly { at: number; score: number | null }[], t: number): number | null {
  let s: number | null = null;
  for (const p of scores) {
    if (p.at <= t) s = p.score;
    else break;
  }
  return s;
}

/**
 * The scrubber's ticks: one per feed entry, but at most `buckets` across the
 * span (a two-hour session has thousands of entries; more ticks than pixels
 * only cost the page), each at its bucket's first entry, in its author's id.
 *
 * @example tickMarks(entries, start, end, 300) // [{at: 0.0123, actorId: "p-ani", seq: 4}, …] (at: 0–1 along the span)
 */
export function tickMarks(
  activity: readonly ActivityEntry[],
  start: number,
  end: number,
  buckets = 300,
): { at: number; actorId: string; seq: number }[] {
  const span = Math.max(1, end - start);
  const out: { at: number; actorId: string; seq: number }[] = [];
  let last = -1;
  for (const e of activity) {
    const at = Math.min(1, Math.max(0, (Date.parse(e.at) - start) / span));
    const bucket = Math.min(buckets - 1, Math.floor(at * buckets));
    if (bucket === last) continue;
    last = bucket;
    out.push({ at, actorId: e.actor.id, seq: e.seq });
  }
  return out;
}

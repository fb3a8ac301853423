import { COMMENT_LIMITS, type CommentThread } from "../../shared/comments/comments.ts";
import type { Locale } from "../i18n/format.ts";

/** Which threads the comments panel lists (and the map pins). */
export type StatusFilter = "open" | "resolved" | "all";

export interface ThreadFilter {
  status: StatusFilter;
  /** A territory id; "" for threads on no territory; null for every territory. */
  territory: string | null;
}

/** The newest moment in a thread: its start, its last reply, or when it was resolved. */
export function lastActivity(thread: CommentThread): string {
  let latest = thread.editedAt && thread.editedAt > thread.createdAt ? thread.editedAt : thread.createdAt;
  for (const r of thread.replies) if (r.createdAt > latest) latest = r.createdAt;
  if (thread.resolved && thread.resolved.at > latest) latest = thread.resolved.at;
  return latest;
}

/**
 * The threads a filter keeps, most recently active first (a reply brings a
 * thread back to the top, where the people waiting for it look).
 */
export function filterThreads(threads: readonly CommentThread[], filter: ThreadFilter): CommentThread[] {
  const kept = threads.filter((t) => {
    if (filter.status === "open" && t.resolved) return false;
    if (filter.status === "resolved" && !t.resolved) return false;
    if (filter.territory !== null && (t.territoryId ?? "") !== filter.territory) return false;
    return true;
  });
  const activity = new Map(kept.map((t) => [t.id, lastActivity(t)]));
  return kept.sort((a, b) => {
    const x = activity.get(a.id) as string;
    const y = activity.get(b.id) as string;
    return x < y ? 1 : x > y ? -1 : a.id.localeCompare(b.id);
  });
}

/** Threads per status, for the filter's counts. */
export function statusCounts(threads: readonly CommentThread[]): Record<StatusFilter, number> {
  let resolved = 0;
  for (const t of threads) if (t.resolved) resolved++;
  return { open: threads.length - resolved, resolved, all: threads.length };
}

/** Territory ids that have at least one thread ("" for threads on none), for the territory filter. */
export function territoriesWithThreads(threads: readonly CommentThread[]): Set<string> {
  return new Set(threads.map((t) => t.territoryId ?? ""));
}

/**
 * Where a draft stands against {@link COMMENT_LIMITS.text}, counted the way
 * the server counts (trimmed), so the person hears "too long" before sending.
 */
export function textLength(text: string): { length: number; over: number; empty: boolean } {
  const length = text.trim().length;
  return { length, over: Math.max(0, length - COMMENT_LIMITS.text), empty: length === 0 };
}

/** Show the counter once a draft is this close to the limit; below it, it is noise. */
export const COUNTER_FROM = Math.floor(COMMENT_LIMITS.text * 0.8);

const TAGS: Record<Locale, string> = { en: "en-US", id: "id-ID" };

/**
 * "3 minutes ago" / "3 menit yang lalu"; a date once it is a week old, where
 * "23 days ago" says less than the date itself.
 */
export function relativeTime(iso: string, now: number, locale: Locale): string {
  const ts = Date.parse(iso);
  if (!Number.isFinite(ts)) return "";
  const s = (ts - now) / 1000;
  const rtf = new Intl.RelativeTimeFormat(TAGS[locale], { numeric: "auto" });
  if (Math.abs(s) < 45) return rtf.format(0, "second");
  if (Math.abs(s) < 3600) return rtf.format(Math.round(s / 60), "minute");
  if (Math.abs(s) < 86400) return rtf.format(Math.round(s / 3600), "hour");
  if (Math.abs(s) < 7 * 86400) return rtf.format(Math.round(s / 86400), "day");
  const sameYear = new Date(ts).getFullYear() === new Date(now).getFullYear();
  return new Intl.DateTimeFormat(TAGS[locale], {
    day: "numeric",
    month: "short",
    ...(sameYear ? {} : { year: "numeric" }),
  }).format(ts);
}

/** The full date and time, for a tooltip on the relative one. */
export function absoluteTime(iso: string, locale: Locale): string {
  const ts = Date.parse(iso);
  if (!Number.isFinite(ts)) return iso;
  return new Intl.DateTimeFormat(TAGS[locale], { dateStyle: "medium", timeStyle: "short" }).format(ts);
}

/** Avatar colours for comment authors (readable with white initials). */
const AUTHOR_COLORS = ["#0f766e", "#7c3aed", "#0369a1", "#b45309", "#be123c", "#4338ca", "#047857", "#a21caf"];

/** A stable colour per author id, so one person's comments look alike everywhere. */
export function authorColor(id: string): string {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (Math.imul(h, 31) + id.charCodeAt(i)) | 0;
  return AUTHOR_COLORS[Math.abs(h) % AUTHOR_COLORS.length] as string;
}

/** One or two initials of a name, for the avatar (the same everywhere a person is shown). */
export { initials } from "../lib/initials.ts";

import { type ActivityEntry, type ActivityFilter, matchesFilter } from "../../shared/activity/activity.ts";

/**
 * The feed's list operations, pure so they are tested without a server:
 * entries are keyed on `seq` (an entry the server updates in place, a
 * coalesced run of reshapes, comes again with the same seq and replaces the
 * old one), kept newest first.
 */

/**
 * Adds or replaces entries by `seq`, newest first. Returns the same array
 * when nothing changed, so a reactive list does not re-render for a resend.
 *
 * @example upsertEntries([{ seq: 2 }, { seq: 1 }], [{ seq: 3 }]) // seq 3, 2, 1
 */
export function upsertEntries(list: readonly ActivityEntry[], incoming: readonly ActivityEntry[]): ActivityEntry[] {
  if (incoming.length === 0) return list as ActivityEntry[];
  const bySeq = new Map<number, ActivityEntry>();
  for (const e of list) bySeq.set(e.seq, e);
  let changed = false;
  for (const e of incoming) {
    const old = bySeq.get(e.seq);
    if (old && sameEntry(old, e)) continue;
    bySeq.set(e.seq, e);
    changed = true;
  }
  if (!changed) return list as ActivityEntry[];
  return [...bySeq.values()].sort((a, b) => b.seq - a.seq);
}

/**
 * Applies live entries (message 22) to a list shown under a filter: new ones
 * that pass it are added; a known one is replaced, or dropped when its
 * update no longer passes (a rename does not, but stay safe).
 */
export function applyLive(
  list: readonly ActivityEntry[],
  incoming: readonly ActivityEntry[],
  filter: ActivityFilter,
): ActivityEntry[] {
  const passing = incoming.filter((e) => matchesFilter(e, filter));
  const dropped = new Set(incoming.filter((e) => !matchesFilter(e, filter)).map((e) => e.seq));
  const kept =
    dropped.size > 0 && list.some((e) => dropped.has(e.seq)) ? list.filter((e) => !dropped.has(e.seq)) : list;
  return upsertEntries(kept, passing);
}

function sameEntry(a: ActivityEntry, b: ActivityEntry): boolean {
  return a.lastAt === b.lastAt && a.count === b.count && JSON.stringify(a) === JSON.stringify(b);
}

/** A person in the feed: their id, the name on their newest entry, and that entry's seq. */
export interface Actor {
  id: string;
  name: string;
  seq: number;
}

/** Everyone who appears in the entries, by id, with the name on their newest entry. */
export function actorsOf(entries: readonly ActivityEntry[]): Actor[] {
  const seen = new Map<string, Actor>();
  for (const e of entries) {
    const known = seen.get(e.actor.id);
    if (!known || e.seq > known.seq) seen.set(e.actor.id, { id: e.actor.id, name: e.actor.name, seq: e.seq });
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Merges what is known of people into `known` (id → actor), the newest entry's
 * name winning whatever order pages arrive in (an older page loaded later
 * must not bring back a name the person has since changed). True when it changed.
 */
export function noteActors(known: Map<string, Actor>, entries: readonly ActivityEntry[]): boolean {
  let changed = false;
  for (const a of actorsOf(entries)) {
    const old = known.get(a.id);
    if (old && (old.seq > a.seq || (old.seq === a.seq && old.name === a.name))) continue;
    known.set(a.id, a);
    changed = true;
  }
  return changed;
}

/**
 * The people the feed's person filter offers: everyone in the feed or here
 * now, once per person id (issue 10: one person was listed once per browser
 * session), under their newest name: the one they have here now, else the one
 * on their newest entry. Wall screens are left out: they never edit.
 *
 * @example filterPeople([{ id: "b", name: "Budi", seq: 3 }], [{ id: "b", name: "Budi Santoso" }]) // [{ id: "b", name: "Budi Santoso" }]
 */
export function filterPeople(
  actors: readonly { id: string; name: string }[],
  present: readonly { id: string; name: string; screen?: string }[],
): { id: string; name: string }[] {
  const byId = new Map<string, string>();
  for (const a of actors) byId.set(a.id, a.name);
  for (const p of present) {
    if (p.screen === "wall" && !byId.has(p.id)) continue;
    if (p.name) byId.set(p.id, p.name);
  }
  return [...byId]
    .map(([id, name]) => ({ id, name }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/**
 * Parses an ActivityMessage or ActivityPage body from the network: entries
 * without the fields the UI needs are left out rather than breaking the feed.
 */
export function parseEntries(value: unknown): ActivityEntry[] {
  const list = (value as { entries?: unknown } | null)?.entries;
  if (!Array.isArray(list)) return [];
  return list.filter(isEntry);
}

function isEntry(v: unknown): v is ActivityEntry {
  if (typeof v !== "object" || v === null) return false;
  const e = v as Partial<ActivityEntry>;
  return (
    typeof e.seq === "number" &&
    typeof e.kind === "string" &&
    typeof e.at === "string" &&
    typeof e.actor === "object" &&
    e.actor !== null &&
    typeof e.actor.id === "string" &&
    typeof e.actor.name === "string"
  );
}

import * as encoding from "lib0/encoding";
import {
  type ActivityEntry,
  type ActivityFilter,
  type ActivityPage,
  COALESCE_WINDOW_MS,
  matchesFilter,
} from "../../shared/activity/activity.ts";
import { MessageType } from "../../shared/protocol/messages.ts";
import type { PlanStore } from "../persistence/store.ts";
import { Debouncer } from "../util/debounce.ts";

/** What a caller records; the feed adds seq, times and count. */
export type NewEntry = Omit<ActivityEntry, "seq" | "at" | "lastAt" | "count">;

export const PAGE_DEFAULT = 50;
export const PAGE_MAX = 200;
/**
 * Entries kept per plan; older ones are dropped (oldest first) so a plan
 * edited for months keeps a feed that loads and saves quickly.
 */
export const MAX_ENTRIES = 10_000;
/**
 * Longest text an entry keeps (names, renames' from/to): the feed is read
 * by every watcher and stored with the plan, so one entry never carries
 * more than a line, whatever data an older version let into a plan.
 */
export const MAX_TEXT = 120;
/** Live entries go out at most this often. */
const SEND_EVERY_MS = 250;

/**
 * One plan's activity feed: kept in memory while the plan is open, written
 * to storage shortly after each change (debounced; the feed is a record for
 * people, not part of the plan's durable edit path), paged for REST and sent
 * live to everyone in the plan as message 22.
 */
export class PlanFeed {
  private readonly entries: ActivityEntry[];
  private readonly bySeq = new Map<number, ActivityEntry>();
  private readonly saver: Debouncer;
  private closed = false;
  private readonly unsent = new Set<ActivityEntry>();
  private sendTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly planId: string,
    private readonly store: PlanStore,
    stored: ActivityEntry[],
    private readonly broadcast: (entries: ActivityEntry[]) => void,
  ) {
    this.entries = stored;
    for (const e of stored) this.bySeq.set(e.seq, e);
    this.saver = new Debouncer(() => this.save(), 500, 2_000);
  }

  private get lastSeq(): number {
    return this.entries[this.entries.length - 1]?.seq ?? 0;
  }

  /**
   * Adds an entry, or with `coalesce` folds it into this person's latest
   * entry of the same kind on the same territory when that is recent: a
   * vertex drag is dozens of updates and should read as one reshape, and
   * strokes into one territory as one painting (their unit counts added up,
   * their boxes joined).
   */
  record(raw: NewEntry, opts: { coalesce?: boolean; now?: Date } = {}): ActivityEntry {
    const input = clampEntry(raw);
    const now = opts.now ?? new Date();
    const iso = now.toISOString();
    if (opts.coalesce) {
      const last = this.recentMatch(input, now.getTime());
      if (last) {
        last.lastAt = iso;
        last.count++;
        if (input.territoryName) last.territoryName = input.territoryName;
        if (input.kind === "territory-painted") {
          // A stroke's box is where its units are, not the territory's outline: join them.
          if (input.box) last.box = last.box ? joinBoxes(last.box, input.box) : input.box;
          const sum = (k: "count" | "gained" | "lost") => (last.details?.[k] ?? 0) + (input.details?.[k] ?? 0);
          last.details = { ...last.details, count: sum("count"), gained: sum("gained"), lost: sum("lost") };
        } else if (input.box) last.box = input.box;
        if (input.details?.fields) {
          last.details = {
            ...last.details,
            fields: [...new Set([...(last.details?.fields ?? []), ...input.details.fields])],
          };
        }
        this.changed([last]);
        return last;
      }
    }
    const entry: ActivityEntry = { ...input, seq: this.lastSeq + 1, at: iso, lastAt: iso, count: 1 };
    this.entries.push(entry);
    this.bySeq.set(entry.seq, entry);
    if (this.entries.length > MAX_ENTRIES) {
      for (const old of this.entries.splice(0, this.entries.length - MAX_ENTRIES)) this.bySeq.delete(old.seq);
    }
    this.changed([entry]);
    return entry;
  }

  /** Entries recorded or updated within the coalescing window (newest first). */
  *recent(now = Date.now()): Iterable<ActivityEntry> {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i] as ActivityEntry;
      if (now - Date.parse(e.lastAt) > COALESCE_WINDOW_MS) return;
      yield e;
    }
  }

  private recentMatch(input: NewEntry, now: number): ActivityEntry | null {
    for (const e of this.recent(now)) {
      if (e.territoryId !== input.territoryId) continue;
      if (e.kind === input.kind && e.actor.id === input.actor.id) return e;
      // Someone else touched the same territory since: start a new entry so the order reads right.
      if (e.actor.id !== input.actor.id) return null;
    }
    return null;
  }

  /**
   * Entries added or updated: sent to everyone within a quarter second, as
   * one message (a drag updates its entry dozens of times a second), and saved.
   */
  changed(entries: ActivityEntry[]): void {
    if (this.closed || entries.length === 0) return;
    for (const e of entries) this.unsent.add(e);
    this.sendTimer ??= setTimeout(this.send, SEND_EVERY_MS);
    this.saver.trigger();
  }

  private readonly send = (): void => {
    this.sendTimer = null;
    if (this.unsent.size === 0) return;
    const entries = [...this.unsent].sort((a, b) => a.seq - b.seq);
    this.unsent.clear();
    this.broadcast(entries);
  };

  /** Entries that started in `(after, to]` (epoch ms), oldest first: a replay's page of the feed (issue 14). */
  between(after: number, to: number): ActivityEntry[] {
    return this.entries.filter((e) => {
      const at = Date.parse(e.at);
      return at > after && at <= to;
    });
  }

  /** A page, newest first, of entries older than `before` that pass the filter. */
  page(opts: { before?: number; limit?: number } & ActivityFilter = {}): ActivityPage {
    const limit = Math.max(1, Math.min(PAGE_MAX, opts.limit ?? PAGE_DEFAULT));
    const out: ActivityEntry[] = [];
    let i = this.entries.length - 1;
    if (opts.before !== undefined) while (i >= 0 && (this.entries[i] as ActivityEntry).seq >= opts.before) i--;
    for (; i >= 0 && out.length < limit; i--) {
      const e = this.entries[i] as ActivityEntry;
      if (matchesFilter(e, opts)) out.push(e);
    }
    // More only if an older entry passes the filter.
    let more = false;
    for (let j = i; j >= 0; j--) {
      if (matchesFilter(this.entries[j] as ActivityEntry, opts)) {
        more = true;
        break;
      }
    }
    const last = out[out.length - 1];
    return { entries: out, next: more && last ? last.seq : null };
  }

  get size(): number {
    return this.entries.length;
  }

  private async save(): Promise<void> {
    await this.store.putActivity(this.planId, this.entries);
  }

  /** Writes what is pending; the feed records nothing more afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    this.saver.cancel();
    if (this.sendTimer) clearTimeout(this.sendTimer);
    this.send();
    await this.save();
  }
}

/** An entry with every text cut to {@link MAX_TEXT} characters. */
function clampEntry(e: NewEntry): NewEntry {
  const cut = (t: string | undefined) => (t !== undefined && t.length > MAX_TEXT ? `${t.slice(0, MAX_TEXT - 1)}…` : t);
  const out: NewEntry = { ...e, actor: { ...e.actor, name: cut(e.actor.name) ?? "" } };
  if (e.territoryName !== undefined) out.territoryName = cut(e.territoryName);
  if (e.details && (e.details.from !== undefined || e.details.to !== undefined)) {
    out.details = { ...e.details };
    if (e.details.from !== undefined) out.details.from = cut(e.details.from);
    if (e.details.to !== undefined) out.details.to = cut(e.details.to);
  }
  return out;
}

type Box = NonNullable<ActivityEntry["box"]>;

function joinBoxes(a: Box, b: Box): Box {
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

/** Message 22, framed once for every peer. */
export function activityFrame(entries: ActivityEntry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.activity);
  encoding.writeVarString(encoder, JSON.stringify({ entries }));
  return encoding.toUint8Array(encoder);
}

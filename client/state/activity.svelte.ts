import type { ActivityEntry, ActivityFilter } from "../../shared/activity/activity.ts";
import { type Actor, applyLive, noteActors, parseEntries, upsertEntries } from "../activity/feed.ts";
import { getActivity } from "../lib/api.ts";
import type { PlanSession } from "../sync/provider.ts";

/** Entries per REST page. */
const PAGE = 30;
/** How long an entry that arrived live stays highlighted (ms). */
const FRESH_MS = 6000;

/**
 * The plan's activity feed: the newest page over REST when the plan opens,
 * older pages on demand, live entries from the server (message 22) merged
 * in by `seq`. A filter (person, territory) is applied by the server for
 * pages and here for live entries.
 */
export class ActivityFeed {
  /** Newest first, under the current filter. */
  entries = $state.raw<ActivityEntry[]>([]);
  /** `before` for the next older page; null when the start of the plan is shown. */
  next = $state<number | null>(null);
  /** The first page under the current filter has arrived. */
  loaded = $state(false);
  loading = $state(false);
  error = $state<string | null>(null);
  filter = $state.raw<ActivityFilter>({});
  /** Seqs that arrived live a moment ago (the panel highlights them). */
  fresh = $state.raw<ReadonlySet<number>>(new Set());
  /** Everyone seen in the feed so far (under any filter), for the person filter. */
  actors = $state.raw<{ id: string; name: string }[]>([]);
  /** Live entries that arrived since the panel was last looked at. */
  unseen = $state(0);
  /** Whether the panel is on screen (no unseen count then). */
  visible = false;

  #session: PlanSession;
  #offs: (() => void)[] = [];
  #request = 0;
  #abort: AbortController | null = null;
  #actors = new Map<string, Actor>();
  #freshTimers = new Map<number, ReturnType<typeof setTimeout>>();
  #wasConnected = false;

  constructor(session: PlanSession) {
    this.#session = session;
    this.#offs.push(
      session.on("activity", (entries) => this.#onLive(entries)),
      session.on("status", (status) => {
        // Entries written while we were away are not resent live: ask again on reconnect.
        if (status === "connected" && this.#wasConnected && this.loaded) void this.#loadFirst(true);
        if (status === "connected") this.#wasConnected = true;
      }),
    );
    void this.#loadFirst(false);
  }

  setFilter(filter: ActivityFilter): void {
    const next: ActivityFilter = {};
    if (filter.person) next.person = filter.person;
    if (filter.territory) next.territory = filter.territory;
    if (next.person === this.filter.person && next.territory === this.filter.territory) return;
    this.filter = next;
    this.entries = [];
    this.next = null;
    this.loaded = false;
    void this.#loadFirst(false);
  }

  /** Loads the page older than what is shown. */
  async loadMore(): Promise<void> {
    if (this.loading || this.next === null) return;
    await this.#load(this.next, true);
  }

  retry(): void {
    void this.#loadFirst(false);
  }

  #loadFirst(merge: boolean): Promise<void> {
    return this.#load(null, merge);
  }

  async #load(before: number | null, merge: boolean): Promise<void> {
    const request = ++this.#request;
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    this.loading = true;
    this.error = null;
    try {
      const body = await getActivity(
        this.#session.planId,
        this.#session.token,
        { before, limit: PAGE, ...this.filter },
        abort.signal,
      );
      if (request !== this.#request) return;
      const entries = parseEntries(body);
      this.#noteActors(entries);
      const rawNext = (body as { next?: unknown } | null)?.next;
      const next = typeof rawNext === "number" ? rawNext : null;
      if (before === null && !merge) {
        this.entries = upsertEntries([], entries);
        this.next = next;
      } else {
        this.entries = upsertEntries(this.entries, entries);
        // A refresh of the newest page keeps the older cursor already reached.
        if (before !== null || !this.loaded) this.next = next;
      }
      this.loaded = true;
    } catch (e) {
      if (request !== this.#request || abort.signal.aborted) return;
      this.error = (e as Error).message;
    } finally {
      if (request === this.#request) this.loading = false;
    }
  }

  #onLive(entries: ActivityEntry[]): void {
    this.#noteActors(entries);
    const known = new Set(this.entries.map((e) => e.seq));
    const before = this.entries;
    this.entries = applyLive(this.entries, entries, this.filter);
    if (this.entries === before) return;
    const fresh = new Set(this.fresh);
    let added = 0;
    for (const e of entries) {
      if (!this.entries.some((x) => x.seq === e.seq)) continue;
      if (!known.has(e.seq)) added++;
      fresh.add(e.seq);
      clearTimeout(this.#freshTimers.get(e.seq));
      this.#freshTimers.set(
        e.seq,
        setTimeout(() => {
          this.#freshTimers.delete(e.seq);
          const rest = new Set(this.fresh);
          rest.delete(e.seq);
          this.fresh = rest;
        }, FRESH_MS),
      );
    }
    this.fresh = fresh;
    if (!this.visible && added > 0) this.unseen += added;
  }

  #noteActors(entries: readonly ActivityEntry[]): void {
    if (noteActors(this.#actors, entries)) {
      this.actors = [...this.#actors.values()]
        .map(({ id, name }) => ({ id, name }))
        .sort((a, b) => a.name.localeCompare(b.name));
    }
  }

  markSeen(): void {
    this.unseen = 0;
  }

  destroy(): void {
    this.#abort?.abort();
    for (const off of this.#offs) off();
    for (const timer of this.#freshTimers.values()) clearTimeout(timer);
    this.#freshTimers.clear();
  }
}

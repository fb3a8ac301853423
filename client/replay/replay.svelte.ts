import type * as Y from "yjs";
import type { ActivityEntry, ActivityPage } from "../../shared/activity/activity.ts";
import type { Author } from "../../shared/comments/comments.ts";
import type { HistoryPage } from "../../shared/history/history.ts";
import { Timeline } from "../../shared/history/timeline.ts";
import { getActivity, request } from "../lib/api.ts";
import { decodeHistory, entryAt, latestSessionStart, type Speed, scoreAt } from "./session.ts";

/** Forward seeks of at most this many updates apply them to the document shown; longer ones build afresh. */
const FORWARD_LIMIT = 400;

/**
 * While playing at 15× and faster the map follows the clock this often (ms
 * of wall time), not every frame: at 60× a frame is a second of the session,
 * and redrawing the map for each one costs more than a frame on a small
 * machine, while nobody can follow sixty changes a second anyway. The clock,
 * the scrubber and the feed entry still move every frame.
 */
const FAST_APPLY_MS = 200;

/**
 * A replay of the plan's latest session (issue 14), read-only: the history
 * is fetched page by page (GET …/history), turned into a Timeline (the
 * server's snapshot, the updates, keyframes), and `time` decides what the
 * map shows: playing forward applies the updates of each frame to the
 * document shown (the map's observers redraw only what changed), any other
 * move builds the document at that moment afresh from the keyframe before it
 * and hands it to `show`. The live plan keeps syncing underneath.
 */
export class ReplayState {
  status = $state<"loading" | "ready" | "error">("loading");
  error = $state<string | null>(null);
  /** Bytes of history fetched so far (the loading card shows it). */
  fetched = $state(0);
  start = $state(0);
  end = $state(0);
  time = $state(0);
  playing = $state(false);
  speed = $state<Speed>(15);
  activity = $state.raw<ActivityEntry[]>([]);
  scores = $state.raw<{ at: number; score: number | null }[]>([]);
  /** Who made the last update applied, and how many updates the document shown holds. */
  lastBy = $state.raw<Author | null>(null);
  applied = $state(0);
  updates = $state(0);
  /** How long the last frame's updates took to apply or build (ms), for the benchmark and tests. */
  frameMs = $state(0);

  #timeline: Timeline | null = null;
  #doc: Y.Doc | null = null;
  #raf = 0;
  #lastFrame = 0;
  #abort = new AbortController();

  constructor(
    private readonly planId: string,
    private readonly token: string | null,
    /** Shows a document on the map and in the lists (a new one after a build). */
    private readonly show: (doc: Y.Doc) => void,
  ) {}

  /** Fetches the latest session's history (or from `from`) and shows the plan at `at` (default: the start). */
  async load(opts: { from?: number; at?: number } = {}): Promise<void> {
    try {
      let from = opts.from ?? null;
      if (from === null) {
        const feed = (await getActivity(this.planId, this.token, { limit: 200 }, this.#abort.signal)) as ActivityPage;
        from = latestSessionStart(feed.entries) ?? 0;
      }
      if (opts.at !== undefined && opts.at < from) from = opts.at - 60_000;
      const pages: HistoryPage[] = [];
      let cursor: string | null = String(Math.max(0, from));
      const to = String(Date.now());
      while (cursor !== null) {
        const params = new URLSearchParams({ from: cursor, to });
        const page: HistoryPage = await request<HistoryPage>(
          `/api/plans/${encodeURIComponent(this.planId)}/history?${params}`,
          { token: this.token, signal: this.#abort.signal },
        );
        pages.push(page);
        this.fetched += page.entries.reduce(
          (n, e) => n + (e.kind === "update" ? e.update.length : e.kind === "snapshot" ? e.state.length : 0),
          0,
        );
        cursor = page.next;
      }
      if (this.#abort.signal.aborted) return;
      const decoded = decodeHistory(pages);
      const timeline = new Timeline(decoded.snapshot, decoded.updates);
      this.#timeline = timeline;
      this.activity = decoded.activity;
      this.scores = decoded.scores;
      this.updates = decoded.updates.length;
      this.start = Math.min(timeline.start, from > 0 ? from : timeline.start);
      // The feed records an entry just after its update: the span ends with the later of the two.
      const lastEntry = decoded.activity.at(-1);
      this.end = Math.max(timeline.end, lastEntry ? Date.parse(lastEntry.at) : 0, this.start + 1000);
      this.status = "ready";
      this.seek(opts.at !== undefined ? Math.min(Math.max(opts.at, this.start), this.end) : this.start);
    } catch (e) {
      if (this.#abort.signal.aborted) return;
      this.status = "error";
      this.error = (e as Error).message;
    }
  }

  /** The feed entry being replayed now, if any. */
  get entry(): ActivityEntry | null {
    return entryAt(this.activity, this.time);
  }

  get score(): number | null {
    return scoreAt(this.scores, this.time);
  }

  /** Moves to `t` (epoch ms): forward by applying the updates between, else built afresh. */
  seek(t: number): void {
    const timeline = this.#timeline;
    if (!timeline) return;
    this.time = Math.min(Math.max(t, this.start), this.end);
    const n = timeline.countAt(this.time);
    if (n === this.applied && this.#doc) return;
    const began = performance.now();
    if (this.#doc && n > this.applied && n - this.applied <= FORWARD_LIMIT) {
      timeline.advance(this.#doc, this.applied, n);
    } else {
      const previous = this.#doc;
      this.#doc = timeline.build(n);
      this.show(this.#doc);
      previous?.destroy();
    }
    this.applied = n;
    this.lastBy = n > 0 ? (timeline.updates[n - 1]?.by ?? null) : null;
    this.frameMs = performance.now() - began;
  }

  play(): void {
    if (this.status !== "ready" || this.playing) return;
    if (this.time >= this.end) this.seek(this.start);
    this.playing = true;
    this.#lastFrame = performance.now();
    let applied = 0;
    const frame = (now: number) => {
      if (!this.playing) return;
      const dt = now - this.#lastFrame;
      this.#lastFrame = now;
      const t = this.time + dt * this.speed;
      if (this.speed < 15 || now - applied >= FAST_APPLY_MS || t >= this.end) {
        this.seek(t);
        applied = now;
      } else {
        this.time = Math.min(t, this.end);
      }
      if (this.time >= this.end) {
        this.playing = false;
        return;
      }
      this.#raf = requestAnimationFrame(frame);
    };
    this.#raf = requestAnimationFrame(frame);
  }

  pause(): void {
    const was = this.playing;
    this.playing = false;
    cancelAnimationFrame(this.#raf);
    // The map may trail the clock by a fraction of a second at high speed: it catches up.
    if (was) this.seek(this.time);
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  destroy(): void {
    this.pause();
    this.#abort.abort();
    this.#doc?.destroy();
    this.#doc = null;
    this.#timeline = null;
  }
}

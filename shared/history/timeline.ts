import * as Y from "yjs";
import type { Author } from "../comments/comments.ts";

/** One update of a replay, decoded from a history page. */
export interface TimelineUpdate {
  /** Epoch ms. */
  at: number;
  by: Author | null;
  update: Uint8Array;
}

/** A state the timeline can start from: the document with the first `index` updates applied. */
interface Keyframe {
  index: number;
  state: Uint8Array;
}

export interface TimelineOptions {
  /** A keyframe at least every this many updates… */
  keyframeEvery?: number;
  /** …or this many bytes of updates, whichever comes first. */
  keyframeBytes?: number;
  /** Called on each document the timeline builds, before any update (the schema's roots). */
  prepare?: (doc: Y.Doc) => void;
}

/**
 * A plan's history in the browser (issue 14, replay): the updates in order,
 * with the states to start from. The server's snapshot (if the history does
 * not start from an empty document) is the first keyframe; opening the
 * timeline replays everything once and keeps a keyframe every
 * `keyframeEvery` updates or `keyframeBytes` bytes, so a seek to any moment
 * builds a fresh document from the keyframe before it and at most that many
 * updates, whatever the session's length. Playing forward applies the
 * updates between two moments to the document shown.
 *
 * @example
 * const t = new Timeline(snapshot, updates);
 * const doc = t.build(t.countAt(Date.parse("2026-12-05T09:30:00Z")));
 */
export class Timeline {
  readonly updates: readonly TimelineUpdate[];
  /** Time of the starting state (the snapshot's, or the first update's). */
  readonly start: number;
  readonly end: number;
  private readonly keyframes: Keyframe[] = [];
  private readonly prepare: (doc: Y.Doc) => void;

  constructor(
    snapshot: { at: number; state: Uint8Array } | null,
    updates: readonly TimelineUpdate[],
    options: TimelineOptions = {},
  ) {
    this.updates = updates;
    this.prepare = options.prepare ?? (() => {});
    this.start = snapshot?.at ?? updates[0]?.at ?? 0;
    this.end = updates.at(-1)?.at ?? this.start;
    const every = options.keyframeEvery ?? 200;
    const everyBytes = options.keyframeBytes ?? 64 * 1024;
    const doc = this.fresh();
    if (snapshot) Y.applyUpdate(doc, snapshot.state);
    this.keyframes.push({ index: 0, state: Y.encodeStateAsUpdate(doc) });
    let count = 0;
    let bytes = 0;
    for (let i = 0; i < updates.length; i++) {
      const u = updates[i] as TimelineUpdate;
      Y.applyUpdate(doc, u.update);
      count++;
      bytes += u.update.length;
      if ((count >= every || bytes >= everyBytes) && i + 1 < updates.length) {
        this.keyframes.push({ index: i + 1, state: Y.encodeStateAsUpdate(doc) });
        count = 0;
        bytes = 0;
      }
    }
    doc.destroy();
  }

  private fresh(): Y.Doc {
    const doc = new Y.Doc();
    this.prepare(doc);
    return doc;
  }

  /** How many updates happened at or before `t` (epoch ms): the document at `t` holds those. */
  countAt(t: number): number {
    let lo = 0;
    let hi = this.updates.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.updates[mid] as TimelineUpdate).at <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A fresh document holding the first `n` updates: the keyframe before `n`, then the updates after it. */
  build(n: number): Y.Doc {
    const count = Math.max(0, Math.min(n, this.updates.length));
    let key = this.keyframes[0] as Keyframe;
    for (const k of this.keyframes) {
      if (k.index <= count) key = k;
      else break;
    }
    const doc = this.fresh();
    doc.transact(() => {
      Y.applyUpdate(doc, key.state);
      for (let i = key.index; i < count; i++) Y.applyUpdate(doc, (this.updates[i] as TimelineUpdate).update);
    });
    return doc;
  }

  /** The naive way, for comparison: every update from the start, for every seek. */
  buildFromStart(n: number): Y.Doc {
    const doc = this.fresh();
    doc.transact(() => {
      Y.applyUpdate(doc, (this.keyframes[0] as Keyframe).state);
      for (let i = 0; i < Math.min(n, this.updates.length); i++) {
        Y.applyUpdate(doc, (this.updates[i] as TimelineUpdate).update);
      }
    });
    return doc;
  }

  /** Plays forward: applies updates `from` … `to - 1` to `doc` (built at `from`) as one transaction. */
  advance(doc: Y.Doc, from: number, to: number): void {
    if (to <= from) return;
    doc.transact(() => {
      for (let i = from; i < Math.min(to, this.updates.length); i++) {
        Y.applyUpdate(doc, (this.updates[i] as TimelineUpdate).update);
      }
    });
  }

  /** The keyframes kept (for the benchmark and tests). */
  get keyframeCount(): number {
    return this.keyframes.length;
  }
}

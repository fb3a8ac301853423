/**
 * What the server keeps of a plan's history for replay (issue 14), and when.
 *
 * History is the update log itself: every log a compaction seals is kept as
 * a segment (its updates, each with its time and author), and now and then
 * the document's state at the start of a segment (a snapshot). Seeking to a
 * moment applies the nearest snapshot before it and the updates after that
 * snapshot, so the snapshots bound the cost of a seek; the age and size caps
 * bound the storage.
 */
export interface HistoryPolicy {
  /**
   * A snapshot is kept once the updates since the last one reach this many
   * bytes, or the size of the state itself if that is larger: a seek then
   * applies at most about twice a state's worth of bytes, and snapshots take
   * at most as much room as the updates they stand beside.
   */
  snapshotMinBytes: number;
  /** …or this many updates (many tiny updates cost a seek more than their bytes say). */
  snapshotMaxUpdates: number;
  /** Segments whose last update is older than this are let go (whole runs from one snapshot to the next). */
  maxAgeMs: number;
  /** Past this many bytes of history in a plan the oldest runs are let go, whatever their age. */
  maxBytes: number;
}

export const HISTORY_POLICY: HistoryPolicy = {
  snapshotMinBytes: 256 * 1024,
  snapshotMaxUpdates: 4000,
  maxAgeMs: 30 * 24 * 3600_000,
  maxBytes: 512 * 1024 * 1024,
};

/** A sealed segment of history, as its index lists it. */
export interface HistorySegment {
  /** The log generation it was (its order). */
  gen: number;
  /** Whether the state at its start is kept (`<doc>.<gen>.snap`); gen 0 starts from an empty document either way. */
  snapshot: boolean;
  /** Bytes of its snapshot (0 without). */
  snapshotBytes: number;
  /** When its snapshot was taken (epoch ms; the last update before it), or null without one. */
  snapshotAt: number | null;
  /** Epoch ms of its first and last update (null when it holds none with a time). */
  first: number | null;
  last: number | null;
  updates: number;
  /** Bytes of its log file. */
  bytes: number;
}

/** Whether a segment can start a replay: it has a snapshot, or is the plan's first (an empty document before it). */
export function isRunStart(s: Pick<HistorySegment, "gen" | "snapshot">): boolean {
  return s.snapshot || s.gen === 0;
}

/**
 * Whether the compaction that starts segment `gen` should keep the state it
 * wrote as that segment's snapshot, given the sealed segments before it
 * (ascending) and the state's size.
 *
 * @example wantsSnapshot([], 1, 5000) // true: nothing to replay from yet
 */
export function wantsSnapshot(
  segments: readonly HistorySegment[],
  gen: number,
  stateBytes: number,
  policy: HistoryPolicy = HISTORY_POLICY,
): boolean {
  let bytes = 0;
  let updates = 0;
  let base = false;
  for (let i = segments.length - 1; i >= 0; i--) {
    const s = segments[i] as HistorySegment;
    // A gap (a log the history never got) breaks the chain: a new snapshot is needed.
    const next = i === segments.length - 1 ? gen : (segments[i + 1] as HistorySegment).gen;
    if (s.gen !== next - 1) break;
    bytes += s.bytes;
    updates += s.updates;
    if (isRunStart(s)) {
      base = true;
      break;
    }
  }
  if (!base) return true;
  return bytes >= Math.max(policy.snapshotMinBytes, stateBytes) || updates >= policy.snapshotMaxUpdates;
}

/**
 * The segments to let go (their gens), oldest first: whole runs (a run
 * start and the segments after it up to the next start) whose every update
 * is older than the age cap, then the oldest runs while the history is past
 * the size cap. The newest run always stays; so do segments before the
 * first run start, which nothing can replay (they are let go too).
 *
 * @example segmentsToDrop(segments, Date.now()) // [] while everything is younger than 30 days
 */
export function segmentsToDrop(
  segments: readonly HistorySegment[],
  now: number,
  policy: HistoryPolicy = HISTORY_POLICY,
): number[] {
  const runs: HistorySegment[][] = [];
  const orphans: number[] = [];
  for (const s of segments) {
    if (isRunStart(s)) runs.push([s]);
    else if (runs.length > 0) (runs[runs.length - 1] as HistorySegment[]).push(s);
    else orphans.push(s.gen);
  }
  const sizeOf = (run: HistorySegment[]) => run.reduce((n, s) => n + s.bytes + s.snapshotBytes, 0);
  let total = runs.reduce((n, r) => n + sizeOf(r), 0);
  const drop = [...orphans];
  for (let i = 0; i < runs.length - 1; i++) {
    const run = runs[i] as HistorySegment[];
    const last = Math.max(...run.map((s) => s.last ?? s.snapshotAt ?? 0));
    if (now - last > policy.maxAgeMs || total > policy.maxBytes) {
      drop.push(...run.map((s) => s.gen));
      total -= sizeOf(run);
    } else break;
  }
  return drop;
}

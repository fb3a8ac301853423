import fs from "node:fs/promises";
import path from "node:path";
import { crc32 } from "node:zlib";
import type { Author } from "../../shared/comments/comments.ts";
import type { HistoryCursor, HistoryQuery } from "../../shared/history/history.ts";
import {
  HISTORY_POLICY,
  type HistoryPolicy,
  type HistorySegment,
  segmentsToDrop,
  wantsSnapshot,
} from "../../shared/history/policy.ts";
import { DurableJSONFile, fsyncDir, writeDurably } from "./durable-json-file.ts";
import { DamagedFileError } from "./fs-errors.ts";
import { UpdateLog } from "./update-log.ts";
import { logger } from "../ops/log.ts";

const historyLog = logger("history");

/** One entry of a history page as stored: a snapshot's state or an update's bytes. */
export interface RawHistoryEntry {
  kind: "snapshot" | "update";
  /** Epoch ms. */
  at: number;
  by: Author | null;
  bytes: Uint8Array;
}

export interface RawHistoryPage {
  entries: RawHistoryEntry[];
  /** Where the next page starts (its `after`: the last entry's time); null when this one reached `to`. */
  next: HistoryCursor | null;
}

/** A balance score as scoring found it (issue 14's score curve). */
export interface ScorePoint {
  at: number;
  score: number | null;
}

/** Snapshot file: u32 CRC-32 (LE) of what follows · f64 time (LE, epoch ms) · the state. */
const SNAP_HEADER = 12;
const SEGMENT_LOG = /^(.+)\.(\d+)\.log$/;

/**
 * A plan's history for replay (issue 14), in `history/` beside its logs:
 *
 * ```
 * history/<doc>.<gen>.log     a sealed update log, hard-linked when its compaction sealed it
 * history/<doc>.<gen>.snap    the document's state at the start of that generation, when kept
 * history/<doc>.index.json    the sealed segments: times, counts, bytes (rebuilt from the files if lost)
 * history/scores.log          balance scores with their times (update-log records of JSON)
 * ```
 *
 * The logs are the update log's own files, linked (not copied) before the
 * live store lets them go, so history costs no write on the edit path: an
 * edit's time and author are in its log record, on disk before anyone sees
 * the edit. Damage in history never refuses the plan: a damaged snapshot is
 * skipped (the run before it replays on), a damaged log ends what a page
 * can serve and is reported in the server log.
 */
export class HistoryFiles {
  readonly dir: string;
  private readonly indexes = new Map<string, Promise<HistorySegment[]>>();
  private scores: UpdateLog | null = null;
  /** Compactions of one document are chained, and so are their history steps. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly planDir: string,
    private readonly policy: HistoryPolicy = HISTORY_POLICY,
  ) {
    this.dir = path.join(planDir, "history");
  }

  private snapPath(name: string, gen: number): string {
    return path.join(this.dir, `${name}.${gen}.snap`);
  }
  private logPath(name: string, gen: number): string {
    return path.join(this.dir, `${name}.${gen}.log`);
  }
  private indexFile(name: string): DurableJSONFile<{ segments: HistorySegment[] }> {
    return new DurableJSONFile(path.join(this.dir, `${name}.index.json`), {
      check: (v) =>
        typeof v === "object" && v !== null && Array.isArray((v as { segments?: unknown }).segments)
          ? null
          : "it does not hold a list of segments",
    });
  }

  /** The sealed segments of a document, ascending; read once, then kept in memory. */
  segments(name: string): Promise<HistorySegment[]> {
    let pending = this.indexes.get(name);
    if (!pending) {
      pending = this.loadIndex(name);
      this.indexes.set(name, pending);
      pending.catch(() => this.indexes.delete(name));
    }
    return pending;
  }

  /** The index, with any sealed log the index misses (a crash between link and index) read back in. */
  private async loadIndex(name: string): Promise<HistorySegment[]> {
    let segments: HistorySegment[] = [];
    try {
      segments = (await this.indexFile(name).read())?.segments ?? [];
    } catch (e) {
      if (!(e instanceof DamagedFileError)) throw e;
      historyLog.error(`${this.planDir}: ${name}.index.json is damaged (${e.damage}); rebuilding it from the files`);
    }
    const known = new Set(segments.map((s) => s.gen));
    let files: string[] = [];
    try {
      files = await fs.readdir(this.dir);
    } catch {
      return segments;
    }
    const missing = files
      .map((f) => SEGMENT_LOG.exec(f))
      .filter((m): m is RegExpExecArray => m !== null && m[1] === name && !known.has(Number(m[2])))
      .map((m) => Number(m[2]));
    if (missing.length === 0) return segments;
    for (const gen of missing) segments.push(await this.describe(name, gen, this.logPath(name, gen)));
    segments.sort((a, b) => a.gen - b.gen);
    await this.indexFile(name).write({ segments });
    return segments;
  }

  /** A segment's entry, read from its log (and snapshot). */
  private async describe(name: string, gen: number, logFile: string): Promise<HistorySegment> {
    const snap = await this.readSnapshot(name, gen).catch(() => null);
    let log: Awaited<ReturnType<typeof UpdateLog.read>> = { records: [], metas: [], size: 0, droppedBytes: 0 };
    try {
      log = await UpdateLog.read(logFile);
    } catch (e) {
      historyLog.error(`${logFile}: ${(e as Error).message}; its updates are left out of replay`);
    }
    const times = log.metas.flatMap((m) => (m ? [m.at] : []));
    return {
      gen,
      snapshot: snap !== null,
      snapshotBytes: snap?.state.length ?? 0,
      snapshotAt: snap?.at ?? null,
      first: times.length > 0 ? Math.min(...times) : null,
      last: times.length > 0 ? Math.max(...times) : null,
      updates: log.records.length,
      bytes: log.size,
    };
  }

  /**
   * A compaction of document `name` sealed log `gen - 1` and starts `gen`
   * with `state` (taken at `at`): links the sealed log into history (when
   * history can replay it: it follows the last sealed segment, or starts
   * from a snapshot or an empty document), keeps `state` as a snapshot when
   * the policy wants one, and lets go what the caps say. Must finish before
   * the live store removes that log. Failures are the caller's to log: the
   * compaction goes on without history.
   */
  onCompaction(name: string, gen: number, state: Uint8Array, at: number, liveLog: string): Promise<void> {
    const run = async () => {
      await fs.mkdir(this.dir, { recursive: true });
      const segments = await this.seal(name, gen - 1, liveLog);
      if (wantsSnapshot(segments, gen, state.length, this.policy)) await this.writeSnapshot(name, gen, state, at);
      await this.prune(name, segments, at);
    };
    const next = this.chain.then(run);
    this.chain = next.catch(() => {});
    return next;
  }

  /**
   * Seals logs a crash left unsealed (found when a document opens): every
   * log of the plan folder before the current generation that history does
   * not have yet.
   */
  sealStale(name: string, gens: readonly number[], logOf: (gen: number) => string): Promise<void> {
    const run = async () => {
      const segments = await this.segments(name);
      const last = segments.at(-1)?.gen ?? -1;
      const stale = gens.filter((g) => g > last);
      if (stale.length === 0) return;
      await fs.mkdir(this.dir, { recursive: true });
      for (const gen of stale) await this.seal(name, gen, logOf(gen));
    };
    const next = this.chain.then(run);
    this.chain = next.catch(() => {});
    return next;
  }

  /** Links one sealed log into history and lists it; returns the segments after. */
  private async seal(name: string, gen: number, liveLog: string): Promise<HistorySegment[]> {
    const segments = await this.segments(name);
    if (segments.some((s) => s.gen === gen)) return segments;
    const follows = segments.at(-1)?.gen === gen - 1;
    const hasSnap = await fs
      .access(this.snapPath(name, gen))
      .then(() => true)
      .catch(() => false);
    if (!(follows || hasSnap || gen === 0)) return segments; // from before history: nothing to replay it from
    try {
      await fs.link(liveLog, this.logPath(name, gen));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EEXIST") {
        // Linked before a crash; the index missed it.
      } else if (code === "ENOENT") {
        // No update in that generation: an empty segment keeps the chain.
      } else throw e;
    }
    await fsyncDir(this.dir);
    const described = await this.describe(name, gen, this.logPath(name, gen));
    segments.push(described);
    await this.indexFile(name).write({ segments });
    return segments;
  }

  private async writeSnapshot(name: string, gen: number, state: Uint8Array, at: number): Promise<void> {
    const bytes = Buffer.allocUnsafe(SNAP_HEADER + state.length);
    bytes.writeDoubleLE(at, 4);
    bytes.set(state, SNAP_HEADER);
    bytes.writeUInt32LE(crc32(bytes.subarray(4)), 0);
    await writeDurably(this.snapPath(name, gen), bytes);
  }

  /** A snapshot file, checked; null when there is none. Throws a DamagedFileError when damaged. */
  private async readSnapshot(name: string, gen: number): Promise<{ at: number; state: Uint8Array } | null> {
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(this.snapPath(name, gen));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
    if (bytes.length < SNAP_HEADER || crc32(bytes.subarray(4)) !== bytes.readUInt32LE(0)) {
      throw new DamagedFileError(`history/${name}.${gen}.snap`, "it fails its checksum");
    }
    return { at: bytes.readDoubleLE(4), state: new Uint8Array(bytes.subarray(SNAP_HEADER)) };
  }

  /** Lets go of what the policy's caps say (whole runs, oldest first). */
  private async prune(name: string, segments: HistorySegment[], now: number): Promise<void> {
    const drop = new Set(segmentsToDrop(segments, now, this.policy));
    if (drop.size === 0) return;
    const kept = segments.filter((s) => !drop.has(s.gen));
    // The index first: a crash then leaves files no index names, removed by the next prune's sweep.
    await this.indexFile(name).write({ segments: kept });
    segments.splice(0, segments.length, ...kept);
    for (const gen of drop) {
      await fs.rm(this.logPath(name, gen), { force: true });
      await fs.rm(this.snapPath(name, gen), { force: true });
    }
  }

  /**
   * One page of a document's history. `live` lists the generations of the
   * plan folder's logs with their paths: those history has not sealed yet
   * are read from there (the one being appended to: intact records only).
   */
  async page(
    name: string,
    query: HistoryQuery,
    live: readonly { gen: number; file: string }[],
    maxBytes: number,
  ): Promise<RawHistoryPage> {
    await this.chain;
    const sealed = await this.segments(name);
    const lastSealed = sealed.at(-1)?.gen ?? -1;
    type Part = { gen: number; file: string; seg: HistorySegment | null };
    const parts: Part[] = sealed.map((s) => ({ gen: s.gen, file: this.logPath(name, s.gen), seg: s }));
    for (const l of [...live].sort((a, b) => a.gen - b.gen)) {
      if (l.gen <= lastSealed) continue;
      // Only a chain history can replay: following what is sealed, or from the plan's start.
      const prev = parts.at(-1)?.gen ?? -1;
      if (l.gen !== prev + 1 && l.gen !== 0 && !(await this.hasSnapshot(name, l.gen))) continue;
      parts.push({ gen: l.gen, file: l.file, seg: null });
    }
    // Runs: where a replay can start (a snapshot, or gen 0's empty document), with a time to choose by.
    const starts: { i: number; at: number }[] = [];
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] as Part;
      let snapAt: number | null = null;
      if (p.seg) snapAt = p.seg.snapshot ? (p.seg.snapshotAt ?? -Infinity) : null;
      else snapAt = (await this.readSnapshot(name, p.gen).catch(() => null))?.at ?? null;
      const chained = i > 0 && (parts[i - 1] as Part).gen === p.gen - 1;
      if (snapAt !== null) starts.push({ i, at: snapAt });
      else if (p.gen === 0 || !chained) starts.push({ i, at: -Infinity });
    }
    const entries: RawHistoryEntry[] = [];
    let partIndex: number;
    let recordIndex = 0;
    if (query.cursor) {
      const cursor = query.cursor;
      partIndex = parts.findIndex((p) => p.gen === cursor.gen);
      recordIndex = cursor.index;
      if (partIndex === -1) {
        // That part was let go since: start again from the oldest run kept.
        partIndex = starts[0]?.i ?? parts.length;
        recordIndex = 0;
        if (partIndex < parts.length) await this.pushSnapshot(entries, name, parts[partIndex] as Part);
      }
    } else {
      let chosen = starts[0];
      for (const s of starts) if (s.at <= query.from) chosen = s;
      partIndex = chosen?.i ?? parts.length;
      if (partIndex < parts.length && !(await this.pushSnapshot(entries, name, parts[partIndex] as Part))) {
        // A damaged snapshot: the run before it still replays to here.
        const earlier = starts.filter((s) => s.i < partIndex).at(-1);
        partIndex = earlier?.i ?? partIndex;
        if (earlier) await this.pushSnapshot(entries, name, parts[partIndex] as Part);
      }
    }
    let bytes = entries.reduce((n, e) => n + e.bytes.length, 0);
    let lastAt = entries.at(-1)?.at ?? 0;
    for (; partIndex < parts.length; partIndex++, recordIndex = 0) {
      const part = parts[partIndex] as Part;
      let log: Awaited<ReturnType<typeof UpdateLog.read>>;
      try {
        log = await UpdateLog.read(part.file);
      } catch (e) {
        if (e instanceof DamagedFileError) {
          historyLog.error(`${part.file}: ${e.damage}; replay stops before it`);
          return { entries, next: null };
        }
        throw e;
      }
      for (let i = recordIndex; i < log.records.length; i++) {
        const meta = log.metas[i] ?? null;
        const at = meta?.at ?? lastAt;
        if (at > query.to) return { entries, next: null };
        if (bytes >= maxBytes && entries.length > 0)
          return { entries, next: { gen: part.gen, index: i, after: lastAt } };
        const update = log.records[i] as Uint8Array;
        entries.push({ kind: "update", at, by: meta?.by ?? null, bytes: update });
        bytes += update.length;
        lastAt = at;
      }
    }
    return { entries, next: null };
  }

  private async hasSnapshot(name: string, gen: number): Promise<boolean> {
    return fs
      .access(this.snapPath(name, gen))
      .then(() => true)
      .catch(() => false);
  }

  /** Adds the run's starting state (none for gen 0: an empty document); false when its snapshot is damaged. */
  private async pushSnapshot(
    entries: RawHistoryEntry[],
    name: string,
    part: { gen: number; seg: HistorySegment | null },
  ): Promise<boolean> {
    try {
      const snap = await this.readSnapshot(name, part.gen);
      if (snap) entries.push({ kind: "snapshot", at: snap.at, by: null, bytes: snap.state });
      return true;
    } catch (e) {
      if (!(e instanceof DamagedFileError)) throw e;
      historyLog.error(`${this.planDir}: ${e.file} ${e.damage}; replay starts from the run before it`);
      return false;
    }
  }

  // ── scores ───────────────────────────────────────────────────────────────

  /** Appends balance scores (durable, group-committed like the update log). */
  async appendScores(points: readonly ScorePoint[]): Promise<void> {
    if (points.length === 0) return;
    if (!this.scores) {
      await fs.mkdir(this.dir, { recursive: true });
      const file = path.join(this.dir, "scores.log");
      const existing = await UpdateLog.read(file).catch(() => null);
      this.scores = new UpdateLog(file, existing?.size ?? 0, (existing?.droppedBytes ?? 0) > 0);
    }
    const log = this.scores;
    await Promise.all(points.map((p) => log.append(Buffer.from(JSON.stringify(p)))));
  }

  /** Scores with `from ≤ at ≤ to`, oldest first, plus the last one before `from` (where the curve enters). */
  async scoresBetween(from: number, to: number): Promise<ScorePoint[]> {
    await this.scores?.drain();
    let log: Awaited<ReturnType<typeof UpdateLog.read>>;
    try {
      log = await UpdateLog.read(path.join(this.dir, "scores.log"));
    } catch (e) {
      historyLog.error(`${this.planDir}: scores.log: ${(e as Error).message}`);
      return [];
    }
    const out: ScorePoint[] = [];
    let before: ScorePoint | null = null;
    for (const r of log.records) {
      let p: ScorePoint;
      try {
        p = JSON.parse(Buffer.from(r).toString("utf8")) as ScorePoint;
      } catch {
        continue;
      }
      if (typeof p.at !== "number") continue;
      if (p.at < from) before = p;
      else if (p.at <= to) out.push(p);
    }
    return before ? [before, ...out] : out;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.scores?.close();
    this.scores = null;
  }
}

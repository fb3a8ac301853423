import fs from "node:fs/promises";
import { crc32 } from "node:zlib";
import type { Author } from "../../shared/comments/comments.ts";
import { asWriteError, DamagedFileError } from "./fs-errors.ts";
import { GroupCommit } from "./group-commit.ts";

/** Record header: u32 length word (LE) · u32 CRC-32 of the payload (LE). */
const HEADER = 8;
/** Set in the length word when the payload holds several updates, each as u32 length word (LE) · bytes. */
const BATCH = 0x80000000;
/**
 * Set in an update's length word (a record's, or one inside a batch) when
 * the update carries who made it and when (issue 14, replay): its bytes are
 * u16 meta length (LE) · meta JSON (UTF-8) · the update. Logs written before
 * never set it (no update comes near 1 GiB), so they read as they were,
 * their updates without a meta.
 */
const META = 0x40000000;
const LENGTH = 0x3fffffff;

/** When an update was accepted and whose it was, kept with it in the log for history and replay. */
export interface UpdateMeta {
  /** Epoch milliseconds. */
  at: number;
  /** Who made it (a connection's link and name, a REST caller); null for the server's own changes. */
  by: Author | null;
}

/** What `UpdateLog.read` found in a log. */
export interface LogContents {
  /** Every update, in the order appended. */
  records: Uint8Array[];
  /** Each record's meta (same index), null for updates written without one (before issue 14). */
  metas: (UpdateMeta | null)[];
  /** Bytes of intact records: where appends continue. */
  size: number;
  /** Bytes after them that a crash left (a torn last write); cut before the next append. */
  droppedBytes: number;
  /** When bytes were dropped: what they were, for the server log. */
  torn?: string;
}

/**
 * An append-only file of Yjs updates with group commit.
 *
 * Record: u32 length word (LE) · u32 CRC-32 of the payload (LE) · payload.
 * Each flush writes exactly one record and fdatasyncs it before the next
 * flush starts: one update as it is, or the updates that queued up meanwhile
 * as one batch record (length word | 0x80000000; payload: u32 length · bytes
 * per update). Payloads are never empty.
 *
 * So a crash (kill -9, power loss) can only spoil the last record, the one
 * being written: everything before it was fdatasync'ed before it was
 * started. `read` therefore cuts a bad record only when it is the last thing
 * in the file and looks like a write that did not fully land (see
 * `classifyBadRecord`); any other bad record is damage, reported as a
 * DamagedFileError, and never treated as the end of the file — the updates
 * after a lost one usually build on it, so skipping it would lose them too.
 */
export class UpdateLog {
  readonly path: string;
  private handle: fs.FileHandle | null = null;
  private readonly commits = new GroupCommit<{ payload: Uint8Array; meta: Uint8Array | null }>(
    (batch) => this.writeRecord(batch),
    (e) => {
      this.failed = asWriteError(e);
      return { error: this.failed, dropQueued: true };
    },
  );
  private failed: unknown = null;
  /** Cut the file back to this many bytes before the first append (a torn tail that `read` found). */
  private cutTo: number | null;
  /** Bytes in the file, including queued appends (estimated as single records until written). */
  size: number;

  /**
   * `size`: the bytes of intact records already in the file. With
   * `cutTail`, whatever follows them (a torn last record) is cut off before
   * the first append; nothing is written before then.
   */
  constructor(path: string, size = 0, cutTail = false) {
    this.path = path;
    this.size = size;
    this.cutTo = cutTail ? size : null;
  }

  /** Appends an update, with `meta` when given; resolves once it is on disk. */
  append(payload: Uint8Array, meta?: UpdateMeta): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (payload.length === 0) return Promise.reject(new Error("an update log record cannot be empty"));
    const metaBytes = meta ? encodeMeta(meta) : null;
    this.size += HEADER + recordBytes(payload, metaBytes);
    return this.commits.push({ payload, meta: metaBytes });
  }

  /** One flush: the batch as one record (a batch record when it holds several), written and fdatasync'ed. */
  private async writeRecord(batch: { payload: Uint8Array; meta: Uint8Array | null }[]): Promise<void> {
    const bytes = encodeRecord(batch);
    this.size += bytes.length - batch.reduce((n, b) => n + HEADER + recordBytes(b.payload, b.meta), 0);
    const handle = await this.open();
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, offset);
      offset += bytesWritten;
    }
    await handle.datasync();
  }

  private async open(): Promise<fs.FileHandle> {
    if (this.handle) return this.handle;
    const handle = await fs.open(this.path, "a");
    try {
      if (this.cutTo !== null && (await handle.stat()).size > this.cutTo) {
        // Synced on its own: the next record must never land after the torn bytes.
        await handle.truncate(this.cutTo);
        await handle.datasync();
      }
    } catch (e) {
      await handle.close().catch(() => {});
      throw e;
    }
    this.cutTo = null;
    this.handle = handle;
    return handle;
  }

  /** Resolves when everything appended so far is on disk (or failed). */
  drain(): Promise<void> {
    return this.commits.drain();
  }

  async close(): Promise<void> {
    await this.drain();
    await this.handle?.close();
    this.handle = null;
  }

  /**
   * Reads every record of a log, writing nothing (a torn tail is cut by the
   * first append, see the constructor). Throws a DamagedFileError on damage.
   */
  static async read(path: string): Promise<LogContents> {
    let buf: Buffer;
    try {
      buf = await fs.readFile(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return { records: [], metas: [], size: 0, droppedBytes: 0 };
      throw e;
    }
    return UpdateLog.parse(buf, path);
  }

  /** `read` on bytes already in memory. */
  static parse(buf: Buffer, file: string): LogContents {
    const records: Uint8Array[] = [];
    const metas: (UpdateMeta | null)[] = [];
    let offset = 0;
    let index = 0;
    while (offset < buf.length) {
      if (!intactAt(buf, offset)) {
        const bad = classifyBadRecord(buf, offset, index + 1);
        if (bad.kind === "damage") throw new DamagedFileError(file, bad.damage);
        return { records, metas, size: offset, droppedBytes: buf.length - offset, torn: bad.torn };
      }
      const word = buf.readUInt32LE(offset);
      const end = offset + HEADER + (word & LENGTH);
      const payload = buf.subarray(offset + HEADER, end);
      index++;
      const updates = word & BATCH ? splitBatch(payload) : [readUpdate(payload, (word & META) !== 0)];
      if (!updates || updates.includes(null)) {
        throw new DamagedFileError(
          file,
          `record ${index} (at byte ${offset}) passes its checksum but its ${word & BATCH ? "updates do not add up" : "meta does not read"}`,
        );
      }
      for (const u of updates as { update: Uint8Array; meta: UpdateMeta | null }[]) {
        records.push(u.update);
        metas.push(u.meta);
      }
      offset = end;
    }
    return { records, metas, size: offset, droppedBytes: 0 };
  }
}

/** The meta as stored: compact JSON, `{"at":…,"by":{id,name,role}|null}`. */
function encodeMeta(meta: UpdateMeta): Uint8Array {
  const by = meta.by ? { id: meta.by.id, name: meta.by.name, role: meta.by.role } : null;
  const bytes = Buffer.from(JSON.stringify({ at: meta.at, by }));
  if (bytes.length > 0xffff) throw new Error("an update's meta cannot exceed 64 KiB");
  return bytes;
}

/** Bytes an update takes in a record's payload (not counting a batch's length word). */
function recordBytes(payload: Uint8Array, meta: Uint8Array | null): number {
  return meta ? 2 + meta.length + payload.length : payload.length;
}

/** Writes one update (with its meta when it has one) at `at`; returns its length word. */
function writeUpdate(record: Buffer, at: number, payload: Uint8Array, meta: Uint8Array | null): number {
  if (!meta) {
    record.set(payload, at);
    return payload.length;
  }
  record.writeUInt16LE(meta.length, at);
  record.set(meta, at + 2);
  record.set(payload, at + 2 + meta.length);
  return (recordBytes(payload, meta) | META) >>> 0;
}

/** One record holding the queued updates: a plain record for one, a batch record for several. */
function encodeRecord(items: { payload: Uint8Array; meta: Uint8Array | null }[]): Buffer {
  if (items.length === 1) {
    const { payload, meta } = items[0] as { payload: Uint8Array; meta: Uint8Array | null };
    const record = Buffer.allocUnsafe(HEADER + recordBytes(payload, meta));
    const word = writeUpdate(record, HEADER, payload, meta);
    record.writeUInt32LE(word, 0);
    record.writeUInt32LE(crc32(record.subarray(HEADER)), 4);
    return record;
  }
  const length = items.reduce((n, p) => n + 4 + recordBytes(p.payload, p.meta), 0);
  if (length > LENGTH) throw new Error("a group commit of more than 1 GiB cannot be one record");
  const record = Buffer.allocUnsafe(HEADER + length);
  let at = HEADER;
  for (const p of items) {
    const word = writeUpdate(record, at + 4, p.payload, p.meta);
    record.writeUInt32LE(word, at);
    at += 4 + (word & LENGTH);
  }
  record.writeUInt32LE((length | BATCH) >>> 0, 0);
  record.writeUInt32LE(crc32(record.subarray(HEADER)), 4);
  return record;
}

/** An update as stored (with its meta when `hasMeta`); null when the bytes do not read. */
function readUpdate(bytes: Buffer, hasMeta: boolean): { update: Uint8Array; meta: UpdateMeta | null } | null {
  if (!hasMeta) return { update: new Uint8Array(bytes), meta: null };
  if (bytes.length < 2) return null;
  const n = bytes.readUInt16LE(0);
  if (2 + n >= bytes.length) return null;
  const meta = decodeMeta(bytes.subarray(2, 2 + n));
  return meta ? { update: new Uint8Array(bytes.subarray(2 + n)), meta } : null;
}

function decodeMeta(bytes: Buffer): UpdateMeta | null {
  try {
    const v = JSON.parse(bytes.toString("utf8")) as { at?: unknown; by?: unknown };
    if (typeof v.at !== "number" || !Number.isFinite(v.at)) return null;
    const by = v.by as Author | null;
    if (by !== null && (typeof by !== "object" || typeof by.id !== "string" || typeof by.name !== "string"))
      return null;
    return { at: v.at, by };
  } catch {
    return null;
  }
}

function splitBatch(payload: Buffer): ({ update: Uint8Array; meta: UpdateMeta | null } | null)[] | null {
  const out: ({ update: Uint8Array; meta: UpdateMeta | null } | null)[] = [];
  let at = 0;
  while (at < payload.length) {
    if (at + 4 > payload.length) return null;
    const word = payload.readUInt32LE(at);
    const n = word & LENGTH;
    if (n === 0 || at + 4 + n > payload.length) return null;
    out.push(readUpdate(payload.subarray(at + 4, at + 4 + n), (word & META) !== 0));
    at += 4 + n;
  }
  return out.length > 0 ? out : null;
}

/**
 * The first record after `offset` that is intact and followed by what can
 * follow a record (another record that fits in the file, a torn tail of
 * zeros or of fewer than 8 bytes, or the end of the file); -1 if none.
 * The second condition is cheap and keeps the checksums to a handful of
 * candidates: without it, the bytes of a large torn record offer thousands
 * of plausible lengths, each a checksum over megabytes.
 */
function intactRecordAfter(buf: Buffer, offset: number): number | "undecided" {
  let budget = SCAN_BUDGET;
  for (let p = offset + 1; p + HEADER < buf.length; p++) {
    const length = buf.readUInt32LE(p) & LENGTH;
    const end = p + HEADER + length;
    if (length === 0 || end > buf.length || !canFollowRecord(buf, end)) continue;
    if (crc32(buf.subarray(p + HEADER, end)) === buf.readUInt32LE(p + 4)) return p;
    budget -= length;
    if (budget < 0) return "undecided";
  }
  return -1;
}

/**
 * Bytes of checksums the search above may compute (tens of milliseconds).
 * Real updates after a torn record offer next to no candidates; bytes made
 * to look like thousands of records would hold the event loop for seconds,
 * so past this budget the record is reported as damage rather than cut.
 */
const SCAN_BUDGET = 64 * 1024 * 1024;

function canFollowRecord(buf: Buffer, at: number): boolean {
  if (buf.length - at < HEADER) return true;
  const length = buf.readUInt32LE(at) & LENGTH;
  if (length === 0) return isZero(buf, at, at + HEADER);
  return at + HEADER + length <= buf.length;
}

/** Whether an intact record (a non-zero length inside the file, a matching checksum) starts at `offset`. */
function intactAt(buf: Buffer, offset: number): boolean {
  if (offset + HEADER > buf.length) return false;
  const length = buf.readUInt32LE(offset) & LENGTH;
  const end = offset + HEADER + length;
  if (length === 0 || end > buf.length) return false;
  return crc32(buf.subarray(offset + HEADER, end)) === buf.readUInt32LE(offset + 4);
}

function isZero(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== 0) return false;
  return true;
}

type BadRecord = { kind: "torn"; torn: string } | { kind: "damage"; damage: string };

/**
 * A record that fails at `offset`: a torn tail (the last write, cut by a
 * crash before its fdatasync returned: never acknowledged, safe to cut) or
 * damage. The rule, from what append + fdatasync can leave behind — the
 * file ends at most where the last write would have ended, and the parts
 * of that write that did not reach the disk read as zeros or are missing:
 *
 * - an intact record anywhere after it: damage in the middle (a crash never
 *   touches what an earlier fdatasync covered);
 * - fewer than 8 bytes left, or a header of zeros: torn (a header cut off,
 *   or a file extended before the write's data landed);
 * - a length that runs past the end of the file: torn (the record is cut
 *   short) — unless the bytes to the end verify as its whole payload, which
 *   means the length field itself is damaged;
 * - a record that ends exactly at the end of the file with a bad checksum:
 *   torn (its last sectors did not land);
 * - anything else — a bad record followed by bytes that are not a record:
 *   damage, since a crash cannot write past the end of its last write.
 */
function classifyBadRecord(buf: Buffer, offset: number, index: number): BadRecord {
  const rest = buf.length - offset;
  const where = `record ${index} (at byte ${offset})`;
  const next = intactRecordAfter(buf, offset);
  if (next === "undecided") {
    return {
      kind: "damage",
      damage: `${where} is bad, and the ${rest} bytes from it on hold too many things that look like records to tell a torn write from damage`,
    };
  }
  if (next !== -1) {
    const length = buf.readUInt32LE(offset) & LENGTH;
    const problem =
      length === 0
        ? "has a length of 0"
        : offset + HEADER + length > buf.length
          ? "has a length that runs past the end of the file"
          : "fails its checksum";
    return { kind: "damage", damage: `${where} ${problem}, and intact records follow it (the next at byte ${next})` };
  }
  if (rest < HEADER) return { kind: "torn", torn: `${rest} bytes of a record header` };
  if (isZero(buf, offset, offset + HEADER)) return { kind: "torn", torn: `${rest} bytes of zeros` };
  const length = buf.readUInt32LE(offset) & LENGTH;
  const end = offset + HEADER + length;
  if (end > buf.length) {
    if (rest > HEADER && crc32(buf.subarray(offset + HEADER)) === buf.readUInt32LE(offset + 4)) {
      return { kind: "damage", damage: `${where} is whole, but its length field is damaged` };
    }
    return { kind: "torn", torn: `a last record cut short (${rest} of ${HEADER + length} bytes)` };
  }
  if (end === buf.length) return { kind: "torn", torn: `a last record of ${rest} bytes that fails its checksum` };
  return {
    kind: "damage",
    damage: `${where} ${length === 0 ? "has a length of 0" : "fails its checksum"}, and ${buf.length - end} bytes that are not a record follow it`,
  };
}

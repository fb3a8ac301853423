import { crc32 } from "node:zlib";
import fs from "node:fs/promises";

/**
 * An append-only file of Yjs updates with group commit.
 *
 * Record: u32 length (LE) · u32 CRC-32 of the payload (LE) · payload.
 * A record torn by a crash mid-write fails its length or checksum and is
 * dropped on read, with everything after it (nothing after it was ever
 * acknowledged: acknowledgements wait for the flush that covers them).
 *
 * Payloads are never empty, so a zero length marks damage too: a crash can
 * leave a file extended with zeros, and a zero header has a valid CRC-32 (0).
 *
 * Group commit: appends made while a flush is under way are written and
 * fdatasync'ed together by the next flush, so a burst shares one sync.
 */
export class UpdateLog {
  readonly path: string;
  private handle: fs.FileHandle | null = null;
  private queue: { bytes: Buffer; resolve: () => void; reject: (e: Error) => void }[] = [];
  private flushing: Promise<void> | null = null;
  private failed: Error | null = null;
  /** Bytes in the file, including queued appends. */
  size: number;

  constructor(path: string, size = 0) {
    this.path = path;
    this.size = size;
  }

  append(payload: Uint8Array): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (payload.length === 0) return Promise.reject(new Error("an update log record cannot be empty"));
    const record = Buffer.allocUnsafe(8 + payload.length);
    record.writeUInt32LE(payload.length, 0);
    record.writeUInt32LE(crc32(payload), 4);
    record.set(payload, 8);
    this.size += record.length;
    return new Promise((resolve, reject) => {
      this.queue.push({ bytes: record, resolve, reject });
      if (!this.flushing) this.flushing = this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          if (!this.handle) this.handle = await fs.open(this.path, "a");
          const bytes = batch.length === 1 ? (batch[0]?.bytes as Buffer) : Buffer.concat(batch.map((b) => b.bytes));
          let offset = 0;
          while (offset < bytes.length) {
            const { bytesWritten } = await this.handle.write(bytes, offset);
            offset += bytesWritten;
          }
          await this.handle.datasync();
          for (const b of batch) b.resolve();
        } catch (e) {
          this.failed = e as Error;
          for (const b of [...batch, ...this.queue]) b.reject(this.failed);
          this.queue = [];
        }
      }
    } finally {
      this.flushing = null;
    }
  }

  /** Resolves when everything appended so far is on disk (or failed). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  async close(): Promise<void> {
    await this.drain();
    await this.handle?.close();
    this.handle = null;
  }

  /**
   * Reads every intact record. A torn or corrupt tail is cut off the file so
   * that later appends follow the last good record.
   */
  static async read(path: string): Promise<{ records: Uint8Array[]; size: number; droppedBytes: number }> {
    let buf: Buffer;
    try {
      buf = await fs.readFile(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return { records: [], size: 0, droppedBytes: 0 };
      throw e;
    }
    const records: Uint8Array[] = [];
    let offset = 0;
    while (offset + 8 <= buf.length) {
      const length = buf.readUInt32LE(offset);
      const sum = buf.readUInt32LE(offset + 4);
      const end = offset + 8 + length;
      if (length === 0 || end > buf.length) break;
      const payload = buf.subarray(offset + 8, end);
      if (crc32(payload) !== sum) break;
      records.push(new Uint8Array(payload));
      offset = end;
    }
    const droppedBytes = buf.length - offset;
    if (droppedBytes > 0) {
      const fh = await fs.open(path, "r+");
      try {
        await fh.truncate(offset);
        await fh.datasync();
      } finally {
        await fh.close();
      }
    }
    return { records, size: offset, droppedBytes };
  }
}

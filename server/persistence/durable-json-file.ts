import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { crc32 } from "node:zlib";
import type { Adapter } from "lowdb";
import { asWriteError, DamagedFileError } from "./fs-errors.ts";

/**
 * What the file holds: `{"crc32":"<8 hex digits>","data":<the JSON>}`, the
 * checksum taken over the bytes of `<the JSON>`, so a flipped byte that
 * still parses is caught. Files written before the checksum (plain JSON)
 * are still read.
 */
const PREFIX = /^\{"crc32":"([0-9a-f]{8})","data":/;
const PREFIX_LENGTH = '{"crc32":"00000000","data":'.length;

/** Temporary files of interrupted writes (`.<name>.<random>.tmp`): removed on failure and at startup. */
export const TEMP_FILE = /^\..+\.tmp$/;

export interface JsonFileOptions {
  /** What is wrong with the parsed content's shape, or null when it is right. A file of the wrong shape is damaged. */
  check?: (value: unknown) => string | null;
}

/**
 * A lowdb adapter that survives power loss and never mistakes damage for
 * "empty". lowdb's own JSONFile (steno) writes a temporary file and renames
 * it without fsync, so after a crash the renamed file may be empty. This one
 * fsyncs the temporary file before the rename and the directory after it,
 * and removes the temporary file when a write fails. Reading a file that
 * does not parse, fails its checksum or has the wrong shape throws a
 * DamagedFileError; a missing file reads as null.
 */
export class DurableJSONFile<T> implements Adapter<T> {
  readonly filename: string;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    filename: string,
    private readonly opts: JsonFileOptions = {},
  ) {
    this.filename = filename;
  }

  async read(): Promise<T | null> {
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(this.filename);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
    return parseJsonFile<T>(bytes, this.filename, this.opts.check);
  }

  write(data: T): Promise<void> {
    const text = encodeJsonFile(data);
    return this.queue(() => writeDurably(this.filename, text));
  }

  /**
   * Writes `data` and keeps the file it replaces as `previous` (a hard link
   * to the old file, renamed into place: the two never share bytes once the
   * new file is renamed over the old name).
   */
  writeKeepingPrevious(data: T, previous: string): Promise<void> {
    const text = encodeJsonFile(data);
    return this.queue(async () => {
      const link = tempName(previous);
      try {
        try {
          await fs.link(this.filename, link);
        } catch (e) {
          // A file system without hard links: a copy does as well.
          if ((e as NodeJS.ErrnoException).code === "ENOENT") throw e;
          await fs.copyFile(this.filename, link);
          const fh = await fs.open(link, "r");
          try {
            await fh.sync();
          } finally {
            await fh.close();
          }
        }
        await fs.rename(link, previous);
      } catch (e) {
        await fs.rm(link, { force: true }).catch(() => {});
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw asWriteError(e);
      }
      await writeDurably(this.filename, text);
    });
  }

  /** Writes `data` here and, after that, an independent second copy of it at `copy`. */
  writeWithCopy(data: T, copy: string): Promise<void> {
    const text = encodeJsonFile(data);
    return this.queue(async () => {
      await writeDurably(this.filename, text);
      await writeDurably(copy, text);
    });
  }

  private queue(write: () => Promise<void>): Promise<void> {
    const next = this.chain.then(write);
    this.chain = next.catch(() => {});
    return next;
  }
}

export function encodeJsonFile(data: unknown): string {
  const body = JSON.stringify(data);
  return `{"crc32":"${crc32(body).toString(16).padStart(8, "0")}","data":${body}}`;
}

/** Reads a file's bytes as DurableJSONFile writes them (or as plain JSON, as files from before the checksum are). */
export function parseJsonFile<T>(bytes: Buffer, file: string, check?: (value: unknown) => string | null): T {
  const value = parse(verifiedJsonBody(bytes, file).toString("utf8"), file);
  const problem = check?.(value) ?? null;
  if (problem !== null) throw new DamagedFileError(file, problem);
  return value as T;
}

/**
 * The JSON a file's bytes hold, checked against their checksum but not
 * parsed (a worker may parse it): the part after the checksum header, or the
 * whole file for plain JSON from before checksums. Throws a DamagedFileError.
 */
export function verifiedJsonBody(bytes: Buffer, file: string): Buffer {
  if (bytes.length === 0) throw new DamagedFileError(file, "it is empty");
  const head = bytes.subarray(0, PREFIX_LENGTH).toString("latin1");
  if (!head.startsWith('{"crc32":')) return bytes;
  const m = PREFIX.exec(head);
  if (!m || head.length !== PREFIX_LENGTH || bytes[bytes.length - 1] !== 0x7d) {
    throw new DamagedFileError(file, "its checksum header or its end is damaged");
  }
  const body = bytes.subarray(PREFIX_LENGTH, bytes.length - 1);
  if (crc32(body) !== Number.parseInt(m[1] as string, 16)) {
    throw new DamagedFileError(file, "it fails its checksum");
  }
  return body;
}

export function parse(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DamagedFileError(file, `it is not valid JSON (${(e as Error).message})`);
  }
}

function tempName(filename: string): string {
  return path.join(path.dirname(filename), `.${path.basename(filename)}.${randomBytes(6).toString("hex")}.tmp`);
}

/**
 * Replaces `filename` with `text` atomically and durably: a temporary file
 * written and fsync'ed, renamed into place, the directory fsync'ed. On
 * failure the temporary file is removed and a full or read-only disk is
 * reported as a StorageWriteError.
 */
export async function writeDurably(filename: string, text: string | Uint8Array): Promise<void> {
  const tmp = tempName(filename);
  try {
    const fh = await fs.open(tmp, "wx");
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, filename);
    await fsyncDir(path.dirname(filename));
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw asWriteError(e);
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  const dh = await fs.open(dir, "r");
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

/** Removes the temporary files interrupted writes left in `dir` (a crash, a full disk). Never throws. */
export async function removeTempFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names.filter((n) => TEMP_FILE.test(n))) {
    try {
      await fs.rm(path.join(dir, name), { force: true });
      removed.push(name);
    } catch {
      // Best effort: a read-only folder keeps them, harmlessly.
    }
  }
  return removed;
}

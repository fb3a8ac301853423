import { StorageWriteError } from "./store.ts";

/**
 * One file of the lowdb store is damaged: it does not parse, fails its
 * checksum, or holds something a crash cannot leave behind. The store turns
 * it into the interface's DamagedError (with the plan) or recovers from a
 * second copy.
 */
export class DamagedFileError extends Error {
  constructor(
    readonly file: string,
    /** What is wrong, as a phrase: "record 2 (at byte 96) fails its checksum, and intact records follow it". */
    readonly damage: string,
  ) {
    super(`${file} is damaged: ${damage}`);
    this.name = "DamagedFileError";
  }
}

/** errno codes of a write the disk refused for want of space, or because the folder cannot be written. */
const FULL = new Set(["ENOSPC", "EDQUOT"]);
const READ_ONLY = new Set(["EROFS", "EACCES", "EPERM"]);

/**
 * A write's error as the store reports it: a full disk or a read-only data
 * folder becomes a StorageWriteError (503 for the caller), anything else is
 * passed on unchanged.
 */
export function asWriteError(e: unknown): unknown {
  if (e instanceof StorageWriteError) return e;
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code && FULL.has(code)) return new StorageWriteError("full", { cause: e });
  if (code && READ_ONLY.has(code)) return new StorageWriteError("read-only", { cause: e });
  return e;
}

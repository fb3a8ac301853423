import { DamagedError, DamagedVersionError, FencedError, StorageWriteError } from "../persistence/store.ts";
import { HttpError } from "./http.ts";

/**
 * The answer to a storage failure, for REST calls and socket upgrades alike:
 * 503 `{error, damaged: true}` for a plan refused for damage (or a version
 * whose stored data is damaged, with its `file`), 503 for a full
 * or read-only disk; null for anything else. Looks through `cause`, since a
 * room wraps the error that broke it.
 */
export function storageHttpError(e: unknown): HttpError | null {
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 5; c = c.cause, depth++) {
    if (c instanceof DamagedError) return new HttpError(503, c.message, { damaged: true });
    if (c instanceof DamagedVersionError) return new HttpError(503, c.message, { damaged: true, file: c.file });
    if (c instanceof StorageWriteError || c instanceof FencedError) return new HttpError(503, c.message);
  }
  return null;
}

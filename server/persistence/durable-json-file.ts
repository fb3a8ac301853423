import fs from "node:fs/promises";
import path from "node:path";
import type { Adapter } from "lowdb";

/**
 * A lowdb adapter that survives power loss. lowdb's own JSONFile (steno)
 * writes a temporary file and renames it without fsync, so after a crash the
 * renamed file may be empty. This one fsyncs the temporary file before the
 * rename and the directory after it. Reading a file that is not valid JSON
 * throws: a failed load must never be mistaken for an empty plan.
 */
export class DurableJSONFile<T> implements Adapter<T> {
  readonly filename: string;
  private chain: Promise<void> = Promise.resolve();

  constructor(filename: string) {
    this.filename = filename;
  }

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await fs.readFile(this.filename, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new Error(`${this.filename} is corrupt (${(e as Error).message}); refusing to load it`);
    }
  }

  write(data: T): Promise<void> {
    const text = JSON.stringify(data);
    const next = this.chain.then(() => writeDurably(this.filename, text));
    this.chain = next.catch(() => {});
    return next;
  }
}

export async function writeDurably(filename: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(filename), `.${path.basename(filename)}.tmp`);
  const fh = await fs.open(tmp, "w");
  try {
    await fh.writeFile(text, "utf8");
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, filename);
  await fsyncDir(path.dirname(filename));
}

export async function fsyncDir(dir: string): Promise<void> {
  const dh = await fs.open(dir, "r");
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

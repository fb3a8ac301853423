import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { newId } from "../../shared/ids.ts";
import { fsyncDir } from "../persistence/durable-json-file.ts";

/**
 * Person ids that prove themselves. `POST /api/people` issues an id and its
 * secret, an HMAC-SHA256 of the id under a server key; a caller is that
 * person only when it sends both (`X-Wilayah-Person` and
 * `X-Wilayah-Person-Secret` on REST, `person` and `secret` on a socket).
 * Nothing per person is stored: the key alone checks every secret.
 *
 * The id is public (comments and the feed show it to every link); the
 * secret never leaves the browser it was issued to.
 */
export class PersonKey {
  private constructor(private readonly key: Buffer) {}

  /** A key from bytes or text (PERSON_KEY), for tests and operators who manage their own. */
  static of(key: string | Buffer): PersonKey {
    const bytes = typeof key === "string" ? Buffer.from(key, "utf8") : key;
    if (bytes.length < 16) throw new Error("PERSON_KEY must be at least 16 characters long");
    return new PersonKey(bytes);
  }

  /**
   * PERSON_KEY when given, else the key kept in DATA_DIR/person.key, made
   * (32 random bytes, readable by the server's user only) the first time.
   */
  static async load(dataDir: string, fromEnv: string | null): Promise<PersonKey> {
    if (fromEnv) return PersonKey.of(fromEnv);
    const file = path.join(dataDir, "person.key");
    const read = async () => Buffer.from((await fs.readFile(file, "utf8")).trim(), "base64url");
    try {
      return PersonKey.of(await read());
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT")
        throw new Error(`${file} cannot be read: ${(e as Error).message}`);
    }
    await fs.mkdir(dataDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    const fh = await fs.open(tmp, "w", 0o600);
    try {
      await fh.writeFile(`${randomBytes(32).toString("base64url")}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    // Renamed into place whole, so a crash never leaves half a key behind.
    await fs.rename(tmp, file);
    await fsyncDir(dataDir);
    return PersonKey.of(await read());
  }

  /** A new person: a public id and the secret that proves it. */
  issue(): { id: string; secret: string } {
    const id = `p-${newId(16)}`;
    return { id, secret: this.secretOf(id) };
  }

  secretOf(id: string): string {
    return createHmac("sha256", this.key).update(id, "utf8").digest("base64url");
  }

  /**
   * The person id when `secret` proves it, else null (the caller is then
   * anonymous). Compared in constant time.
   *
   * @example key.verify(id, key.secretOf(id)) // id
   */
  verify(id: string | null | undefined, secret: string | null | undefined): string | null {
    if (!id || !secret || id.length > 64 || secret.length > 128) return null;
    const expected = Buffer.from(this.secretOf(id), "utf8");
    const given = Buffer.from(secret, "utf8");
    if (given.length !== expected.length) return null;
    return timingSafeEqual(given, expected) ? id : null;
  }
}

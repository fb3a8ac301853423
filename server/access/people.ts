import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { newId } from "../../shared/ids.ts";
import type { PlanStore } from "../persistence/store.ts";

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
   * PERSON_KEY when given, else the key the store keeps for the whole server
   * (DATA_DIR/person.key in the file store, a row in PostgreSQL), made (32
   * random bytes) the first time. Instances starting together on one
   * database agree on one key: the first one stored wins.
   */
  static async load(store: PlanStore, fromEnv: string | null): Promise<PersonKey> {
    if (fromEnv) return PersonKey.of(fromEnv);
    const stored =
      (await store.getServerData("person-key")) ??
      (await store.putServerData("person-key", { key: randomBytes(32).toString("base64url") }));
    return PersonKey.of(Buffer.from(stored.key, "base64url"));
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

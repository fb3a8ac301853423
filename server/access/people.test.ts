import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LowdbStore } from "../persistence/lowdb-store.ts";
import { PersonKey } from "./people.ts";

describe("PersonKey", () => {
  const key = PersonKey.of("a key of at least sixteen characters");

  it("proves an issued id with its secret, and nothing else", () => {
    const { id, secret } = key.issue();
    expect(key.verify(id, secret)).toBe(id);
    const other = key.issue();
    expect(key.verify(id, other.secret)).toBeNull();
    expect(key.verify(other.id, secret)).toBeNull();
    expect(key.verify(id, null)).toBeNull();
    expect(key.verify(id, "")).toBeNull();
    expect(key.verify(id, `${secret}x`)).toBeNull();
    expect(key.verify(null, secret)).toBeNull();
  });

  it("gives different secrets under different keys", () => {
    const other = PersonKey.of("another key, also long enough");
    const { id, secret } = key.issue();
    expect(other.verify(id, secret)).toBeNull();
    expect(other.secretOf(id)).not.toBe(secret);
  });

  it("refuses a short PERSON_KEY", () => {
    expect(() => PersonKey.of("short")).toThrow(/at least 16/);
  });

  it("makes a key in DATA_DIR once, readable by the server only, and reads it back", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "wilayah-person-key-"));
    try {
      const first = await PersonKey.load(new LowdbStore(dir), null);
      const stat = await fs.stat(path.join(dir, "person.key"));
      expect(stat.mode & 0o077).toBe(0);
      const { id, secret } = first.issue();
      const again = await PersonKey.load(new LowdbStore(dir), null);
      expect(again.verify(id, secret)).toBe(id);
      // PERSON_KEY wins over the file.
      const fromEnv = await PersonKey.load(new LowdbStore(dir), "a key of at least sixteen characters");
      expect(fromEnv.verify(id, secret)).toBeNull();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { configFromEnv } from "../config.ts";
import { LowdbStore } from "./lowdb-store.ts";
import { openStore } from "./open-store.ts";
import { PgStore } from "./pg-store.ts";
import { TEST_DATABASE_URL } from "./pg/testing.ts";

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

describe("choosing the store (DATABASE_URL, issue 16)", () => {
  it("reads DATABASE_URL, refusing anything but postgres:// and postgresql:// and naming the variable", () => {
    expect(configFromEnv({}).databaseUrl).toBeNull();
    expect(configFromEnv({ DATABASE_URL: "postgres://u@h/db" }).databaseUrl).toBe("postgres://u@h/db");
    expect(configFromEnv({ DATABASE_URL: "postgresql://u@h/db" }).databaseUrl).toBe("postgresql://u@h/db");
    expect(() => configFromEnv({ DATABASE_URL: "mysql://u:secret@h/db" })).toThrow(
      /DATABASE_URL must start with postgres:\/\//,
    );
    expect(() => configFromEnv({ DATABASE_URL: "mysql://u:secret@h/db" })).not.toThrow(/secret/);
    expect(() => configFromEnv({ DATABASE_URL: "localhost:5432" })).toThrow(/DATABASE_URL/);
  });

  it("opens files without DATABASE_URL and a migrated PostgreSQL store with it", async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "wilayah-open-store-"));
    cleanup.push(() => fs.rm(dataDir, { recursive: true, force: true }));
    const files = await openStore({ dataDir, databaseUrl: null });
    expect(files).toBeInstanceOf(LowdbStore);
    const pg = await openStore({ dataDir, databaseUrl: TEST_DATABASE_URL });
    cleanup.push(() => pg.close());
    expect(pg).toBeInstanceOf(PgStore);
    expect(await pg.getPlan("no-such-plan")).toBeNull();
  });
});

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { configFromEnv } from "../config.ts";
import { LowdbStore } from "./lowdb-store.ts";
import { openStore } from "./open-store.ts";
import { splitSchema } from "./pg/db.ts";
import { PgStore } from "./pg-store.ts";
import { freshSchema, sql } from "./pg/testing.ts";

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
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
    const schema = await freshSchema();
    cleanup.push(() => schema.drop());
    const pg = await openStore({ dataDir, databaseUrl: `${schema.url}?schema=${schema.schema}` });
    cleanup.push(() => pg.close());
    expect(pg).toBeInstanceOf(PgStore);
    await pg.createPlan({ id: "p1", name: "P", createdAt: "2027-01-01T00:00:00.000Z" });
    // Migrated into the schema the URL names.
    expect(await sql(schema.schema, "SELECT id FROM plans")).toEqual([{ id: "p1" }]);
  });
});

describe("DATABASE_URL's schema", () => {
  it("takes ?schema=NAME off the URL for the store's search_path", () => {
    expect(splitSchema("postgres://u@h/db?schema=wilayah")).toEqual({ url: "postgres://u@h/db", schema: "wilayah" });
    expect(splitSchema("postgres://u@h/db?sslmode=require&schema=w2")).toEqual({
      url: "postgres://u@h/db?sslmode=require",
      schema: "w2",
    });
    expect(splitSchema("postgres://u@h/db?schema=w3&sslmode=require")).toEqual({
      url: "postgres://u@h/db?sslmode=require",
      schema: "w3",
    });
    expect(splitSchema("postgres://u@h/db")).toEqual({ url: "postgres://u@h/db", schema: null });
  });
});

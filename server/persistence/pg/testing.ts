import { randomBytes } from "node:crypto";
import pg from "pg";

/** The database tests use: WILAYAH_TEST_DATABASE_URL, else the local server's `test` database. */
export const TEST_DATABASE_URL = process.env.WILAYAH_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * A fresh schema (`wilayah_test_<random>`) for one test, and a way to drop
 * it. Connecting fails loudly when PostgreSQL is unreachable: a test that
 * needs it fails rather than skips (CI must run it).
 */
export async function freshSchema(
  url = TEST_DATABASE_URL,
): Promise<{ url: string; schema: string; drop(): Promise<void> }> {
  const schema = `wilayah_test_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
  return {
    url,
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Runs SQL in a schema from outside any store (tests that damage rows by hand). */
export async function sql<R extends pg.QueryResultRow = pg.QueryResultRow>(
  schema: string,
  text: string,
  params: unknown[] = [],
  url = TEST_DATABASE_URL,
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

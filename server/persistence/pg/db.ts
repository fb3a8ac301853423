import { crc32 } from "node:zlib";
import pg from "pg";
import type { HistoryPolicy } from "../../../shared/history/policy.ts";
import { FencedError, StorageWriteError } from "../store.ts";
import { MIGRATIONS, type Migration } from "./migrations.ts";
import { logger } from "../../ops/log.ts";

const pgLog = logger("pg");

export interface PgStoreOptions {
  /** `postgres://user@host:port/db`. */
  url: string;
  /** The schema the tables live in (search_path); created when missing. Default `public`. */
  schema?: string;
  /**
   * Several instances (issue 16): every write to an existing plan checks this
   * store's fence for it (takeFence) against plan_fences and is refused with
   * a FencedError when another instance has taken the plan over.
   */
  fencing?: boolean;
  /** Connections in the pool (default 10). */
  max?: number;
  /** Extra `-c name=value` settings for every connection (tests: a read-only session). */
  settings?: Record<string, string>;
  /** What history keeps (default: HISTORY_POLICY; tests use small caps). */
  historyPolicy?: HistoryPolicy;
  /** Apply migrations up to this one only (tests of an older schema). */
  migrateTo?: number;
}

const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A pool whose every connection commits synchronously (an append resolves
 * once PostgreSQL has flushed its WAL) and looks up tables in `schema`.
 */
export function makePool(opts: PgStoreOptions): { pool: pg.Pool; schema: string } {
  const { url, schema: inUrl } = splitSchema(opts.url);
  const schema = opts.schema ?? inUrl ?? "public";
  if (!SCHEMA.test(schema)) throw new Error(`bad schema name "${schema}" (lower-case letters, digits, _)`);
  // A paused instance (a stopped VM, SIGSTOP) must not hold a plan's fence row locked for ever:
  // the server ends a transaction left idle this long, so a successor's takeover is not blocked.
  const settings = {
    synchronous_commit: "on",
    search_path: schema,
    idle_in_transaction_session_timeout: "5000",
    ...opts.settings,
  };
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    options: Object.entries(settings)
      .map(([k, v]) => `-c ${k}=${v}`)
      .join(" "),
  });
  // An idle connection that dies (a database restart) must not take the process down; the next query reconnects.
  pool.on("error", (e) => pgLog.warn({ err: e }, "an idle connection failed; the next query reconnects"));
  return { pool, schema };
}

/** A `?schema=NAME` at the end of DATABASE_URL (ours, not libpq's): the URL without it, and the name. */
export function splitSchema(url: string): { url: string; schema: string | null } {
  const m = /[?&]schema=([^&]*)/.exec(url);
  if (!m) return { url, schema: null };
  const rest = url.replace(/([?&])schema=[^&]*&?/, "$1").replace(/[?&]$/, "");
  return { url: rest, schema: decodeURIComponent(m[1] as string) };
}

/**
 * Applies the migrations not applied yet, in one transaction under an
 * advisory lock (per schema), so instances starting together run them once:
 * the second waits for the first, then finds them applied. Returns the ids applied now.
 */
export async function migrate(pool: pg.Pool, schema: string, upTo = Number.POSITIVE_INFINITY): Promise<number[]> {
  return transaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`wilayah-migrations:${schema}`]);
    // Nothing DDL when everything is applied: a read-only database (a standby) still opens.
    const known = await client.query<{ has: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS has");
    if (!known.rows[0]?.has) {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(
        "CREATE TABLE schema_migrations (id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
      );
    }
    const done = new Set(
      (await client.query<{ id: number }>("SELECT id FROM schema_migrations")).rows.map((r) => r.id),
    );
    const applied: number[] = [];
    for (const m of MIGRATIONS as readonly Migration[]) {
      if (m.id > upTo || done.has(m.id)) continue;
      await client.query(m.sql);
      await client.query("INSERT INTO schema_migrations (id, name) VALUES ($1, $2)", [m.id, m.name]);
      applied.push(m.id);
    }
    return applied;
  });
}

/** CRC-32 of a blob (text as UTF-8), as stored beside it. */
export const checksum = (data: string | Uint8Array): number => crc32(data);

/** Whether a stored blob matches its stored checksum (bigint columns come back as strings). */
export function intact(data: string | Uint8Array, crc: string | number | null): boolean {
  return crc !== null && checksum(data) === Number(crc);
}

/**
 * A PostgreSQL error as the store reports it: a full disk (53100) or a
 * read-only database (25006) becomes a StorageWriteError; anything else is
 * passed on unchanged.
 */
export function asPgWriteError(e: unknown): unknown {
  if (e instanceof StorageWriteError || e instanceof FencedError) return e;
  const code = (e as { code?: string } | null)?.code;
  if (code === "53100") return new StorageWriteError("full", { cause: e });
  if (code === "25006") return new StorageWriteError("read-only", { cause: e });
  return e;
}

export type Queryable = Pick<pg.PoolClient, "query">;

/**
 * Runs `fn` in a transaction on one connection: committed when it resolves,
 * rolled back when it throws (the error mapped by asPgWriteError).
 */
export async function transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const out = await fn(client);
    await client.query("COMMIT");
    return out;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw asPgWriteError(e);
  } finally {
    client.release();
  }
}

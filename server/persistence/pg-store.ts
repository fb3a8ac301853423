import type pg from "pg";
import type { ActivityEntry } from "../../shared/activity/activity.ts";
import type { HistoryQuery } from "../../shared/history/history.ts";
import { ID_PATTERN } from "../../shared/ids.ts";
import type { Part } from "../../shared/protocol/rooms.ts";
import type { VersionContent } from "../../shared/versions/content.ts";
import type { VersionEntry } from "../../shared/versions/entry.ts";
import { type AccountsFile, accountsFileProblem, fromAccountsFile, toAccountsFile } from "./accounts-file.ts";
import type { RawHistoryPage, ScorePoint } from "./history-files.ts";
import { asPgWriteError, checksum, intact, makePool, migrate, type PgStoreOptions, transaction } from "./pg/db.ts";
import { loadDocument, PgDocument } from "./pg/documents.ts";
import { compactDocument, historyPage } from "./pg/history.ts";
import { currentName, PgVersions, putCurrent } from "./pg/versions.ts";
import { mergeServerData } from "./server-data.ts";
import {
  DamagedError,
  FencedError,
  type KeptKind,
  PLAN_DATA_KINDS,
  type PlanData,
  type PlanMeta,
  type PlanStore,
  type ServerData,
  type ServerDataWrite,
  type StoredAccounts,
  type StoredDocument,
  type StoredVersion,
} from "./store.ts";
import { logger } from "../ops/log.ts";

const storeLog = logger("store");

export type { PgStoreOptions } from "./pg/db.ts";

/**
 * Everything a plan has, in PostgreSQL (issue 16), behind the same interface
 * as the file store (tables: server/persistence/pg/migrations.ts; the
 * README's PostgreSQL section). Durability: every write is one transaction
 * committed synchronously before it resolves; document appends are
 * group-committed (pg/documents.ts). Damage: every blob carries a CRC-32
 * checked when read; a mismatch refuses the plan (DamagedError) or the
 * version (DamagedVersionError) until the rows are restored. A full disk or
 * a read-only database is a StorageWriteError.
 *
 * Several instances: with `fencing`, this store writes a plan only while it
 * holds the plan's current fence (takeFence); every write checks it under
 * `SELECT … FOR SHARE` of the fence row in its own transaction, so a write
 * either commits before another instance's takeover or is refused with a
 * FencedError.
 */
export class PgStore implements PlanStore {
  readonly pool: pg.Pool;
  readonly schema: string;
  private readonly fencing: boolean;
  /** The fence this store holds per plan (fencing only). */
  private readonly fences = new Map<string, number>();
  /** Plans refused for damage; each call checks again whether an operator has restored them. */
  private readonly refused = new Map<string, DamagedError>();
  private readonly versions = new PgVersions();
  private readonly documents = new Set<PgDocument>();

  constructor(private readonly opts: PgStoreOptions) {
    const { pool, schema } = makePool(opts);
    this.pool = pool;
    this.schema = schema;
    this.fencing = opts.fencing ?? false;
  }

  /** A store whose schema is migrated: what the server opens. */
  static async open(opts: PgStoreOptions): Promise<PgStore> {
    const store = new PgStore(opts);
    try {
      await store.migrate();
    } catch (e) {
      await store.pool.end().catch(() => {});
      throw e;
    }
    return store;
  }

  /** Applies the migrations not applied yet (up to `migrateTo` when given); the ids applied now. */
  migrate(upTo = this.opts.migrateTo): Promise<number[]> {
    return migrate(this.pool, this.schema, upTo);
  }

  // ── fencing (issue 16) ───────────────────────────────────────────────────

  /**
   * Takes plan `planId` over: increments its fence in PostgreSQL (waiting
   * for writes in flight under the old fence to commit), keeps the new one
   * as this store's, and returns it. Monotonic forever: the row is never deleted.
   */
  async takeFence(planId: string): Promise<number> {
    const { rows } = await this.pool
      .query<{ fence: string }>(
        `INSERT INTO plan_fences (plan_id, fence) VALUES ($1, 1)
         ON CONFLICT (plan_id) DO UPDATE SET fence = plan_fences.fence + 1 RETURNING fence`,
        [planId],
      )
      .catch((e: unknown) => {
        throw asPgWriteError(e);
      });
    const fence = Number((rows[0] as { fence: string }).fence);
    this.fences.set(planId, fence);
    return fence;
  }

  /** Forgets this store's fence for a plan (it let the plan go): its writes are refused from now on. */
  dropFence(planId: string): void {
    this.fences.delete(planId);
  }

  /** The fence this store holds for a plan, if any. */
  fenceOf(planId: string): number | undefined {
    return this.fences.get(planId);
  }

  /** null: fencing is off; undefined: on, and no fence is held. */
  private fenceFor(planId: string): number | null | undefined {
    return this.fencing ? this.fences.get(planId) : null;
  }

  /** In a write's transaction: refuses it unless this store holds the plan's current fence (fencing only). */
  private async checkFence(db: pg.PoolClient, planId: string): Promise<void> {
    const held = this.fenceFor(planId);
    if (held === null) return;
    if (held === undefined) throw new FencedError(planId);
    const { rows } = await db.query<{ fence: string }>("SELECT fence FROM plan_fences WHERE plan_id = $1 FOR SHARE", [
      planId,
    ]);
    if (rows[0] === undefined || Number(rows[0].fence) !== held) throw new FencedError(planId);
  }

  /**
   * A write concerning an existing plan, in one transaction: the plan must
   * exist (its row is locked against a delete meanwhile) and, with fencing,
   * this store must hold its fence.
   */
  private async write<T>(planId: string, fn: (db: pg.PoolClient) => Promise<T>): Promise<T> {
    if (!ID_PATTERN.test(planId)) throw new Error(`bad plan id ${planId}`);
    await this.guard(planId);
    return transaction(this.pool, async (db) => {
      const plan = await db.query("SELECT 1 FROM plans WHERE id = $1 FOR KEY SHARE", [planId]);
      if (plan.rowCount === 0) throw new Error(`plan ${planId} does not exist`);
      await this.checkFence(db, planId);
      return fn(db);
    });
  }

  // ── damage ───────────────────────────────────────────────────────────────

  /** Throws the plan's DamagedError while its rows are still damaged; forgets the refusal once they are restored. */
  private async guard(planId: string): Promise<void> {
    const refusal = this.refused.get(planId);
    if (!refusal) return;
    if ((await this.damageOf(planId)) !== null) throw refusal;
    this.refused.delete(planId);
    storeLog.info({ planId }, "its damaged rows have been restored; reading them again");
  }

  /** The refusal of a plan, if it is refused (synchronous, for the append path). */
  refusal(planId: string): DamagedError | null {
    return this.refused.get(planId) ?? null;
  }

  private refuse(error: DamagedError): DamagedError {
    storeLog.error(
      { planId: error.planId, file: error.file, damage: error.damage },
      "damaged: the plan is refused until an operator restores those rows (see server/README.md, PostgreSQL)",
    );
    this.refused.set(error.planId, error);
    return error;
  }

  /** Runs a read, turning the damage it finds into the plan's refusal. */
  private async reading<T>(planId: string, fn: () => Promise<T>): Promise<T> {
    await this.guard(planId);
    try {
      return await fn();
    } catch (e) {
      if (e instanceof DamagedError) throw this.refuse(e);
      throw e;
    }
  }

  /** The first damage in a plan's rows that a read refuses it for (null: none): its meta, documents, current data, feed. */
  private async damageOf(planId: string): Promise<string | null> {
    const checks: [string, string][] = [
      ["plans", "SELECT meta AS blob, crc FROM plans WHERE id = $1"],
      ["documents", "SELECT snapshot AS blob, crc FROM documents WHERE plan_id = $1 AND snapshot IS NOT NULL"],
      [
        "updates",
        `SELECT u.bytes AS blob, u.crc FROM updates u LEFT JOIN documents d ON d.plan_id = u.plan_id AND d.name = u.name
          WHERE u.plan_id = $1 AND u.gen >= coalesce(d.gen, 0)`,
      ],
      ["plan_accounts", "SELECT body AS blob, crc FROM plan_accounts WHERE plan_id = $1"],
      ["plan_data", "SELECT body AS blob, crc FROM plan_data WHERE plan_id = $1"],
      ["plan_activity", "SELECT body AS blob, crc FROM plan_activity WHERE plan_id = $1"],
    ];
    for (const [table, sql] of checks) {
      const { rows } = await this.pool.query<{ blob: string | Buffer; crc: string }>(sql, [planId]);
      if (rows.some((r) => !intact(r.blob, r.crc))) return table;
    }
    return null;
  }

  // ── plans ────────────────────────────────────────────────────────────────

  async listPlans(): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>("SELECT id FROM plans ORDER BY id");
    return rows.map((r) => r.id);
  }

  /** Not fenced: nobody serves a plan that does not exist yet. With fencing, the creator holds the plan's next fence. */
  async createPlan(meta: PlanMeta): Promise<void> {
    if (!ID_PATTERN.test(meta.id)) throw new Error(`bad plan id ${meta.id}`);
    const text = JSON.stringify(meta);
    try {
      await transaction(this.pool, async (db) => {
        await db.query("INSERT INTO plans (id, meta, crc) VALUES ($1, $2, $3)", [meta.id, text, checksum(text)]);
        // The creator writes the plan's first data right after: it holds the next fence from the start.
        if (this.fencing) {
          const { rows } = await db.query<{ fence: string }>(
            `INSERT INTO plan_fences (plan_id, fence) VALUES ($1, 1)
             ON CONFLICT (plan_id) DO UPDATE SET fence = plan_fences.fence + 1 RETURNING fence`,
            [meta.id],
          );
          this.fences.set(meta.id, Number((rows[0] as { fence: string }).fence));
        }
      });
    } catch (e) {
      if ((e as { code?: string }).code === "23505") throw new Error(`plan ${meta.id} exists`);
      throw e;
    }
    // A plan made again under a deleted plan's id starts without the old one's refusal.
    this.refused.delete(meta.id);
  }

  async getPlan(id: string): Promise<PlanMeta | null> {
    if (!ID_PATTERN.test(id)) return null;
    return this.reading(id, async () => {
      const { rows } = await this.pool.query<{ meta: string; crc: string }>(
        "SELECT meta, crc FROM plans WHERE id = $1",
        [id],
      );
      const row = rows[0];
      return row ? parseMeta(id, row) : null;
    });
  }

  async updatePlan(id: string, fn: (meta: PlanMeta) => PlanMeta): Promise<PlanMeta> {
    try {
      return await this.write(id, async (db) => {
        const { rows } = await db.query<{ meta: string; crc: string }>(
          "SELECT meta, crc FROM plans WHERE id = $1 FOR UPDATE",
          [id],
        );
        const next = fn(parseMeta(id, rows[0] as { meta: string; crc: string }));
        const text = JSON.stringify(next);
        await db.query("UPDATE plans SET meta = $2, crc = $3 WHERE id = $1", [id, text, checksum(text)]);
        return { ...next };
      });
    } catch (e) {
      if (e instanceof DamagedError) throw this.refuse(e);
      throw e;
    }
  }

  /** One DELETE: the plan's rows go with it (ON DELETE CASCADE), all or none. Its fence row stays (monotonic). */
  async deletePlan(id: string): Promise<boolean> {
    if (!ID_PATTERN.test(id)) return false;
    const deleted = await transaction(this.pool, async (db) => {
      const plan = await db.query("SELECT 1 FROM plans WHERE id = $1 FOR UPDATE", [id]);
      if (plan.rowCount === 0) return false;
      await this.checkFence(db, id);
      await db.query("DELETE FROM plans WHERE id = $1", [id]);
      return true;
    });
    this.refused.delete(id);
    this.versions.forget(id);
    return deleted;
  }

  // ── documents ────────────────────────────────────────────────────────────

  async openDocument(planId: string, part: Part): Promise<StoredDocument> {
    return this.reading(planId, async () => {
      if (!(await this.exists(planId))) throw new Error(`plan ${planId} does not exist`);
      const name = part === "" ? "main" : part;
      const doc = new PgDocument(
        {
          pool: this.pool,
          fenceFor: (id) => this.fenceFor(id),
          refusal: (id) => this.refusal(id),
          compact: (id, n, gen, state, at) =>
            this.write(id, (db) => compactDocument(db, id, n, gen, state, at, this.opts.historyPolicy)),
        },
        planId,
        name,
        await loadDocument(this.pool, planId, name),
      );
      this.documents.add(doc);
      const close = doc.close.bind(doc);
      doc.close = async () => {
        try {
          await close();
        } finally {
          this.documents.delete(doc);
        }
      };
      return doc;
    });
  }

  private async exists(planId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query("SELECT 1 FROM plans WHERE id = $1", [planId]);
    return (rowCount ?? 0) > 0;
  }

  // ── accounts, reference data, activity ──────────────────────────────────

  async getAccounts(planId: string): Promise<StoredAccounts | null> {
    return this.reading(planId, async () => {
      const live = await this.versions.current(this.pool, planId, "accounts");
      if (!live) return null;
      const file = parseBody<AccountsFile>(planId, "plan_accounts", live.body);
      const problem = accountsFileProblem(file);
      if (problem) throw new DamagedError(planId, "plan_accounts", problem);
      return fromAccountsFile(file);
    });
  }

  async getAccountsVersion(planId: string): Promise<number> {
    await this.guard(planId);
    const { rows } = await this.pool.query<{ version: string }>(
      "SELECT version FROM plan_accounts WHERE plan_id = $1",
      [planId],
    );
    return rows[0] ? Number(rows[0].version) : 0;
  }

  async putAccounts(planId: string, accounts: StoredAccounts): Promise<void> {
    const body = JSON.stringify(toAccountsFile(accounts));
    await this.write(planId, (db) => putCurrent(db, planId, "accounts", accounts.version, body));
  }

  async getData<K extends keyof PlanData>(planId: string, kind: K): Promise<PlanData[K] | null> {
    return this.reading(planId, async () => {
      const { rows } = await this.pool.query<{ body: string; crc: string }>(
        "SELECT body, crc FROM plan_data WHERE plan_id = $1 AND kind = $2",
        [planId, kind],
      );
      const row = rows[0];
      if (!row) return null;
      if (!intact(row.body, row.crc)) throw new DamagedError(planId, currentName(kind), "it fails its checksum");
      const value = parseBody<PlanData[K]>(planId, currentName(kind), row.body);
      if (typeof value !== "object" || value === null || Array.isArray(value))
        throw new DamagedError(planId, currentName(kind), `it does not hold the plan's ${kind}`);
      return value;
    });
  }

  async putData<K extends keyof PlanData>(planId: string, kind: K, value: PlanData[K] | null): Promise<void> {
    if (!PLAN_DATA_KINDS.includes(kind)) throw new Error(`unknown kind of plan data ${kind}`);
    await this.write(planId, async (db) => {
      if (value === null) {
        await db.query("DELETE FROM plan_data WHERE plan_id = $1 AND kind = $2", [planId, kind]);
        return;
      }
      const version = (value as { version?: unknown }).version;
      await putCurrent(db, planId, kind, typeof version === "number" ? version : 0, JSON.stringify(value));
    });
  }

  async getActivity(planId: string): Promise<ActivityEntry[]> {
    return this.reading(planId, async () => {
      const { rows } = await this.pool.query<{ body: string; crc: string }>(
        "SELECT body, crc FROM plan_activity WHERE plan_id = $1",
        [planId],
      );
      const row = rows[0];
      if (!row) return [];
      if (!intact(row.body, row.crc)) throw new DamagedError(planId, "plan_activity", "it fails its checksum");
      const feed = parseBody<{ entries?: unknown }>(planId, "plan_activity", row.body);
      if (!Array.isArray(feed.entries))
        throw new DamagedError(planId, "plan_activity", "it does not hold an activity feed (entries)");
      return feed.entries as ActivityEntry[];
    });
  }

  async putActivity(planId: string, entries: readonly ActivityEntry[]): Promise<void> {
    const body = JSON.stringify({ entries });
    await this.write(planId, (db) =>
      db.query(
        `INSERT INTO plan_activity (plan_id, body, crc) VALUES ($1, $2, $3)
         ON CONFLICT (plan_id) DO UPDATE SET body = EXCLUDED.body, crc = EXCLUDED.crc`,
        [planId, body, checksum(body)],
      ),
    );
  }

  // ── history (issue 14, replay) and scores ────────────────────────────────

  async getHistory(planId: string, part: Part, query: HistoryQuery, maxBytes: number): Promise<RawHistoryPage> {
    await this.guard(planId);
    if (!(await this.exists(planId))) throw new Error(`plan ${planId} does not exist`);
    return historyPage(this.pool, planId, part === "" ? "main" : part, query, maxBytes);
  }

  async appendScores(planId: string, points: readonly ScorePoint[]): Promise<void> {
    if (points.length === 0) {
      if (!(await this.exists(planId))) throw new Error(`plan ${planId} does not exist`);
      return;
    }
    await this.write(planId, (db) =>
      db.query(
        `INSERT INTO scores (plan_id, at, score)
         SELECT $1, u.a, u.s FROM unnest($2::float8[], $3::float8[]) WITH ORDINALITY AS u(a, s, n) ORDER BY u.n`,
        [planId, points.map((p) => p.at), points.map((p) => p.score)],
      ),
    );
  }

  async getScores(planId: string, from: number, to: number): Promise<ScorePoint[]> {
    if (!(await this.exists(planId))) throw new Error(`plan ${planId} does not exist`);
    const { rows } = await this.pool.query<ScorePoint>(
      `(SELECT at, score, id FROM scores WHERE plan_id = $1 AND at < $2 ORDER BY id DESC LIMIT 1)
       UNION ALL
       (SELECT at, score, id FROM scores WHERE plan_id = $1 AND at >= $2 AND at <= $3)
       ORDER BY id`,
      [planId, from, to],
    );
    return rows.map((r) => ({ at: r.at, score: r.score }));
  }

  // ── versions (issue 14) ─────────────────────────────────────────────────

  async getVersions(planId: string): Promise<StoredVersion[]> {
    await this.guard(planId);
    if (!(await this.exists(planId))) throw new Error(`plan ${planId} does not exist`);
    return this.versions.list(this.pool, planId);
  }

  async putVersion(planId: string, entry: VersionEntry, content: VersionContent): Promise<number> {
    return this.write(planId, (db) => this.versions.put(db, planId, entry, content));
  }

  async getVersionBody(planId: string, id: string): Promise<string | null> {
    await this.guard(planId);
    if (!(await this.exists(planId))) throw new Error(`plan ${planId} does not exist`);
    return this.versions.body(this.pool, planId, id);
  }

  async deleteVersions(planId: string, ids: readonly string[]): Promise<void> {
    await this.write(planId, (db) => this.versions.remove(db, planId, ids));
  }

  async keepData(planId: string, kind: KeptKind): Promise<number> {
    try {
      return await this.write(planId, (db) => this.versions.keep(db, planId, kind));
    } catch (e) {
      if (e instanceof DamagedError) throw this.refuse(e);
      throw e;
    }
  }

  async getKeptData(planId: string, kind: KeptKind, version: number): Promise<string | null> {
    return this.reading(planId, () => this.versions.kept(this.pool, planId, kind, version));
  }

  async keptVersions(planId: string, kind: KeptKind): Promise<number[]> {
    return this.versions.keptVersions(this.pool, planId, kind);
  }

  async dropKeptData(planId: string, kind: KeptKind, version: number): Promise<void> {
    await this.write(planId, (db) => this.versions.drop(db, planId, kind, version));
  }

  /** A copy of the rows (PostgreSQL's TOAST compresses them; no file to link). Fenced for `to`, the plan written. */
  async shareData(from: string, to: string, kind: KeptKind, version: number): Promise<boolean> {
    await this.guard(from);
    try {
      return await this.write(to, (db) => this.versions.share(db, from, to, kind, version));
    } catch (e) {
      if (e instanceof DamagedError) throw this.refuse(e);
      throw e;
    }
  }

  // ── server-wide data ─────────────────────────────────────────────────────

  async getServerData<K extends keyof ServerData>(kind: K): Promise<ServerData[K] | null> {
    if (kind === "demo-copies") {
      const { rows } = await this.pool.query<{ plan_id: string; created_at: string; last_used_at: string }>(
        "SELECT plan_id, created_at, last_used_at FROM demo_copies",
      );
      const copies = Object.fromEntries(
        rows.map((r) => [r.plan_id, { createdAt: r.created_at, lastUsedAt: r.last_used_at }]),
      );
      return { copies } as ServerData[K];
    }
    const { rows } = await this.pool.query<{ body: string; crc: string }>(
      "SELECT body, crc FROM server_data WHERE kind = $1",
      [kind],
    );
    const row = rows[0];
    if (!row) return null;
    if (!intact(row.body, row.crc)) throw new Error(`the server's ${kind} (table server_data) fails its checksum`);
    return JSON.parse(row.body) as ServerData[K];
  }

  /** The demo registry one row per copy (each instance writes only the entries it changed); the person key inserted only when none is stored. */
  async putServerData<K extends keyof ServerData>(kind: K, value: ServerDataWrite[K]): Promise<ServerData[K]> {
    if (kind === "demo-copies") {
      await transaction(this.pool, async (db) => {
        for (const [id, entry] of Object.entries((value as ServerDataWrite["demo-copies"]).copies)) {
          if (entry === null) await db.query("DELETE FROM demo_copies WHERE plan_id = $1", [id]);
          else
            await db.query(
              `INSERT INTO demo_copies (plan_id, created_at, last_used_at) VALUES ($1, $2, $3)
               ON CONFLICT (plan_id) DO UPDATE SET last_used_at = greatest(demo_copies.last_used_at, EXCLUDED.last_used_at)`,
              [id, entry.createdAt, entry.lastUsedAt],
            );
        }
      });
      return (await this.getServerData(kind)) as ServerData[K];
    }
    const body = JSON.stringify(mergeServerData(kind, null, value));
    await this.pool
      .query("INSERT INTO server_data (kind, body, crc) VALUES ($1, $2, $3) ON CONFLICT (kind) DO NOTHING", [
        kind,
        body,
        checksum(body),
      ])
      .catch((e: unknown) => {
        throw asPgWriteError(e);
      });
    return (await this.getServerData(kind)) as ServerData[K];
  }

  /**
   * Proves the database reachable and writable (`GET /api/ready`): writes a
   * fresh marker row, committed, and reads it back. Calls while one runs
   * share its answer.
   */
  ping(): Promise<void> {
    this.pinging ??= this.writeReadyMarker().finally(() => {
      this.pinging = null;
    });
    return this.pinging;
  }

  private pinging: Promise<void> | null = null;

  private async writeReadyMarker(): Promise<void> {
    const marker = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const { rows } = await this.pool
      .query<{ body: string }>(
        `INSERT INTO server_data (kind, body, crc) VALUES ('ready-marker', $1, 0)
         ON CONFLICT (kind) DO UPDATE SET body = EXCLUDED.body RETURNING body`,
        [marker],
      )
      .catch((e: unknown) => {
        throw asPgWriteError(e);
      });
    if (rows[0]?.body !== marker) throw new Error("the ready marker did not read back what was written");
  }

  /** Plans refused for damage right now. */
  damagedPlans(): string[] {
    return [...this.refused.keys()];
  }

  /** Waits for the appends of open documents, then closes the pool. */
  async close(): Promise<void> {
    await Promise.all([...this.documents].map((d) => d.close().catch(() => {})));
    await this.pool.end();
  }
}

function parseMeta(planId: string, row: { meta: string; crc: string }): PlanMeta {
  if (!intact(row.meta, row.crc)) throw new DamagedError(planId, "plans", "its meta fails its checksum");
  const meta = parseBody<PlanMeta>(planId, "plans", row.meta);
  if (typeof meta !== "object" || meta === null || meta.id !== planId)
    throw new DamagedError(planId, "plans", "it does not hold the plan's meta");
  return meta;
}

/** A checked blob's JSON; a DamagedError when it does not parse. */
function parseBody<T>(planId: string, where: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new DamagedError(planId, where, `it is not valid JSON (${(e as Error).message})`);
  }
}

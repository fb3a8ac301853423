import type pg from "pg";
import { DamagedError, FencedError, type StoredDocument, type UpdateMeta } from "../store.ts";
import { GroupCommit } from "../group-commit.ts";
import { asPgWriteError, checksum, intact } from "./db.ts";

/** What a document's rows hold when it opens. */
export interface LoadedDocument {
  updates: Uint8Array[];
  /** The generation appends continue in (the newest one with rows, or the snapshot's). */
  gen: number;
  /** Bytes of the updates since the snapshot. */
  logBytes: number;
  /** Time of the newest update with one (epoch ms), null when none has. */
  lastAt: number | null;
}

/**
 * A document from its snapshot row and its update rows since, every blob
 * checked: a mismatch is the plan's DamagedError (no second copy here:
 * PostgreSQL's WAL and backups are the operator's).
 */
export async function loadDocument(db: pg.Pool, planId: string, name: string): Promise<LoadedDocument> {
  const doc = await db.query<{ gen: number; snapshot: Buffer | null; crc: string | null }>(
    "SELECT gen, snapshot, crc FROM documents WHERE plan_id = $1 AND name = $2",
    [planId, name],
  );
  const row = doc.rows[0];
  const loaded: LoadedDocument = { updates: [], gen: row?.gen ?? 0, logBytes: 0, lastAt: null };
  if (row?.snapshot) {
    if (!intact(row.snapshot, row.crc))
      throw new DamagedError(planId, `documents/${name}`, `the snapshot of document "${name}" fails its checksum`);
    loaded.updates.push(new Uint8Array(row.snapshot));
  }
  const log = await db.query<{ id: string; gen: number; bytes: Buffer; crc: string; at: number | null }>(
    "SELECT id, gen, bytes, crc, at FROM updates WHERE plan_id = $1 AND name = $2 AND gen >= $3 ORDER BY id",
    [planId, name, loaded.gen],
  );
  for (const u of log.rows) {
    if (!intact(u.bytes, u.crc)) {
      throw new DamagedError(
        planId,
        `updates/${name}`,
        `update ${u.id} (generation ${u.gen}) fails its checksum, and the document cannot be rebuilt without it`,
      );
    }
    loaded.updates.push(new Uint8Array(u.bytes));
    loaded.logBytes += u.bytes.length;
    if (u.at !== null) loaded.lastAt = u.at;
    loaded.gen = Math.max(loaded.gen, u.gen);
  }
  return loaded;
}

/** What a document needs of its store. */
export interface DocumentHost {
  readonly pool: pg.Pool;
  /** The fence this store holds for the plan when fencing is on (undefined: none held), or null when fencing is off. */
  fenceFor(planId: string): number | null | undefined;
  /** Throws the plan's DamagedError while it is refused. */
  refusal(planId: string): Error | null;
  /** Runs a compaction's transaction (fenced like every write). */
  compact(planId: string, name: string, gen: number, state: Uint8Array, at: number): Promise<void>;
}

interface Pending {
  update: Uint8Array;
  /** The generation it was appended in (a compaction may start the next one before it is written). */
  gen: number;
  meta: UpdateMeta | null;
}

/**
 * One open document. Appends are group-committed: the first goes out at
 * once as one INSERT; those that arrive while it is in flight go together
 * in the next multi-row INSERT, one statement and so one transaction,
 * committed synchronously (synchronous_commit on) before any of them
 * resolves. With fencing, the INSERT selects its rows from the plan's fence
 * row locked FOR SHARE, so a takeover (takeFence's UPDATE) waits for it, and
 * once the fence has moved it inserts nothing: the batch is refused whole.
 */
export class PgDocument implements StoredDocument {
  private readonly commits = new GroupCommit<Pending>(
    (batch) => this.insert(batch),
    (e, batch) => {
      const error = asPgWriteError(e);
      // Only appends of the generation that failed: a compaction since has started afresh.
      const current = batch.at(-1)?.gen === this.gen;
      if (current) this.failed = error;
      return { error, dropQueued: current };
    },
  );
  /** After a failed batch every append is refused, as the file log does, until a compaction starts a new generation. */
  private failed: unknown = null;
  private compacting: Promise<void> = Promise.resolve();
  private bytes: number;
  private gen: number;
  private lastAt: number | null;
  readonly updates: readonly Uint8Array[];

  constructor(
    private readonly host: DocumentHost,
    private readonly planId: string,
    private readonly name: string,
    loaded: LoadedDocument,
  ) {
    this.updates = loaded.updates;
    this.gen = loaded.gen;
    this.bytes = loaded.logBytes;
    this.lastAt = loaded.lastAt;
  }

  get logBytes(): number {
    return this.bytes;
  }

  append(update: Uint8Array, meta?: UpdateMeta): Promise<void> {
    const refusal = this.host.refusal(this.planId);
    if (refusal) return Promise.reject(refusal);
    if (this.failed) return Promise.reject(this.failed);
    if (update.length === 0) return Promise.reject(new Error("an update cannot be empty"));
    if (meta) this.lastAt = meta.at;
    this.bytes += update.length;
    return this.commits.push({ update, gen: this.gen, meta: meta ?? null });
  }

  private async insert(batch: Pending[]): Promise<void> {
    const fence = this.host.fenceFor(this.planId);
    if (fence === undefined) throw new FencedError(this.planId);
    const params = [
      this.planId,
      this.name,
      batch.map((b) => b.gen),
      batch.map((b) => Buffer.from(b.update.buffer, b.update.byteOffset, b.update.byteLength)),
      batch.map((b) => checksum(b.update)),
      batch.map((b) => b.meta?.at ?? null),
      batch.map((b) => (b.meta?.by ? JSON.stringify(b.meta.by) : null)),
    ];
    const rows =
      "unnest($3::int[], $4::bytea[], $5::bigint[], $6::float8[], $7::text[]) WITH ORDINALITY AS u(g, b, c, a, y, n)";
    const result =
      fence === null
        ? await this.host.pool.query(
            `INSERT INTO updates (plan_id, name, gen, bytes, crc, at, author)
             SELECT $1, $2, u.g, u.b, u.c, u.a, u.y FROM ${rows} ORDER BY u.n`,
            params,
          )
        : await this.host.pool.query(
            `WITH f AS (SELECT 1 FROM plan_fences WHERE plan_id = $1 AND fence = $8 FOR SHARE)
             INSERT INTO updates (plan_id, name, gen, bytes, crc, at, author)
             SELECT $1, $2, u.g, u.b, u.c, u.a, u.y FROM f, ${rows} ORDER BY u.n`,
            [...params, fence],
          );
    if (result.rowCount !== batch.length) throw new FencedError(this.planId);
  }

  compact(state: Uint8Array): Promise<void> {
    // A new generation now, synchronously: appends after this call carry it, appends before it are in `state`.
    const gen = ++this.gen;
    this.bytes = 0;
    this.failed = null;
    const at = this.lastAt ?? Date.now();
    const before = this.commits.drain();
    const run = async () => {
      // Appends of the old generation land first, so history sees them in order.
      await before;
      const refusal = this.host.refusal(this.planId);
      if (refusal) throw refusal;
      await this.host.compact(this.planId, this.name, gen, state, at);
    };
    const next = this.compacting.then(run);
    this.compacting = next.catch(() => {});
    return next;
  }

  async close(): Promise<void> {
    await this.compacting;
    await this.commits.drain();
  }
}

import { promisify } from "node:util";
import { gunzip as gunzipCb, gzip as gzipCb } from "node:zlib";
import type pg from "pg";
import type { VersionContent } from "../../../shared/versions/content.ts";
import type { VersionEntry } from "../../../shared/versions/entry.ts";
import { DamagedFileError } from "../fs-errors.ts";
import { DamagedError, DamagedVersionError, type KeptKind, type StoredVersion } from "../store.ts";
import { packVersion, unpackVersion, unreadableEntry } from "../version-files.ts";
import { checksum, intact, type Queryable } from "./db.ts";
import { logger } from "../../ops/log.ts";

const versionsLog = logger("versions");

const gzip = promisify(gzipCb);
const gunzip = promisify(gunzipCb);

/**
 * Versions and the data they refer to in PostgreSQL (issue 14's VersionFiles):
 * `versions` rows hold the entry (JSON) and the body as the file store packs
 * it (packVersion: geometries binary), gzipped; `kept_data` rows hold the
 * accounts (competitors, unit layer) of one version each, as the current
 * row held them. Every blob is checked when read: a damaged version is a
 * DamagedVersionError (listed with `damaged`, never dropped); damaged
 * current data is the plan's DamagedError, as reading it would be.
 */
export class PgVersions {
  /** Damage found reading versions' bodies: `<plan>/<id>` → what. */
  private readonly damage = new Map<string, string>();

  async list(db: Queryable, planId: string): Promise<StoredVersion[]> {
    const { rows } = await db.query<{ id: string; entry: string; entry_crc: string }>(
      "SELECT id, entry, entry_crc FROM versions WHERE plan_id = $1 ORDER BY seq",
      [planId],
    );
    return rows.map((r) => {
      let entry: VersionEntry | null = null;
      if (intact(r.entry, r.entry_crc)) {
        try {
          entry = JSON.parse(r.entry) as VersionEntry;
        } catch {
          entry = null;
        }
      }
      if (!entry)
        return { ...unreadableEntry(r.id, new Date(0).toISOString(), 0), damaged: "its entry fails its checksum" };
      const damaged = this.damage.get(`${planId}/${r.id}`);
      return damaged ? { ...entry, damaged } : entry;
    });
  }

  async put(db: Queryable, planId: string, entry: VersionEntry, content: VersionContent): Promise<number> {
    const body = await gzip(packVersion(entry, content));
    const listed = JSON.stringify({ ...entry, bytes: body.length });
    await db.query("INSERT INTO versions (plan_id, id, entry, entry_crc, body, crc) VALUES ($1, $2, $3, $4, $5, $6)", [
      planId,
      entry.id,
      listed,
      checksum(listed),
      body,
      checksum(body),
    ]);
    this.damage.delete(`${planId}/${entry.id}`);
    return body.length;
  }

  async body(db: Queryable, planId: string, id: string): Promise<string | null> {
    const { rows } = await db.query<{ body: Buffer; crc: string }>(
      "SELECT body, crc FROM versions WHERE plan_id = $1 AND id = $2",
      [planId, id],
    );
    const row = rows[0];
    if (!row) return null;
    const file = `versions/${id}`;
    let problem: string;
    if (!intact(row.body, row.crc)) problem = "it fails its checksum";
    else {
      try {
        return unpackVersion(await gunzip(row.body), file);
      } catch (e) {
        if (e instanceof DamagedFileError) problem = e.damage;
        else if ((e as NodeJS.ErrnoException).code?.startsWith("Z_"))
          problem = `it does not decompress (${(e as Error).message})`;
        else throw e;
      }
    }
    this.damage.set(`${planId}/${id}`, problem);
    versionsLog.error({ planId, file, damage: problem }, "damaged; it is reported, not dropped");
    throw new DamagedVersionError(planId, file, problem);
  }

  async remove(db: Queryable, planId: string, ids: readonly string[]): Promise<void> {
    await db.query("DELETE FROM versions WHERE plan_id = $1 AND id = ANY($2::text[])", [planId, [...ids]]);
    for (const id of ids) this.damage.delete(`${planId}/${id}`);
  }

  forget(planId: string): void {
    for (const key of [...this.damage.keys()]) if (key.startsWith(`${planId}/`)) this.damage.delete(key);
  }

  // ── data kept for versions ───────────────────────────────────────────────

  /** The plan's current data of a kind, checked (a DamagedError when damaged); null when there is none. */
  async current(db: Queryable, planId: string, kind: KeptKind): Promise<{ version: number; body: string } | null> {
    const { rows } =
      kind === "accounts"
        ? await db.query<{ version: string; body: string; crc: string }>(
            "SELECT version, body, crc FROM plan_accounts WHERE plan_id = $1",
            [planId],
          )
        : await db.query<{ version: string; body: string; crc: string }>(
            "SELECT version, body, crc FROM plan_data WHERE plan_id = $1 AND kind = $2",
            [planId, kind],
          );
    const row = rows[0];
    if (!row) return null;
    if (!intact(row.body, row.crc)) throw new DamagedError(planId, currentName(kind), "it fails its checksum");
    return { version: Number(row.version), body: row.body };
  }

  async keep(db: Queryable, planId: string, kind: KeptKind): Promise<number> {
    const live = await this.current(db, planId, kind);
    if (!live || live.version === 0) return 0;
    await db.query(
      "INSERT INTO kept_data (plan_id, kind, version, body, crc) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
      [planId, kind, live.version, live.body, checksum(live.body)],
    );
    return live.version;
  }

  /** A kept version's JSON, checked; a DamagedVersionError when damaged, null when not kept. */
  private async keptRow(db: Queryable, planId: string, kind: KeptKind, version: number): Promise<string | null> {
    const { rows } = await db.query<{ body: string; crc: string }>(
      "SELECT body, crc FROM kept_data WHERE plan_id = $1 AND kind = $2 AND version = $3",
      [planId, kind, version],
    );
    const row = rows[0];
    if (!row) return null;
    if (!intact(row.body, row.crc)) {
      const file = `kept_data/${kind}-${version}`;
      versionsLog.error({ planId, file, damage: "it fails its checksum" }, "damaged; it is reported, not dropped");
      throw new DamagedVersionError(planId, file, "it fails its checksum");
    }
    return row.body;
  }

  async kept(db: Queryable, planId: string, kind: KeptKind, version: number): Promise<string | null> {
    const kept = await this.keptRow(db, planId, kind, version);
    if (kept !== null) return kept;
    const live = await this.current(db, planId, kind);
    return live?.version === version ? live.body : null;
  }

  async keptVersions(db: Queryable, planId: string, kind: KeptKind): Promise<number[]> {
    const { rows } = await db.query<{ version: string }>(
      "SELECT version FROM kept_data WHERE plan_id = $1 AND kind = $2 ORDER BY version",
      [planId, kind],
    );
    return rows.map((r) => Number(r.version));
  }

  async drop(db: Queryable, planId: string, kind: KeptKind, version: number): Promise<void> {
    await db.query("DELETE FROM kept_data WHERE plan_id = $1 AND kind = $2 AND version = $3", [planId, kind, version]);
  }

  /**
   * Makes `version` of a kind plan `to`'s current data, copied from `from`'s
   * current row (when it is that version) or its kept copy, and gives `to`
   * the kept copy too; false when `from` holds neither. In the caller's transaction.
   */
  async share(db: pg.PoolClient, from: string, to: string, kind: KeptKind, version: number): Promise<boolean> {
    const live = await this.current(db, from, kind);
    const kept = await this.keptRow(db, from, kind, version);
    const body = live?.version === version ? live.body : kept;
    if (body === null) return false;
    await putCurrent(db, to, kind, version, body);
    if (kept !== null) {
      await db.query(
        "INSERT INTO kept_data (plan_id, kind, version, body, crc) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        [to, kind, version, kept, checksum(kept)],
      );
    }
    return true;
  }
}

/** Where a kind's current data lives, as a DamagedError names it. */
export function currentName(kind: KeptKind | string): string {
  return kind === "accounts" ? "plan_accounts" : `plan_data/${kind}`;
}

/** Replaces a plan's current data of a kind (its accounts, or a PlanData row) with a stored JSON body. */
export async function putCurrent(
  db: Queryable,
  planId: string,
  kind: string,
  version: number,
  body: string,
): Promise<void> {
  if (kind === "accounts") {
    await db.query(
      `INSERT INTO plan_accounts (plan_id, version, body, crc) VALUES ($1, $2, $3, $4)
       ON CONFLICT (plan_id) DO UPDATE SET version = EXCLUDED.version, body = EXCLUDED.body, crc = EXCLUDED.crc`,
      [planId, version, body, checksum(body)],
    );
  } else {
    await db.query(
      `INSERT INTO plan_data (plan_id, kind, version, body, crc) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (plan_id, kind) DO UPDATE SET version = EXCLUDED.version, body = EXCLUDED.body, crc = EXCLUDED.crc`,
      [planId, kind, version, body, checksum(body)],
    );
  }
}

import fs from "node:fs/promises";
import path from "node:path";
import { Low } from "lowdb";
import { ID_PATTERN } from "../../shared/ids.ts";
import type { ActivityEntry } from "../../shared/activity/activity.ts";
import type { Part } from "../../shared/protocol/rooms.ts";
import { DurableJSONFile, fsyncDir } from "./durable-json-file.ts";
import type { Account } from "../../shared/scoring/accounts.ts";
import type { PlanMeta, PlanStore, StoredAccounts, StoredDocument } from "./store.ts";
import { UpdateLog } from "./update-log.ts";

/**
 * One lowdb file per plan (lowdb rewrites its whole file on every write, so
 * one file for everything would rewrite every plan on each compaction):
 *
 * ```
 * DATA_DIR/plans/<planId>/plan.json       meta + per document {snapshot (base64), logGen}
 * DATA_DIR/plans/<planId>/<doc>.<gen>.log update log since that snapshot (update-log.ts)
 * ```
 *
 * Loading applies the snapshot and every log that is still there; Yjs
 * updates are idempotent, so a log that a crash left behind after its
 * snapshot was written does no harm and is deleted.
 */
interface PlanFile {
  meta: PlanMeta;
  documents: Record<string, { snapshot: string; logGen: number }>;
}

export class LowdbStore implements PlanStore {
  private readonly root: string;
  private readonly files = new Map<string, Low<PlanFile>>();
  private readonly loading = new Map<string, Promise<Low<PlanFile> | null>>();
  /** One writer per feed file, so its writes are chained in order. */
  private readonly activityFiles = new Map<string, Low<{ entries: ActivityEntry[] }>>();

  constructor(dataDir: string) {
    this.root = path.join(dataDir, "plans");
  }

  private dir(planId: string): string {
    if (!ID_PATTERN.test(planId)) throw new Error(`bad plan id ${planId}`);
    return path.join(this.root, planId);
  }

  private async file(planId: string): Promise<Low<PlanFile> | null> {
    const cached = this.files.get(planId);
    if (cached) return cached;
    let pending = this.loading.get(planId);
    if (!pending) {
      pending = (async () => {
        const db = new Low<PlanFile>(new DurableJSONFile(path.join(this.dir(planId), "plan.json")), null as never);
        await db.read();
        if (!db.data) return null;
        this.files.set(planId, db);
        return db;
      })();
      this.loading.set(planId, pending);
      pending.finally(() => this.loading.delete(planId)).catch(() => {});
    }
    return pending;
  }

  /**
   * Writes plan.json in a temporary folder and renames the folder into place,
   * so a crash leaves either no plan or a whole one, never an empty folder
   * that blocks the id.
   */
  async createPlan(meta: PlanMeta): Promise<void> {
    const dir = this.dir(meta.id);
    await fs.mkdir(this.root, { recursive: true });
    const tmp = await fs.mkdtemp(path.join(this.root, `.new-${meta.id}-`));
    const db = new Low<PlanFile>(new DurableJSONFile(path.join(tmp, "plan.json")), { meta, documents: {} });
    try {
      await db.write();
      await fs.rename(tmp, dir);
    } catch (e) {
      await fs.rm(tmp, { recursive: true, force: true });
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EEXIST" || code === "ENOTEMPTY") throw new Error(`plan ${meta.id} exists`);
      throw e;
    }
    await fsyncDir(this.root);
    const placed = new Low<PlanFile>(new DurableJSONFile(path.join(dir, "plan.json")), db.data);
    this.files.set(meta.id, placed);
  }

  async getPlan(id: string): Promise<PlanMeta | null> {
    if (!ID_PATTERN.test(id)) return null;
    const db = await this.file(id);
    return db ? { ...db.data.meta } : null;
  }

  async updatePlan(id: string, fn: (meta: PlanMeta) => PlanMeta): Promise<PlanMeta> {
    const db = await this.file(id);
    if (!db) throw new Error(`plan ${id} does not exist`);
    db.data.meta = fn({ ...db.data.meta });
    await db.write();
    return { ...db.data.meta };
  }

  /**
   * The activity feed has its own lowdb file (`activity.json`): it grows
   * with every edit, and plan.json should stay small for compaction.
   */
  async getActivity(planId: string): Promise<ActivityEntry[]> {
    const db = new Low<{ entries: ActivityEntry[] } | null>(
      new DurableJSONFile(path.join(this.dir(planId), "activity.json")),
      null,
    );
    await db.read();
    return db.data?.entries ?? [];
  }

  async putActivity(planId: string, entries: readonly ActivityEntry[]): Promise<void> {
    let db = this.activityFiles.get(planId);
    if (!db) {
      db = new Low(new DurableJSONFile(path.join(this.dir(planId), "activity.json")), { entries: [] });
      this.activityFiles.set(planId, db);
    }
    db.data = { entries: [...entries] };
    await db.write();
  }

  async openDocument(planId: string, part: Part): Promise<StoredDocument> {
    const db = await this.file(planId);
    if (!db) throw new Error(`plan ${planId} does not exist`);
    const name = part === "" ? "main" : part;
    const dir = this.dir(planId);
    const entry = db.data.documents[name];
    const updates: Uint8Array[] = [];
    if (entry) updates.push(new Uint8Array(Buffer.from(entry.snapshot, "base64")));
    const snapshotGen = entry?.logGen ?? 0;
    const gens = (await fs.readdir(dir))
      .map((f) => new RegExp(`^${name}\\.(\\d+)\\.log$`).exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    let lastSize = 0;
    let cutTail = false;
    for (const gen of gens) {
      // Damage throws (a DamagedFileError): never loaded as if the log ended there.
      const { records, size, droppedBytes } = await UpdateLog.read(logPath(dir, name, gen));
      updates.push(...records);
      lastSize = size;
      cutTail = droppedBytes > 0;
    }
    // Logs older than the snapshot are already in it: a crash left them behind.
    for (const gen of gens) if (gen < snapshotGen) await fs.rm(logPath(dir, name, gen), { force: true });
    const currentGen = Math.max(snapshotGen, ...gens);
    const logBytes = gens.includes(currentGen) ? lastSize : 0;
    return new LowdbDocument(db, dir, name, currentGen, updates, logBytes, cutTail && gens.includes(currentGen));
  }

  /**
   * Accounts live in their own lowdb file (`accounts.json`): they are large
   * and change rarely, while plan.json is rewritten on every compaction.
   * Rows are stored as arrays (id, name, lon, lat, then one value per
   * metric) to keep 100,000 accounts to a few megabytes.
   */
  async getAccounts(planId: string): Promise<StoredAccounts | null> {
    const db = new Low<AccountsFile | null>(new DurableJSONFile(path.join(this.dir(planId), "accounts.json")), null);
    await db.read();
    const data = db.data;
    if (!data) return null;
    const accounts: Account[] = data.rows.map(([id, name, lon, lat, ...values]) => {
      const attrs: Record<string, number> = {};
      data.metrics.forEach((m, i) => {
        attrs[m] = values[i] ?? 0;
      });
      return { id, name, lon, lat, attrs };
    });
    return { version: data.version, importedAt: data.importedAt, accounts };
  }

  async putAccounts(planId: string, stored: StoredAccounts): Promise<void> {
    const metrics = [...new Set(stored.accounts.flatMap((a) => Object.keys(a.attrs)))].sort();
    const data: AccountsFile = {
      version: stored.version,
      importedAt: stored.importedAt,
      metrics,
      rows: stored.accounts.map((a) => [a.id, a.name, a.lon, a.lat, ...metrics.map((m) => a.attrs[m] ?? 0)]),
    };
    const db = new Low<AccountsFile>(new DurableJSONFile(path.join(this.dir(planId), "accounts.json")), data);
    await db.write();
  }

  async close(): Promise<void> {
    this.files.clear();
  }
}

interface AccountsFile {
  version: number;
  importedAt: string;
  metrics: string[];
  rows: [string, string, number, number, ...number[]][];
}

function logPath(dir: string, name: string, gen: number): string {
  return path.join(dir, `${name}.${gen}.log`);
}

class LowdbDocument implements StoredDocument {
  readonly updates: readonly Uint8Array[];
  private log: UpdateLog;
  private gen: number;
  private compacting: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Low<PlanFile>,
    private readonly dir: string,
    private readonly name: string,
    gen: number,
    updates: Uint8Array[],
    logBytes: number,
    cutTail: boolean,
  ) {
    this.gen = gen;
    this.updates = updates;
    this.log = new UpdateLog(logPath(dir, name, gen), logBytes, cutTail);
  }

  get logBytes(): number {
    return this.log.size;
  }

  append(update: Uint8Array): Promise<void> {
    return this.log.append(update);
  }

  compact(state: Uint8Array): Promise<void> {
    // Switch logs now, synchronously: appends after this call go to the new
    // log, appends before it are in `state`.
    const old = this.log;
    const gen = ++this.gen;
    this.log = new UpdateLog(logPath(this.dir, this.name, gen));
    const run = async () => {
      await old.close();
      this.db.data.documents[this.name] = { snapshot: Buffer.from(state).toString("base64"), logGen: gen };
      await this.db.write();
      await fs.rm(old.path, { force: true });
    };
    const next = this.compacting.then(run);
    this.compacting = next.catch(() => {});
    return next;
  }

  async close(): Promise<void> {
    await this.compacting;
    await this.log.close();
  }
}

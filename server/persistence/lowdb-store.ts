import fs from "node:fs/promises";
import path from "node:path";
import { crc32 } from "node:zlib";
import { Low } from "lowdb";
import type { ActivityEntry } from "../../shared/activity/activity.ts";
import { ID_PATTERN } from "../../shared/ids.ts";
import type { Part } from "../../shared/protocol/rooms.ts";
import { type AccountsFile, accountsFileProblem, fromAccountsFile, toAccountsFile } from "./accounts-file.ts";
import { DurableJSONFile, fsyncDir, removeTempFiles, TEMP_FILE } from "./durable-json-file.ts";
import { asWriteError, DamagedFileError } from "./fs-errors.ts";
import {
  type PlanData,
  DamagedError,
  type KeptKind,
  type StoredVersion,
  type PlanMeta,
  type PlanStore,
  type StoredAccounts,
  type StoredDocument,
  StorageWriteError,
  type ServerData,
  type ServerDataWrite,
} from "./store.ts";
import { mergeServerData } from "./server-data.ts";
import { HistoryFiles, type RawHistoryPage, type ScorePoint } from "./history-files.ts";
import { UpdateLog, type UpdateMeta } from "./update-log.ts";
import type { HistoryQuery } from "../../shared/history/history.ts";
import { VersionFiles } from "./version-files.ts";
import type { VersionContent } from "../../shared/versions/content.ts";
import type { VersionEntry } from "../../shared/versions/entry.ts";
import { logger } from "../ops/log.ts";

const storeLog = logger("store");

/**
 * One folder per plan (lowdb rewrites its whole file on every write, so one
 * file for everything would rewrite every plan on each compaction):
 *
 * ```
 * DATA_DIR/plans/<planId>/plan.json        meta + per document {snapshot (base64), crc32, logGen}
 * DATA_DIR/plans/<planId>/plan.prev.json   the second copy: plan.json as it was before the last compaction
 * DATA_DIR/plans/<planId>/<doc>.<gen>.log  update log since the snapshot of that generation (update-log.ts)
 * DATA_DIR/plans/<planId>/accounts.json    the accounts and their version
 * DATA_DIR/plans/<planId>/activity.json    the activity feed
 * DATA_DIR/plans/<planId>/versions/        versions and the data they refer to (version-files.ts)
 * DATA_DIR/plans/<planId>/history/         sealed logs and snapshots for replay, scores (history-files.ts)
 * DATA_DIR/plans/<planId>/damaged-<time>/  copies of files found damaged, for the operator
 * ```
 *
 * JSON files carry a CRC-32 (durable-json-file.ts), logs one per record.
 * A document is its snapshot plus every log from the snapshot's generation
 * on. A compaction keeps the plan.json it replaces as plan.prev.json and
 * keeps that snapshot's logs, so a second complete copy of every document
 * exists: a damaged plan.json (or snapshot) is recovered from plan.prev.json
 * and the logs since it. Damage with no complete copy left (a damaged record
 * in the middle of the newest log; accounts.json; activity.json) refuses
 * the plan with a DamagedError until an operator restores its files; the
 * damaged file is copied aside and nothing is written over it.
 */
const PLAN_FILE = "plan.json";
const PLAN_COPY = "plan.prev.json";
const ACCOUNTS_FILE = "accounts.json";
const ACTIVITY_FILE = "activity.json";
const LOG_FILE = /^(.+)\.(\d+)\.log$/;
const DAMAGED_DIR = /^damaged-/;

interface SnapshotEntry {
  /** The document's state (Y.encodeStateAsUpdate), base64. */
  snapshot: string;
  /** CRC-32 of the snapshot's bytes (absent in files from before checksums). */
  crc32?: number;
  /** The generation of the log that follows this snapshot. */
  logGen: number;
}

interface PlanFile {
  meta: PlanMeta;
  documents: Record<string, SnapshotEntry>;
}

/** Reference data files: `data-<kind>.json` (see PlanData). */
const dataFile = (kind: keyof PlanData) => `data-${kind}.json`;

type Gens = Record<string, number>;

/** A plan's plan.json in memory, and which log generations its two copies on disk still need. */
class PlanRecord {
  /** logGen per document of plan.json as it is on disk. */
  diskGens: Gens;
  /** …and of plan.prev.json; null when there is none (plans from before the second copy). */
  copyGens: Gens | null;

  constructor(
    readonly db: Low<PlanFile>,
    readonly adapter: DurableJSONFile<PlanFile>,
    copy: PlanFile | null,
  ) {
    this.diskGens = gensOf(db.data);
    this.copyGens = copy ? gensOf(copy) : null;
  }

  /** Logs of `name` before this generation are in both copies' snapshots. */
  keepFrom(name: string): number {
    const disk = this.diskGens[name] ?? 0;
    return this.copyGens ? Math.min(disk, this.copyGens[name] ?? 0) : disk;
  }
}

/**
 * Server-wide data (ServerData) in DATA_DIR itself, where the server kept it
 * before it went through the store: `person.key` (the key as base64url, one
 * line, readable by the server's user only) and `demo-copies.json`.
 */
const PERSON_KEY_FILE = "person.key";
const DEMO_COPIES_FILE = "demo-copies.json";

export class LowdbStore implements PlanStore {
  private readonly root: string;
  /** Writes of server data, chained (read, merge, write). */
  private serverWrites: Promise<unknown> = Promise.resolve();
  private readonly plans = new Map<string, PlanRecord>();
  private readonly loading = new Map<string, Promise<PlanRecord | null>>();
  /** One writer per feed file, so its writes are chained in order. */
  private readonly activityFiles = new Map<string, Low<{ entries: ActivityEntry[] }>>();
  /** Each open plan's versions (issue 14). */
  private readonly versionFiles = new Map<string, VersionFiles>();
  /** Each open plan's history for replay (issue 14). */
  private readonly histories = new Map<string, HistoryFiles>();
  /** Plans refused for damage, with the state of their files then: refused until those files change. */
  private readonly refused = new Map<string, { error: DamagedError; files: string }>();
  /** Leftovers of interrupted plan creations removed (startup). */
  private readonly ready: Promise<void>;

  constructor(private readonly dataDir: string) {
    this.root = path.join(dataDir, "plans");
    this.ready = this.removeUnfinishedPlans();
  }

  private dir(planId: string): string {
    if (!ID_PATTERN.test(planId)) throw new Error(`bad plan id ${planId}`);
    return path.join(this.root, planId);
  }

  // ── damage ───────────────────────────────────────────────────────────────

  /**
   * Throws the plan's DamagedError while its files are as they were when it
   * was refused. Once an operator has changed them, forgets the refusal so
   * they are read afresh.
   */
  private async guard(planId: string): Promise<void> {
    const refusal = this.refused.get(planId);
    if (!refusal) return;
    if ((await this.fileStates(planId)) === refusal.files) throw refusal.error;
    this.refused.delete(planId);
    this.plans.delete(planId);
    this.activityFiles.delete(planId);
    this.versionFiles.delete(planId);
    storeLog.info({ planId }, `its files have changed since they were found damaged; reading them again`);
  }

  /** The refusal of a plan, if it is refused (synchronous, for the durable path). */
  refusal(planId: string): DamagedError | null {
    return this.refused.get(planId)?.error ?? null;
  }

  /**
   * Refuses a plan: copies the damaged file aside, says which plan and which
   * file in the server log, and remembers it so every later call is refused
   * until the files change.
   */
  private async refuse(planId: string, file: string, damage: string): Promise<DamagedError> {
    const error = new DamagedError(planId, file, damage);
    const aside = await this.copyAside(planId, [file]);
    storeLog.error(
      { planId, file, damage, aside: aside ?? undefined },
      `${file} is damaged (${damage}) and no complete copy is left; ` +
        `the plan is refused until an operator restores its files (see server/README.md, Durability)` +
        (aside ? `; a copy of the damaged file is in ${aside}` : ""),
    );
    this.refused.set(planId, { error, files: await this.fileStates(planId) });
    this.plans.delete(planId);
    return error;
  }

  /** Copies files of a plan, untouched, into `damaged-<time>/` beside them; the folder's path, or null when nothing was copied. */
  private async copyAside(planId: string, files: string[]): Promise<string | null> {
    const dir = this.dir(planId);
    const aside = path.join(dir, `damaged-${new Date().toISOString().replace(/[:.]/g, "-")}`);
    let copied = 0;
    try {
      await fs.mkdir(aside, { recursive: true });
      for (const file of files) {
        try {
          await fs.mkdir(path.dirname(path.join(aside, file)), { recursive: true });
          await fs.copyFile(path.join(dir, file), path.join(aside, file));
          copied++;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
        }
      }
      await fsyncDir(aside);
    } catch (e) {
      storeLog.error({ planId }, `could not copy ${files.join(", ")} aside: ${(e as Error).message}`);
      return null;
    }
    return copied > 0 ? aside : null;
  }

  /** Name, size, time and inode of every stored file of a plan: changes when an operator replaces one. */
  private async fileStates(planId: string): Promise<string> {
    const dir = this.dir(planId);
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      return "";
    }
    const states: string[] = [];
    for (const name of names.sort()) {
      if (DAMAGED_DIR.test(name) || TEMP_FILE.test(name)) continue;
      try {
        const s = await fs.stat(path.join(dir, name));
        states.push(`${name}:${s.size}:${s.mtimeMs}:${s.ino}`);
      } catch {
        // Removed meanwhile.
      }
    }
    return states.join("|");
  }

  // ── plans ────────────────────────────────────────────────────────────────

  /**
   * Removes what interrupted plan creations and deletions left (`.new-<id>-…`
   * and `.deleted-<id>-…` folders): once, at startup.
   */
  private async removeUnfinishedPlans(): Promise<void> {
    let names: string[];
    try {
      names = await fs.readdir(this.root);
    } catch {
      return;
    }
    for (const name of names.filter((n) => n.startsWith(".new-") || n.startsWith(".deleted-"))) {
      await fs.rm(path.join(this.root, name), { recursive: true, force: true }).catch(() => {});
    }
  }

  private async record(planId: string): Promise<PlanRecord | null> {
    await this.guard(planId);
    const cached = this.plans.get(planId);
    if (cached) return cached;
    let pending = this.loading.get(planId);
    if (!pending) {
      pending = (async () => {
        await this.ready;
        // The first time this process opens the plan, before it writes anything there.
        await removeTempFiles(this.dir(planId));
        const record = await this.loadPlan(planId);
        if (record) this.plans.set(planId, record);
        return record;
      })();
      this.loading.set(planId, pending);
      pending.finally(() => this.loading.delete(planId)).catch(() => {});
    }
    return pending;
  }

  /**
   * Reads plan.json and its copy. A damaged (or missing) plan.json is
   * recovered from plan.prev.json when the copy and every log it needs are
   * intact; a damaged copy is replaced by a fresh copy of plan.json.
   */
  private async loadPlan(planId: string): Promise<PlanRecord | null> {
    const dir = this.dir(planId);
    const adapter = new DurableJSONFile<PlanFile>(path.join(dir, PLAN_FILE), { check: planFileProblem });
    const main = await readDamageable(adapter);
    const copy = await readDamageable(
      new DurableJSONFile<PlanFile>(path.join(dir, PLAN_COPY), { check: planFileProblem }),
    );
    if (main.data) {
      const db = new Low<PlanFile>(adapter, main.data);
      if (copy.damage === null) return new PlanRecord(db, adapter, copy.data);
      // The second copy is damaged, plan.json is fine: keep the damaged copy aside, make a new one.
      const aside = await this.copyAside(planId, [PLAN_COPY]);
      let replaced = false;
      if (aside) {
        try {
          await new DurableJSONFile<PlanFile>(path.join(dir, PLAN_COPY)).write(main.data);
          replaced = true;
        } catch (e) {
          storeLog.error({ planId }, `could not replace ${PLAN_COPY}: ${(e as Error).message}`);
        }
      }
      storeLog.error(
        { planId, file: PLAN_COPY, damage: copy.damage },
        `${PLAN_COPY} (the second copy) is damaged (${copy.damage}); plan.json is intact` +
          (replaced
            ? `, so a fresh copy of it replaces it (the damaged file is in ${aside})`
            : "; the next compaction replaces it"),
      );
      return new PlanRecord(db, adapter, replaced ? main.data : null);
    }
    const damage = main.damage ?? (copy.data || copy.damage ? "it is missing" : null);
    if (damage === null) return null; // no plan here
    if (!copy.data) {
      throw await this.refuse(
        planId,
        PLAN_FILE,
        copy.damage ? `${damage}; its copy ${PLAN_COPY} is damaged too (${copy.damage})` : `${damage}; it has no copy`,
      );
    }
    // The copy stands in only if everything it needs is there and intact.
    for (const name of await documentNames(dir, copy.data)) {
      const problem = (await readDocument(dir, name, copy.data.documents[name])).problem;
      if (problem) {
        throw await this.refuse(
          planId,
          PLAN_FILE,
          `${damage}; its copy ${PLAN_COPY} cannot stand in for it because ${problem.file} is damaged (${problem.damage})`,
        );
      }
    }
    const aside = main.damage ? await this.copyAside(planId, [PLAN_FILE]) : null;
    // Never write over a damaged file that could not be kept aside.
    if (main.damage && !aside) throw new StorageWriteError("read-only");
    await adapter.write(copy.data);
    storeLog.error(
      { planId, file: PLAN_FILE, damage },
      `${PLAN_FILE} was damaged (${damage}); recovered it completely from ${PLAN_COPY} and the logs since it` +
        (aside ? ` (the damaged file is in ${aside})` : ""),
    );
    const db = new Low<PlanFile>(adapter, copy.data);
    return new PlanRecord(db, adapter, copy.data);
  }

  /**
   * Writes plan.json and a second copy of it in a temporary folder and
   * renames the folder into place, so a crash leaves either no plan or a
   * whole one, never an empty folder that blocks the id.
   */
  async createPlan(meta: PlanMeta): Promise<void> {
    const dir = this.dir(meta.id);
    await this.ready;
    let tmp: string | null = null;
    try {
      await fs.mkdir(this.root, { recursive: true });
      tmp = await fs.mkdtemp(path.join(this.root, `.new-${meta.id}-`));
      const data: PlanFile = { meta, documents: {} };
      await new DurableJSONFile<PlanFile>(path.join(tmp, PLAN_FILE)).writeWithCopy(data, path.join(tmp, PLAN_COPY));
      await fs.rename(tmp, dir);
      tmp = null;
      await fsyncDir(this.root);
    } catch (e) {
      if (tmp) await fs.rm(tmp, { recursive: true, force: true }).catch(() => {});
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EEXIST" || code === "ENOTEMPTY") throw new Error(`plan ${meta.id} exists`);
      throw asWriteError(e);
    }
    const adapter = new DurableJSONFile<PlanFile>(path.join(dir, PLAN_FILE), { check: planFileProblem });
    const data: PlanFile = { meta, documents: {} };
    this.plans.set(meta.id, new PlanRecord(new Low(adapter, data), adapter, data));
  }

  async getPlan(id: string): Promise<PlanMeta | null> {
    if (!ID_PATTERN.test(id)) return null;
    const record = await this.record(id);
    return record ? { ...record.db.data.meta } : null;
  }

  /** Rewrites plan.json and its copy (the copy then holds the same snapshots: the new meta in both). */
  async updatePlan(id: string, fn: (meta: PlanMeta) => PlanMeta): Promise<PlanMeta> {
    const record = await this.record(id);
    if (!record) throw new Error(`plan ${id} does not exist`);
    record.db.data.meta = fn({ ...record.db.data.meta });
    const gens = gensOf(record.db.data);
    try {
      await record.adapter.writeWithCopy(record.db.data, path.join(this.dir(id), PLAN_COPY));
      record.diskGens = gens;
      record.copyGens = { ...gens };
    } catch (e) {
      record.copyGens = minGens(record.copyGens ?? record.diskGens, record.diskGens);
      throw e;
    }
    return { ...record.db.data.meta };
  }

  /**
   * Moves the plan's folder aside in one rename (so a crash leaves either
   * the whole plan or none of it), then removes it.
   */
  async deletePlan(id: string): Promise<boolean> {
    if (!ID_PATTERN.test(id)) return false;
    await this.loading.get(id)?.catch(() => null);
    const dir = this.dir(id);
    const trash = path.join(this.root, `.deleted-${id}-${Date.now().toString(36)}`);
    try {
      await fs.rename(dir, trash);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw asWriteError(e);
    }
    this.plans.delete(id);
    this.activityFiles.delete(id);
    this.versionFiles.delete(id);
    await this.histories
      .get(id)
      ?.close()
      .catch(() => {});
    this.histories.delete(id);
    this.refused.delete(id);
    await fsyncDir(this.root);
    await fs.rm(trash, { recursive: true, force: true });
    return true;
  }

  /** A compaction's write: plan.json as it was becomes plan.prev.json, the second copy. */
  async writeCompaction(record: PlanRecord, planId: string): Promise<void> {
    const before = record.diskGens;
    const gens = gensOf(record.db.data);
    try {
      await record.adapter.writeKeepingPrevious(record.db.data, path.join(this.dir(planId), PLAN_COPY));
      record.copyGens = before;
      record.diskGens = gens;
    } catch (e) {
      record.copyGens = minGens(record.copyGens ?? before, before);
      throw e;
    }
  }

  // ── documents ────────────────────────────────────────────────────────────

  async openDocument(planId: string, part: Part): Promise<StoredDocument> {
    const record = await this.record(planId);
    if (!record) throw new Error(`plan ${planId} does not exist`);
    const name = part === "" ? "main" : part;
    const dir = this.dir(planId);
    let loaded = await readDocument(dir, name, record.db.data.documents[name]);
    if (loaded.problem?.file === PLAN_FILE) {
      // The snapshot is damaged: the copy's snapshot and the logs since it are the second copy.
      const copy = await readDamageable(
        new DurableJSONFile<PlanFile>(path.join(dir, PLAN_COPY), { check: planFileProblem }),
      );
      const entry = copy.data?.documents[name];
      const fallback = copy.data ? await readDocument(dir, name, entry) : null;
      if (!fallback || fallback.problem) {
        const why = fallback?.problem
          ? `${fallback.problem.file} is damaged (${fallback.problem.damage})`
          : `${PLAN_COPY} ${copy.damage ? `is damaged (${copy.damage})` : "is missing"}`;
        throw await this.refuse(planId, PLAN_FILE, `${loaded.problem.damage}; no second copy: ${why}`);
      }
      const aside = await this.copyAside(planId, [PLAN_FILE]);
      if (!aside) throw new StorageWriteError("read-only");
      if (entry) record.db.data.documents[name] = entry;
      else delete record.db.data.documents[name];
      await record.adapter.write(record.db.data);
      record.diskGens = gensOf(record.db.data);
      storeLog.error(
        { planId, file: PLAN_FILE, damage: loaded.problem.damage },
        `the snapshot of document "${name}" in ${PLAN_FILE} was damaged (${loaded.problem.damage}); ` +
          `recovered it completely from ${PLAN_COPY} and the logs since it (the damaged file is in ${aside})`,
      );
      loaded = fallback;
    }
    if (loaded.problem) throw await this.refuse(planId, loaded.problem.file, loaded.problem.damage);
    for (const torn of loaded.torn) {
      storeLog.info(
        { planId },
        `${torn.file} ends with ${torn.what} that a crash left mid-write (never acknowledged); it is cut before the next append`,
      );
    }
    // Logs sealed before a crash kept history from linking them: history takes them first.
    const history = this.historyOf(planId);
    const sealedGens = ((await logGens(dir)).get(name) ?? []).filter((g) => g < loaded.lastGen);
    await history
      .sealStale(name, sealedGens, (gen) => logPath(dir, name, gen))
      .catch((e: Error) => {
        storeLog.error(
          { planId },
          `history could not take the logs of "${name}" before ${loaded.lastGen}: ${e.message}`,
        );
      });
    // Logs in both copies' snapshots are no longer needed (a crash may have left them).
    await removeLogsBefore(dir, name, record.keepFrom(name));
    const lastAt = loaded.lastAt;
    return new LowdbDocument(this, record, planId, dir, name, loaded.lastGen, loaded.updates, loaded.lastLog, lastAt);
  }

  // ── accounts and activity ────────────────────────────────────────────────

  /**
   * Accounts live in their own file (`accounts.json`), the one source of
   * truth for the accounts and their version: they are large and change
   * rarely, while plan.json is rewritten on every compaction. Rows are stored
   * as arrays (id, name, lon, lat, then one value per metric) to keep 100,000
   * accounts to a few megabytes.
   */
  async getAccounts(planId: string): Promise<StoredAccounts | null> {
    await this.guard(planId);
    const file = new DurableJSONFile<AccountsFile>(path.join(this.dir(planId), ACCOUNTS_FILE), {
      check: accountsFileProblem,
    });
    const { data, damage } = await readDamageable(file);
    if (damage !== null) throw await this.refuse(planId, ACCOUNTS_FILE, damage);
    return data ? fromAccountsFile(data) : null;
  }

  /**
   * The version from the head of accounts.json, so that loading a plan need
   * not parse 200,000 accounts to compare versions (the file writes its
   * version first). The head is not checked against the file's checksum:
   * whoever reads the accounts does that. A head that does not read as
   * expected falls back to reading the whole file.
   */
  async getAccountsVersion(planId: string): Promise<number> {
    await this.guard(planId);
    let head: string;
    try {
      const fh = await fs.open(path.join(this.dir(planId), ACCOUNTS_FILE), "r");
      try {
        const buf = Buffer.alloc(256);
        const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
        head = buf.subarray(0, bytesRead).toString("latin1");
      } finally {
        await fh.close();
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return 0;
      throw e;
    }
    const m = /^(?:\{"crc32":"[0-9a-f]{8}","data":)?\{"version":(\d{1,15}),"importedAt":/.exec(head);
    if (m) return Number(m[1]);
    return (await this.getAccounts(planId))?.version ?? 0;
  }

  /** One atomic replace of accounts.json: the accounts and their version land together or not at all. */
  async putAccounts(planId: string, stored: StoredAccounts): Promise<void> {
    if (!(await this.record(planId))) throw new Error(`plan ${planId} does not exist`);
    await new DurableJSONFile<AccountsFile>(path.join(this.dir(planId), ACCOUNTS_FILE)).write(toAccountsFile(stored));
  }

  /** Reference data (units, competitors, what an import replaced): one checksummed file per kind. */
  async getData<K extends keyof PlanData>(planId: string, kind: K): Promise<PlanData[K] | null> {
    await this.guard(planId);
    const name = dataFile(kind);
    const file = new DurableJSONFile<PlanData[K]>(path.join(this.dir(planId), name), {
      check: (v) => (isObject(v) ? null : `it does not hold the plan's ${kind}`),
    });
    const { data, damage } = await readDamageable(file);
    if (damage !== null) throw await this.refuse(planId, name, damage);
    return data ?? null;
  }

  async putData<K extends keyof PlanData>(planId: string, kind: K, value: PlanData[K] | null): Promise<void> {
    if (!(await this.record(planId))) throw new Error(`plan ${planId} does not exist`);
    const target = path.join(this.dir(planId), dataFile(kind));
    if (value === null) {
      await fs.rm(target, { force: true });
      return;
    }
    await new DurableJSONFile<PlanData[K]>(target).write(value);
  }

  /**
   * The activity feed has its own file (`activity.json`): it grows with
   * every edit, and plan.json should stay small for compaction.
   */
  async getActivity(planId: string): Promise<ActivityEntry[]> {
    await this.guard(planId);
    const file = new DurableJSONFile<{ entries: ActivityEntry[] }>(path.join(this.dir(planId), ACTIVITY_FILE), {
      check: activityFileProblem,
    });
    const { data, damage } = await readDamageable(file);
    if (damage !== null) throw await this.refuse(planId, ACTIVITY_FILE, damage);
    return data?.entries ?? [];
  }

  async putActivity(planId: string, entries: readonly ActivityEntry[]): Promise<void> {
    if (!(await this.record(planId))) throw new Error(`plan ${planId} does not exist`);
    let db = this.activityFiles.get(planId);
    if (!db) {
      db = new Low(new DurableJSONFile(path.join(this.dir(planId), ACTIVITY_FILE)), { entries: [] });
      this.activityFiles.set(planId, db);
    }
    db.data = { entries: [...entries] };
    await db.write();
  }

  // ── history (issue 14, replay) ───────────────────────────────────────────

  /** The plan's history files (one per plan, so its steps are chained). */
  historyOf(planId: string): HistoryFiles {
    let h = this.histories.get(planId);
    if (!h) {
      h = new HistoryFiles(this.dir(planId));
      this.histories.set(planId, h);
    }
    return h;
  }

  async getHistory(planId: string, part: Part, query: HistoryQuery, maxBytes: number): Promise<RawHistoryPage> {
    if (!(await this.record(planId))) throw new Error(`plan ${planId} does not exist`);
    const dir = this.dir(planId);
    const name = part === "" ? "main" : part;
    const live = ((await logGens(dir)).get(name) ?? []).map((gen) => ({ gen, file: logPath(dir, name, gen) }));
    return this.historyOf(planId).page(name, query, live, maxBytes);
  }

  async appendScores(planId: string, points: readonly ScorePoint[]): Promise<void> {
    if (!(await this.record(planId))) throw new Error(`plan ${planId} does not exist`);
    await this.historyOf(planId).appendScores(points);
  }

  async getScores(planId: string, from: number, to: number): Promise<ScorePoint[]> {
    if (!(await this.record(planId))) throw new Error(`plan ${planId} does not exist`);
    return this.historyOf(planId).scoresBetween(from, to);
  }

  // ── versions (issue 14) ─────────────────────────────────────────────────

  private async versionsOf(planId: string): Promise<VersionFiles> {
    await this.guard(planId);
    if (!(await this.record(planId))) throw new Error(`plan ${planId} does not exist`);
    let files = this.versionFiles.get(planId);
    if (!files) {
      const dir = this.dir(planId);
      const live: Record<KeptKind, string> = {
        accounts: ACCOUNTS_FILE,
        competitors: dataFile("competitors"),
        units: dataFile("units"),
      };
      files = new VersionFiles(
        planId,
        dir,
        (kind) => path.join(dir, live[kind]),
        (names) => this.copyAside(planId, names),
      );
      this.versionFiles.set(planId, files);
    }
    return files;
  }

  async getVersions(planId: string): Promise<StoredVersion[]> {
    return (await this.versionsOf(planId)).list();
  }

  async putVersion(planId: string, entry: VersionEntry, content: VersionContent): Promise<number> {
    return (await this.versionsOf(planId)).put(entry, content);
  }

  async getVersionBody(planId: string, id: string): Promise<string | null> {
    return (await this.versionsOf(planId)).body(id);
  }

  async deleteVersions(planId: string, ids: readonly string[]): Promise<void> {
    await (await this.versionsOf(planId)).remove(ids);
  }

  /** A damaged current file of the plan (its accounts, say) refuses the plan, as reading it would. */
  async keepData(planId: string, kind: KeptKind): Promise<number> {
    const files = await this.versionsOf(planId);
    try {
      return await files.keep(kind);
    } catch (e) {
      if (e instanceof DamagedFileError) throw await this.refuse(planId, e.file, e.damage);
      throw asWriteError(e);
    }
  }

  async getKeptData(planId: string, kind: KeptKind, version: number): Promise<string | null> {
    const files = await this.versionsOf(planId);
    try {
      return await files.kept(kind, version);
    } catch (e) {
      if (e instanceof DamagedFileError) throw await this.refuse(planId, e.file, e.damage);
      throw e;
    }
  }

  async keptVersions(planId: string, kind: KeptKind): Promise<number[]> {
    return (await this.versionsOf(planId)).keptVersions(kind);
  }

  async dropKeptData(planId: string, kind: KeptKind, version: number): Promise<void> {
    await (await this.versionsOf(planId)).drop(kind, version);
  }

  async shareData(from: string, to: string, kind: KeptKind, version: number): Promise<boolean> {
    const files = await this.versionsOf(from);
    try {
      return await files.shareInto(kind, version, await this.versionsOf(to));
    } catch (e) {
      if (e instanceof DamagedFileError) throw await this.refuse(from, e.file, e.damage);
      throw e;
    }
  }

  // ── the store as a whole ─────────────────────────────────────────────────

  async listPlans(): Promise<string[]> {
    await this.ready;
    let names: string[];
    try {
      names = await fs.readdir(this.root);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw e;
    }
    return names.filter((n) => ID_PATTERN.test(n));
  }

  async getServerData<K extends keyof ServerData>(kind: K): Promise<ServerData[K] | null> {
    if (kind === "person-key") {
      const file = path.join(this.dataDir, PERSON_KEY_FILE);
      try {
        return { key: (await fs.readFile(file, "utf8")).trim() } as ServerData[K];
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw new Error(`${file} cannot be read: ${(e as Error).message}`);
      }
    }
    return (await new DurableJSONFile<ServerData[K]>(path.join(this.dataDir, DEMO_COPIES_FILE)).read()) ?? null;
  }

  putServerData<K extends keyof ServerData>(kind: K, value: ServerDataWrite[K]): Promise<ServerData[K]> {
    const run = async () => {
      const current = await this.getServerData(kind);
      const next = mergeServerData(kind, current, value);
      if (next === current) return next;
      await fs.mkdir(this.dataDir, { recursive: true });
      if (kind === "person-key") await writePersonKey(this.dataDir, (next as ServerData["person-key"]).key);
      else await new DurableJSONFile<ServerData[K]>(path.join(this.dataDir, DEMO_COPIES_FILE)).write(next);
      return next;
    };
    const next = this.serverWrites.then(run);
    this.serverWrites = next.catch(() => {});
    return next;
  }

  /**
   * Writes `plans/.ready` with a fresh value, syncs it, and reads it back.
   * Calls while one runs share its answer: they would overwrite each other's marker.
   */
  ping(): Promise<void> {
    this.pinging ??= this.writeReadyMarker().finally(() => {
      this.pinging = null;
    });
    return this.pinging;
  }

  private pinging: Promise<void> | null = null;

  private async writeReadyMarker(): Promise<void> {
    await this.ready;
    const file = path.join(this.root, READY_MARKER);
    const marker = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    try {
      await fs.mkdir(this.root, { recursive: true });
      const handle = await fs.open(file, "w");
      try {
        await handle.writeFile(marker, "utf8");
        await handle.datasync();
      } finally {
        await handle.close();
      }
    } catch (e) {
      throw asWriteError(e);
    }
    const read = await fs.readFile(file, "utf8");
    if (read !== marker) throw new Error(`${READY_MARKER} did not read back what was written to it`);
  }

  damagedPlans(): string[] {
    return [...this.refused.keys()];
  }

  async close(): Promise<void> {
    for (const h of this.histories.values()) await h.close().catch(() => {});
    this.histories.clear();
    this.plans.clear();
    this.versionFiles.clear();
  }
}

/** person.key, readable by the server's user only, renamed into place whole so a crash never leaves half a key. */
async function writePersonKey(dataDir: string, key: string): Promise<void> {
  const file = path.join(dataDir, PERSON_KEY_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const fh = await fs.open(tmp, "w", 0o600);
    try {
      await fh.writeFile(`${key}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, file);
    await fsyncDir(dataDir);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw asWriteError(e);
  }
}

/** The file `ping` writes and reads back in `plans/` (not a plan: plan ids never start with a dot). */
const READY_MARKER = ".ready";

function logPath(dir: string, name: string, gen: number): string {
  return path.join(dir, `${name}.${gen}.log`);
}

/** A file read that tells damage apart from other failures (which are thrown). */
async function readDamageable<T>(file: DurableJSONFile<T>): Promise<{ data: T | null; damage: string | null }> {
  try {
    return { data: await file.read(), damage: null };
  } catch (e) {
    if (e instanceof DamagedFileError) return { data: null, damage: e.damage };
    throw e;
  }
}

/** The log generations of each document in the folder, ascending. */
async function logGens(dir: string): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const f of await fs.readdir(dir)) {
    const m = LOG_FILE.exec(f);
    if (!m) continue;
    const list = out.get(m[1] as string) ?? [];
    list.push(Number(m[2]));
    out.set(m[1] as string, list);
  }
  for (const list of out.values()) list.sort((a, b) => a - b);
  return out;
}

/** Documents that a plan file and the logs beside it hold. */
async function documentNames(dir: string, plan: PlanFile): Promise<string[]> {
  return [...new Set([...Object.keys(plan.documents), ...(await logGens(dir)).keys()])];
}

interface LoadedDocument {
  updates: Uint8Array[];
  /** The newest log generation (the one to append to). */
  lastGen: number;
  /** Intact bytes of the newest log, and whether a torn tail follows them. */
  lastLog: { size: number; cutTail: boolean };
  torn: { file: string; what: string }[];
  problem: { file: string; damage: string } | null;
  /** Time of the newest update with one (epoch ms), null when none has. */
  lastAt: number | null;
}

/** A document from a snapshot entry and every log from its generation on, with the first damage found. */
async function readDocument(dir: string, name: string, entry: SnapshotEntry | undefined): Promise<LoadedDocument> {
  const loaded: LoadedDocument = {
    updates: [],
    lastGen: entry?.logGen ?? 0,
    lastLog: { size: 0, cutTail: false },
    torn: [],
    problem: null,
    lastAt: null,
  };
  if (entry) {
    const bytes = new Uint8Array(Buffer.from(entry.snapshot, "base64"));
    if (entry.crc32 !== undefined && crc32(bytes) !== entry.crc32) {
      loaded.problem = { file: PLAN_FILE, damage: `the snapshot of document "${name}" fails its checksum` };
      return loaded;
    }
    loaded.updates.push(bytes);
  }
  const gens = ((await logGens(dir)).get(name) ?? []).filter((g) => g >= loaded.lastGen);
  for (const gen of gens) {
    const file = `${name}.${gen}.log`;
    try {
      const log = await UpdateLog.read(logPath(dir, name, gen));
      loaded.updates.push(...log.records);
      for (const m of log.metas) if (m) loaded.lastAt = m.at;
      if (log.torn) loaded.torn.push({ file, what: log.torn });
      loaded.lastGen = gen;
      loaded.lastLog = { size: log.size, cutTail: log.droppedBytes > 0 };
    } catch (e) {
      if (!(e instanceof DamagedFileError)) throw e;
      loaded.problem = { file, damage: e.damage };
      return loaded;
    }
  }
  return loaded;
}

/** Removes a document's logs older than `gen` (best effort: a read-only folder keeps them, harmlessly). */
async function removeLogsBefore(dir: string, name: string, gen: number): Promise<void> {
  for (const old of ((await logGens(dir)).get(name) ?? []).filter((g) => g < gen)) {
    await fs.rm(logPath(dir, name, old), { force: true }).catch(() => {});
  }
}

function gensOf(plan: PlanFile): Gens {
  return Object.fromEntries(Object.entries(plan.documents).map(([name, e]) => [name, e.logGen]));
}

function minGens(a: Gens, b: Gens): Gens {
  const out: Gens = {};
  for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) out[name] = Math.min(a[name] ?? 0, b[name] ?? 0);
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function planFileProblem(v: unknown): string | null {
  if (!isObject(v) || !isObject(v.meta) || typeof v.meta.id !== "string" || !isObject(v.documents)) {
    return "it does not hold a plan (meta and documents)";
  }
  for (const [name, e] of Object.entries(v.documents)) {
    if (!isObject(e) || typeof e.snapshot !== "string" || !Number.isInteger(e.logGen)) {
      return `its entry for document "${name}" is not a snapshot`;
    }
  }
  return null;
}

function activityFileProblem(v: unknown): string | null {
  return isObject(v) && Array.isArray(v.entries) ? null : "it does not hold an activity feed (entries)";
}

class LowdbDocument implements StoredDocument {
  readonly updates: readonly Uint8Array[];
  private log: UpdateLog;
  private gen: number;
  private compacting: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: LowdbStore,
    private readonly record: PlanRecord,
    private readonly planId: string,
    private readonly dir: string,
    private readonly name: string,
    gen: number,
    updates: Uint8Array[],
    last: { size: number; cutTail: boolean },
    /** Time of the newest update stored (a snapshot's time in history). */
    private lastAt: number | null = null,
  ) {
    this.gen = gen;
    this.updates = updates;
    this.log = new UpdateLog(logPath(dir, name, gen), last.size, last.cutTail);
  }

  get logBytes(): number {
    return this.log.size;
  }

  append(update: Uint8Array, meta?: UpdateMeta): Promise<void> {
    // A plan refused for damage found elsewhere (its accounts, say) takes no more writes.
    const refusal = this.store.refusal(this.planId);
    if (refusal) return Promise.reject(refusal);
    if (meta) this.lastAt = meta.at;
    return this.log.append(update, meta);
  }

  compact(state: Uint8Array): Promise<void> {
    // Switch logs now, synchronously: appends after this call go to the new
    // log, appends before it are in `state`.
    const old = this.log;
    const gen = ++this.gen;
    this.log = new UpdateLog(logPath(this.dir, this.name, gen));
    const at = this.lastAt ?? Date.now();
    const run = async () => {
      await old.close();
      const refusal = this.store.refusal(this.planId);
      if (refusal) throw refusal;
      // History takes the sealed log (and maybe this state) before anything can remove it; it
      // never fails the compaction: without it replay has a gap, without the compaction the log grows.
      await this.store
        .historyOf(this.planId)
        .onCompaction(this.name, gen, state, at, old.path)
        .catch((e: Error) =>
          storeLog.error({ planId: this.planId }, `history of "${this.name}" at ${gen}: ${e.message}`),
        );
      this.record.db.data.documents[this.name] = {
        snapshot: Buffer.from(state).toString("base64"),
        crc32: crc32(state),
        logGen: gen,
      };
      await this.store.writeCompaction(this.record, this.planId);
      // The previous snapshot (now plan.prev.json) and its logs stay: they are the second copy.
      await removeLogsBefore(this.dir, this.name, this.record.keepFrom(this.name));
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

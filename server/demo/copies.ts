import type { Role } from "../../shared/access/roles.ts";
import { newId } from "../../shared/ids.ts";
import { newAccess } from "../access/tokens.ts";
import type { DemoCopyEntry, PlanStore } from "../persistence/store.ts";
import type { DemoTemplate } from "./seed.ts";
import { logger } from "../ops/log.ts";

const demoLog = logger("demo");

/**
 * Copies of the demo plan, one per visitor (issue 9, item 7). Nobody shares
 * an edit link: `GET /api/demo` makes a new plan from the demo template with
 * links of its own, and the landing page remembers it so that the visitor's
 * windows open the same copy.
 *
 * Copies nobody has used for `ttlDays` are deleted, at start and then
 * periodically. "Used" is a socket open on it or a REST call that loaded it:
 * the time is noted when its room loads and when it unloads, and a copy
 * whose room is loaded (`inUse`) is never deleted.
 *
 * Which plans are copies, and when each was last used, is server data of
 * the store ("demo-copies": `DATA_DIR/demo-copies.json` in the file store,
 * one row per copy in PostgreSQL); each copy's meta also says it is one, and
 * the sweep deletes nothing whose meta does not. Several instances on one
 * database share the registry: they write only the entries they changed
 * (the store merges them), and each sweep reads it afresh.
 */
export interface DemoCopiesOptions {
  /** Idle days before a copy is deleted; 0: copies are kept forever. */
  ttlDays: number;
}

export interface DemoCopiesHooks {
  /** Whether the plan is open now (a room loaded, a socket connected). */
  inUse(planId: string): boolean;
  /** Deletes a plan, unless it is in use by then; true when it was deleted. */
  deleteIfIdle(planId: string): Promise<boolean>;
  /** What a copy starts from (built once, in the jobs worker). */
  template(): Promise<DemoTemplate>;
}

export interface DemoCopy {
  id: string;
  name: string;
  createdAt: string;
  tokens: Record<Role, string>;
}

/** How long noted uses wait before they are written together. */
const SAVE_DELAY_MS = 5_000;

export class DemoCopies {
  /** The registry as last read, with this instance's changes. */
  private copies: Record<string, DemoCopyEntry> = {};
  /** Changes not written yet (null: removed). */
  private pending: Record<string, DemoCopyEntry | null> = {};
  private loaded = false;
  private timer: NodeJS.Timeout | null = null;
  private saveTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<string[]> | null = null;
  private readonly ttlMs: number;

  constructor(
    private readonly store: PlanStore,
    opts: DemoCopiesOptions,
    private readonly hooks: DemoCopiesHooks,
    private readonly now: () => number = Date.now,
  ) {
    this.ttlMs = opts.ttlDays * 24 * 3600 * 1000;
  }

  /** Reads the registry, sweeps once and then every tenth of the idle time (at most hourly). */
  async start(): Promise<void> {
    await this.load();
    await this.sweep();
    if (this.ttlMs <= 0) return;
    const every = Math.max(250, Math.min(3600_000, this.ttlMs / 10));
    this.timer = setInterval(() => {
      this.sweep().catch((e: Error) => demoLog.error({ err: e }, "sweeping copies failed"));
    }, every);
    this.timer.unref();
  }

  /** Reads the registry afresh (other instances may have added copies), this instance's unwritten changes on top. */
  private async load(): Promise<void> {
    try {
      this.copies = { ...((await this.store.getServerData("demo-copies"))?.copies ?? {}) };
    } catch (e) {
      // Read before: sweep what was known. Never read: no copy is deleted (none is known), nothing is lost.
      if (this.loaded) return;
      demoLog.error(`${(e as Error).message}; idle demo copies made before are not deleted`);
    }
    for (const [id, entry] of Object.entries(this.pending)) {
      if (entry) this.copies[id] = entry;
      else delete this.copies[id];
    }
    this.loaded = true;
  }

  /** A new copy of the demo, with its own id and links. Resolves once everything is on disk. */
  async make(): Promise<DemoCopy> {
    if (!this.loaded) await this.load();
    const template = await this.hooks.template();
    const id = newId(12);
    const createdAt = new Date(this.now()).toISOString();
    // Registered before it exists: a crash in between leaves an entry the sweep drops, never an unknown copy.
    const entry = { createdAt, lastUsedAt: createdAt };
    await this.store.putServerData("demo-copies", { copies: { [id]: entry } });
    this.copies[id] = entry;
    const { access, tokens } = newAccess();
    try {
      await this.store.createPlan({ id, name: template.name, createdAt, access, demoCopy: { createdAt } });
      await this.store.putAccounts(id, { version: 1, importedAt: createdAt, accounts: template.accounts });
      await this.store.putData(id, "competitors", {
        version: 1,
        importedAt: createdAt,
        accounts: template.competitors,
      });
      // The layer before the document that names its version (server/units/units.ts).
      await this.store.putData(id, "units", template.units);
      const doc = await this.store.openDocument(id, "");
      try {
        await doc.append(template.update);
      } finally {
        await doc.close();
      }
    } catch (e) {
      await this.store.deletePlan(id).catch(() => false);
      this.change(id, null);
      throw e;
    }
    return { id, name: template.name, createdAt, tokens };
  }

  /** Notes that a plan was used now (its room loaded or unloaded); ignored for plans that are not copies. */
  touch(planId: string): void {
    const entry = this.loaded ? this.copies[planId] : undefined;
    if (!entry) return;
    this.change(planId, { ...entry, lastUsedAt: new Date(this.now()).toISOString() });
  }

  /** Forgets a copy that was deleted by other means (DELETE /api/plans/:id). */
  forget(planId: string): void {
    if (!this.loaded || !this.copies[planId]) return;
    this.change(planId, null);
  }

  /** Notes a change of one entry, written with the next save. */
  private change(planId: string, entry: DemoCopyEntry | null): void {
    if (entry) this.copies[planId] = entry;
    else delete this.copies[planId];
    this.pending[planId] = entry;
    this.scheduleSave();
  }

  /** Deletes the copies idle for longer than the idle time; returns their ids. */
  sweep(): Promise<string[]> {
    this.sweeping ??= this.sweepOnce().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  private async sweepOnce(): Promise<string[]> {
    await this.load();
    const deleted: string[] = [];
    let changed = false;
    const now = this.now();
    for (const [id, entry] of Object.entries(this.copies)) {
      if (this.hooks.inUse(id)) {
        this.change(id, { ...entry, lastUsedAt: new Date(now).toISOString() });
        changed = true;
        continue;
      }
      if (this.ttlMs <= 0 || now - Date.parse(entry.lastUsedAt) < this.ttlMs) continue;
      let meta: Awaited<ReturnType<PlanStore["getPlan"]>>;
      try {
        meta = await this.store.getPlan(id);
      } catch (e) {
        demoLog.error({ planId: id, err: e }, "a demo copy cannot be read; left as it is");
        continue;
      }
      if (meta && !meta.demoCopy) {
        demoLog.error({ planId: id }, "listed as a demo copy but is not one; not deleting it");
      } else if (meta && !(await this.hooks.deleteIfIdle(id))) {
        continue; // opened meanwhile
      } else if (meta) {
        deleted.push(id);
      }
      this.change(id, null);
      changed = true;
    }
    if (changed) await this.save();
    if (deleted.length > 0)
      demoLog.info(
        { deleted: deleted.length, idleDays: this.ttlMs / 86_400_000 },
        `deleted ${deleted.length} demo copies idle for ${this.ttlMs / 86_400_000} days`,
      );
    return deleted;
  }

  private scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this.save().catch((e: Error) => demoLog.error({ err: e }, "saving the copies list failed"));
    }, SAVE_DELAY_MS);
    this.saveTimer.unref();
  }

  private async save(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = null;
    }
    const pending = this.pending;
    this.pending = {};
    if (Object.keys(pending).length === 0) return;
    try {
      await this.store.putServerData("demo-copies", { copies: pending });
    } catch (e) {
      // Kept for the next save, unless changed again meanwhile.
      this.pending = { ...pending, ...this.pending };
      throw e;
    }
  }

  /** Stops sweeping and writes what is pending. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.loaded) await this.save();
  }
}

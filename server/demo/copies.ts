import path from "node:path";
import { Low } from "lowdb";
import type { Role } from "../../shared/access/roles.ts";
import { newId } from "../../shared/ids.ts";
import { newAccess } from "../access/tokens.ts";
import { DurableJSONFile } from "../persistence/durable-json-file.ts";
import type { PlanStore } from "../persistence/store.ts";
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
 * Which plans are copies, and when each was last used, is kept in
 * `DATA_DIR/demo-copies.json`; each copy's meta also says it is one, and the
 * sweep deletes nothing whose meta does not.
 */
interface Registry {
  copies: Record<string, { createdAt: string; lastUsedAt: string }>;
}

export interface DemoCopiesOptions {
  dataDir: string;
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
  private readonly db: Low<Registry>;
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
    this.db = new Low(new DurableJSONFile(path.join(opts.dataDir, "demo-copies.json")), { copies: {} });
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

  private async load(): Promise<void> {
    if (this.loaded) return;
    try {
      await this.db.read();
    } catch (e) {
      // Unreadable: no copy is deleted (none is known), nothing is lost; new copies start a new file.
      demoLog.error(`${(e as Error).message}; idle demo copies made before are not deleted`);
    }
    this.db.data ??= { copies: {} };
    this.db.data.copies ??= {};
    this.loaded = true;
  }

  /** A new copy of the demo, with its own id and links. Resolves once everything is on disk. */
  async make(): Promise<DemoCopy> {
    await this.load();
    const template = await this.hooks.template();
    const id = newId(12);
    const createdAt = new Date(this.now()).toISOString();
    // Registered before it exists: a crash in between leaves an entry the sweep drops, never an unknown copy.
    this.db.data.copies[id] = { createdAt, lastUsedAt: createdAt };
    await this.db.write();
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
      delete this.db.data.copies[id];
      this.scheduleSave();
      throw e;
    }
    return { id, name: template.name, createdAt, tokens };
  }

  /** Notes that a plan was used now (its room loaded or unloaded); ignored for plans that are not copies. */
  touch(planId: string): void {
    const entry = this.loaded ? this.db.data.copies[planId] : undefined;
    if (!entry) return;
    entry.lastUsedAt = new Date(this.now()).toISOString();
    this.scheduleSave();
  }

  /** Forgets a copy that was deleted by other means (DELETE /api/plans/:id). */
  forget(planId: string): void {
    if (!this.loaded || !this.db.data.copies[planId]) return;
    delete this.db.data.copies[planId];
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
    for (const [id, entry] of Object.entries(this.db.data.copies)) {
      if (this.hooks.inUse(id)) {
        entry.lastUsedAt = new Date(now).toISOString();
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
      delete this.db.data.copies[id];
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
    await this.db.write();
  }

  /** Stops sweeping and writes what is pending. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.loaded && this.saveTimer) await this.save();
  }
}

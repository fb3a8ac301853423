import { can, type Role } from "../../shared/access/roles.ts";
import type { ActivityKind } from "../../shared/activity/activity.ts";
import type { Analysis } from "../../shared/scoring/types.ts";
import type { Comparison } from "../../shared/versions/compare.ts";
import { t, tn } from "../i18n/i18n.svelte.ts";
import { ApiError, type UndoableImport } from "../lib/api.ts";
import {
  compareVersions,
  deleteVersion,
  getPlanTerritories,
  getVersionAnalysis,
  getVersionTerritories,
  listVersions,
  restoreVersion,
  saveVersion,
  undoRestore,
} from "../lib/versions-api.ts";
import type { PlanSession } from "../sync/provider.ts";
import { parseTerritories, type VersionTerritory } from "../versions/compare.ts";
import {
  parseComparison,
  parseRestore,
  parseRestoreUndo,
  parseVersion,
  parseVersionList,
  type RestoreAnswer,
  type RestoreUndoAnswer,
  type VersionItem,
} from "../versions/parse.ts";
import { checkpointBefore, versionTitle } from "../versions/text.ts";
import type { Notices } from "./notices.svelte.ts";

/** A version's analysis as `GET …/versions/:vid/analysis` gives it (no per-account assignment). */
export type VersionAnalysis = Omit<Analysis, "accountTerritory">;

/** What the map shows instead of the plan now: one version, or two compared. */
export type Showing =
  | { kind: "view"; version: VersionItem; territories: VersionTerritory[]; analysis: VersionAnalysis | null }
  | {
      kind: "compare";
      from: VersionItem;
      /** The later side: a version, or null for the plan now. */
      to: VersionItem | null;
      comparison: Comparison;
      before: VersionTerritory[];
      after: VersionTerritory[];
      /** When it was compared (a comparison with now goes stale as people edit). */
      at: number;
    };

/** A restore this page made, shown with its Undo until taken back or replaced. */
export interface RestoreDone {
  answer: RestoreAnswer;
  accounts: boolean;
  undone: RestoreUndoAnswer | null;
}

/** Feed entries after which the list has a new version or checkpoint (the server takes one before each). */
const REFRESH_KINDS: ReadonlySet<ActivityKind> = new Set<ActivityKind>([
  "version-saved",
  "version-restored",
  "version-restore-undone",
  "scenario-promoted",
  "scenario-promote-undone",
  "accounts-imported",
  "competitors-imported",
  "territories-imported",
  "units-created",
  "units-removed",
  "proposal-accepted",
  "import-undone",
]);
/** While the panel is open, the list is asked again this often: checkpoints taken while people edit are not in the feed. */
const POLL_MS = 60_000;

/**
 * The plan's versions in the browser (issue 14): the list (newest first,
 * fetched when the History panel first shows and again after each feed
 * entry that makes a version, on reconnect, and every minute while the
 * panel is open), a manager's save / delete / restore / take back, and what
 * the map shows instead of the plan now (one version opened, or two
 * compared). Refusals are said in the server's words.
 */
export class VersionsState {
  list = $state.raw<VersionItem[]>([]);
  loaded = $state(false);
  loading = $state(false);
  error = $state<string | null>(null);
  /** Whether the History panel is on screen. */
  visible = $state(false);
  saving = $state(false);
  /** Version id → what a manager is doing to it. */
  busy = $state.raw<ReadonlyMap<string, "delete" | "restore" | "open" | "compare">>(new Map());
  /** What the map shows instead of the plan now; null: the plan now. */
  showing = $state.raw<Showing | null>(null);
  /** A version being opened or a comparison being made: what is asked. */
  pending = $state<{ kind: "view" | "compare"; id: string } | null>(null);
  /** The latest restore this page made (with its Undo). */
  restored = $state.raw<RestoreDone | null>(null);
  undoing = $state(false);
  /** A version to show in the panel (a feed entry's link): bumped so the sidebar switches to History. */
  revealed = $state(0);
  focus = $state<string | null>(null);

  #session: PlanSession;
  #notices: Notices;
  #role: () => Role;
  #offs: (() => void)[] = [];
  #abort: AbortController | null = null;
  #showAbort: AbortController | null = null;
  #refreshTimer: ReturnType<typeof setTimeout> | null = null;
  #poll: ReturnType<typeof setInterval> | null = null;
  #wasConnected = false;

  constructor(session: PlanSession, notices: Notices, role: () => Role) {
    this.#session = session;
    this.#notices = notices;
    this.#role = role;
    this.#offs.push(
      session.on("activity", (entries) => {
        if (this.loaded && entries.some((e) => REFRESH_KINDS.has(e.kind))) this.#soon();
      }),
      session.on("status", (status) => {
        if (status === "connected" && this.#wasConnected && this.loaded) this.#soon();
        if (status === "connected") this.#wasConnected = true;
      }),
    );
  }

  /** Whether this link may save, delete and restore (managers). */
  get mayEdit(): boolean {
    return can(this.#role(), "edit-plan");
  }

  get(id: string | null): VersionItem | undefined {
    return id ? this.list.find((v) => v.id === id) : undefined;
  }

  /** A version's name in the reader's language (checkpoints are named by why they were taken). */
  title(v: VersionItem): string {
    return versionTitle(v, t, (id) => {
      const from = this.get(id);
      return from ? versionTitle(from, t) : undefined;
    });
  }

  /** The panel shows or hides: the list is fetched on first show, and asked again every minute while shown. */
  setVisible(on: boolean): void {
    this.visible = on;
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = null;
    if (!on) return;
    void this.refresh();
    this.#poll = setInterval(() => void this.refresh(), POLL_MS);
  }

  /** Opens the History panel on a version and the version on the map (a feed entry's link). */
  reveal(id: string): void {
    this.focus = id;
    this.revealed++;
    void (this.loaded ? Promise.resolve() : this.refresh()).then(() => {
      if (this.focus === id && this.get(id)) void this.open(id);
    });
  }

  #soon(): void {
    if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = null;
      void this.refresh();
    }, 300);
  }

  async refresh(): Promise<void> {
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    this.loading = true;
    try {
      const body = await listVersions(this.#session.planId, this.#session.token, abort.signal);
      if (abort.signal.aborted) return;
      this.list = parseVersionList(body);
      this.loaded = true;
      this.error = null;
    } catch (e) {
      if (abort.signal.aborted) return;
      this.error = (e as Error).message;
    } finally {
      if (this.#abort === abort) {
        this.#abort = null;
        this.loading = false;
      }
    }
  }

  // ——— a manager's actions ———

  /** Saves a named version; the server's sentence when refused (409 past 200 named versions), else null. */
  async save(name: string): Promise<string | null> {
    const trimmed = name.trim();
    if (!trimmed) return t("history.save.empty");
    if (this.saving) return null;
    this.saving = true;
    try {
      const v = parseVersion(await saveVersion(this.#session.planId, this.#session.token, trimmed));
      if (v && !this.list.some((x) => x.id === v.id)) this.list = [v, ...this.list];
      this.#notices.push("success", t("history.save.done", { name: trimmed }));
      void this.refresh();
      return null;
    } catch (e) {
      return (e as Error).message;
    } finally {
      this.saving = false;
    }
  }

  async remove(id: string): Promise<boolean> {
    // 204 has no body: the call says "done" itself, so a refusal (null) is told apart.
    const ok = await this.#act(id, "delete", async () => {
      await deleteVersion(this.#session.planId, this.#session.token, id);
      return true;
    });
    if (ok === null) return false;
    this.list = this.list.filter((v) => v.id !== id);
    if (this.#shows(id)) this.back();
    // Asked again, which also drops an answer on its way from before the delete (it would list it still).
    void this.refresh();
    return true;
  }

  /** Brings a version back as one change; its accounts too when asked. The answer, or null when refused. */
  async restore(id: string, accounts: boolean): Promise<RestoreAnswer | null> {
    const body = await this.#act(id, "restore", () =>
      restoreVersion(this.#session.planId, this.#session.token, id, accounts),
    );
    const answer = body === null ? null : parseRestore(body);
    if (!answer) return null;
    this.restored = { answer, accounts, undone: null };
    if (this.showing) this.back();
    this.#notices.push("success", tn("history.restore.done", answer.changed, { name: answer.version.name }));
    void this.refresh();
    return answer;
  }

  /**
   * "Undo this import" (issue 14): restores the checkpoint the server took
   * right before the import — accounts and competitors included for an
   * accounts import — so it is one change for everyone that can itself be
   * taken back (History shows it with Undo). `at` is the import's feed
   * time (null: the newest such checkpoint, right after the import).
   * Resolves to null when done, to the reason when refused, and to
   * undefined when no such checkpoint is kept (the caller falls back to
   * the import's own undo).
   */
  async undoImport(what: UndoableImport, at: string | null): Promise<string | null | undefined> {
    await this.refresh();
    const reason = what.kind === "accounts" ? "accounts-import" : "territories-replace";
    const checkpoint = checkpointBefore(this.list, reason, at);
    if (!checkpoint) return undefined;
    if (this.busy.has(checkpoint.id)) return null;
    this.busy = new Map(this.busy).set(checkpoint.id, "restore");
    try {
      const accounts = what.kind === "accounts";
      const answer = parseRestore(
        await restoreVersion(this.#session.planId, this.#session.token, checkpoint.id, accounts),
      );
      if (!answer) return t("history.unreadable");
      this.restored = {
        answer: { ...answer, version: { ...answer.version, name: this.title(checkpoint) } },
        accounts,
        undone: null,
      };
      this.#notices.push("success", t("history.import.done"));
      void this.refresh();
      return null;
    } catch (e) {
      return (e as Error).message;
    } finally {
      const rest = new Map(this.busy);
      rest.delete(checkpoint.id);
      this.busy = rest;
    }
  }

  /** Takes this page's latest restore back. */
  async undoRestore(): Promise<boolean> {
    const done = this.restored;
    if (!done || done.undone) return false;
    return this.undoRestoreById(done.answer.restoreId);
  }

  /** Takes any restore back by its id (a feed entry's Undo: any manager, while the server keeps it). */
  async undoRestoreById(restoreId: string): Promise<boolean> {
    if (this.undoing) return false;
    this.undoing = true;
    try {
      const answer = parseRestoreUndo(await undoRestore(this.#session.planId, this.#session.token, restoreId));
      const done = this.restored;
      if (done?.answer.restoreId === restoreId) this.restored = { ...done, undone: answer };
      const kept = answer.kept > 0 ? ` ${tn("history.undo.kept", answer.kept)}` : "";
      this.#notices.push(kept ? "warning" : "success", tn("history.undo.done", answer.reverted) + kept);
      void this.refresh();
      return true;
    } catch (e) {
      this.#notices.push("error", t("history.undo.failed", { error: (e as Error).message }), 15000);
      return false;
    } finally {
      this.undoing = false;
    }
  }

  async #act<T>(id: string, action: "delete" | "restore", call: () => Promise<T>): Promise<T | null> {
    if (this.busy.has(id)) return null;
    this.busy = new Map(this.busy).set(id, action);
    try {
      return await call();
    } catch (e) {
      this.#notices.push("error", t(`history.failed.${action}`, { error: (e as Error).message }), 15000);
      if (e instanceof ApiError && e.status === 404) void this.refresh();
      return null;
    } finally {
      const rest = new Map(this.busy);
      rest.delete(id);
      this.busy = rest;
    }
  }

  // ——— opening and comparing ———

  #shows(id: string): boolean {
    const s = this.showing;
    if (!s) return false;
    return s.kind === "view" ? s.version.id === id : s.from.id === id || s.to?.id === id;
  }

  /** Opens a version on the map, read-only, with its scores. */
  async open(id: string): Promise<boolean> {
    const version = this.get(id);
    if (!version) return false;
    const abort = this.#startShowing("view", id);
    try {
      const { planId, token } = this.#session;
      const [fc, analysis] = await Promise.all([
        getVersionTerritories(planId, token, id, abort.signal),
        getVersionAnalysis(planId, token, id, abort.signal).catch(() => null),
      ]);
      if (abort.signal.aborted) return false;
      this.showing = {
        kind: "view",
        version,
        territories: parseTerritories(fc),
        analysis: readAnalysis(analysis),
      };
      return true;
    } catch (e) {
      if (!abort.signal.aborted) this.#notices.push("error", t("history.failed.open", { error: (e as Error).message }));
      return false;
    } finally {
      if (this.#showAbort === abort) {
        this.#showAbort = null;
        this.pending = null;
      }
    }
  }

  /** Compares two versions, or one with the plan now (`to` null); the earlier is `from`. */
  async compare(fromId: string, toId: string | null): Promise<boolean> {
    let from = this.get(fromId);
    let to = toId ? (this.get(toId) ?? null) : null;
    if (!from || (toId && !to)) return false;
    if (to && to.at < from.at) [from, to] = [to, from];
    const abort = this.#startShowing("compare", from.id);
    try {
      const { planId, token } = this.#session;
      const [body, before, after] = await Promise.all([
        compareVersions(planId, token, from.id, to?.id ?? "current", abort.signal),
        getVersionTerritories(planId, token, from.id, abort.signal),
        to
          ? getVersionTerritories(planId, token, to.id, abort.signal)
          : getPlanTerritories(planId, token, abort.signal),
      ]);
      if (abort.signal.aborted) return false;
      const comparison = parseComparison(body);
      if (!comparison) throw new Error(t("history.unreadable"));
      this.showing = {
        kind: "compare",
        from,
        to,
        comparison,
        before: parseTerritories(before),
        after: parseTerritories(after),
        at: Date.now(),
      };
      return true;
    } catch (e) {
      if (!abort.signal.aborted)
        this.#notices.push("error", t("history.failed.compare", { error: (e as Error).message }));
      return false;
    } finally {
      if (this.#showAbort === abort) {
        this.#showAbort = null;
        this.pending = null;
      }
    }
  }

  #startShowing(kind: "view" | "compare", id: string): AbortController {
    this.#showAbort?.abort();
    const abort = new AbortController();
    this.#showAbort = abort;
    this.pending = { kind, id };
    return abort;
  }

  /** Back to the plan now: live edits made meanwhile show again. */
  back(): void {
    this.#showAbort?.abort();
    this.#showAbort = null;
    this.pending = null;
    this.showing = null;
  }

  destroy(): void {
    for (const off of this.#offs) off();
    this.#abort?.abort();
    this.#showAbort?.abort();
    if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
    if (this.#poll) clearInterval(this.#poll);
  }
}

/** A version's analysis, when it has the parts the panel reads. */
function readAnalysis(body: unknown): VersionAnalysis | null {
  if (typeof body !== "object" || body === null) return null;
  const a = body as Partial<VersionAnalysis>;
  if (!Array.isArray(a.territories) || typeof a.balance !== "object" || a.balance === null) return null;
  return a as VersionAnalysis;
}

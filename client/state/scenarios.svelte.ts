import { can, type Role } from "../../shared/access/roles.ts";
import { t } from "../i18n/i18n.svelte.ts";
import { router } from "../lib/router.svelte.ts";
import { createScenario, deleteScenario, listScenarios, promoteScenario } from "../lib/scenarios-api.ts";
import { compareVersions, getPlanTerritories, getVersionTerritories } from "../lib/versions-api.ts";
import {
  type OriginInfo,
  type PromoteDone,
  type PromotePreview,
  parseOrigin,
  parsePromoteDone,
  parsePromotePreview,
  parseScenarioList,
  type ScenarioItem,
} from "../scenarios/parse.ts";
import type { PlanSession } from "../sync/provider.ts";
import { parseTerritories } from "../versions/compare.ts";
import { parseComparison, type VersionItem } from "../versions/parse.ts";
import type { Notices } from "./notices.svelte.ts";
import { knownLinks, rememberPlan } from "./recent.ts";
import type { VersionsState } from "./versions.svelte.ts";

/**
 * Scenarios in the browser (issue 14). On a plan: the list of its
 * scenarios (fetched when the History panel shows it, again after making
 * or deleting one), making one from the plan now or a version (the new
 * scenario's links are written down in this browser, which is the only
 * place they ever are, and the scenario opens), deleting one. On a
 * scenario: what it is a scenario of (the header's badge, the tab title),
 * comparing it with its origin on the map (drawn by the History panel's
 * compare view), and promoting it after a preview that names the origin's
 * edits since the fork and the conflicts.
 */
export class ScenariosState {
  /** Set on a scenario: its origin. */
  origin = $state.raw<OriginInfo | null>(null);
  list = $state.raw<ScenarioItem[]>([]);
  loaded = $state(false);
  loading = $state(false);
  error = $state<string | null>(null);
  creating = $state(false);
  /** Scenario id → being deleted. */
  deleting = $state<string | null>(null);
  comparing = $state(false);
  /** The latest promote this page made, with a link to the origin. */
  promoted = $state.raw<PromoteDone | null>(null);

  #session: PlanSession;
  #notices: Notices;
  #versions: VersionsState;
  #role: () => Role;

  constructor(session: PlanSession, notices: Notices, versions: VersionsState, role: () => Role) {
    this.#session = session;
    this.#notices = notices;
    this.#versions = versions;
    this.#role = role;
  }

  /** Managers make, delete and promote scenarios. */
  get mayEdit(): boolean {
    return can(this.#role(), "edit-plan");
  }

  /** From `GET /api/plans/:id`. */
  setOrigin(value: unknown): void {
    this.origin = parseOrigin(value);
  }

  /**
   * Where the origin opens: a link this browser knows for it in this
   * role (or any), else this page's token, which opens the origin when it
   * is the origin's link (a scenario opens with its origin's links too).
   */
  get originHref(): string | null {
    const o = this.origin;
    if (!o || o.gone) return null;
    const known = knownLinks(o.plan);
    const link = known[this.#role()] ?? known.edit ?? known.comment ?? known.view;
    if (link) {
      const u = new URL(link, location.origin);
      return u.pathname + u.search;
    }
    const token = this.#session.token;
    return `/plan/${encodeURIComponent(o.plan)}${token ? `?token=${encodeURIComponent(token)}` : ""}`;
  }

  /** A scenario's address opened with this page's token (the origin's links open its scenarios). */
  hrefOf(id: string): string {
    const token = this.#session.token;
    return `/plan/${encodeURIComponent(id)}${token ? `?token=${encodeURIComponent(token)}` : ""}`;
  }

  async load(): Promise<void> {
    if (this.origin) return;
    this.loading = true;
    try {
      this.list = parseScenarioList(await listScenarios(this.#session.planId, this.#session.token));
      this.error = null;
      this.loaded = true;
    } catch (e) {
      this.error = (e as Error).message;
    } finally {
      this.loading = false;
    }
  }

  /**
   * Makes a scenario (of the plan now, or of version `from`) and opens it.
   * Null when made, else the server's sentence.
   */
  async create(name: string, from?: { id: string; name: string }): Promise<string | null> {
    this.creating = true;
    try {
      const body = (await createScenario(this.#session.planId, this.#session.token, name.trim(), from?.id)) as {
        id?: unknown;
        name?: unknown;
        links?: Record<string, string>;
      };
      if (typeof body.id !== "string" || !body.links) return t("scenarios.failed.unreadable");
      // The server shows a scenario's links once: this browser keeps them (the Share dialog lists them).
      const links = { edit: body.links.edit, comment: body.links.comment, view: body.links.view };
      const edit = new URL(body.links.edit as string);
      rememberPlan({ id: body.id, name: String(body.name ?? name), href: edit.pathname + edit.search, links });
      this.#notices.push("success", t("scenarios.created", { name: String(body.name ?? name) }));
      router.navigate(edit.pathname + edit.search);
      return null;
    } catch (e) {
      return (e as Error).message;
    } finally {
      this.creating = false;
    }
  }

  async remove(id: string): Promise<boolean> {
    this.deleting = id;
    try {
      await deleteScenario(id, this.#session.token);
      this.list = this.list.filter((s) => s.id !== id);
      return true;
    } catch (e) {
      this.#notices.push("error", t("scenarios.failed.delete", { error: (e as Error).message }));
      return false;
    } finally {
      this.deleting = null;
    }
  }

  /** Draws the scenario compared with its origin now, as the History panel draws two versions compared. */
  async compareWithOrigin(): Promise<boolean> {
    const o = this.origin;
    if (!o) return false;
    this.comparing = true;
    try {
      const { planId, token } = this.#session;
      const [body, before, after] = await Promise.all([
        compareVersions(planId, token, "origin", "current"),
        getVersionTerritories(planId, token, "origin"),
        getPlanTerritories(planId, token),
      ]);
      const comparison = parseComparison(body);
      if (!comparison) throw new Error(t("history.unreadable"));
      const from: VersionItem = {
        id: "origin",
        name: t("scenarios.originNow", { name: o.name }),
        at: new Date().toISOString(),
        by: o.by,
        auto: false,
        reason: null,
        summary: "",
        bytes: null,
        restoredFrom: null,
        damaged: null,
      };
      this.#versions.showing = {
        kind: "compare",
        from,
        to: null,
        comparison,
        before: parseTerritories(before),
        after: parseTerritories(after),
        at: Date.now(),
      };
      return true;
    } catch (e) {
      this.#notices.push("error", t("history.failed.compare", { error: (e as Error).message }));
      return false;
    } finally {
      this.comparing = false;
    }
  }

  /** What promoting would do, with `choice` for the conflicts. */
  async preview(choice: "origin" | "scenario", signal?: AbortSignal): Promise<PromotePreview> {
    const body = await promoteScenario(
      this.#session.planId,
      this.#session.token,
      { dryRun: true, conflicts: choice },
      signal,
    );
    const preview = parsePromotePreview(body);
    if (!preview) throw new Error(t("history.unreadable"));
    return preview;
  }

  /** Promotes into the origin. Null when done, else the server's sentence. */
  async promote(choice: "origin" | "scenario" | null): Promise<string | null> {
    try {
      const body = await promoteScenario(this.#session.planId, this.#session.token, {
        dryRun: false,
        ...(choice ? { conflicts: choice } : {}),
      });
      const done = parsePromoteDone(body);
      if (!done) return t("history.unreadable");
      this.promoted = done;
      this.#notices.push("success", t("scenarios.promoted", { name: done.origin.name || (this.origin?.name ?? "") }));
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }
}

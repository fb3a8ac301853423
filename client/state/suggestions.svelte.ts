import type * as Y from "yjs";
import { byCreated, readSuggestion, suggestionsMap } from "../../shared/doc/schema.ts";
import { MapFollower } from "../sync/map-follower.ts";
import type { TerritoryGeometry } from "../../shared/geometry/types.ts";
import type { StoredSuggestion } from "../../shared/suggestions/suggestion.ts";
import { validateCommentText } from "../../shared/comments/comments.ts";
import { t } from "../i18n/i18n.svelte.ts";
import { ApiError } from "../lib/api.ts";
import { acceptSuggestion, createSuggestion, declineSuggestion, undoSuggestion } from "../lib/suggestions-api.ts";
import { latestByThread, openSuggestionsByTerritory, suggestedUnitTargets } from "../suggestions/suggestions.ts";
import type { PlanSession } from "../sync/provider.ts";
import type { Notices } from "./notices.svelte.ts";

/**
 * A suggestion being drawn (issue 15): the territory it changes, its
 * proposed shape (a drawn plan: it starts as the territory's shape and is
 * reshaped on the map) or the units painted into or out of it (unit index →
 * territory id, null for out), and the thread it redraws.
 */
export interface SuggestionDraft {
  territoryId: string;
  threadId: string | null;
  geometry: TerritoryGeometry | null;
  units: ReadonlyMap<number, string | null>;
}

/** What a suggestion action ends with: null when done, or the sentence to show. */
export type SuggestionResult = string | null;

/**
 * The plan's suggestions as `$state`, the one being drawn, and the
 * actions. Suggestions live in the document's `suggestions` root, written
 * only by the server: actions go through the REST API and their result
 * comes back through the synced document, as comments do.
 */
export class SuggestionsState {
  /** Every suggestion, oldest first. */
  list = $state.raw<StoredSuggestion[]>([]);
  /** The newest suggestion of each thread. */
  byThread = $derived(latestByThread(this.list));
  /** Open suggestions per territory. */
  openByTerritory = $derived(openSuggestionsByTerritory(this.list));
  draft = $state.raw<SuggestionDraft | null>(null);
  /** The draft is being sent. */
  sending = $state(false);
  /** Suggestion id → the action under way on it. */
  busy = $state.raw<ReadonlyMap<string, "accept" | "decline" | "undo">>(new Map());

  #session: PlanSession;
  #notices: Notices;
  #follower = new MapFollower<StoredSuggestion>(readSuggestion, () => this.#publish());
  get #byId(): Map<string, StoredSuggestion> {
    return this.#follower.byId;
  }

  #accepted: (id: string) => void;

  /** `accepted`: this page accepted a suggestion (it is this person's latest step: Ctrl+Z takes it back). */
  constructor(session: PlanSession, notices: Notices, accepted: (id: string) => void = () => {}) {
    this.#session = session;
    this.#notices = notices;
    this.#accepted = accepted;
  }

  /** Follows the document's suggestions; called again after a reset. */
  bind(doc: Y.Doc): void {
    this.#follower.bind(doc, suggestionsMap(doc));
  }

  #publish(): void {
    this.list = [...this.#byId.values()].sort(byCreated);
  }

  /** The newest suggestion of a thread (reactive). */
  ofThread(threadId: string): StoredSuggestion | undefined {
    return this.byThread.get(threadId);
  }

  /**
   * The suggestions drawn on the map as ghosts: the one of the selected
   * thread, or with no thread selected every open one (never while one is
   * being drawn: the draft is on the map then).
   */
  ghosts(selectedThread: string | null): StoredSuggestion[] {
    if (this.draft) return [];
    const selected = selectedThread ? this.byThread.get(selectedThread) : undefined;
    if (selected) return [selected];
    return [...this.byThread.values()].filter((s) => s.status === "open");
  }

  /** Unit moves to hatch on the map (unit index → territory, "" for none): the draft's, or the ghosts'. */
  unitMoves(ids: readonly string[] | null, selectedThread: string | null): Map<number, string> | null {
    if (this.draft) {
      if (this.draft.units.size === 0) return null;
      return new Map([...this.draft.units].map(([u, to]) => [u, to ?? ""]));
    }
    if (!ids) return null;
    const out = new Map<number, string>();
    for (const s of this.ghosts(selectedThread)) {
      if (s.kind === "units") for (const [u, to] of suggestedUnitTargets(s.moves, ids)) out.set(u, to);
    }
    return out.size > 0 ? out : null;
  }

  // ── drawing ─────────────────────────────────────────────────────────────

  /** Starts drawing a suggestion for a territory (from its shape now), or redrawing a thread's. */
  begin(territoryId: string, geometry: TerritoryGeometry | null, threadId: string | null = null): void {
    this.draft = { territoryId, threadId, geometry, units: new Map() };
  }

  setShape(geometry: TerritoryGeometry): void {
    if (this.draft) this.draft = { ...this.draft, geometry };
  }

  /**
   * Paints units into the draft's territory (or, `erase`, out of it):
   * a unit already its own that is painted in again, or one painted back
   * where it is, leaves the draft.
   */
  paint(units: readonly number[], erase: boolean, owner: (u: number) => string | null): void {
    const d = this.draft;
    if (!d || units.length === 0) return;
    const next = new Map(d.units);
    for (const u of units) {
      const now = owner(u);
      const to = erase ? (now === d.territoryId ? null : undefined) : d.territoryId;
      if (to === undefined) continue;
      if (to === now) next.delete(u);
      else next.set(u, to);
    }
    this.draft = { ...d, units: next };
  }

  cancel(): boolean {
    if (!this.draft) return false;
    this.draft = null;
    return true;
  }

  /**
   * Sends the draft with its comment; `unitIds` names the layer's units (a
   * unit plan). On success the draft is gone and the new thread's id comes
   * back (the document brings the thread and the suggestion).
   */
  async send(text: string, unitIds: readonly string[] | null): Promise<{ error: SuggestionResult; threadId?: string }> {
    const d = this.draft;
    if (!d) return { error: null };
    const checked = validateCommentText(text);
    if (!checked.ok) return { error: checked.error };
    const units: Record<string, string | null> = {};
    for (const [u, to] of d.units) {
      const id = unitIds?.[u];
      if (id !== undefined) units[id] = to;
    }
    if (!d.geometry && Object.keys(units).length === 0) return { error: t("suggestions.draft.nothing") };
    this.sending = true;
    try {
      const made = await createSuggestion(this.#session.planId, this.#session.token, {
        territory: d.territoryId,
        ...(d.geometry ? { geometry: d.geometry } : { units }),
        text: checked.value,
        ...(d.threadId ? { thread: d.threadId } : {}),
      });
      if (this.draft === d) this.draft = null;
      return { error: null, threadId: made.threadId };
    } catch (e) {
      return { error: e instanceof ApiError ? e.message : String(e) };
    } finally {
      this.sending = false;
    }
  }

  // ── deciding ────────────────────────────────────────────────────────────

  async accept(id: string): Promise<SuggestionResult> {
    return this.#act(id, "accept", async () => {
      const answer = await acceptSuggestion(this.#session.planId, this.#session.token, id);
      this.#accepted(id);
      if (answer.overlaps.length > 0) {
        this.#notices.push("info", t("suggestions.accepted.overlaps", { n: answer.overlaps.length }));
      }
    });
  }

  decline(id: string, text: string): Promise<SuggestionResult> {
    const checked = validateCommentText(text);
    if (!checked.ok) return Promise.resolve(checked.error);
    return this.#act(id, "decline", () =>
      declineSuggestion(this.#session.planId, this.#session.token, id, checked.value),
    );
  }

  undo(id: string): Promise<SuggestionResult> {
    return this.#act(id, "undo", async () => {
      const answer = await undoSuggestion(this.#session.planId, this.#session.token, id);
      if (answer.kept > 0) this.#notices.push("info", t("suggestions.undone.kept", { n: answer.kept }));
    });
  }

  async #act(
    id: string,
    action: "accept" | "decline" | "undo",
    call: () => Promise<unknown>,
  ): Promise<SuggestionResult> {
    if (this.busy.has(id)) return null;
    this.busy = new Map([...this.busy, [id, action]]);
    try {
      await call();
      return null;
    } catch (e) {
      return e instanceof ApiError ? e.message : String(e);
    } finally {
      const next = new Map(this.busy);
      next.delete(id);
      this.busy = next;
    }
  }

  destroy(): void {
    this.#follower.stop();
  }
}

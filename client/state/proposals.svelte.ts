import type { Proposal, ProposalSummary } from "../../shared/balance/proposal.ts";
import { parseProposal } from "../balance/parse.ts";
import { detailsKey, hasResult, mergeSummaries, moveTargets, skippedByReason } from "../balance/proposals.ts";
import type { BalanceForm, ProposalRequestBody } from "../balance/request.ts";
import { t, tn } from "../i18n/i18n.svelte.ts";
import {
  type AcceptAnswer,
  acceptProposal,
  discardProposal,
  getProposal,
  startProposal,
  stopProposal,
  undoProposal,
} from "../lib/api.ts";
import type { PlanSession } from "../sync/provider.ts";
import type { Notices } from "./notices.svelte.ts";

/** What a manager is doing to a proposal right now. */
export type ProposalAction = "stop" | "discard" | "accept" | "undo";

export interface ProposalsHooks {
  /** This page accepted a proposal: it is this person's latest step (Ctrl+Z takes it back). */
  accepted(id: string): void;
}

/**
 * Auto-balance in the browser (issue 13): the plan's proposals as the
 * server streams them (message 23, merged by id; a connection's first
 * message lists them all), the one selected in the panel with its moves and
 * tables (`GET …/proposals/:pid` once it has a result, again whenever its
 * summary says the result changed), and a manager's actions. A refusal is
 * a notice with the server's sentence.
 */
export class ProposalsState {
  /** Every proposal of the plan (discarded ones included), newest first. */
  list = $state.raw<ProposalSummary[]>([]);
  /** The proposal shown in the panel and drawn on the map, by id. */
  selected = $state<string | null>(null);
  /** The selected proposal with its moves and tables, once fetched. */
  details = $state.raw<Proposal | null>(null);
  detailsLoading = $state(false);
  detailsError = $state<string | null>(null);
  /** A run is being asked for. */
  starting = $state(false);
  /** Proposal id → the action under way on it. */
  busy = $state.raw<ReadonlyMap<string, ProposalAction>>(new Map());
  /** Whether the panel is on screen: the map draws the selected proposal's moves only then. */
  visible = $state(false);
  /** The manager's form as they left it (kept while the panel is closed); null until first shown. */
  draft = $state<BalanceForm | null>(null);
  /** Whether the form is unfolded; null until the panel first decides. */
  formOpen = $state<boolean | null>(null);

  #session: PlanSession;
  #notices: Notices;
  #hooks: ProposalsHooks;
  #off: () => void;
  /** The summary the details were fetched for (id and result), so a change fetches them again. */
  #detailsFor: string | null = null;
  #abort: AbortController | null = null;

  constructor(session: PlanSession, notices: Notices, hooks: ProposalsHooks) {
    this.#session = session;
    this.#notices = notices;
    this.#hooks = hooks;
    this.#off = session.on("proposals", (proposals, first) => this.receive(proposals, first));
  }

  /** The proposals worth listing: all but the discarded. */
  get shown(): ProposalSummary[] {
    return this.list.filter((p) => p.status !== "discarded");
  }

  /** The running proposal, if any (the server runs one per plan). */
  get running(): ProposalSummary | null {
    return this.list.find((p) => p.status === "running") ?? null;
  }

  get(id: string | null): ProposalSummary | undefined {
    return id ? this.list.find((p) => p.id === id) : undefined;
  }

  /** Message 23: summaries merged in (or, a connection's first, the whole list). */
  receive(proposals: ProposalSummary[], first: boolean): void {
    const known = new Set(this.list.map((p) => p.id));
    const next = mergeSummaries(this.list, proposals, first);
    if (next === this.list) return;
    this.list = next;
    // A run someone has just started is what everyone wants to watch: show it unless another is shown.
    const started = first ? undefined : proposals.find((p) => p.status === "running" && !known.has(p.id));
    const current = this.get(this.selected);
    if (started && (!current || current.status === "discarded" || current.status === "failed")) {
      this.selected = started.id;
    } else if (this.selected && (!current || current.status === "discarded")) {
      this.selected = null;
    }
    this.#syncDetails();
  }

  select(id: string | null): void {
    if (this.selected === id) return;
    this.selected = id;
    this.#syncDetails();
  }

  /**
   * The selected proposal's moves for the map, unit index → the territory
   * it would go to (or went to, once accepted); null when nothing is to be
   * drawn (the panel is closed, no result, or it was taken back).
   */
  moves(ids: readonly string[] | null): Map<number, string> | null {
    const d = this.details;
    if (!this.visible || !d || !ids || d.id !== this.selected) return null;
    const s = this.get(d.id);
    if (!s || !hasResult(s) || s.undone) return null;
    return moveTargets(d.moves, ids);
  }

  /** Fetches the selected proposal's details when it has a result that is not the one shown. */
  #syncDetails(): void {
    const s = this.get(this.selected);
    if (!s || !hasResult(s)) {
      this.#abort?.abort();
      this.#abort = null;
      this.#detailsFor = null;
      this.detailsLoading = false;
      this.detailsError = null;
      if (this.details && this.details.id !== s?.id) this.details = null;
      return;
    }
    const key = `${s.id}|${detailsKey(s)}`;
    if (key === this.#detailsFor) return;
    this.#detailsFor = key;
    if (this.details?.id !== s.id) this.details = null;
    void this.#fetchDetails(s.id, key);
  }

  async #fetchDetails(id: string, key: string): Promise<void> {
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    this.detailsLoading = true;
    this.detailsError = null;
    try {
      const body = await getProposal(this.#session.planId, this.#session.token, id, abort.signal);
      if (this.#detailsFor !== key) return;
      const p = parseProposal(body);
      if (!p) throw new Error(t("balance.details.unreadable"));
      this.details = p;
    } catch (e) {
      if (this.#detailsFor !== key || abort.signal.aborted) return;
      this.detailsError = (e as Error).message;
      // Asked again on the next change of its summary, or when it is selected again.
      this.#detailsFor = null;
    } finally {
      if (this.#abort === abort) {
        this.#abort = null;
        this.detailsLoading = false;
      }
    }
  }

  /** Retries fetching the selected proposal's details after a failure. */
  retryDetails(): void {
    this.#detailsFor = null;
    this.#syncDetails();
  }

  // ——— a manager's actions: each says what went wrong in the server's words ———

  /** Starts a run; the proposal arrives over message 23 and is selected. True when it started. */
  async start(body: ProposalRequestBody): Promise<boolean> {
    if (this.starting) return false;
    this.starting = true;
    try {
      const { id } = await startProposal(this.#session.planId, this.#session.token, body);
      this.select(id);
      return true;
    } catch (e) {
      this.#notices.push("error", t("balance.failed.start", { error: (e as Error).message }), 15000);
      return false;
    } finally {
      this.starting = false;
    }
  }

  async stop(id: string): Promise<void> {
    await this.#act(id, "stop", () => stopProposal(this.#session.planId, this.#session.token, id));
  }

  async discard(id: string): Promise<void> {
    const ok = await this.#act(id, "discard", () => discardProposal(this.#session.planId, this.#session.token, id));
    if (ok && this.selected === id) this.select(null);
  }

  /** Accepts a proposal; says in words which moves were left out. The answer, or null when refused. */
  async accept(id: string): Promise<AcceptAnswer | null> {
    const answer = await this.#act(id, "accept", () => acceptProposal(this.#session.planId, this.#session.token, id));
    if (!answer) return null;
    this.#hooks.accepted(id);
    const skipped = skippedByReason(answer.skipped);
    const left = [
      skipped.stale > 0 ? tn("balance.skipped.stale", skipped.stale) : null,
      skipped.split > 0 ? tn("balance.skipped.split", skipped.split) : null,
      skipped.gone > 0 ? tn("balance.skipped.gone", skipped.gone) : null,
    ].filter((x): x is string => x !== null);
    const done = tn("balance.accepted.notice", answer.applied);
    this.#notices.push(left.length > 0 ? "warning" : "success", [done, ...left].join(" "));
    return answer;
  }

  /** Takes an accepted proposal back; says which units stayed because others changed them since. */
  async undo(id: string): Promise<boolean> {
    const answer = await this.#act(id, "undo", () => undoProposal(this.#session.planId, this.#session.token, id));
    if (!answer) return false;
    const done = tn("balance.undone.notice", answer.reverted);
    const kept = answer.kept.length > 0 ? ` ${tn("balance.kept", answer.kept.length)}` : "";
    this.#notices.push(kept ? "warning" : "success", done + kept);
    return true;
  }

  async #act<T>(id: string, action: ProposalAction, call: () => Promise<T>): Promise<T | null> {
    if (this.busy.has(id)) return null;
    this.busy = new Map(this.busy).set(id, action);
    try {
      return await call();
    } catch (e) {
      this.#notices.push("error", t(`balance.failed.${action}`, { error: (e as Error).message }), 15000);
      return null;
    } finally {
      const rest = new Map(this.busy);
      rest.delete(id);
      this.busy = rest;
    }
  }

  destroy(): void {
    this.#off();
    this.#abort?.abort();
  }
}

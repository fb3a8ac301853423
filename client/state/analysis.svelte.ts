import type * as Y from "yjs";
import { PLAN_KEYS, planMap, readAccountsVersion, readAllowedDeviation } from "../../shared/doc/schema.ts";
import type { AnalysisMessage } from "../../shared/protocol/analysis.ts";
import type { Issue, TerritoryMetrics } from "../../shared/scoring/types.ts";
import { accountsFromAnswer, NO_ACCOUNTS, type PlanAccounts } from "../analysis/accounts.ts";
import { isAnalysisMessage } from "../analysis/parse.ts";
import { ApiError, getAccounts, getAnalysis } from "../lib/api.ts";
import type { PlanSession } from "../sync/provider.ts";

export type FillMode = "territory" | "balance";

/** Metrics shown beside the balance metrics, for comparison only (the server does not score them by default). */
export const DISPLAY_METRICS = ["areaKm2", "compactness"] as const;

/** How long to wait for the first pushed analysis before asking the REST API (scoring may be off). */
const FALLBACK_AFTER_MS = 8000;
const VIEW_KEY = "wilayah.mapview";

/**
 * The plan's live scores as `$state`: the latest analysis the server pushed
 * (message 21), the last full account → territory assignment, the accounts
 * themselves (fetched over HTTP, kept as typed-array columns), and the view
 * choices (metric, fill mode, accounts layer, highlighted issue).
 *
 * Nothing is recomputed here: the server scores every change within tens of
 * milliseconds and sends the same result to everyone, so all people see the
 * same numbers. Survives a document reset (the analysis is the server's, not
 * the document's): only the document observer is rebound.
 */
export class AnalysisState {
  /** The latest analysis; null until the first one arrives ("Scoring…"). */
  latest = $state.raw<AnalysisMessage | null>(null);
  /**
   * Bumped when `assignment` changes. The assignment itself is not reactive
   * (50,000 numbers): read it when this changes.
   */
  assignmentRevision = $state(0);
  accounts = $state.raw<PlanAccounts>(NO_ACCOUNTS);
  accountsLoading = $state(false);
  accountsError = $state<string | null>(null);
  /** The document's allowed deviation (what the input shows; the analysis follows a moment later). */
  allowedDeviation = $state(0.15);
  /** The document's accounts version (0: none imported). */
  accountsVersion = $state(0);
  /** Why there are no scores, when the server says it does not score this plan. */
  unavailable = $state<string | null>(null);

  /** The metric the table, chart and choropleth show. */
  metric = $state("accounts");
  fillMode = $state<FillMode>("territory");
  showAccounts = $state(true);
  /** The issue zoomed to and outlined on the map. */
  highlight = $state<string | null>(null);

  /** Per account (in `accounts` order): index into `assignmentIds`, -1 none, -2 several. */
  assignment: Int32Array | null = null;
  /** The territory ids `assignment` indexes (the analysis's territories when it was sent). */
  assignmentIds: string[] = [];
  /** The accounts version `assignment` was computed for. */
  assignmentVersion: number | null = null;

  #session: PlanSession;
  #unbind: (() => void) | null = null;
  #off: () => void;
  #fetching: { version: number; abort: AbortController } | null = null;
  /** The accounts asked for when the page opened, before the document said which version is current. */
  #prefetch: { abort: AbortController; body: Promise<unknown> } | null = null;
  #fallback: ReturnType<typeof setTimeout> | null = null;
  #destroyed = false;

  constructor(session: PlanSession) {
    this.#session = session;
    this.#off = session.on("analysis", (m) => this.receive(m));
    this.#readView();
    // Ask for the accounts at once, while the socket connects and syncs,
    // rather than after (the document says which version is current; a
    // prefetch of another version is simply fetched again).
    const abort = new AbortController();
    this.#prefetch = {
      abort,
      body: getAccounts(session.planId, session.token, abort.signal).catch(() => null),
    };
  }

  /** Follows the document's accounts version and allowed deviation; called again after a reset. */
  bind(doc: Y.Doc): void {
    this.#unbind?.();
    const plan = planMap(doc);
    const read = () => {
      // A fresh document (after a reset) is empty until it has synced: keep what we show meanwhile.
      if (!this.#session.synced && plan.size === 0) return;
      this.allowedDeviation = readAllowedDeviation(doc);
      const version = readAccountsVersion(doc);
      if (version !== this.accountsVersion) this.accountsVersion = version;
      this.#ensureAccounts(version);
    };
    const observer = (e: Y.YMapEvent<unknown>) => {
      if (e.keysChanged.has(PLAN_KEYS.allowedDeviation) || e.keysChanged.has(PLAN_KEYS.accountsVersion)) read();
    };
    plan.observe(observer);
    read();
    this.#unbind = () => plan.unobserve(observer);
  }

  /** Once the document is synced: if no analysis came by then, ask the REST API after a while. */
  synced(): void {
    if (this.latest || this.#fallback || this.#destroyed) return;
    this.#fallback = setTimeout(() => void this.#fetchAnalysis(), FALLBACK_AFTER_MS);
  }

  receive(m: AnalysisMessage): void {
    if (this.latest && typeof m.seq === "number" && typeof this.latest.seq === "number" && m.seq < this.latest.seq) {
      // An older analysis after a newer one happens only across a server restart (seq starts again):
      // the newest connection's first message always carries the full assignment, so take it.
      if (!m.accountTerritory) return;
    }
    this.unavailable = null;
    if (m.accountTerritory) {
      this.assignment = Int32Array.from(m.accountTerritory);
      this.assignmentIds = m.territories.map((t) => t.id);
      this.assignmentVersion = typeof m.accountsVersion === "number" ? m.accountsVersion : null;
      // Not kept twice: the typed array is the copy.
      m = { ...m, accountTerritory: undefined };
      this.assignmentRevision++;
    }
    this.latest = m;
    if (this.highlight && !m.issues.some((i) => i.id === this.highlight)) this.highlight = null;
  }

  async #fetchAnalysis(): Promise<void> {
    this.#fallback = null;
    if (this.latest || this.#destroyed) return;
    try {
      const body = await getAnalysis(this.#session.planId, this.#session.token);
      if (!this.latest && isAnalysisMessage(body)) this.receive(body);
    } catch (e) {
      if (this.latest) return;
      if (e instanceof ApiError && e.status === 503) this.unavailable = e.message;
      else this.#fallback = setTimeout(() => void this.#fetchAnalysis(), FALLBACK_AFTER_MS);
    }
  }

  #ensureAccounts(version: number): void {
    if (this.#destroyed) return;
    if (version === 0) {
      this.#fetching?.abort.abort();
      this.#fetching = null;
      this.accountsLoading = false;
      if (this.accounts.count > 0 || this.accounts.version !== 0) this.accounts = NO_ACCOUNTS;
      return;
    }
    if (this.accounts.version === version && this.accounts !== NO_ACCOUNTS) return;
    if (this.#fetching?.version === version) return;
    this.#fetching?.abort.abort();
    const abort = new AbortController();
    const fetching = { version, abort };
    this.#fetching = fetching;
    this.accountsLoading = true;
    this.accountsError = null;
    const prefetch = this.#prefetch;
    this.#prefetch = null;
    const request = prefetch
      ? prefetch.body.then((body) =>
          isVersion(body, version) ? body : getAccounts(this.#session.planId, this.#session.token, abort.signal),
        )
      : getAccounts(this.#session.planId, this.#session.token, abort.signal);
    if (prefetch) abort.signal.addEventListener("abort", () => prefetch.abort.abort());
    request
      .then((body) => {
        if (this.#fetching !== fetching) return;
        this.accounts = accountsFromAnswer(body);
        this.accountsLoading = false;
        this.#fetching = null;
        // Imported again while this one was on its way: fetch the newer one.
        if (this.accounts.version < this.accountsVersion) this.#ensureAccounts(this.accountsVersion);
      })
      .catch((e: unknown) => {
        if (this.#fetching !== fetching) return;
        this.#fetching = null;
        this.accountsLoading = false;
        this.accountsError = e instanceof Error ? e.message : String(e);
        // Try again shortly: the accounts are what the map's points are.
        setTimeout(() => {
          if (!this.#destroyed && this.accounts.version !== this.accountsVersion) {
            this.#ensureAccounts(this.accountsVersion);
          }
        }, 3000);
      });
  }

  /**
   * Whether `assignment` describes `accounts` (same version and length): the
   * accounts and the analysis arrive separately, and after an import one may
   * be ahead of the other for a moment.
   */
  get assignmentMatches(): boolean {
    void this.assignmentRevision;
    const a = this.accounts;
    return (
      this.assignment !== null &&
      this.assignment.length === a.count &&
      (this.assignmentVersion === null || this.assignmentVersion === a.version)
    );
  }

  /** The balance metrics, then area and compactness for comparison. */
  get metricOptions(): string[] {
    const names = this.latest?.balance.metricNames ?? ["accounts", ...this.accounts.attributes];
    return [...new Set([...names, ...DISPLAY_METRICS])];
  }

  /** The chosen metric, or accounts when the chosen one is gone (accounts re-imported without it). */
  get activeMetric(): string {
    return this.metricOptions.includes(this.metric) ? this.metric : "accounts";
  }

  /** Whether the server scores this metric (deviations, levels and issues exist for it). */
  isScored(metric: string): boolean {
    return this.latest?.balance.metricNames.includes(metric) ?? false;
  }

  /** Allowed deviation the analysis used (the document's until the first analysis). */
  get analysisAllowed(): number {
    return this.latest?.balance.allowedDeviation ?? this.allowedDeviation;
  }

  metricsOf(id: string): TerritoryMetrics | undefined {
    return this.latest?.territories.find((t) => t.id === id);
  }

  issue(id: string | null): Issue | undefined {
    return id ? this.latest?.issues.find((i) => i.id === id) : undefined;
  }

  setMetric(metric: string): void {
    this.metric = metric;
    this.#saveView();
  }

  setFillMode(mode: FillMode): void {
    this.fillMode = mode;
    this.#saveView();
  }

  setShowAccounts(on: boolean): void {
    this.showAccounts = on;
    this.#saveView();
  }

  #readView(): void {
    try {
      const v = JSON.parse(localStorage.getItem(VIEW_KEY) ?? "{}") as {
        fill?: unknown;
        accounts?: unknown;
        metric?: unknown;
      };
      if (v.fill === "territory" || v.fill === "balance") this.fillMode = v.fill;
      if (typeof v.accounts === "boolean") this.showAccounts = v.accounts;
      if (typeof v.metric === "string" && v.metric.length < 100) this.metric = v.metric;
    } catch {
      // Nothing stored, or storage blocked: the defaults.
    }
  }

  #saveView(): void {
    try {
      localStorage.setItem(
        VIEW_KEY,
        JSON.stringify({ fill: this.fillMode, accounts: this.showAccounts, metric: this.metric }),
      );
    } catch {
      // Storage blocked: the choice lasts for this page.
    }
  }

  destroy(): void {
    this.#destroyed = true;
    this.#unbind?.();
    this.#off();
    this.#fetching?.abort.abort();
    this.#prefetch?.abort.abort();
    if (this.#fallback) clearTimeout(this.#fallback);
  }
}

/** Whether an accounts answer (GeoJSON with a top-level `version`) is of this version. */
function isVersion(body: unknown, version: number): boolean {
  return typeof body === "object" && body !== null && (body as { version?: unknown }).version === version;
}

import { DEFAULT_COMPACTNESS, MAX_SECONDS, MIN_SECONDS } from "../../shared/balance/request.ts";
import type { TerritoryMetrics } from "../../shared/scoring/types.ts";

/**
 * The "Balance automatically" form (issue 13) and the request it makes
 * (`POST …/proposals`, shared/balance/request.ts). Pure: the panel keeps a
 * {@link BalanceForm} and sends what {@link requestBody} answers.
 */

/** The time budget the form starts from (the server's own default is shorter). */
export const FORM_SECONDS = 10;

/** How each territory's share of the total is set: equal, by its targets, or a percentage each. */
export type SharesMode = "equal" | "targets" | "custom";

export interface BalanceForm {
  /** Metric → weight; a metric is chosen while it is listed here. */
  metrics: Record<string, number>;
  shares: SharesMode;
  /** With `custom`: territory id → percentage of an equal share (100 = equal, 120 a fifth more). */
  percents: Record<string, number>;
  contiguous: boolean;
  /** 0 "balance first" … 1 "shape first". */
  compactness: number;
  /** Territories that neither give nor take units. */
  locked: string[];
  /** The most units that may change territory, as a percentage of the assigned ones; null: no cap. */
  maxMovedPercent: number | null;
  /** Only the selected territories and their neighbours move. */
  scopeToSelection: boolean;
  seconds: number;
}

export function defaultForm(metric: string): BalanceForm {
  return {
    metrics: { [metric]: 1 },
    shares: "equal",
    percents: {},
    contiguous: true,
    compactness: DEFAULT_COMPACTNESS,
    locked: [],
    maxMovedPercent: null,
    scopeToSelection: false,
    seconds: FORM_SECONDS,
  };
}

/**
 * What a unit plan can balance, as the current analysis names it: accounts,
 * every sum (account columns and unit attributes such as population), then
 * competitors and their columns when the plan has them. The same names the
 * server's request accepts.
 *
 * @example balanceableMetrics(analysis.territories) // ["accounts", "revenue", "population", "competitors", "competitor_outlets"]
 */
export function balanceableMetrics(territories: readonly TerritoryMetrics[]): string[] {
  const sums = new Set<string>();
  const competitorSums = new Set<string>();
  let competitors = false;
  for (const t of territories) {
    for (const k of Object.keys(t.sums ?? {})) sums.add(k);
    if (t.competitors !== undefined) competitors = true;
    for (const k of Object.keys(t.competitorSums ?? {})) competitorSums.add(k);
  }
  return [
    "accounts",
    ...sums,
    ...(competitors ? ["competitors"] : []),
    ...[...competitorSums].map((k) => `competitor_${k}`),
  ];
}

/** A territory as the form reads it: its id and its targets. */
export interface FormTerritory {
  id: string;
  targets: Record<string, number>;
}

/**
 * The metric whose targets set the shares: the first chosen metric some
 * territory has a target for; null when none has.
 */
export function targetMetric(form: Pick<BalanceForm, "metrics">, territories: readonly FormTerritory[]): string | null {
  for (const m of Object.keys(form.metrics)) {
    if (territories.some((t) => (t.targets[m] ?? 0) > 0)) return m;
  }
  return null;
}

/**
 * Shares from targets: each territory with a target gets target ÷ the mean
 * target, so a territory with a larger target is given more; one without a
 * target gets an average share (1).
 *
 * @example sharesFromTargets([{ id: "a", targets: { revenue: 300 } }, { id: "b", targets: { revenue: 100 } }], "revenue") // { a: 1.5, b: 0.5 }
 */
export function sharesFromTargets(territories: readonly FormTerritory[], metric: string): Record<string, number> {
  const withTarget = territories.filter((t) => (t.targets[metric] ?? 0) > 0);
  if (withTarget.length === 0) return {};
  const mean = withTarget.reduce((s, t) => s + (t.targets[metric] as number), 0) / withTarget.length;
  const out: Record<string, number> = {};
  for (const t of withTarget) out[t.id] = round((t.targets[metric] as number) / mean);
  return out;
}

/** What the form cannot send, as a message key of the panel. */
export type FormProblem = "noMetric" | "noTargets" | "badPercent" | "badMaxMoved" | "badWeight";

/** The body of `POST /api/plans/:id/proposals`. */
export interface ProposalRequestBody {
  metrics: Record<string, number>;
  shares?: Record<string, number>;
  contiguous: boolean;
  compactness: number;
  locked?: string[];
  maxMoved?: number;
  scope?: string[];
  seconds: number;
}

/**
 * The request the form makes, or what keeps it from being sent. Territories
 * the plan no longer has are left out of locks, shares and scope; the
 * budget is kept within 1–120 s.
 *
 * @example requestBody(defaultForm("revenue"), { territories, selection: [] })
 * // { ok: true, body: { metrics: { revenue: 1 }, contiguous: true, compactness: 0.6, seconds: 10 } }
 */
export function requestBody(
  form: BalanceForm,
  plan: { territories: readonly FormTerritory[]; selection: readonly string[] },
): { ok: true; body: ProposalRequestBody } | { ok: false; problem: FormProblem } {
  const known = new Set(plan.territories.map((t) => t.id));
  const metrics: Record<string, number> = {};
  for (const [m, w] of Object.entries(form.metrics)) {
    if (!Number.isFinite(w) || w <= 0) return { ok: false, problem: "badWeight" };
    metrics[m] = w;
  }
  if (Object.keys(metrics).length === 0) return { ok: false, problem: "noMetric" };
  const body: ProposalRequestBody = {
    metrics,
    contiguous: form.contiguous,
    compactness: Math.min(1, Math.max(0, form.compactness)),
    seconds: Math.min(
      MAX_SECONDS,
      Math.max(MIN_SECONDS, Number.isFinite(form.seconds) ? Math.round(form.seconds) : FORM_SECONDS),
    ),
  };
  if (form.shares === "targets") {
    const metric = targetMetric(form, plan.territories);
    if (!metric) return { ok: false, problem: "noTargets" };
    body.shares = sharesFromTargets(plan.territories, metric);
  } else if (form.shares === "custom") {
    const shares: Record<string, number> = {};
    for (const [id, pct] of Object.entries(form.percents)) {
      if (!known.has(id)) continue;
      if (!Number.isFinite(pct) || pct <= 0 || pct > 1000) return { ok: false, problem: "badPercent" };
      if (pct !== 100) shares[id] = round(pct / 100);
    }
    if (Object.keys(shares).length > 0) body.shares = shares;
  }
  const locked = form.locked.filter((id) => known.has(id));
  if (locked.length > 0) body.locked = locked;
  if (form.maxMovedPercent !== null) {
    const p = form.maxMovedPercent;
    if (!Number.isFinite(p) || p < 0 || p > 100) return { ok: false, problem: "badMaxMoved" };
    body.maxMoved = p / 100;
  }
  const scope = form.scopeToSelection ? plan.selection.filter((id) => known.has(id)) : [];
  if (scope.length > 0) body.scope = scope;
  return { ok: true, body };
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

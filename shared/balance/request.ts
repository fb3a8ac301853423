import type { ProposalSettings } from "./proposal.ts";

/** A run's time budget, seconds. */
export const MIN_SECONDS = 1;
export const MAX_SECONDS = 120;
export const DEFAULT_SECONDS = 5;
/**
 * The compactness when none is asked for: the optimizer's own default
 * (0.6; tests/bench/balance.ts found 0.3 left shapes less compact than the start).
 */
export const DEFAULT_COMPACTNESS = 0.6;
export const DEFAULT_SEED = 42;

/** What a plan offers to balance: the names a request may use. */
export interface RequestContext {
  /** Metric names the unit analysis knows (accounts, areaKm2, sums, competitors…). */
  metrics: readonly string[];
  hasTerritory(id: string): boolean;
  hasUnit(id: string): boolean;
}

export type ParsedRequest =
  | { ok: true; settings: ProposalSettings }
  | {
      ok: false;
      /** A sentence a person can act on. */
      message: string;
      /** Names the plan does not have (empty when the problem is the request's form). */
      unknown: { metrics: string[]; territories: string[]; units: string[] };
    };

const FIELDS = new Set([
  "metrics",
  "shares",
  "contiguous",
  "compactness",
  "locked",
  "lockedUnits",
  "maxMoved",
  "scope",
  "seconds",
  "seed",
]);

/**
 * Reads the body of `POST /api/plans/:id/proposals` (issue 13) against what
 * the plan has: every name checked, every default filled in. `metrics` may
 * be `{"revenue": 1, "accounts": 0.5}` or a list of names (weight 1 each).
 *
 * @example
 * parseProposalRequest({ metrics: ["revenue"], seconds: 10 }, ctx)
 * // { ok: true, settings: { metrics: { revenue: 1 }, seconds: 10, contiguous: true, compactness: 0.6, … } }
 * parseProposalRequest({ metrics: { revenu: 1 } }, ctx)
 * // { ok: false, message: 'This plan has no metric "revenu" (it has accounts, areaKm2, revenue); nothing was started.', … }
 */
export function parseProposalRequest(body: unknown, ctx: RequestContext): ParsedRequest {
  const unknown = { metrics: [] as string[], territories: [] as string[], units: [] as string[] };
  const bad = (message: string): ParsedRequest => ({ ok: false, message, unknown });
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return bad('Send a JSON object such as {"metrics": {"revenue": 1}}.');
  }
  const b = body as Record<string, unknown>;
  const extra = Object.keys(b).filter((k) => !FIELDS.has(k));
  if (extra.length > 0) {
    return bad(`Unknown field ${quoteList(extra)}; a proposal takes ${[...FIELDS].join(", ")}.`);
  }

  // Metrics and their weights.
  let weights: Record<string, unknown>;
  if (Array.isArray(b.metrics)) {
    weights = Object.fromEntries(b.metrics.map((m) => [String(m), 1]));
  } else if (typeof b.metrics === "object" && b.metrics !== null) {
    weights = b.metrics as Record<string, unknown>;
  } else {
    return bad('Say what to balance: "metrics": {"<metric>": <weight>, …}, e.g. {"revenue": 1, "accounts": 0.5}.');
  }
  const metrics: Record<string, number> = {};
  for (const [name, w] of Object.entries(weights)) {
    if (!ctx.metrics.includes(name)) unknown.metrics.push(name);
    else if (typeof w !== "number" || !Number.isFinite(w) || w < 0) {
      return bad(`The weight of "${clip(name)}" must be a number of 0 or more.`);
    } else if (w > 0) metrics[name] = w;
  }

  const territoryList = (field: string, v: unknown): string[] | ParsedRequest => {
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
      return bad(`"${field}" must be a list of territory ids.`);
    for (const id of v as string[]) if (!ctx.hasTerritory(id)) unknown.territories.push(id);
    return [...new Set(v as string[])];
  };

  let shares: Record<string, number> = {};
  if (b.shares !== undefined) {
    if (typeof b.shares !== "object" || b.shares === null || Array.isArray(b.shares)) {
      return bad('"shares" must map territory ids to relative shares, e.g. {"bogor": 1.2}.');
    }
    shares = {};
    for (const [id, s] of Object.entries(b.shares as Record<string, unknown>)) {
      if (!ctx.hasTerritory(id)) unknown.territories.push(id);
      else if (typeof s !== "number" || !Number.isFinite(s) || s <= 0) {
        return bad(`The share of "${clip(id)}" must be a number above 0 (1 is an equal share, 1.2 one fifth more).`);
      } else shares[id] = s;
    }
  }
  let locked: string[] = [];
  if (b.locked !== undefined) {
    const l = territoryList("locked", b.locked);
    if (!Array.isArray(l)) return l;
    locked = l;
  }
  let scope: string[] | null = null;
  if (b.scope !== undefined && b.scope !== null) {
    const l = territoryList("scope", b.scope);
    if (!Array.isArray(l)) return l;
    if (l.length === 0)
      return bad('"scope" lists the territories to balance (and their neighbours); leave it out for all.');
    scope = l;
  }
  let lockedUnits: string[] = [];
  if (b.lockedUnits !== undefined) {
    if (!Array.isArray(b.lockedUnits) || b.lockedUnits.some((x) => typeof x !== "string"))
      return bad('"lockedUnits" must be a list of unit ids.');
    lockedUnits = [...new Set(b.lockedUnits as string[])];
    for (const id of lockedUnits) if (!ctx.hasUnit(id)) unknown.units.push(id);
  }

  if (unknown.metrics.length + unknown.territories.length + unknown.units.length > 0) {
    const parts: string[] = [];
    if (unknown.metrics.length > 0) {
      parts.push(
        `no metric ${quoteList(unknown.metrics)} (it has ${ctx.metrics.slice(0, 12).join(", ")}${ctx.metrics.length > 12 ? ", …" : ""})`,
      );
    }
    if (unknown.territories.length > 0) parts.push(`no territory ${quoteList(unknown.territories)}`);
    if (unknown.units.length > 0) parts.push(`no unit ${quoteList(unknown.units)} in its unit layer`);
    return bad(`This plan has ${parts.join("; ")}; nothing was started.`);
  }
  if (Object.keys(metrics).length === 0) return bad("Give at least one metric a weight above 0.");

  const contiguous = b.contiguous ?? true;
  if (typeof contiguous !== "boolean") return bad('"contiguous" must be true or false.');
  const compactness = b.compactness ?? DEFAULT_COMPACTNESS;
  if (typeof compactness !== "number" || !(compactness >= 0 && compactness <= 1)) {
    return bad('"compactness" must be a number from 0 ("balance first") to 1 ("shape first").');
  }
  const maxMoved = b.maxMoved ?? null;
  if (maxMoved !== null && (typeof maxMoved !== "number" || !(maxMoved >= 0 && maxMoved <= 1))) {
    return bad('"maxMoved" must be a share from 0 to 1 of the units that may change territory.');
  }
  const seconds = b.seconds ?? DEFAULT_SECONDS;
  if (typeof seconds !== "number" || !(seconds >= MIN_SECONDS && seconds <= MAX_SECONDS)) {
    return bad(`"seconds" must be a number from ${MIN_SECONDS} to ${MAX_SECONDS}.`);
  }
  const seed = b.seed ?? DEFAULT_SEED;
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    return bad('"seed" must be a whole number from 0 to 4294967295.');
  }
  return {
    ok: true,
    settings: { metrics, shares, contiguous, compactness, locked, lockedUnits, maxMoved, scope, seconds, seed },
  };
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}

function quoteList(xs: string[]): string {
  const shown = xs.slice(0, 5).map((x) => `"${clip(x)}"`);
  return `${shown.join(", ")}${xs.length > 5 ? ` and ${xs.length - 5} more` : ""}`;
}

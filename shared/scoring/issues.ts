import type { TopologyProblem } from "../geometry/kinks.ts";
import type { Position, TerritoryGeometry } from "../geometry/types.ts";
import type { AccountIndex } from "./accounts.ts";
import type { RowBalance } from "./balance.ts";
import {
  ACCOUNT_ID_CAP,
  type BBox,
  type Issue,
  type IssueKind,
  type MetricName,
  type ReferenceSource,
  type Severity,
} from "./types.ts";

/**
 * Builders of each kind of issue: its stable id, severity, English sentence
 * and the params a client needs to say it in another language. Pure: the
 * Analyzer gathers the facts, these only word them.
 */

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const KIND_ORDER: Record<IssueKind, number> = {
  "invalid-geometry": 0,
  overlap: 1,
  "unassigned-accounts": 2,
  disconnected: 3,
  deviation: 4,
};

/** Errors first, then by kind, then by id: a stable order for lists and tests. */
export function compareIssues(a: Issue, b: Issue): number {
  return (
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

interface TerritoryRef {
  id: string;
  name: string;
}

const PROBLEM_TEXT: Record<TopologyProblem, string> = {
  "too-few-points": "has a ring with fewer than 3 distinct points",
  "zero-area": "has a ring with no area (its points lie on one line)",
  "self-intersection": "has a boundary that crosses itself",
  "hole-outside": "has a hole outside its outer boundary",
  "parts-overlap": "has parts that lie on top of each other",
};

/**
 * Invalid geometry (error): the territory cannot be trusted until redrawn.
 *
 * @example invalidGeometryIssue({id:"t1",name:"North"}, "self-intersection", 1, [0.5,0.5], box).message
 * // "“North” has a boundary that crosses itself (1 point); redraw it so that it does not."
 */
export function invalidGeometryIssue(
  t: TerritoryRef,
  problem: TopologyProblem,
  intersections: number,
  at: Position,
  bbox: BBox,
): Issue {
  const where = problem === "self-intersection" ? ` (${fmtInt(intersections)} ${plural(intersections, "point")})` : "";
  return {
    id: `invalid-geometry:${t.id}`,
    kind: "invalid-geometry",
    severity: "error",
    territoryIds: [t.id],
    message: `${quote(t.name)} ${PROBLEM_TEXT[problem]}${where}; redraw it so that it does not.`,
    params: { territory: t.name, problem, intersections },
    at,
    bbox,
  };
}

/**
 * Overlap between two territories (error): the area is claimed twice and
 * its accounts are counted in both.
 */
export function overlapIssue(
  a: TerritoryRef,
  b: TerritoryRef,
  areaKm2: number,
  accountIds: readonly string[],
  accounts: number,
  at: Position,
  bbox: BBox,
  geometry: TerritoryGeometry | null,
): Issue {
  const counted =
    accounts > 0
      ? `, and ${fmtInt(accounts)} ${plural(accounts, "account")} ${accounts === 1 ? "is" : "are"} counted in both`
      : "";
  const issue: Issue = {
    id: `overlap:${a.id}:${b.id}`,
    kind: "overlap",
    severity: "error",
    territoryIds: [a.id, b.id],
    message: `${quote(a.name)} and ${quote(b.name)} overlap by ${fmtArea(areaKm2)}${counted}.`,
    params: { territory: a.name, other: b.name, areaKm2, accounts },
    at,
    bbox,
    areaKm2,
  };
  if (geometry) issue.geometry = geometry;
  if (accountIds.length > 0) issue.accountIds = [...accountIds];
  return issue;
}

/** Accounts in no territory (warning): nobody is responsible for them. */
export function unassignedIssue(
  accountIds: readonly string[],
  accounts: number,
  total: number,
  at: Position,
  bbox: BBox,
): Issue {
  const share = total > 0 ? accounts / total : 0;
  return {
    id: "unassigned-accounts",
    kind: "unassigned-accounts",
    severity: "warning",
    territoryIds: [],
    message: `${fmtInt(accounts)} ${plural(accounts, "account")} (${fmtPct(share)} of all) ${accounts === 1 ? "is" : "are"} in no territory.`,
    params: { accounts, total, share },
    at,
    bbox,
    accountIds: [...accountIds],
  };
}

/**
 * Of the points `indices` (positions in `lon`/`lat`), the first one nearest
 * (x, y) in plain degrees, undefined when none is: where an issue's marker
 * goes, on a real point near the middle of many.
 *
 * ```ts
 * nearestOf([0, 2], [106, 107, 108], [-6, -6, -6], 107.9, -6); // 2
 * ```
 */
export function nearestOf(
  indices: Iterable<number>,
  lon: ArrayLike<number>,
  lat: ArrayLike<number>,
  x: number,
  y: number,
): number | undefined {
  let best: number | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const i of indices) {
    const d = ((lon[i] as number) - x) ** 2 + ((lat[i] as number) - y) ** 2;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/**
 * The unassigned-accounts issue for accounts `unassigned` (indices into
 * `accounts`): a box around them all, and a marker on the real account
 * nearest their mean position.
 */
export function unassignedIssueOf(accounts: AccountIndex, unassigned: readonly number[]): Issue {
  const { lon, lat, ids } = accounts;
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  let sx = 0;
  let sy = 0;
  for (const a of unassigned) {
    const x = lon[a] as number;
    const y = lat[a] as number;
    sx += x;
    sy += y;
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
  }
  const mx = sx / unassigned.length;
  const my = sy / unassigned.length;
  const best = nearestOf(unassigned, lon, lat, mx, my) ?? (unassigned[0] as number);
  return unassignedIssue(
    unassigned.slice(0, ACCOUNT_ID_CAP).map((a) => ids[a] as string),
    unassigned.length,
    accounts.size,
    [lon[best] as number, lat[best] as number],
    padPointBox([minX, minY, maxX, maxY]),
  );
}

/** A box at least 0.01° across, so a zoom to one point does not zoom in forever. */
export function padPointBox(b: BBox): BBox {
  const px = Math.max(0, (0.01 - (b[2] - b[0])) / 2);
  const py = Math.max(0, (0.01 - (b[3] - b[1])) / 2);
  return [b[0] - px, b[1] - py, b[2] + px, b[3] + py];
}

/**
 * A territory in separate pieces (info): worth a look, but islands in an
 * archipelago are a legitimate reason for it.
 */
export function disconnectedIssue(t: TerritoryRef, parts: number, at: Position, bbox: BBox): Issue {
  return {
    id: `disconnected:${t.id}`,
    kind: "disconnected",
    severity: "info",
    territoryIds: [t.id],
    message: `${quote(t.name)} is in ${fmtInt(parts)} separate parts.`,
    params: { territory: t.name, parts },
    at,
    bbox,
  };
}

/** A metric beyond the allowed deviation: a warning, an error beyond twice the allowance. */
export function deviationIssue(
  t: TerritoryRef,
  metric: MetricName,
  value: number,
  reference: number,
  source: ReferenceSource,
  deviation: number,
  allowed: number,
  severity: Severity,
  at: Position,
  bbox: BBox,
): Issue {
  const more = deviation > 0;
  const what = metricLabel(metric);
  const than = source === "target" ? "its target" : "the plan average";
  return {
    id: `deviation:${t.id}:${metric}`,
    kind: "deviation",
    severity,
    territoryIds: [t.id],
    message:
      `${quote(t.name)} has ${fmtPct(Math.abs(deviation))} ${more ? "more" : metric === "accounts" ? "fewer" : "less"} ${what} than ${than} ` +
      `(${fmtMetric(metric, value)} against ${fmtMetric(metric, reference)}; allowed ±${fmtPct(allowed)}).`,
    params: {
      territory: t.name,
      metric,
      value,
      reference,
      source,
      deviation,
      allowed,
      direction: more ? "above" : "below",
    },
    at,
    bbox,
  };
}

/**
 * Every deviation beyond the allowed one, territory by territory and metric
 * by metric: `values[i]` and `balance[i]` are `territories[i]`'s (the rows
 * given to and returned by computeBalance). Used by both analyzers.
 *
 * @example deviationIssues([{ id: "a", name: "A", at, bbox }], [{ accounts: 12 }], rowBalance, ["accounts"], 0.15)
 * // [] when A is within ±15 % of its reference, else one "deviation:a:accounts" issue
 */
export function deviationIssues(
  territories: readonly (TerritoryRef & { at: Position; bbox: BBox })[],
  values: readonly Readonly<Record<MetricName, number>>[],
  balance: readonly RowBalance[],
  metrics: readonly MetricName[],
  allowed: number,
): Issue[] {
  const issues: Issue[] = [];
  for (let i = 0; i < territories.length; i++) {
    const t = territories[i] as TerritoryRef & { at: Position; bbox: BBox };
    const rb = balance[i] as RowBalance;
    const v = values[i] as Readonly<Record<MetricName, number>>;
    for (const m of metrics) {
      const level = rb.levels[m];
      if (level === "ok" || level === undefined) continue;
      issues.push(
        deviationIssue(
          t,
          m,
          v[m] as number,
          rb.references[m] as number,
          rb.referenceSources[m] ?? "mean",
          rb.deviations[m] as number,
          allowed,
          level,
          [...t.at] as Position,
          [...t.bbox] as BBox,
        ),
      );
    }
  }
  return issues;
}

/** How a metric reads in a sentence. */
export function metricLabel(metric: MetricName): string {
  return metric === "areaKm2" ? "area" : metric;
}

function quote(name: string): string {
  return `“${name}”`;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

/** 1234567 → "1,234,567" (fixed, so messages do not depend on the host's locale). */
export function fmtInt(n: number): string {
  const r = Math.round(Math.abs(n));
  return `${n < 0 && r !== 0 ? "-" : ""}${group(r.toString())}`;
}

/** A number with up to `digits` decimals, grouped: 1234.5 → "1,234.5". */
export function fmtNum(n: number, digits: number): string {
  let fixed = Math.abs(n).toFixed(digits);
  if (fixed.includes(".")) fixed = fixed.replace(/\.?0+$/, "");
  const dot = fixed.indexOf(".");
  const int = dot < 0 ? fixed : fixed.slice(0, dot);
  const frac = dot < 0 ? "" : fixed.slice(dot);
  return `${n < 0 && Number(fixed) !== 0 ? "-" : ""}${group(int)}${frac}`;
}

/** Thousands separators for a string of digits. */
function group(digits: string): string {
  if (digits.length <= 3 || !/^\d+$/.test(digits)) return digits;
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return out;
}

/** 0.253 → "25%", 0.004 → "0.4%". */
export function fmtPct(fraction: number): string {
  const p = fraction * 100;
  return `${Math.abs(p) < 10 ? fmtNum(p, 1) : fmtInt(p)}%`;
}

function fmtArea(km2: number): string {
  if (km2 >= 100) return `${fmtInt(km2)} km²`;
  if (km2 >= 1) return `${fmtNum(km2, 1)} km²`;
  if (km2 >= 0.01) return `${fmtNum(km2, 2)} km²`;
  return `${fmtInt(km2 * 1e6)} m²`;
}

function fmtMetric(metric: MetricName, v: number): string {
  if (metric === "areaKm2") return fmtArea(v);
  return Number.isInteger(v) || Math.abs(v) >= 100 ? fmtInt(v) : fmtNum(v, 2);
}

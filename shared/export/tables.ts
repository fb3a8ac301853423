import type { Rep } from "../doc/territory.ts";
import { actualOf, targetMetrics } from "../scoring/achievement.ts";
import type { MetricName, TerritoryMetrics } from "../scoring/types.ts";
import type { CsvCell } from "./csv.ts";

/**
 * The plan's results as tables (issue 5's exports): one row per account with
 * its territory, for the CRM, and one row per territory with its metrics.
 * Pure: the server feeds them the stored accounts, the live analysis and the
 * document's territories, and writes them with ./csv.ts.
 */

export interface Table {
  header: string[];
  rows: CsvCell[][];
}

/**
 * How an account got its territory:
 * - `inside`: the one territory that contains it;
 * - `pinned`: pinned to it by hand, wherever it lies;
 * - `overlap`: inside several (an overlap issue); the first of them in the
 *   analysis's order (by territory id) is given, so each account has one row
 *   and one territory, and the same one on every export;
 * - `unassigned`: in no territory; the territory columns are empty.
 */
export type AssignmentStatus = "inside" | "pinned" | "overlap" | "unassigned";

/**
 * `rep_names` and `rep_emails`: the territory's reps, joined with "; " (what
 * a CRM's owner update reads); empty where unassigned or without reps.
 */
export const ASSIGNMENT_HEADER = [
  "account_id",
  "account_name",
  "territory_id",
  "territory_name",
  "status",
  "rep_names",
  "rep_emails",
];

export interface AssignmentInput {
  /** The accounts, in the order the analysis indexes them (the stored order). */
  accounts: readonly { id: string; name: string }[];
  /**
   * Per account: the index in `territories` of its territory, -1 in none, -2
   * in several (the analysis's `accountTerritory`).
   */
  assignment: ArrayLike<number>;
  /** The analysis's territories, in its order (sorted by id), with their reps. */
  territories: readonly { id: string; name: string; reps?: readonly Rep[] }[];
  /** Manual pins, account id → territory id. */
  pins: ReadonlyMap<string, string>;
  /** For an account in several territories: the index in `territories` to give it, or -1. */
  pickOverlap: (account: number) => number;
}

/**
 * One row per account: account id and name, territory id and name (empty
 * where unassigned), how it was assigned, and the territory's reps.
 *
 * @example
 * assignmentTable({ accounts: [{ id: "A1", name: "Toko" }], assignment: [0],
 *   territories: [{ id: "t1", name: "Bogor" }], pins: new Map(), pickOverlap: () => -1 }).rows
 * // [["A1", "Toko", "t1", "Bogor", "inside", "", ""]]
 */
export function assignmentTable(input: AssignmentInput): Table {
  const { accounts, assignment, territories, pins, pickOverlap } = input;
  if (assignment.length !== accounts.length) {
    throw new RangeError(`the assignment covers ${assignment.length} accounts, not ${accounts.length}`);
  }
  const rows: CsvCell[][] = new Array(accounts.length);
  for (let a = 0; a < accounts.length; a++) {
    const account = accounts[a] as { id: string; name: string };
    let index = assignment[a] as number;
    let status: AssignmentStatus;
    if (index === -2) {
      index = pickOverlap(a);
      status = "overlap";
    } else {
      status = index >= 0 && pins.get(account.id) === territories[index]?.id ? "pinned" : "inside";
    }
    const t = index >= 0 ? territories[index] : undefined;
    if (!t) status = status === "overlap" ? "overlap" : "unassigned";
    const reps = t?.reps ?? [];
    rows[a] = [
      account.id,
      account.name,
      t?.id ?? "",
      t?.name ?? "",
      status,
      reps.map((r) => r.name).join("; "),
      reps.flatMap((r) => (r.email ? [r.email] : [])).join("; "),
    ];
  }
  return { header: ASSIGNMENT_HEADER, rows };
}

/** What the metrics table needs of a territory: the document's current properties. */
export interface TerritoryAttributes {
  id: string;
  name: string;
  color: string;
  parent: string | null;
  reps: readonly Rep[];
  targets: Readonly<Record<string, number>>;
}

export interface MetricsInput {
  /** The plan's territories, in the order the rows should have. */
  territories: readonly TerritoryAttributes[];
  /** The analysis's rows. A territory without one (not scored yet) gets empty metric cells. */
  metrics: readonly TerritoryMetrics[];
  /** The balance metrics, in order (the analysis's `balance.metricNames`). */
  balanceMetrics: readonly MetricName[];
}

/**
 * One row per territory:
 * `id, name, color, parent, reps, accounts, shared_accounts, sum_<attribute>…,
 * area_km2, perimeter_km, compactness, parts, vertices, valid,
 * target_<metric>…, achievement_<metric>…, deviation_<metric>…`.
 *
 * Reps are written as a mailbox list (`Budi <budi@example.com>; Sari`).
 * Achievement is actual / target (0.9 = 90 %), empty without a target;
 * deviation is (value − reference) / reference, the reference being the
 * target when one is set, else the plan mean (see shared/scoring/balance.ts).
 * Rounded to what a person reads: km² and km to 3 decimals, ratios to 4,
 * sums to 6 (sums of decimals carry float noise otherwise).
 */
export function metricsTable(input: MetricsInput): Table {
  const byId = new Map<string, TerritoryMetrics>();
  const attrs = new Set<string>();
  for (const m of input.metrics) {
    byId.set(m.id, m);
    for (const k of Object.keys(m.sums)) attrs.add(k);
  }
  const attrNames = [...attrs].sort();
  const targets = targetMetrics(input.territories);
  const header = [
    "id",
    "name",
    "color",
    "parent",
    "reps",
    "accounts",
    "shared_accounts",
    ...attrNames.map((a) => `sum_${a}`),
    "area_km2",
    "perimeter_km",
    "compactness",
    "parts",
    "vertices",
    "valid",
    ...targets.map((m) => `target_${m}`),
    ...targets.map((m) => `achievement_${m}`),
    ...input.balanceMetrics.map((m) => `deviation_${m}`),
  ];
  const rows = input.territories.map((t): CsvCell[] => {
    const m = byId.get(t.id);
    const targetCells = targets.map((k) => {
      const v = t.targets[k];
      return typeof v === "number" && v > 0 ? v : null;
    });
    return [
      t.id,
      t.name,
      t.color,
      t.parent ?? "",
      formatReps(t.reps),
      m?.accounts,
      m?.sharedAccounts,
      ...attrNames.map((a) => (m ? round(m.sums[a] ?? 0, 6) : null)),
      m && round(m.areaKm2, 3),
      m && round(m.perimeterKm, 3),
      m && round(m.compactness, 4),
      m?.parts,
      m?.vertices,
      m?.valid,
      ...targetCells,
      ...targets.map((k, i) => {
        const target = targetCells[i];
        return m && target ? round(actualOf(m, k) / target, 4) : null;
      }),
      ...input.balanceMetrics.map((k) => {
        const d = m?.deviations[k];
        return typeof d === "number" ? round(d, 4) : null;
      }),
    ];
  });
  return { header, rows };
}

/**
 * Reps as an RFC 5322 mailbox list, what mail clients and CRMs paste:
 *
 * @example formatReps([{ name: "Budi", email: "budi@example.com" }, { name: "Sari" }]) // "Budi <budi@example.com>; Sari"
 */
export function formatReps(reps: readonly Rep[]): string {
  return reps.map((r) => (r.email ? `${r.name} <${r.email}>` : r.name)).join("; ");
}

/**
 * Rounds to `digits` decimals. Dividing the rounded integer by a power of ten
 * gives the double nearest to the decimal, which prints without noise.
 */
export function round(v: number, digits: number): number {
  const f = 10 ** digits;
  const r = Math.round(v * f) / f;
  return Object.is(r, -0) ? 0 : r;
}

/**
 * Per target metric, actual / target, for a territory's GeoJSON properties:
 * `{revenue: 0.9}`. Metrics without a positive target are left out.
 */
export function achievementOf(m: TerritoryMetrics, targets: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, target] of Object.entries(targets)) {
    if (typeof target === "number" && target > 0) out[k] = round(actualOf(m, k) / target, 4);
  }
  return out;
}
